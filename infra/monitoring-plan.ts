/**
 * What the stack declares for monitoring, as plain data: the uptime checks (and which are paused)
 * and the delete locks' names. Pure and light (no Pulumi), so pre-flight and status read the same
 * rules as the program.
 */
import { Settings, healthUrls, temporaryUrls } from "./config";

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
