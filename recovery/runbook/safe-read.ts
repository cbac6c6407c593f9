/**
 * Reading a file of a run's folder (or of a downloaded journal artifact) without following a
 * symbolic link: a `run.json` that points at /etc/passwd, or at another stack's run, is refused, as
 * is anything that is not a regular file (a FIFO would block the read for ever).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync } from "node:fs";
import { UsageError } from "../errors";

/** Larger than any journal a run writes (a line per step, a few hundred bytes each). */
const MAX_RUN_FILE_BYTES = 16 * 1024 * 1024;

/** What is at `file`, without following a link: undefined when nothing is. */
export function entryKind(file: string): "file" | "directory" | "symlink" | "other" | undefined {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(file, { throwIfNoEntry: false });
  } catch (err) {
    // a parent is a file: nothing can be there
    if ((err as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw err;
  }
  if (!st) return undefined;
  return st.isSymbolicLink() ? "symlink" : st.isFile() ? "file" : st.isDirectory() ? "directory" : "other";
}

/** A UsageError when `file` exists and is not a regular file; `fix` is the fix line. */
function refuseIrregular(file: string, fix: string): void {
  const kind = entryKind(file);
  if (kind === "symlink") throw new UsageError(`${file} is a symbolic link: aytq-dr never follows one in a run's folder; nothing was changed`, fix);
  if (kind !== undefined && kind !== "file") throw new UsageError(`${file} is not a regular file; nothing was changed`, fix);
}

/** The file's bytes, or undefined when there is no such file. Never follows a link (O_NOFOLLOW). */
export function readRegularFile(file: string, fix: string): Buffer | undefined {
  if (entryKind(file) === undefined) return undefined;
  refuseIrregular(file, fix);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    throw new UsageError(`${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"}); nothing was changed`, fix);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`${file} is not a regular file; nothing was changed`, fix);
    if (st.size > MAX_RUN_FILE_BYTES) throw new UsageError(`${file} is ${st.size} bytes, more than any run writes (${MAX_RUN_FILE_BYTES}); nothing was changed`, fix);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
