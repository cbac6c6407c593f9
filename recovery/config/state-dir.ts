/**
 * Where runs are journalled on this machine: `AYTQ_DR_STATE_DIR`, or `<project>/.aytq-dr`. The
 * folder is made if missing and checked usable before a command writes anything.
 */
import { accessSync, constants, mkdirSync, mkdtempSync, rmdirSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";
import { envValue } from "../util/env";
import { PROJECT_ROOT } from "./stackfile";

/** Env var: folder for run journals. @default `<project>/.aytq-dr` */
const STATE_DIR_ENV = "AYTQ_DR_STATE_DIR";

/** The state folder of a command run with `env`, made if missing and checked usable (usableFolder). */
export function stateDirFrom(env: NodeJS.ProcessEnv): string {
  const given = envValue(env, STATE_DIR_ENV);
  return usableFolder(given ?? path.join(PROJECT_ROOT, ".aytq-dr"), given === undefined ? "the state folder" : `the state folder (${STATE_DIR_ENV})`);
}

const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);

/**
 * `dir` as a folder this process can write in, made one level at a time where missing. Never
 * `mkdirSync(..., { recursive: true })`: under /proc it loops for ever at 100 % CPU (Node 20),
 * where no signal handler can run. A file in the way, a folder that cannot be made (a pseudo file
 * system such as /proc) or one that is not writable is a UsageError (exit 2) naming it.
 */
function usableFolder(dir: string, what: string): string {
  const full = path.resolve(dir);
  const fix = `point ${STATE_DIR_ENV} at a folder you can write in (or unset it to use <project>/.aytq-dr), then run this again`;
  const shown = clipInput(full);
  const parts = full.split(path.sep).filter(Boolean);
  /** Folders made here: removed again if the folder turns out unusable (nothing changed). */
  const made: string[] = [];
  const refuse = (message: string): never => {
    for (const m of made.reverse()) rmSync(m, { recursive: true, force: true });
    throw new UsageError(message, fix);
  };
  for (let i = 1; i <= parts.length; i++) {
    const p = path.sep + parts.slice(0, i).join(path.sep);
    let isDir: boolean | undefined;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") refuse(`${what} ${shown} cannot be used: ${clipInput(p)} cannot be read (${codeOf(err)}); nothing was changed`);
    }
    if (isDir === false) refuse(`${what} ${shown} cannot be used: ${clipInput(p)} is a file, not a folder; nothing was changed`);
    if (isDir === undefined) {
      try {
        mkdirSync(p, { mode: 0o700 });
        made.push(p);
      } catch (err) {
        refuse(`${what} ${shown} cannot be made: creating ${clipInput(p)} failed (${codeOf(err)}); nothing was changed`);
      }
    }
  }
  try {
    accessSync(full, constants.W_OK | constants.X_OK);
    // a folder of a pseudo file system (/proc/self) passes access() and still takes no new folder: try one
    rmdirSync(mkdtempSync(path.join(full, ".aytq-dr-probe-")));
  } catch (err) {
    refuse(`${what} ${shown} is not writable (${codeOf(err)}); nothing was changed`);
  }
  return full;
}
