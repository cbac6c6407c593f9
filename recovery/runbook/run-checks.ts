/**
 * What a run checks once its stack is open, before its first step (its restore point against the
 * server's window; whether its scenario can go on without Azure; the app's credentials a rebuild
 * needs), and the exit code it ends with.
 */
import { EXIT, UsageError } from "../errors";
import { azureUse } from "../ops/operations";
import { checkPtrWindowOnStack } from "../ops/ptr-copy";
import type { StackPort } from "../stack/port";
import type { RunMeta } from "./journal";
import { checkResumeOnStack } from "./resume";
import type { RunOutcome, ScenarioInputs, ScenarioName, StepRecord } from "./run-model";
import { SCENARIO_STEPS } from "./scenarios";

/**
 * The restore point against the server's earliest restore date, read from the stack: a new run
 * that makes a copy, or a resumed one whose ptr step has not run (its copy does not exist, and the
 * point may have left the window since the run started). Refused (exit 2) before any step.
 */
export async function checkWindowOnStack(
  port: StackPort,
  run: { stack: string; scenario: ScenarioName; inputs: ScenarioInputs; resumed?: { meta: RunMeta; records: readonly StepRecord[] } },
  now: Date,
  log: (text: string) => void,
): Promise<void> {
  const { stack, scenario, inputs, resumed } = run;
  if (resumed) {
    const stillInside = await checkResumeOnStack(resumed.meta, resumed.records, port, now, stack);
    if (stillInside) log(stillInside);
  } else if (SCENARIO_STEPS[scenario].includes("ptr") && inputs.restorePointUTC) {
    await checkPtrWindowOnStack(port, new Date(inputs.restorePointUTC), now, log);
  }
}

/** Whether a scenario asks Azure about the live server: a step of it revives or rebuilds the server (ops azureUse). */
export function scenarioNeedsAzure(scenario: ScenarioName): boolean {
  return SCENARIO_STEPS[scenario].some((step) => azureUse(step) === "needs");
}

/**
 * A scenario that rebuilds the server creates it with the app's own credentials: they are read
 * now, before the app is stopped, so that a missing or unreadable secret stops nothing.
 */
export async function checkAppCredentials(scenario: ScenarioName, recovery: { appCredentials?: () => Promise<unknown> } | undefined): Promise<void> {
  if (SCENARIO_STEPS[scenario].includes("rebuild") && recovery?.appCredentials) await recovery.appCredentials();
}

/** Refuse a scenario that needs Azure when the stack's subscription is unknown (`reachable` false), before anything changes. */
export function checkAzureReachable(scenario: ScenarioName, reachable: boolean): void {
  if (!scenarioNeedsAzure(scenario) || reachable) return;
  throw new UsageError(
    `${scenario} asks Azure about the live server before and after it converges, and the stack's subscription is unknown; nothing was changed`,
    "set aytq:subscriptionId in the stack file, or export AZURE_SUBSCRIPTION_ID=<subscription GUID>",
  );
}

/**
 * The exit code of a run that ended with `outcome`; `interrupted` when a stop signal arrived. The
 * stopping error's own code first (a locked stack is 5, not a generic failure).
 */
export function runExitCode(outcome: RunOutcome, interrupted: boolean): number {
  if (outcome.outcome === "completed") return EXIT.ok;
  const last = outcome.steps[outcome.steps.length - 1];
  if (last?.status === "interrupted" || interrupted) return EXIT.interrupted;
  return outcome.exitCode ?? (outcome.outcome === "stopped" ? EXIT.refused : EXIT.failed);
}
