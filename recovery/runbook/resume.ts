/**
 * What a resumed run checks before its first step: a run resumed days later must not stop and
 * start the app again only to find, at its ptr or revive step, that the restore point has left
 * the window. Decisions only; the command line prints what they say.
 */
import { DEFAULT_BACKUP_RETENTION_DAYS } from "../../infra/config";
import { REVIVE_WINDOW_DAYS } from "../time/azure-limits";
import { UsageError } from "../errors";
import { confirmProductionFlag } from "../config/production";
import { existingCopies, readEarliestRestore } from "../ops/outputs";
import type { StackPort } from "../stack/port";
import { echoTime, ptrTimeProblems, reviveTimeProblems, toIsoUtc } from "../time";
import type { RunMeta } from "./journal";
import { resumePoint } from "./order";
import type { ScenarioName, StepRecord } from "./run-model";

const DAY_MS = 24 * 60 * 60_000;

/** The steps of a run that have not completed yet (what a resume will run). */
export function pendingSteps(scenario: ScenarioName, records: readonly StepRecord[]): string[] {
  return resumePoint(scenario, records, `the journal of this ${scenario} run`, "resume it with aytq-dr run --resume <run-id>, which says what is wrong").pending;
}

/**
 * A resumed run's restore times, checked again before any step. `step` is "ptr" or "revive";
 * checked only while that step has not completed. Throws a UsageError saying what expired, when,
 * and how to go on.
 */
export function checkResumedTimes(
  meta: RunMeta,
  records: readonly StepRecord[],
  step: "ptr" | "revive",
  now: Date,
  stack: string,
  earliestRestore?: Date,
): void {
  const at = meta.inputs.restorePointUTC;
  if (!at || !pendingSteps(meta.scenario, records).includes(step)) return;
  const atDate = new Date(at);
  const done = records.filter((r) => r.status === "done" || r.status === "unchanged" || r.status === "not-applicable").map((r) => r.step);
  const head = `run ${meta.runId} (${meta.scenario}, started ${meta.createdAt}) cannot be resumed: its ${step} step has not run yet and its restore time is no longer usable`;
  const already = done.length ? `; the steps it did (${[...new Set(done)].join(", ")}) are idempotent: the new run finds them as they were left` : "";
  if (step === "ptr") {
    const problems = ptrTimeProblems(atDate, { now, earliestRestore });
    if (problems.length === 0) return;
    const when = earliestRestore
      ? `the server's earliest restore date has moved past it: it is now ${toIsoUtc(earliestRestore)}`
      : `it left the ${DEFAULT_BACKUP_RETENTION_DAYS}-day retention window at ${toIsoUtc(new Date(atDate.getTime() + DEFAULT_BACKUP_RETENTION_DAYS * DAY_MS))}`;
    throw new UsageError(
      `${head}:\n  - ${problems.join("\n  - ")}\n  expired: ${when}; nothing was run`,
      `start a new run with a newer --at (from ${toIsoUtc(earliestRestore ?? new Date(now.getTime() - DEFAULT_BACKUP_RETENTION_DAYS * DAY_MS))} to 5 minutes ago): aytq-dr run data-loss --stack ${stack} --at <time>${confirmProductionFlag(stack)}${already}`,
    );
  }
  const deleted = meta.inputs.deletedAtUTC ? new Date(meta.inputs.deletedAtUTC) : undefined;
  const problems = reviveTimeProblems(atDate, deleted, now);
  if (problems.length === 0) return;
  const closed = new Date((deleted ?? atDate).getTime() + REVIVE_WINDOW_DAYS * DAY_MS);
  const production = confirmProductionFlag(stack);
  throw new UsageError(
    `${head}:\n  - ${problems.join("\n  - ")}\n  expired: the ${REVIVE_WINDOW_DAYS}-day revive window closed at ${toIsoUtc(closed)}; nothing was run`,
    deleted
      ? `Azure no longer keeps the dropped server, so it cannot be revived: recover from the latest backup instead: aytq-dr run server-lost-rebuild --stack ${stack}${production}${already}`
      : `if the server was deleted less than ${REVIVE_WINDOW_DAYS} days ago, start a new run with a newer --at (at least 10 minutes after the deletion) and --deleted-at: aytq-dr run server-lost-revive --stack ${stack} --at <time> --deleted-at <time>${production}; otherwise it can no longer be revived: aytq-dr run server-lost-rebuild --stack ${stack}${production}${already}`,
  );
}

/**
 * Once the stack is open: a resumed run whose ptr step has not run (and whose copy does not exist:
 * a crash right after creating it leaves the copy and no record) checks its restore point against
 * the server's window as it is now. Resolves to a line for the log, or undefined when there was
 * nothing to check.
 */
export async function checkResumeOnStack(meta: RunMeta, records: readonly StepRecord[], port: StackPort, now: Date, stack: string): Promise<string | undefined> {
  if (!pendingSteps(meta.scenario, records).includes("ptr") || !meta.inputs.restorePointUTC) return undefined;
  const copies = await existingCopies(port);
  if (copies.some((c) => c.name === meta.inputs.copyName && c.restorePointUTC === meta.inputs.restorePointUTC)) return undefined;
  const window = await readEarliestRestore(port);
  checkResumedTimes(meta, records, "ptr", now, stack, window.earliestRestore);
  return `restore point still inside the window (${window.source}): ${echoTime(new Date(meta.inputs.restorePointUTC))}`;
}
