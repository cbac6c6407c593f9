/**
 * Compare two databases table by table. compareDatabases(live, copy): per table, rows only in the
 * copy, only in live and changed, by primary key or by content (table-diff.ts does the counting,
 * inside PostgreSQL). summarise: a row count and an order-independent checksum per table (a sum
 * of per-row hashes, md5 of the row's text, first 60 bits), for checking one database alone.
 */
import type { CompareResult, DatabaseConnection, TableComparison } from "./types";
import { ToolError } from "../errors";
import { psql, psqlRows } from "../pg/psql";
import { comparisonOf, keyOf, oneSideSql, planTable, SESSION_SETTINGS, streamDiff, tableShapes, type TableShape } from "./table-diff";

export interface TableSummary {
  rows: number;
  checksum: string;
}

const LIST_TABLES = `
SELECT format('%I.%I', n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1`;

/** The SQL that summarises one table (a quoted, qualified name from LIST_TABLES). */
function tableSummarySql(qualified: string): string {
  return `SELECT '${qualified.replace(/'/g, "''")}', count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint::numeric), 0) FROM ${qualified} t`;
}

/** Every user table's row count and checksum. */
export async function summarise(url: string, label: string): Promise<Map<string, TableSummary>> {
  const tables = (await psql(url, LIST_TABLES, { what: `listing tables of ${label}` })).split("\n").map((l) => l.trim()).filter(Boolean);
  const out = new Map<string, TableSummary>();
  if (tables.length === 0) return out;
  // One statement per table in one psql session: results stream back a line each, no large union.
  const sql = tables.map((t) => tableSummarySql(t) + ";").join("\n");
  const text = await psql(url, sql, { what: `summarising tables of ${label}`, timeoutMs: 0 });
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const [table, rows, sum] = line.split("\t");
    out.set(table, { rows: Number(rows), checksum: `${rows}:${sum}` });
  }
  return out;
}

/** A table on one side only: every row is only on that side. */
function oneSided(shape: TableShape, fields: readonly string[] | undefined, side: "live" | "copy"): TableComparison {
  const rows = Number(fields?.[1] ?? 0);
  const checksum = `${rows}:${fields?.[2] ?? 0}`;
  return {
    table: shape.table,
    rowsA: side === "live" ? rows : null,
    rowsB: side === "copy" ? rows : null,
    checksumA: side === "live" ? checksum : null,
    checksumB: side === "copy" ? checksum : null,
    equal: false,
    key: keyOf(shape.pk),
    onlyInCopy: side === "copy" ? rows : 0,
    onlyInLive: side === "live" ? rows : 0,
    changed: null,
    note: side === "copy" ? "table only in the copy: live has no such table (dropped or renamed since the restore point?)" : "table only in live: the copy has no such table (created since the restore point?)",
  };
}

/**
 * Per table, the rows only in the copy (b), only in live (a) and changed, by primary key (by content
 * without one), counted inside PostgreSQL on live (see table-diff.ts); nothing is written to live
 * outside its session's temporary tables.
 */
