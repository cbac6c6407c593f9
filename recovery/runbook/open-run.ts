/**
 * Opening a run to resume it: everything a resume trusts, checked before anything runs. The run id
 * is one (run-id.ts), its folder and files are regular (never a link: another stack's run must not
 * be resumed here), run.json and every journal line are what aytq-dr writes (records.ts), run.json
 * names this run, this stack and a known scenario, and the completed steps are the scenario's
 * steps from the first, in order (order.ts). Anything else is refused (exit 2) with what to do.
 */
import * as path from "node:path";
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";
import { Journal, unusableRunFix } from "./journal";
import { resumePoint, type ResumePoint } from "./order";
import type { StepRecord } from "./run-model";
import type { RunMeta } from "./records";
import { runIdScenario } from "./run-id";
import { entryKind } from "./safe-read";

/** Text from a file in a message: one line, never long. */
const shown = (text: string) => clipInput(text.replace(/[\u0000-\u001f\u007f]/g, "?"), 80);

export interface OpenedRun extends ResumePoint {
  journal: Journal;
  meta: RunMeta;
  records: StepRecord[];
}

/**
 * Why `meta` (read from the folder of run `runId`) is not that run on `stack`; empty when it is.
 * Also what ci import-journal checks of a downloaded run.
 */
export function metaProblems(meta: RunMeta, stack: string, runId: string): string[] {
  const problems: string[] = [];
  if (meta.runId !== runId) problems.push(`its run.json is of run ${shown(meta.runId)}, not ${runId}`);
  if (meta.stack !== stack) problems.push(`it is a run on ${shown(meta.stack)}, not ${stack}`);
  const named = runIdScenario(runId);
  if (named !== undefined && meta.scenario !== named) problems.push(`its run.json says ${meta.scenario}, its run id ${named}`);
  return problems;
}

/** The run `runId` of `stack` under `stateDir`, checked as a resume needs it; throws a UsageError otherwise. */
export function openRunForResume(stateDir: string, stack: string, runId: string): OpenedRun {
  const journal = new Journal(stateDir, stack, runId); // refuses what is not a run id
  const fix = unusableRunFix(stack);
  for (const dir of [path.dirname(journal.dir), journal.dir]) {
    const kind = entryKind(dir);
    if (kind === "symlink") throw new UsageError(`${dir} is a symbolic link: aytq-dr never resumes a run through one; nothing was run`, fix);
    if (kind !== undefined && kind !== "directory") throw new UsageError(`${dir} is not a folder; nothing was run`, fix);
  }
  const meta = journal.meta();
  const problems = metaProblems(meta, stack, runId);
  if (problems.length) {
    throw new UsageError(
      `run ${runId} in ${path.dirname(journal.dir)} cannot be resumed here:\n  - ${problems.join("\n  - ")}\n  nothing was run`,
      meta.stack !== stack && typeof meta.stack === "string" ? `a run is resumed only on the stack it ran on; ${fix}` : fix,
    );
  }
  const records = journal.records();
  const point = resumePoint(meta.scenario, records, `the journal of run ${runId} (${journal.file})`, fix);
  return { journal, meta, records, ...point };
}
