/**
 * The decisions around a point-in-time copy that need the stack: whether the restore point is
 * inside the server's restore window, and which copy it is (its name and the rule for a name that
 * exists: config/copy-name.ts). Reads outputs and config only; changes nothing.
 */
import type { PtrCopy } from "../../infra/config";
import { defaultCopyName, freeName, ptrCopyFor, type CopyFor } from "../config/copy-name";
import type { StackPort } from "../stack/port";
import { checkPtrTime } from "../time";
import { existingCopies, readEarliestRestore } from "./outputs";

/**
 * The PTR window rule, once the stack is open: --at must not be older than the live server's
 * earliest restore date (stack output `earliestRestoreDate`); the retention window applies only
 * where readEarliestRestore says so, and the log line says which.
 */
export async function checkPtrWindowOnStack(port: StackPort, at: Date, now: Date, log: (text: string) => void): Promise<void> {
  const window = await readEarliestRestore(port);
  log(`restore window: ${window.source}`);
  checkPtrTime(at, { now, earliestRestore: window.earliestRestore });
}

/** The copy a `ptr` asks for, whether it exists already, and the copies that exist. */
export interface CopyChoice extends CopyFor {
  existing: PtrCopy[];
}

/**
 * The copy for `ptr`: the operator's `given` name, or the per-minute default
 * `<live>-ptr-<yyyymmddhhmm>` with the next free `-2`, `-3`... when a copy of that minute exists
 * already; a name that exists is reused or refused by the one rule (config/copy-name.ts ptrCopyFor).
 */
export async function chooseCopy(port: StackPort, liveServerName: string, given: string | undefined, restorePointUTC: string, now: Date): Promise<CopyChoice> {
  const existing = await existingCopies(port);
  const taken = new Set([liveServerName, ...existing.map((c) => c.name)]);
  const name = given ?? freeName(defaultCopyName(liveServerName, now), taken);
  return { ...ptrCopyFor({ name, restorePointUTC, liveServerName, existing, now }), existing };
}
