/**
 * Compare two databases table by table: row count and a content checksum. The checksum is an
 * order-independent sum of per-row hashes (md5 of the row's text, first 60 bits), so it needs no
 * sort and no memory per row, and physical row order (a restore, a vacuum) does not change it.
 */
import type { CompareResult, DatabaseConnection, TableComparison } from "./types";
import { psql } from "../pg/psql";

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
export function tableSummarySql(qualified: string): string {
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

/** Pure: the side-by-side result of two summaries. */
export function compareSummaries(a: Map<string, TableSummary>, b: Map<string, TableSummary>): CompareResult {
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  const tables: TableComparison[] = names.map((table) => {
    const x = a.get(table);
    const y = b.get(table);
    return {
      table,
      rowsA: x?.rows ?? null,
      rowsB: y?.rows ?? null,
      checksumA: x?.checksum ?? null,
      checksumB: y?.checksum ?? null,
      equal: x !== undefined && y !== undefined && x.rows === y.rows && x.checksum === y.checksum,
    };
  });
  return { equal: tables.every((t) => t.equal), tables };
}

export async function compareDatabases(a: DatabaseConnection, b: DatabaseConnection): Promise<CompareResult> {
  const [sa, sb] = await Promise.all([summarise(a.url, a.label), summarise(b.url, b.label)]);
  return compareSummaries(sa, sb);
}

/** A plain-text table; differing rows marked with `!=` (and red on a terminal). */
export function formatComparison(result: CompareResult, labels: { a: string; b: string }, color = false): string {
  const header = ["table", `rows ${labels.a}`, `rows ${labels.b}`, "checksum", ""];
  const rows = result.tables.map((t) => [
    t.table,
    t.rowsA === null ? "(missing)" : String(t.rowsA),
    t.rowsB === null ? "(missing)" : String(t.rowsB),
    t.equal ? "same" : t.checksumA === null || t.checksumB === null ? "-" : "DIFFERENT",
    t.equal ? "" : "!=",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const body = rows.map((r, i) => {
    const text = line(r);
    return color && !result.tables[i].equal ? `\u001b[31m${text}\u001b[0m` : text;
  });
  const verdict = result.equal ? `EQUAL: ${result.tables.length} tables` : `DIFFERENT: ${result.tables.filter((t) => !t.equal).length} of ${result.tables.length} tables differ`;
  return [line(header), ...body, verdict].join("\n");
}
