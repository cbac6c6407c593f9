/** What `run` prints while it runs (one line per event, with the time each step and the run took) and at its end. */
import { resumeCommand } from "../../runbook/resume-check";
import type { RunEvent, RunOutcome } from "../../runbook/run-model";
import type { CliIO } from "../io";

function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

export function progressPrinter(io: CliIO, steps: readonly string[], clock: () => number = Date.now): (e: RunEvent) => void {
  const runStart = clock();
  let stepStart = runStart;
  return (e) => {
    switch (e.type) {
      case "run-start":
        io.err(`run ${e.runId}: ${e.scenario} on ${e.stack} (resume with: ${resumeCommand(e.runId, e.stack)})`);
        break;
      case "step-start":
        stepStart = clock();
        io.err(`[${e.step}] starting: step ${steps.indexOf(e.step) + 1} of ${steps.length} (${seconds(stepStart - runStart)} elapsed)`);
        break;
      case "step-end":
        io.err(`[${e.record.step}] ${e.record.status} in ${seconds(clock() - stepStart)} (total ${seconds(clock() - runStart)})${e.record.summary ? `: ${e.record.summary}` : ""}${e.record.error ? `\n  ${e.record.error}` : ""}`);
        break;
      case "decision":
        io.err(`decision: ${e.question} -> ${e.answer} (${e.by})`);
        break;
      case "run-end":
        io.err(`run ${e.runId}: ${e.outcome} after ${seconds(clock() - runStart)}`);
        break;
    }
  };
}

/** The run's outcome on standard output; one that did not complete says where it stopped, its journal and how to resume it. */
export function printOutcome(io: CliIO, outcome: RunOutcome, journal: string, stack: string): void {
  io.out(`run ${outcome.runId}: ${outcome.outcome}`);
  if (outcome.outcome === "completed") return;
  const last = outcome.steps[outcome.steps.length - 1];
  io.out(`stopped at ${last?.step ?? "the start"}: ${last?.error ?? "interrupted"}`);
  io.out(`journal: ${journal}`);
  io.out(`resume with: ${resumeCommand(outcome.runId, stack)}`);
}
