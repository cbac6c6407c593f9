/**
 * The state to import, in clear, on disk only as long as the import runs and only for this user: a
 * new folder of mode 0700, the file in it of mode 0600, the folder removed whatever happens (also
 * when a second signal leaves at once).
 */
import * as os from "node:os";
import * as path from "node:path";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { ToolError } from "../errors";
import { removeOnExit } from "../util/exit-cleanup";

/** Write `state` of stack `stackName` to a private temporary file, give its path to `use`, then remove it. */
export async function withPrivateStateFile(stackName: string, state: unknown, use: (file: string) => Promise<unknown>): Promise<void> {
  let dir: string | undefined;
  let keepUntilExit: (() => void) | undefined;
  try {
    let file: string;
    try {
      dir = await mkdtemp(path.join(os.tmpdir(), "aytq-dr-state-"));
      // the secrets in clear go also when a second signal leaves at once (process.exit runs no finally)
      keepUntilExit = removeOnExit(dir);
      await chmod(dir, 0o700); // mkdtemp's mode already, said out loud
      file = path.join(dir, "state.json");
      await writeFile(file, JSON.stringify(state, null, 4), { mode: 0o600, flag: "wx" });
    } catch (err) {
      throw new ToolError(
        `cannot write the state of stack "${stackName}" to a private temporary file (${err instanceof Error ? err.message : String(err)}), so it was not imported; nothing was changed`,
        "check that the temporary folder (TMPDIR) exists and is writable, then run this again",
      );
    }
    await use(file);
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    keepUntilExit?.();
  }
}
