/** What compare found at the decision, as the drill report shows it (Markdown and HTML alike). */
import type { TableComparison } from "../runbook/ports";

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
