/**
 * A temporary folder that must not outlive the process: removed by its owner in `finally`, and
 * also if the process exits first (a second Ctrl-C, SIGHUP or SIGTERM leaves at once through
 * process.exit, which runs no `finally` but does run 'exit' listeners, synchronously).
 */
import { rmSync } from "node:fs";

/** Removes `dir` on process exit until the returned function is called (call it in `finally`, after removing the folder). */
export function removeOnExit(dir: string): () => void {
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  process.once("exit", remove);
  return () => {
    process.removeListener("exit", remove);
  };
}
