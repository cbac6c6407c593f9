/**
 * data-loss's decision and the surgical half of bringing data back. The compare step compares,
 * plans the surgical ways over the differing tables (or --tables), shows what each way writes and
 * loses, asks, and journals the way; copy-into-live reads that way back from the records, so a
 * resume does what was chosen without asking again. `whole` stays in scenarios.ts (copy-into.ts).
 */
import { InterruptedError, RefusedError, ToolError, UsageError } from "../errors";
import { differencesLine, differencesTable } from "../data/compare";
import { redact } from "../util/redact";
import { withLiveAndCopy } from "./connections";
import { recordedDecision, resolveTables, surgicalOffered } from "./decision";
import type { CompareResult, DatabaseConnection, DataTools, RestoreDecision, RestoreWay, StepResult, SurgicalPlan, SurgicalWay, TableComparison } from "./ports";
import { emptyPlan, refusedPlan, surgicalSummary, wayLines, waysText } from "./restore-ways";
import type { StepContext } from "./run-model";

const indent = (text: string): string => text.replace(/^/gm, "  ");
const SURGICAL_WAYS: readonly SurgicalWay[] = ["tables", "undelete"];

type Plans = Partial<Record<SurgicalWay, SurgicalPlan>>;
/** Why a surgical way could not be planned (its first line): shown, and the way not offered. */
type Unplanned = Partial<Record<SurgicalWay, string>>;

/** The plan of `way` over `tables`; an empty list asks nothing of the catalogs. */
async function planOf(data: DataTools, live: DatabaseConnection, copy: DatabaseConnection, way: SurgicalWay, tables: readonly string[]): Promise<SurgicalPlan> {
  if (tables.length === 0) return emptyPlan(way);
  if (!data.planSurgical) throw new ToolError(`these data tools cannot plan "${way}"`, "resume the run with a build of aytq-dr that can, or choose whole");
  return data.planSurgical(live, copy, way, tables);
}

/**
 * The surgical ways' tables unless --tables names others: those where live lost rows or rows
 * changed since the restore point. A table that only gained rows (the app's own writes since, a
 * heartbeat) has lost nothing; replacing it would throw those writes away for no repair.
 */
export function damagedTables(result: CompareResult): string[] {
  return result.tables.filter((t) => !t.equal && (t.onlyInCopy > 0 || (t.changed ?? 0) > 0)).map((t) => t.table);
}

/** What compare found, the tables the surgical ways take, their plans, and why a way could not be planned. */
export interface Planned {
  result: CompareResult;
  scope: string[];
  plans: Plans;
  unplanned: Unplanned;
}

/**
 * Compare, then (with the surgical tools) plan both surgical ways over the same tables. A way that
 * cannot be planned is shown with why and not offered: a fault in planning never takes `whole`
 * away from the person deciding.
 */
export async function comparePlanned(data: DataTools, live: DatabaseConnection, copy: DatabaseConnection, tables: readonly string[] | undefined): Promise<Planned> {
  const result = await data.compare(live, copy);
  // unknown or ambiguous --tables names stop here, before anything is planned or written
  const scope = tables ? resolveTables(tables, result.tables) : damagedTables(result);
  const plans: Plans = {};
  const unplanned: Unplanned = {};
  if (!surgicalOffered(data)) return { result, scope, plans, unplanned };
  for (const way of SURGICAL_WAYS) {
    try {
      plans[way] = await planOf(data, live, copy, way, scope);
    } catch (err) {
      if (err instanceof InterruptedError) throw err;
      // shown at the prompt, which the runner's redaction of summaries does not reach
      unplanned[way] = redact((err instanceof Error ? err.message : String(err)).split("\n")[0]);
    }
  }
  return { result, scope, plans, unplanned };
}

/** The question and what the person reads before answering it: the comparison, then each way. */
export function decisionText(copyName: string, p: Planned): { question: string; context: string; choices: string[] } {
  const differing = p.result.tables.filter((t) => !t.equal);
  return {
    question: `How should the copy ${copyName} come back into the live database?`,
    context: `${comparisonText(p.result, differing)}\n${waysText(p.result, p.plans, p.unplanned)}`,
    choices: ["whole", ...SURGICAL_WAYS.filter((w) => p.plans[w]), "no"],
  };
}

