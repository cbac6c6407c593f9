/**
 * What each way of bringing data back writes and loses, as the person deciding reads it (the
 * prompt, the journal), and what a surgical way did. Plain text from compare's counts and the
 * plans: nothing here reaches a database.
 */
import { RefusedError } from "../errors";
import { RESTORE_WAYS } from "../data/types";
import type { CompareResult, RestoreWay, SurgicalPlan, SurgicalResult, SurgicalWay, TableComparison } from "./ports";

const rows = (n: number): string => `${n} row${n === 1 ? "" : "s"}`;

/** What replacing this table with the copy's version loses: the rows live has that the copy does not. */
function lossOf(t: TableComparison | undefined): string {
  if (!t) return "not compared: what it loses is not known";
  if (t.rowsA === null) return `live has no such table; the copy has ${rows(t.onlyInCopy)}`;
  if (t.rowsB === null) return `the copy has no such table; live has ${rows(t.onlyInLive)}`;
  if (t.equal) return "loses nothing (the same rows on both sides)";
  const parts = [t.onlyInLive ? `${rows(t.onlyInLive)} only in live` : "", t.changed ? `${rows(t.changed)} changed since (live's version)` : ""].filter(Boolean);
  if (parts.length === 0) return "loses nothing (live has no row the copy lacks)";
  return `loses ${parts.join(" and ")}${t.changed === null ? " (compared by content: a changed row counts as only in live)" : ""}`;
}

function surgicalTail(plan: SurgicalPlan): string[] {
  const out: string[] = [];
  if (plan.triggersSkipped.length) out.push(`triggers that will not fire while it writes: ${plan.triggersSkipped.join(", ")}`);
  if (plan.refused.length) {
    out.push(`REFUSED, choosing "${plan.way}" stops the run here with nothing written: ${plan.refused.map((r) => `${r.table} (${r.reason})`).join("; ")}`);
  }
  return out;
}

function wholeBlock(result: CompareResult): string[] {
  const differing = result.tables.filter((t) => !t.equal);
  const equal = result.tables.length - differing.length;
  return [
    "whole: the copy replaces all of live; everything written since the restore point is lost, in every table",
    ...differing.map((t) => `  ${t.table}: ${lossOf(t)}`),
    ...(equal ? [`  the other ${equal} table${equal === 1 ? "" : "s"}: replaced too, lose nothing (equal)`] : []),
  ];
}

function tablesBlock(plan: SurgicalPlan, byName: ReadonlyMap<string, TableComparison>): string[] {
  const replaced = [...plan.chosen.map((t) => ({ table: t, why: "chosen" })), ...plan.forced.map((f) => ({ table: f.table, why: `forced in by ${f.because}` }))];
  if (replaced.length === 0) return ["tables: nothing differs, so no table would be replaced"];
  return [
    `tables: replaces ${replaced.length === 1 ? "1 table" : `${replaced.length} tables`} with the copy's rows; every other table keeps everything`,
    ...replaced.map((r) => `  ${r.table} (${r.why}): ${lossOf(byName.get(r.table))}`),
    ...surgicalTail(plan).map((l) => `  ${l}`),
  ];
}

function undeleteBlock(plan: SurgicalPlan, byName: ReadonlyMap<string, TableComparison>): string[] {
  const refused = new Set(plan.refused.map((r) => r.table));
  const taken = plan.chosen.filter((t) => !refused.has(t));
  if (plan.chosen.length === 0) return ["undelete: nothing differs, so no row would be inserted"];
  return [
    "undelete: inserts the copy's rows whose primary key live lacks; loses nothing",
    ...taken.map((table) => {
      const t = byName.get(table);
      const kept = t?.changed ? `; ${rows(t.changed)} changed since stay as live has them` : "";
      return `  ${table}: inserts ${rows(t?.onlyInCopy ?? 0)}${kept}`;
    }),
    ...surgicalTail(plan).map((l) => `  ${l}`),
  ];
}

/** The lines of one way's block: what it writes and what it loses, per table. */
export function wayLines(way: RestoreWay, result: CompareResult, plans: Partial<Record<SurgicalWay, SurgicalPlan>>): string[] {
  const byName = new Map(result.tables.map((t) => [t.table, t]));
  if (way === "whole") return wholeBlock(result);
  const plan = plans[way];
  if (!plan) return [`${way}: not offered by these data tools`];
  return way === "tables" ? tablesBlock(plan, byName) : undeleteBlock(plan, byName);
}

/**
 * One block per way offered, after the comparison: what it writes and what it loses, per table.
 * `plans` holds the surgical ways offered (none: only whole); `unplanned` those that failed to plan, with why.
 */
