/** Names shared by the program and pre-flight (kept apart from heartbeat.ts so reading them loads no Pulumi). */

/** The nightly backup's heartbeat check in an environment: the program names it so, pre-flight and status look it up by it. */
export function backupHeartbeatName(environment: string): string {
  return `${environment} AYTQ and CTR nightly backup`;
}
