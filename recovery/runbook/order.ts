/**
 * Whether a journal can be trusted, and what a resume runs. A journal is trusted only when its
 * completed steps are the scenario's steps from the first, in order, each failed or interrupted
 * record being of the step that was next: a journal with a gap (only `tidy` done; `stop` and
 * `validate` done without what lies between) cannot say what was done, and resuming it would skip
 * work and report success. Journals written with an earlier order of the steps (EARLIER_SCENARIO_STEPS)
 * are trusted too, including one resumed under the current order after a while; a resume then
 * runs every step of the current order not yet completed, so nothing is skipped.
 */
import { UsageError } from "../errors";
import type { ScenarioName, StepRecord } from "./run-model";
import { EARLIER_SCENARIO_STEPS, SCENARIO_STEPS } from "./scenarios";

const COMPLETED: readonly StepRecord["status"][] = ["done", "unchanged", "not-applicable"];

/**
 * Steps journalled under an older name, by the step that does their work now. data-loss's
 * backup-copy and restore-live became one pass, copy-into-live: a run journalled with restore-live
 * done has done copy-into-live's work; one with only backup-copy done resumes at copy-into-live,
 * which finds that backup and restores it.
 */
const RENAMED_STEPS: ReadonlyMap<string, string> = new Map([["restore-live", "copy-into-live"]]);

const current = (step: string) => RENAMED_STEPS.get(step) ?? step;

export interface ResumePoint {
  /** Completed steps, in the order they were done (current names). */
  done: string[];
  /** The steps a resume runs, in the current order: every step not completed. */
  pending: string[];
}

/** How far `records` follow `expected`: the completed count, or the first record that does not. */
function follow(expected: readonly string[], records: readonly StepRecord[]): { ok: true; done: number } | { ok: false; line: number; why: string } {
  let pos = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const step = current(r.step);
    if (pos >= expected.length) return { ok: false, line: i + 1, why: `${r.step} ${r.status} after every step had completed` };
    if (step !== expected[pos]) {
      return { ok: false, line: i + 1, why: `${r.step} ${r.status} where ${expected[pos]} comes next${pos === 0 ? " (the first step)" : ` (after ${expected[pos - 1]})`}` };
    }
    if (COMPLETED.includes(r.status)) pos++;
  }
  return { ok: true, done: pos };
}

/**
 * What a resume of a `scenario` run with these records runs. Throws a UsageError (exit 2) naming
 * the first record out of place when the completed steps are not a prefix of the scenario's steps
 * (the current order, or an earlier one then the current order for the rest).
 */
export function resumePoint(scenario: ScenarioName, records: readonly StepRecord[], where: string, fix: string): ResumePoint {
  const steps = SCENARIO_STEPS[scenario];
  const orders = [steps, ...(EARLIER_SCENARIO_STEPS[scenario] ?? [])].map((o) => o.map(current));
  // the record out of place in the order followed furthest, to name in the message
  let furthest: { line: number; why: string } = { line: 0, why: "" };
  for (const order of orders) {
    // an earlier order's first k steps, then (resumed by this version) the current order's others
    for (let k = 0; k <= order.length; k++) {
      const head = order.slice(0, k);
      const expected = [...head, ...steps.filter((s) => !head.includes(s))];
      const f = follow(expected, records);
      if (f.ok) {
        const done = expected.slice(0, f.done);
        return { done, pending: steps.filter((s) => !done.includes(s)) };
      }
      if (f.line > furthest.line) furthest = f;
      if (order === orders[0]) break; // the current order needs no switch
    }
  }
  const detail = `line ${furthest.line}: ${furthest.why}`;
  const completed = records.filter((r) => COMPLETED.includes(r.status)).map((r) => r.step);
  throw new UsageError(
    `${where} cannot be trusted: its completed steps (${completed.join(", ") || "none"}) are not the first steps of ${scenario} in order (${steps.join(", ")}); ${detail}; nothing was run`,
    fix,
  );
}
