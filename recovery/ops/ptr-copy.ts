/**
 * The decisions around a point-in-time copy that need the stack: whether the restore point is
 * inside the server's restore window, and which name the copy gets. Reads outputs and config
 * only; changes nothing.
 */
import type { PtrCopy } from "../../infra/config";
import { RefusedError } from "../errors";
import type { StackPort } from "../stack/port";
import { checkPtrTime } from "../time";
import { defaultCopyName } from "./operations";
import { existingCopies, readEarliestRestore } from "./outputs";

/** A server name's most characters (Azure). */
const MAX_SERVER_NAME = 63;

/** `base`, or `base-2`, `base-3`... : the first that is not taken, within a server name's 63 characters. */
export function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const suffix = `-${i}`;
    const name = `${base.slice(0, MAX_SERVER_NAME - suffix.length)}${suffix}`;
    if (!taken.has(name)) return name;
  }
}

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

/** The name a new copy gets, and the copies that exist. */
export interface CopyChoice {
  name: string;
  existing: PtrCopy[];
}

/**
 * The copy's name: the operator's `given` name, which must not exist (on any server of the stack),
 * or the per-minute default `<live>-ptr-<yyyymmddhhmm>`, with the next free `-2`, `-3`... when a
 * copy of that minute exists already.
 */
export async function chooseCopyName(port: StackPort, liveServerName: string, given: string | undefined, now: Date): Promise<CopyChoice> {
  const existing = await existingCopies(port);
  const taken = new Set([liveServerName, ...existing.map((c) => c.name)]);
  const name = given ?? freeName(defaultCopyName(liveServerName, now), taken);
  if (taken.has(name)) {
    throw new RefusedError(
      `a server named ${name} already exists; existing copies: ${existing.map((c) => `${c.name} (at ${c.restorePointUTC})`).join(", ") || "none"}`,
      "choose another --name, or leave --name out for a unique default",
    );
  }
  return { name, existing };
}
