/** Values both the program and the driver derive from the settings, so that each is computed one way. */
import type { Settings } from "./settings";

/** Health URLs, AYTQ then CTR. */
export function healthUrls(s: Settings): { service: "AYTQ" | "CTR"; url: string }[] {
  return [
    { service: "AYTQ", url: `https://${s.app.hosts.aytq}${s.app.healthPath}` },
    { service: "CTR", url: `https://${s.app.hosts.ctr}${s.app.healthPath}` },
  ];
}

/** Temporary URLs that reach the app during maintenance. */
export function temporaryUrls(s: Settings): { service: "AYTQ" | "CTR"; url: string }[] {
  return [
    { service: "AYTQ", url: `https://${s.app.temporaryHosts.aytq}` },
    { service: "CTR", url: `https://${s.app.temporaryHosts.ctr}` },
  ];
}

/** Replica counts for the current stopped state. */
export function desiredReplicas(s: Settings): { web: number; worker: number } {
  return s.app.stopped ? { web: 0, worker: 0 } : { web: s.app.webReplicas, worker: s.app.workerReplicas };
}
