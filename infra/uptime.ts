/**
 * StatusCake uptime checks as code: a contact group, and a check of the AYTQ and CTR health URLs
 * of the environment. While `app.maintenance` is on, the public checks are paused (the maintenance
 * page answers there) and the checks of the temporary hosts, which reach the app, run instead.
 * The token comes from STATUSCAKE_API_TOKEN in the environment (the provider reads it), never from config.
 */
import * as pulumi from "@pulumi/pulumi";
import * as statuscake from "@pulumiverse/statuscake";
import { Settings } from "./config";
import { UPTIME_HTTP_CHECK, UptimeCheckOutput, uptimeCheckPlan } from "./monitoring-plan";
import { HeartbeatCheck, backupHeartbeatName } from "./statuscake/heartbeat";

export interface UptimeArgs {
  settings: Settings;
}

export class Uptime extends pulumi.ComponentResource {
  public readonly checks: pulumi.Output<UptimeCheckOutput[]>;
  public readonly contactGroupId: pulumi.Output<string>;
  /** The provider of the uptime checks and the contact group. */
  public readonly provider: statuscake.Provider;
  /** The nightly backup's heartbeat: the URL `aytq-dr backup --nightly` pings (secret: it holds the push key). */
  public readonly heartbeatUrl: pulumi.Output<string>;

  constructor(name: string, args: UptimeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aytq:monitoring:Uptime", name, {}, opts);
    const s = args.settings;
    const sc = s.monitoring.statusCake;
    // Passed explicitly so the SDK wraps it as a secret: left to itself, the provider reads
    // STATUSCAKE_API_TOKEN into its inputs as plain text, and provider inputs are kept in the state.
    this.provider = new statuscake.Provider(`${name}-statuscake`, { apiToken: process.env.STATUSCAKE_API_TOKEN || undefined }, { parent: this });
    const contactGroup = new statuscake.ContactGroup(
      `${name}-contacts`,
      { name: sc.contactGroup.name, emailAddresses: sc.contactGroup.emailAddresses },
      { parent: this, provider: this.provider },
    );
    const plan = uptimeCheckPlan(s);
    for (const check of plan) {
      new statuscake.UptimeCheck(
        `${name}-${check.host}-${check.service.toLowerCase()}`,
        {
          name: check.name,
          checkInterval: sc.checkRateSeconds,
          confirmation: sc.confirmationServers,
          contactGroups: [contactGroup.id],
          paused: check.paused,
          monitoredResource: { address: check.url },
          // statusCodes are the codes that TRIGGER AN ALERT, validateSsl is the certificate-expiry alert (monitoring-plan.ts)
          httpCheck: { statusCodes: [...UPTIME_HTTP_CHECK.statusCodes], validateSsl: UPTIME_HTTP_CHECK.certificateExpiryAlert, timeout: UPTIME_HTTP_CHECK.timeoutSeconds },
          ...(sc.regions ? { regions: sc.regions } : {}),
          tags: ["aytq-dr", s.environment, check.host],
        },
        { parent: this, provider: this.provider },
      );
    }
    // a push check: alerts when the nightly backup has not pinged it for heartbeatHours
    const heartbeat = new HeartbeatCheck(
      `${name}-backup-heartbeat`,
      {
        name: backupHeartbeatName(s.environment),
        periodSeconds: sc.heartbeatHours * 3600,
        contactGroupIds: [contactGroup.id],
        tags: ["aytq-dr", s.environment, "backup"],
      },
      { parent: this },
    );
    // undefined until StatusCake answered (a preview, mocks): "" keeps the output's key in the stack
    this.heartbeatUrl = pulumi.secret(heartbeat.pushUrl.apply((u) => u ?? ""));
    this.checks = pulumi.output(plan);
    this.contactGroupId = contactGroup.id;
    this.registerOutputs({ checks: this.checks, contactGroupId: this.contactGroupId });
  }
}
