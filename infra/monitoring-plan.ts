/**
 * What the stack declares for monitoring, as plain data: the uptime checks (and which are paused)
 * and the delete locks' names. Pure and light (no Pulumi), so pre-flight and status read the same
 * rules as the program.
 */
import { Settings, healthUrls, temporaryUrls } from "./config";

/**
 * StatusCake's default list of the status codes that TRIGGER AN ALERT, as its first Terraform
 * provider sent it on every check (StatusCakeDev/terraform-provider-statuscake v0.1.0, commit
 * ea1653a5, statuscake/resource_statuscaketest.go `defaultStatusCodes`; the same list is documented
 * as the default in v0.2.0, commit 48cce929, website/docs/r/test.html.markdown). Provider v2.0.6,
 * which @pulumiverse/statuscake 1.0.2 bridges, has no default: `http_check.status_codes` is
 * required, described as "List of status codes that trigger an alert" and sent as
 * `status_codes_csv` (v2.0.6, commit 36f9c47e, internal/provider/resource_uptime_check.go; the same
 * words in statuscake-go v1.1.0 model_uptime_test_.go).
 */
export const STATUSCAKE_DEFAULT_ALERT_STATUS_CODES = [
  "204", "205", "206", "303", "400", "401", "403", "404", "405", "406", "408", "410", "413", "444", "429", "494", "495", "496", "499",
  "500", "501", "502", "503", "504", "505", "506", "507", "508", "509", "510", "511", "521", "522", "523", "524", "520", "598", "599",
] as const;

/**
 * The codes our uptime checks alert on: StatusCake's default without its 2xx (204, 205, 206), so no
 * success ever alerts. Among them every failure the health endpoint or the ingress in front of it
 * answers with (401, 403, 404, 429, 500, 502, 503, 504); a timeout or a refused connection is down
 * whatever the list. Never put 200 here: it would make every healthy check alert.
 */
export const STATUSCAKE_ALERT_STATUS_CODES: readonly string[] = STATUSCAKE_DEFAULT_ALERT_STATUS_CODES.filter((c) => !c.startsWith("2"));

/**
 * The `http_check` block of every uptime check (provider v2.0.6 resource_uptime_check.go):
 * - `statusCodes`: the codes that alert (above);
 * - `certificateExpiryAlert` is the provider's `validate_ssl`, sent as `enable_ssl_alert`: "Whether to
 *   send an alert if the SSL certificate is soon to expire". It is NOT TLS validation (provider v2.0.6
 *   has no field that fails a check on an invalid certificate);
 * - `timeoutSeconds`: "The number of seconds to wait to receive the first byte" (5 to 75).
 */
export const UPTIME_HTTP_CHECK = {
  statusCodes: STATUSCAKE_ALERT_STATUS_CODES,
  certificateExpiryAlert: true,
  timeoutSeconds: 30,
} as const;

/** What the stack reports about one check (pre-flight and status compare it with StatusCake). */
export interface UptimeCheckOutput {
  name: string;
  service: "AYTQ" | "CTR";
  url: string;
  paused: boolean;
  /** `public` or `temporary` host. */
  host: "public" | "temporary";
}

/** The checks the stack declares, as data (pure): the program and pre-flight share it. */
export function uptimeCheckPlan(s: Settings): UptimeCheckOutput[] {
  const on = s.app.maintenance;
  return [
    ...healthUrls(s).map((h) => ({ name: `${s.environment} ${h.service} health`, service: h.service, url: h.url, paused: on, host: "public" as const })),
    ...temporaryUrls(s).map((t) => ({ name: `${s.environment} ${t.service} temporary health`, service: t.service, url: `${t.url}${s.app.healthPath}`, paused: !on, host: "temporary" as const })),
  ];
}

/** The delete lock's name on a resource. Pre-flight reads the locks by these names. */
export function lockName(resourceName: string): string {
  return `${resourceName}-no-delete`;
}
