/**
 * What a new run of each scenario takes, checked before anything runs: server-lost-rebuild no
 * time (it restores the latest backup), server-lost-revive --at and perhaps --deleted-at, data-loss
 * --at and perhaps --name. A flag the scenario does not use is refused, never ignored.
 */
import type { StackName } from "../../infra/config";
import { UsageError } from "../errors";
import { readStackConfig } from "../config/stackfile";
import { checkOperationConfig } from "../ops/model-check";
import { checkPtrTime, checkReviveTimes, echoTime, parseOperatorTime } from "../time";
import { clipInput } from "../util/clip";
import { SCENARIOS, type ScenarioInputs, type ScenarioName } from "./run-model";
import { DECISION_STEPS, SCENARIO_STEPS } from "./scenarios";

/** The flags of `aytq-dr run` that say what a run takes. */
export interface RunInputFlags {
  stack?: string;
  at?: string;
  deletedAt?: string;
  timezone?: string;
  name?: string;
  restoreCopy?: string;
  tables?: string;
}

/**
 * Flags a scenario does not use are refused, never ignored: an operator who typed `--restore-copy
 * yes` for a revive believes it meant something. Checked before anything else is read.
 */
export function checkScenarioFlags(scenario: ScenarioName, f: RunInputFlags): void {
  const hasDecision = SCENARIO_STEPS[scenario].some((s) => DECISION_STEPS.includes(s));
  const unused: [boolean, string, string][] = [
    [f.restoreCopy !== undefined && !hasDecision, "--restore-copy", `${scenario} asks no question about data`],
    [f.tables !== undefined && !hasDecision, "--tables", `${scenario} asks no question about data`],
    [f.name !== undefined && scenario !== "data-loss", "--name", `${scenario} makes no point-in-time copy`],
    [f.timezone !== undefined && !f.at && !f.deletedAt, "--timezone", "it only says how to read --at and --deleted-at, and neither is given"],
  ];
  for (const [given, flag, why] of unused) {
    if (given) throw new UsageError(`${flag} does not apply here: ${why}; nothing was changed`, `leave out ${flag}`);
  }
}

/** Times checked and converted before anything runs; `log` echoes them back. */
export function scenarioInputs(scenario: ScenarioName, f: RunInputFlags, now: Date, log: (t: string) => void): ScenarioInputs {
  if (scenario === "server-lost-rebuild") {
    if (f.at || f.deletedAt) throw new UsageError("server-lost-rebuild takes no --at or --deleted-at: it restores the latest backup", "leave out --at and --deleted-at");
    return {};
  }
  if (!f.at) throw new UsageError(`${scenario} needs --at <time>`, "e.g. --at 2024-07-24T06:00:00Z (UTC), or a local time with --timezone Europe/London");
  const at = parseOperatorTime(f.at, "--at", f.timezone);
  if (scenario === "server-lost-revive") {
    const deleted = f.deletedAt ? parseOperatorTime(f.deletedAt, "--deleted-at", f.timezone) : undefined;
    checkReviveTimes(at.date, deleted?.date, now, f.stack);
    log(`restore point: ${echoTime(at.date)}`);
    if (deleted) log(`deleted at:    ${echoTime(deleted.date)}`);
    return { restorePointUTC: at.utc, ...(deleted ? { deletedAtUTC: deleted.utc } : {}) };
  }
  if (f.deletedAt) throw new UsageError("--deleted-at is only for server-lost-revive", `leave out --deleted-at for ${scenario}`);
  // the window needs the server's earliest restore date: checked once the stack is open, before the first step
  checkPtrTime(at.date, { now, windowLater: true });
  log(`restore point: ${echoTime(at.date)}`);
  return { restorePointUTC: at.utc, ...(f.name ? { copyName: f.name } : {}) };
}

/** A new run: its scenario, its flags and its inputs, all checked before the first step. */
export function newRunInputs(scenarioArg: string | undefined, f: RunInputFlags, stack: StackName, now: Date, log: (t: string) => void): { scenario: ScenarioName; inputs: ScenarioInputs } {
  if (!scenarioArg) throw new UsageError("run needs a scenario or --resume <run-id>", `scenarios: ${SCENARIOS.join(", ")}`);
  if (!(SCENARIOS as readonly string[]).includes(scenarioArg)) throw new UsageError(`unknown scenario "${clipInput(scenarioArg)}"`, `use one of: ${SCENARIOS.join(", ")}`);
  const scenario = scenarioArg as ScenarioName;
  checkScenarioFlags(scenario, f);
  const inputs = scenarioInputs(scenario, f, now, log);
  // a copy name the config model refuses is refused now, before the first step (never at the ptr step)
  if (inputs.copyName !== undefined && inputs.restorePointUTC !== undefined) {
    checkOperationConfig({ kind: "ptr", copy: { name: inputs.copyName, restorePointUTC: inputs.restorePointUTC }, existing: [] }, readStackConfig(stack));
  }
  return { scenario, inputs };
}