export async function compareDatabases(a: DatabaseConnection, b: DatabaseConnection): Promise<CompareResult> {
  const [liveShapes, copyShapes] = await Promise.all([tableShapes(a.url, a.label), tableShapes(b.url, b.label)]);
  const copyByName = new Map(copyShapes.map((s) => [s.table, s]));
  const liveNames = new Set(liveShapes.map((s) => s.table));
  const plans = liveShapes.filter((s) => copyByName.has(s.table)).map((s) => planTable(s, copyByName.get(s.table)!));
  const liveOnly = liveShapes.filter((s) => !copyByName.has(s.table)).map((shape, i) => ({ shape, index: plans.length + i }));
  const copyOnly = copyShapes.filter((s) => !liveNames.has(s.table));
  const [lines, copyLines] = await Promise.all([
    streamDiff({ live: a, copy: b }, plans, liveOnly),
    copyOnly.length ? psqlRows(b.url, "", { stdin: SESSION_SETTINGS + copyOnly.map((s, i) => oneSideSql(s, i) + ";").join("\n"), what: `counting the tables only in ${b.label}`, timeoutMs: 0 }) : Promise.resolve([]),
  ]);
  const byIndex = new Map(lines.map((l) => [Number(l[0]), l]));
  const copyByIndex = new Map(copyLines.map((l) => [Number(l[0]), l]));
  const tables: TableComparison[] = [
    ...plans.map((p, i) => {
      const line = byIndex.get(i);
      if (!line) throw new ToolError(`comparing ${p.table} gave no answer from ${a.label}`, "run the compare again; if it repeats, look at the server's log");
      return comparisonOf(p, line);
    }),
    ...liveOnly.map((l) => oneSided(l.shape, byIndex.get(l.index), "live")),
    ...copyOnly.map((s, i) => oneSided(s, copyByIndex.get(i), "copy")),
  ].sort((x, y) => (x.table < y.table ? -1 : x.table > y.table ? 1 : 0));
  return { equal: tables.every((t) => t.equal), tables };
}

/** Names for the two sides in a table's headings: live and the copy, or A and B. */
export interface CompareLabels {
  a: string;
  b: string;
}

const count = (n: number | null): string => (n === null ? "-" : String(n));

/**
 * The differences as a plain-text table: table, key, rows on each side (`withRows`), only in the
 * copy (b), only in live (a), changed ("-" when compared by content), then the notes under it.
 * `onlyDiffering` leaves out the equal tables (the decision prompt).
 */
export function differencesTable(tables: readonly TableComparison[], labels: CompareLabels, options: { withRows?: boolean; color?: boolean } = {}): string {
  const header = ["table", "key", ...(options.withRows ? [`rows ${labels.a}`, `rows ${labels.b}`] : []), `only in ${labels.b}`, `only in ${labels.a}`, "changed"];
  const rows = tables.map((t) => [
    t.table,
    t.key,
    ...(options.withRows ? [t.rowsA === null ? "(no table)" : String(t.rowsA), t.rowsB === null ? "(no table)" : String(t.rowsB)] : []),
    count(t.onlyInCopy),
    count(t.onlyInLive),
    t.changed === null ? "-" : String(t.changed),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = (i: number): boolean => i >= 2;
  const line = (cells: string[]): string => cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  const body = rows.map((r, i) => {
    const text = line(r);
    return options.color && !tables[i].equal ? `\u001b[31m${text}\u001b[0m` : text;
  });
  const notes = tables.filter((t) => t.note).map((t) => `  ${t.table}: ${t.note}`);
  return [line(header), ...body, ...(notes.length ? ["notes:", ...notes] : [])].join("\n");
}

/** One line per result: `EQUAL: 4 tables` or `DIFFERENT: 2 of 4 tables differ`. */
function comparisonVerdict(result: CompareResult): string {
  return result.equal ? `EQUAL: ${result.tables.length} tables` : `DIFFERENT: ${result.tables.filter((t) => !t.equal).length} of ${result.tables.length} tables differ`;
}

/** Every table with its row counts and differences, then the verdict (`aytq-dr compare`); differing rows red on a terminal. */
export function formatComparison(result: CompareResult, labels: CompareLabels, color = false): string {
  return [differencesTable(result.tables, labels, { withRows: true, color }), comparisonVerdict(result)].join("\n");
}

/** One line for a journal: `users (primary key (id)): 3 only in the copy, 1 only in live, 2 changed; ...`. */
export function differencesLine(tables: readonly TableComparison[], labels: CompareLabels = { a: "live", b: "the copy" }): string {
  return tables
    .map((t) => `${t.table} (${t.key}): ${t.onlyInCopy} only in ${labels.b}, ${t.onlyInLive} only in ${labels.a}${t.changed === null ? "" : `, ${t.changed} changed`}${t.note ? ` [${t.note}]` : ""}`)
    .join("; ");
}
