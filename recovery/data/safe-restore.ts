/**
 * A restore into a database someone uses, as the `restore` command runs it: check the backup as far
 * as it can be checked, open the target, ask (naming the target), take a safety backup of the
 * target, then restore all or nothing. Nothing is changed, and no safety backup is left behind,
 * until the backup has passed every check that does not need the whole download (in production a
 * safety backup is immutable for 14 days). Once a safety backup exists, every later error names it.
 */
import { RefusedError } from "../errors";
import { dataFailure } from "./failure";
import { backupToBlob } from "./backup";
import { safetyBackupName } from "./names";
import { inspectBackup, type InspectedBackup } from "./inspect-backup";
import { restoreInspected, type RestoreOutcome } from "./restore";
import { formatBytes, type ProgressFn } from "./streams";
import type { DatabaseConnection, StorageLocation } from "./types";

export interface SafeRestoreRequest {
  storage: StorageLocation;
  /** `--file`: the backup's name, with or without its extension. */
  file: string;
  /** Opens the target (a tunnel, or a URL); called once the backup has passed its checks, released at the end. */
  connect: () => Promise<DatabaseConnection>;
  /** Asks the operator; resolves true to go on. Told the backup and the target by name. */
  confirm: (question: string) => Promise<boolean>;
  /** Back up the target first. @default true */
  safetyBackup?: boolean;
  /** Custom archives: parallel restore jobs, or "auto" (jobs.ts). @default 1 */
  jobs?: number | "auto";
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Progress lines ("safety backup of ... to ..."). @default none */
  log?: (line: string) => void;
  now?: () => Date;
}

export interface SafeRestoreOutcome extends RestoreOutcome {
  target: string;
  /** The safety backup's name, when one was taken. */
  safetyBackup?: string;
}

/** The question asked before anything is changed: what is restored, into which database, and what becomes of its contents. */
function restoreQuestion(backup: Pick<InspectedBackup, "name" | "bytes">, target: string, safety: boolean): string {
  return `Restore ${backup.name} (${formatBytes(backup.bytes)}) into ${target}? Everything in that database is replaced${safety ? " (a safety backup of it is taken first)" : ", with no safety backup"}.`;
}

/** `err` as the data failure mapping makes it (data/failure.ts), with the safety backup named in its message. */
function withSafetyNote(err: unknown, safety: string, target: string, backup: string, signal: AbortSignal | undefined): unknown {
  return dataFailure(err, { what: `restore of ${backup} into ${target}`, left: `the safety backup ${safety} holds ${target} as it was before (aytq-dr restore --file ${safety} puts it back)`, signal });
}

export async function restoreSafely(req: SafeRestoreRequest): Promise<SafeRestoreOutcome> {
  const started = Date.now();
  const backup = await inspectBackup(req.storage, req.file, req.signal);
  const conn = await req.connect();
  try {
    const safety = req.safetyBackup ?? true;
    if (!(await req.confirm(restoreQuestion(backup, conn.label, safety)))) {
      throw new RefusedError(`not confirmed: ${backup.name} was not restored into ${conn.label}; nothing was changed`, "run it again and answer y, or add --yes");
    }
    let safetyName: string | undefined;
    if (safety) {
      safetyName = safetyBackupName(backup.name, req.now?.() ?? new Date());
      req.log?.(`safety backup of ${conn.label} to ${safetyName}`);
      await backupToBlob(conn, req.storage, safetyName, { onProgress: req.onProgress, signal: req.signal });
    }
    try {
      req.log?.(`restoring ${backup.name} into ${conn.label}`);
      const r = await restoreInspected(backup, conn, { onProgress: req.onProgress, signal: req.signal, jobs: req.jobs }, started);
      return { ...r, target: conn.label, safetyBackup: safetyName };
    } catch (err) {
      throw safetyName ? withSafetyNote(err, safetyName, conn.label, backup.name, req.signal) : err;
    }
  } finally {
    await conn.release();
  }
}
