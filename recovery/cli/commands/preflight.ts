/**
 * `preflight --stack S` (or `--platform local`): a table of checks with pass / warn / fail and the
 * fix for each; exit 1 when any check fails.
 */
import type { Command } from "commander";
import { checkStackName, loadStackSettings } from "../../config/stackfile";
import { EXIT, UsageError } from "../../errors";
import { clipInput } from "../../util/clip";
import { PreflightResult, localPreflight, preflightFailed, preflightTable, runPreflight, stackProbes, stackTarget } from "../../preflight";
import type { CliIO } from "../io";
import { act } from "../command";
import { recoveryFor } from "./driver-common";

interface PreflightFlags {
  stack?: string;
  platform?: string;
  json?: boolean;
}

async function preflightAction(f: PreflightFlags, io: CliIO): Promise<{ code: number; results: PreflightResult[] }> {
  let results: PreflightResult[];
  if (f.platform === "local") {
    if (f.stack) throw new UsageError("--stack and --platform local conflict: give one of them", "aytq-dr preflight --stack <stack> (Azure), or aytq-dr preflight --platform local");
    results = await localPreflight();
  } else if (f.platform !== undefined && f.platform !== "azure") {
    throw new UsageError(`unknown platform "${clipInput(f.platform)}"`, "use --stack <stack> (Azure) or --platform local");
  } else {
    const stack = checkStackName(f.stack);
    const settings = loadStackSettings(stack);
    const recovery = await recoveryFor(io, settings);
    results = await runPreflight(stackTarget(stack, settings, recovery?.subscriptionId), stackProbes(settings, io.env, recovery?.azure));
  }
  io.out(f.json ? JSON.stringify(results, null, 2) : preflightTable(results));
  const failed = preflightFailed(results);
  if (!f.json) io.err(failed ? `pre-flight: ${results.filter((r) => r.status === "fail").length} check(s) failed` : "pre-flight: no failures");
  return { code: failed ? EXIT.different : EXIT.ok, results };
}

export function registerPreflight(program: Command, io: CliIO): void {
  program
    .command("preflight")
    .description("check everything a recovery or drill needs: backups, PITR window, tools, cluster and GitHub access, DSI, monitoring, stale copies")
    .option("--stack <stack>", "test | preproduction | production")
    .option("--platform <platform>", "local: what npm run drill needs on this machine")
    .option("--json", "print the results as JSON")
    .action(act(io, async ({ io }, f: PreflightFlags) => (await preflightAction(f, io)).code));
}
