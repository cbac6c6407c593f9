/** What compare found at the decision, as the drill report shows it (Markdown and HTML alike). */
import type { TableComparison } from "../runbook/ports";
import type { WaysCompared } from "../runbook/restore-ways";

/** The heading of the compare section and the sentence under it, shared by the Markdown and the HTML. */
export const COMPARISON_HEADING = "What compare found (live vs the copy, at the decision)";

export function comparisonIntro(tables: readonly TableComparison[]): string {
  const differing = tables.filter((t) => !t.equal).length;
  return `${differing} of ${tables.length} tables differ; rows matched by primary key, by content where a table has none ("-": changed rows count on both sides).`;
}

/** Each table's row counts, as the decision saw them: table, key, only in copy, only in live, changed, note. */
export function comparisonRows(tables: readonly TableComparison[]): string[][] {
  return tables.map((t) => [t.table, t.key, String(t.onlyInCopy), String(t.onlyInLive), t.changed === null ? "-" : String(t.changed), t.equal ? "same" : (t.note ?? "")]);
}

export const COMPARISON_COLUMNS = ["table", "key", "only in copy", "only in live", "changed", "note"];

/** The heading of the side-by-side section and the sentence under it. */
export const WAYS_HEADING = "Rows lost per table, by way (from compare's counts and the plans shown at the decision)";

export function waysIntro(way: string | undefined): string {
  return `"lost": rows written since the restore point that the way throws away; "left": damage the way does not repair (rows deleted or changed since, still so). The drill brought data back by ${way ?? "whole"}; "-": the way was not offered.`;
}

const pair = (o: { lost: number; left: number } | undefined): string => (o ? `${o.lost} lost, ${o.left} left` : "-");

/** One row per differing table: whole, tables and undelete side by side. */
export function waysRows(ways: readonly WaysCompared[]): string[][] {
  return ways.map((w) => [w.table, pair(w.whole), pair(w.tables), pair(w.undelete)]);
}

export const WAYS_COLUMNS = ["table", "whole", "tables", "undelete"];
