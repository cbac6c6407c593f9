/**
 * What follows a nightly backup: the read-back check (data/nightly.ts), then, only if it passes,
 * the heartbeat's ping. A backup that failed, or that does not read back, never pings: StatusCake
 * then alerts when its period passes, which is the point. Here, not in data/, because the data
 * tools know nothing of monitoring.
 */
import { readBackChecksum, type ReadBack } from "../data/nightly";
import type { BackupResult, StorageLocation } from "../data/types";
import { type HeartbeatPing, type HeartbeatTarget, pingHeartbeat, type PingOptions } from "./heartbeat";

/** What the nightly backup's epilogue did, for its report: the read-back, and the ping or why there was none. */
export interface AfterNightly {
  readBack: ReadBack;
  heartbeat: { pinged: false; line: string } | ({ pinged: true } & HeartbeatPing);
}

/**
 * After a nightly backup was written: read it back (throws when it does not match: no ping), then
 * ping the heartbeat when there is one (never throws for the ping).
 */
export async function afterNightlyBackup(storage: StorageLocation, backup: BackupResult, heartbeat: HeartbeatTarget, o: PingOptions & { signal?: AbortSignal } = {}): Promise<AfterNightly> {
  const readBack = await readBackChecksum(storage, backup, o.signal);
  if (heartbeat.url === undefined) return { readBack, heartbeat: { pinged: false, line: heartbeat.warning } };
  return { readBack, heartbeat: { pinged: true, ...(await pingHeartbeat(heartbeat.url, o)) } };
}
