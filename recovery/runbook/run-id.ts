/**
 * Run ids: one grammar everywhere a run id is made or taken (run, run --resume, the drills, ci
 * find-journal and import-journal). `20240724T060000Z-data-loss-a1b2`: the start time (UTC, to the
 * second), the scenario, four hex digits. Sortable, unique enough, safe as a folder name, and never
 * `.` or `..` (which would put a run's folder outside its stack's).
 */
import { randomBytes } from "node:crypto";
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";
import { compactUtc } from "../util/utc";
import { SCENARIOS, type ScenarioName } from "./run-model";

const RUN_ID = new RegExp(`^(\\d{8}T\\d{6}Z)-(${SCENARIOS.join("|")})-([0-9a-f]{4})$`);

/** A new run's id. */
export function newRunId(scenario: ScenarioName, now: Date): string {
  return `${compactUtc(now)}-${scenario}-${randomBytes(2).toString("hex")}`;
}

/** The scenario a run id names, or undefined when `text` is not a run id. */
export function runIdScenario(text: string): ScenarioName | undefined {
  const m = RUN_ID.exec(text);
  if (!m) return undefined;
  // the time must be one (20241399T...: no month 13)
  const [, stamp] = m;
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 19) + "Z" !== iso) return undefined;
  return m[2] as ScenarioName;
}

/** `text` when it is a run id; a UsageError (exit 2) naming the grammar otherwise. */
export function checkRunId(text: string): string {
  if (runIdScenario(text) === undefined) {
    throw new UsageError(
      `"${clipInput(text)}" is not a run id (a run id looks like 20240724T060000Z-data-loss-a1b2: start time in UTC, scenario, 4 hex digits)`,
      "use the id printed when the run started (ls .aytq-dr/<stack>/ lists them)",
    );
  }
  return text;
}
