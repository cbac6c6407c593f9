/**
 * Every value the driver writes into stack config is first checked by the config model itself
 * (infra/config/), so that an operator's bad input (`ptr --name Bad_Name`) is refused with the
 * program's own message before anything is written, never discovered by a failing preview.
 */
import { ConfigError, parseSettings, RawConfig, removeConfigPath, setConfigPath } from "../../infra/config";
import { UsageError } from "../errors";
import { configPatchFor, describeOperation, Operation } from "./operations";

/**
 * Refuses (UsageError, exit 2) an operation whose config patch the model rejects. `raw` is the
 * stack's config as it is now; only problems under the keys the operation writes are reported
 * (the rest of the config is not this command's to judge).
 */
export function checkOperationConfig(op: Operation, raw: RawConfig): void {
  const patch = configPatchFor(op);
  let next = raw;
  for (const [key, value] of Object.entries(patch)) next = value === undefined ? removeConfigPath(next, key) : setConfigPath(next, key, value);
  try {
    parseSettings(next);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const written = Object.keys(patch).map((k) => `aytq:${k}`);
    const mine = err.problems.filter((p) => written.some((k) => p.key === k || p.key.startsWith(`${k}.`) || p.key.startsWith(`${k}[`)));
    if (mine.length === 0) return;
    throw new UsageError(
      `${describeOperation(op)} would write config the program refuses, so nothing was changed:\n  ${mine.map((p) => `${p.key}: ${p.message}`).join("\n  ")}`,
      op.kind === "ptr" ? "give a --name the config model accepts (3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen), or leave --name out" : "correct the value named above and run the command again",
    );
  }
}