export function waysText(result: CompareResult, plans: Partial<Record<SurgicalWay, SurgicalPlan>>, unplanned: Partial<Record<SurgicalWay, string>> = {}): string {
  const blocks = RESTORE_WAYS.flatMap((w): string[][] => {
    if (w === "whole" || plans[w]) return [wayLines(w, result, plans)];
    const why = unplanned[w];
    return why === undefined ? [] : [[`${w}: not offered, planning it failed: ${why}`]];
  });
  blocks.push(["no: stop at the comparison; live is not touched (resume the run to be asked again)"]);
  return ["What each way writes and loses (each is one transaction on live, after the safety backup):", ...blocks.flat().map((l) => `  ${l}`)].join("\n");
}

/** A plan with tables it cannot take: nothing is written, and the person is told which and why. */
export function refusedPlan(plan: SurgicalPlan): RefusedError {
  return new RefusedError(
    `"${plan.way}" cannot take ${plan.refused.map((r) => `${r.table} (${r.reason})`).join("; ")}; nothing was written to live`,
    `resume the run and choose another way${plan.way === "tables" ? ", or name other tables with --tables" : ""}: the comparison shown before the question says what each writes and loses`,
  );
}

/** An empty plan: nothing differs and no table was named, so there is nothing to ask the catalogs. */
export function emptyPlan(way: SurgicalWay): SurgicalPlan {
  return { way, chosen: [], forced: [], refused: [], triggersSkipped: [] };
}

/** One line of what a surgical way did, for the journal. */
export function surgicalSummary(copyName: string, r: SurgicalResult): string {
  const tables = r.tables.map((t) => {
    const parts = [`${t.inserted} inserted`, ...(r.way === "tables" ? [`${t.updated} updated`, `${t.deleted} deleted`] : []), ...(t.keptDiffering ? [`${t.keptDiffering} kept differing (as live has them)`] : [])];
    return `${t.table} ${parts.join(", ")}`;
  });
  const sequences = r.sequences.length ? `; sequences moved: ${r.sequences.map((s) => `${s.sequence} -> ${s.lastValue}`).join(", ")}` : "";
  const triggers = r.triggersSkipped.length ? `; triggers not fired: ${r.triggersSkipped.join(", ")}` : "";
  return `brought ${copyName}'s rows back by "${r.way}" in one transaction on live (${(r.elapsedMs / 1000).toFixed(1)} s): ${tables.join("; ") || "no table"}${sequences}${triggers}`;
}

/** Per table, what one way loses (rows written since, discarded) and leaves (damage not repaired). */
interface WayOutcome {
  lost: number;
  left: number;
}

/** One table's outcome under each way, side by side (the drill report); a way not planned is absent. */
export interface WaysCompared {
  table: string;
  whole: WayOutcome;
  tables?: WayOutcome;
  undelete?: WayOutcome;
}

/**
 * Pure: from compare's counts and the surgical plans, what each way would lose and leave per
 * table. Replacing a table loses its rows only in live and live's version of its changed rows
 * (by content, a changed row already counts as only in live) and leaves nothing; a table not
 * replaced loses nothing and keeps its damage (rows only in the copy, rows changed). undelete
 * loses nothing and leaves the changed rows, and everything in a table it refuses.
 */
export function waysCompared(result: CompareResult, plans: Partial<Record<SurgicalWay, SurgicalPlan>>): WaysCompared[] {
  const lostIfReplaced = (t: TableComparison): number => t.onlyInLive + (t.changed ?? 0);
  const damage = (t: TableComparison): number => t.onlyInCopy + (t.changed ?? 0);
  const replaced = plans.tables ? new Set([...plans.tables.chosen, ...plans.tables.forced.map((f) => f.table)].filter((n) => !plans.tables!.refused.some((r) => r.table === n))) : undefined;
  const undeleted = plans.undelete ? new Set(plans.undelete.chosen.filter((n) => !plans.undelete!.refused.some((r) => r.table === n))) : undefined;
  return result.tables
    .filter((t) => !t.equal)
    .map((t) => ({
      table: t.table,
      whole: { lost: lostIfReplaced(t), left: 0 },
      ...(replaced ? { tables: replaced.has(t.table) ? { lost: lostIfReplaced(t), left: 0 } : { lost: 0, left: damage(t) } } : {}),
      ...(undeleted ? { undelete: { lost: 0, left: undeleted.has(t.table) && t.changed !== null ? t.changed : damage(t) } } : {}),
    }));
}
