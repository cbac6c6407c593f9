/**
 * `run --resume <run-id>`: the command that resumes a run, and what a resume request may carry. A
 * resume continues with the run's own scenario and inputs, so another scenario, a time or a name
 * is refused (exit 2) before anything runs, as is a journal with a gap, of another stack or damaged
 * (open-run.ts), and a restore point that has left revive's window (resume.ts).
 */
import { UsageError } from "../errors";
import { confirmProductionFlag } from "../config/production";
import { clipInput } from "../util/clip";
import type { RunMeta } from "./journal";
import { openRunForResume } from "./open-run";
import { checkResumedTimes } from "./resume";
import type { ScenarioName, StepRecord } from "./run-model";
import { checkScenarioFlags, type RunInputFlags } from "./scenario-inputs";

/** The command that resumes a run; production needs its confirmation again. */
export function resumeCommand(runId: string, stack: string): string {
  return `aytq-dr run --resume ${runId} --stack ${stack}${confirmProductionFlag(stack)}`;
}

/** --adopt-run-config only goes with --resume. */
export function checkAdoptRunConfig(f: { adoptRunConfig?: boolean; resume?: string }): void {
  if (f.adoptRunConfig && !f.resume) throw new UsageError("--adopt-run-config takes a run's config into this checkout, and there is no --resume <run-id>", "leave out --adopt-run-config");
}

/**
 * The run `runId` of `stack` in `stateDir`, opened to be resumed: refused when the journal cannot
 * be trusted, when `scenarioArg` names another scenario, when the run's own inputs are given again,
 * and when its revive window has closed (that needs no stack: checked before anything else).
 */
export function openResume(stateDir: string, stack: string, runId: string, scenarioArg: string | undefined, f: RunInputFlags, now: Date): { scenario: ScenarioName; meta: RunMeta; records: StepRecord[] } {
  const { meta, records } = openRunForResume(stateDir, stack, runId);
  if (scenarioArg && scenarioArg !== meta.scenario) throw new UsageError(`run ${meta.runId} is ${meta.scenario}, not ${clipInput(scenarioArg)}`, `resume it as it started: ${resumeCommand(meta.runId, stack)}`);
  if (f.at || f.deletedAt || f.name) throw new UsageError("--resume continues with the run's own inputs; leave out --at, --deleted-at and --name", `resume it as it started: ${resumeCommand(meta.runId, stack)}`);
  checkScenarioFlags(meta.scenario, f);
  checkResumedTimes(meta, records, "revive", now, stack);
  return { scenario: meta.scenario, meta, records };
}
