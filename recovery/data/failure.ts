/**
 * The one mapping of a data pipeline's failure (backup, restore, the one-pass copy, the surgical
 * ways, the safe restore) to the error an operator sees, and so to its exit code (errors.ts):
 * - stopped by Ctrl-C, SIGHUP or SIGTERM (the signal aborted): InterruptedError, the signal's code;
 * - a typed error (DrError) keeps its class, exit code and fix: a refusal stays a refusal (exit 3),
 *   bad input stays bad input (exit 2), a tool's failure exit 4; the pipeline only adds what it left;
 * - gzip that does not inflate (zlib's Z_ codes): a ToolError naming what was not gzip;
 * - anything else (storage, a stream): storageError, a ToolError (exit 4) with its fix.
 */
import { DrError, InterruptedError, ToolError, stopSignalOf } from "../errors";
import { storageError } from "./storage";
import type { StorageLocation } from "./types";

export interface FailureContext {
  /** What was being done, as a failure from storage or an interruption says it: `restoring x.sql.gz`. */
  what: string;
  /** What the failure left behind, said after every message: `live is unchanged (rolled back)`. @default nothing */
  left?: string;
  /** The pipeline's own typed errors say already what they left (restore's stages): `left` is said only after the messages made here. @default false */
  typedSayLeft?: boolean;
  /** The pipeline's abort signal: once aborted, the failure is the interruption. @default not interruptible */
  signal?: AbortSignal;
  /** Where the bytes went or came from, for a storage failure's fix. */
  storage?: StorageLocation;
  /** What to do after an interruption. @default none */
  interruptedFix?: string;
  /** What did not inflate, for zlib's errors: `backup x.sql.gz`. @default "the data" */
  gzipped?: string;
  /** What to do about data that is not gzip. @default none */
  gzipFix?: string;
}

/** `err` as the error to throw (see the top of this file). */
export function dataFailure(err: unknown, c: FailureContext): DrError {
  const left = c.left ? `; ${c.left}` : "";
  if (c.signal?.aborted && !(err instanceof InterruptedError)) return new InterruptedError(`${c.what} interrupted${left}`, c.interruptedFix, stopSignalOf(c.signal));
  if (err instanceof DrError) {
    // the same error, so its class, exit code, fix (and a tool's stderr) stay as they were
    if (!c.typedSayLeft) err.message += left;
    return err;
  }
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code === "string" && code.startsWith("Z_")) return new ToolError(`${c.gzipped ?? "the data"} is not valid gzip (${(err as Error).message})${left}`, c.gzipFix);
  const e = storageError(c.what, err, c.storage);
  e.message += left;
  return e;
}