function comparisonText(result: CompareResult, differing: readonly TableComparison[]): string {
  return result.equal
    ? `the live database and the copy hold the same rows (${result.tables.length} tables)`
    : `${differing.length} of ${result.tables.length} tables differ (rows by primary key; by content where a table has none):\n` + indent(differencesTable(differing, { a: "live", b: "copy" }));
}

/**
 * The compare step: what differs and what each way would do, then the question. `no` stops the run
 * (resume to be asked again); a way whose plan refuses a table stops it too, nothing written.
 */
export async function compareAndDecide(c: StepContext): Promise<StepResult> {
  const planned = await withLiveAndCopy(c.platform, c.inputs.copyName, (live, copy) => comparePlanned(c.data, live, copy, c.tables));
  const { result, scope, plans } = planned;
  const differing = result.tables.filter((t) => !t.equal);
  const asked = decisionText(c.inputs.copyName, planned);
  const choice = await c.decide(asked.question, asked.context, asked.choices);
  if (choice === "no") {
    throw new RefusedError(`declined: the copy ${c.inputs.copyName} is not restored into live (${differing.length} tables differ)`, "run ptr again with another --at, or resume this run to be asked again");
  }
  const way = choice as RestoreWay;
  const plan = way === "whole" ? undefined : plans[way];
  if (plan?.refused.length) throw refusedPlan(plan);
  const decision: RestoreDecision = way === "whole" ? { way } : { way, tables: scope };
  const total = (f: (t: TableComparison) => number | null): number => differing.reduce((n, t) => n + (f(t) ?? 0), 0);
  return {
    status: "done",
    // one line in the journal: what differs, the way, and what that way writes and loses
    summary: `${differing.length} of ${result.tables.length} tables differ${differing.length ? ` (${differencesLine(differing)})` : ""}; way chosen: ${wayLines(way, result, plans).map((l) => l.trim()).join("; ")}`,
    details: { differingTables: differing.length, onlyInCopy: total((t) => t.onlyInCopy), onlyInLive: total((t) => t.onlyInLive), changed: total((t) => t.changed), way },
    decision,
  };
}

/** The decision copy-into-live carries out: the compare step's, `whole` for a run journalled before there were ways. */
export function decisionToCarryOut(c: Pick<StepContext, "records">): RestoreDecision {
  return recordedDecision(c.records) ?? { way: "whole" };
}

/**
 * copy-into-live for `tables` and `undelete`: plan again with the journalled tables (the catalogs
 * may have changed since the question), refuse before writing when the plan refuses a table, then
 * one transaction on live. Both ways are idempotent: after a crash the re-run finds nothing more to
 * do (`tables` gives the same tables the copy's rows again, `undelete` finds no key missing any more,
 * and sequences only move forward).
 */
export async function surgicalInto(c: StepContext, way: SurgicalWay, tables: readonly string[]): Promise<StepResult> {
  if (!surgicalOffered(c.data)) {
    throw new UsageError(`this run chose "${way}" at its compare step, and these data tools cannot carry it out; nothing was written to live`, "resume the run with a build of aytq-dr that offers the surgical ways");
  }
  if (tables.length === 0) return { status: "unchanged", summary: `"${way}": nothing differed and no table was named, so nothing was written to live` };
  const result = await withLiveAndCopy(c.platform, c.inputs.copyName, async (live, copy) => {
    const plan = await planOf(c.data, live, copy, way, tables);
    if (plan.refused.length) throw refusedPlan(plan);
    return c.data.restoreSurgical!(copy, live, plan);
  });
  const sum = (f: (t: (typeof result.tables)[number]) => number): number => result.tables.reduce((n, t) => n + f(t), 0);
  return {
    status: "done",
    summary: surgicalSummary(c.inputs.copyName, result),
    details: { way, inserted: sum((t) => t.inserted), updated: sum((t) => t.updated), deleted: sum((t) => t.deleted), keptDiffering: sum((t) => t.keptDiffering), sequences: result.sequences.length },
  };
}
