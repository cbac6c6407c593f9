/**
 * StatusCake uptime checks as code: a contact group, and a check of the AYTQ and CTR health URLs
 * of the environment. While `app.maintenance` is on, the public checks are paused (the maintenance
 * page answers there) and the checks of the temporary hosts, which reach the app, run instead.
 * The token comes from STATUSCAKE_API_TOKEN in the environment (the provider reads it), never from config.
 */
import * as pulumi from "@pulumi/pulumi";
import * as statuscake from "@pulumiverse/statuscake";
import { DEFAULT_CHECK_RATE_SECONDS, DEFAULT_CONFIRMATION_SERVERS, DEFAULT_HEARTBEAT_HOURS } from "./config";
import { UPTIME_HTTP_CHECK, UptimeCheckOutput } from "./monitoring-plan";
import { HeartbeatCheck, backupHeartbeatName } from "./statuscake/heartbeat";
import { PULUMI_TYPES } from "./types";

/** What the StatusCake checks are declared from: exactly what the component reads. */
export interface UptimeArgs {
  /** The environment: in the checks' tags and the heartbeat's name. */
  environment: string;
  /** The uptime checks and which are paused (uptimeCheckPlan in infra/monitoring-plan.ts, which pre-flight reads too). */
  checks: readonly UptimeCheckOutput[];
  /** The contact group every check alerts. */
  contactGroup: {
    name: string;
    /** @default [] */
    emailAddresses?: readonly string[];
  };
  /** Seconds between checks: one of StatusCake's rates. @default DEFAULT_CHECK_RATE_SECONDS */
  checkRateSeconds?: number;
  /** Servers that must confirm a failure before an alert. @default DEFAULT_CONFIRMATION_SERVERS */
  confirmationServers?: number;
  /** Regions the checks run from. @default StatusCake's choice */
  regions?: readonly string[];
  /** The heartbeat alerts when the nightly backup has not pinged it for this long. @default DEFAULT_HEARTBEAT_HOURS */
  heartbeatHours?: number;
}

/** StatusCake watching the services from outside, and the nightly backup's heartbeat. */

export class Uptime extends pulumi.ComponentResource {
  public readonly checks: pulumi.Output<UptimeCheckOutput[]>;
  public readonly contactGroupId: pulumi.Output<string>;
  /** The provider of the uptime checks and the contact group. */
  public readonly provider: statuscake.Provider;
  /** The nightly backup's heartbeat: the URL `aytq-dr backup --nightly` pings (secret: it holds the push key). */
  public readonly heartbeatUrl: pulumi.Output<string>;

  constructor(name: string, args: UptimeArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PULUMI_TYPES.uptimeComponent, name, {}, opts);
    const { environment } = args;
    // Passed explicitly so the SDK wraps it as a secret: left to itself, the provider reads
    // STATUSCAKE_API_TOKEN into its inputs as plain text, and provider inputs are kept in the state.
    this.provider = new statuscake.Provider(`${name}-statuscake`, { apiToken: process.env.STATUSCAKE_API_TOKEN || undefined }, { parent: this });
    const contactGroup = new statuscake.ContactGroup(
      `${name}-contacts`,
      { name: args.contactGroup.name, emailAddresses: [...(args.contactGroup.emailAddresses ?? [])] },
      { parent: this, provider: this.provider },
    );
    const plan = [...args.checks];
    for (const check of plan) {
      new statuscake.UptimeCheck(
        `${name}-${check.host}-${check.service.toLowerCase()}`,
        {
          name: check.name,
          checkInterval: args.checkRateSeconds ?? DEFAULT_CHECK_RATE_SECONDS,
          confirmation: args.confirmationServers ?? DEFAULT_CONFIRMATION_SERVERS,
          contactGroups: [contactGroup.id],
          paused: check.paused,
          monitoredResource: { address: check.url },
          // statusCodes are the codes that TRIGGER AN ALERT, validateSsl is the certificate-expiry alert (monitoring-plan.ts)
          httpCheck: { statusCodes: [...UPTIME_HTTP_CHECK.statusCodes], validateSsl: UPTIME_HTTP_CHECK.certificateExpiryAlert, timeout: UPTIME_HTTP_CHECK.timeoutSeconds },
          ...(args.regions ? { regions: [...args.regions] } : {}),
          tags: ["aytq-dr", environment, check.host],
        },
        { parent: this, provider: this.provider },
      );
    }
    // a push check: alerts when the nightly backup has not pinged it for heartbeatHours
    const heartbeat = new HeartbeatCheck(
      `${name}-backup-heartbeat`,
      {
        name: backupHeartbeatName(environment),
        periodSeconds: (args.heartbeatHours ?? DEFAULT_HEARTBEAT_HOURS) * 3600,
        contactGroupIds: [contactGroup.id],
        tags: ["aytq-dr", environment, "backup"],
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
