/**
 * Row-level differences between live (A) and the copy (B), computed inside PostgreSQL. The two are
 * on different servers, so the copy's `(primary key, row hash)` pairs stream, table by table, from
 * `COPY (SELECT ... ORDER BY pk) TO STDOUT` on the copy into `COPY ... FROM STDIN` of a temporary
 * table in one psql session on live, where a FULL OUTER JOIN counts them. Node only passes the
 * bytes along (streams, no rows held), and psql gets the connection through its environment.
 *
 * What is hashed: md5 of ROW(columns)::text over the columns both sides have, in live's column
 * order, generated columns left out (they follow from the others, and a restore writes the others
 * only), with the same TimeZone, DateStyle, IntervalStyle, float and bytea output in both sessions
 * so one value has one text on both servers. ROW text tells NULL from '' and quotes tabs, newlines
 * and backslashes; COPY's text format escapes them on the way and unescapes them on arrival.
 *
 * Live is only read: the session creates its two temporary tables (ON COMMIT DELETE ROWS, one
 * transaction per table) and then sets default_transaction_read_only, so any other write fails;
 * the temporary tables go with the session (DISCARD TEMP at its end, or the session's end).
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { psql, psqlArgs } from "../pg/psql";
import { pgFailure, spawnPg } from "../pg/tools";
import { dataFailure } from "./failure";
import type { CompareKey, TableComparison } from "./types";

/** One table as a side's catalog describes it. */
export interface TableShape {
  table: string;
  /** Primary key columns in key order; empty without one. */
  pk: string[];
  /** Stored (not generated) columns in column order. */
  columns: string[];
}

/** Both sessions read values with these, so a timestamp or a float has the same text on both servers. */
export const SESSION_SETTINGS = [
  "SET client_encoding = 'UTF8'",
  "SET TimeZone = 'UTC'",
  "SET DateStyle = 'ISO, YMD'",
  "SET IntervalStyle = 'postgres'",
  "SET extra_float_digits = 1",
  "SET bytea_output = 'hex'",
].join(";\n") + ";\n";

const KEYS_TABLE = "aytq_dr_copy_keys";
const CONTENT_TABLE = "aytq_dr_copy_content";

/** Live's session before any table: its temporary tables, then read-only for everything else. */
export const LIVE_SESSION_PRELUDE =
  SESSION_SETTINGS +
  `CREATE TEMPORARY TABLE ${KEYS_TABLE} (k text, h text) ON COMMIT DELETE ROWS;\n` +
  `CREATE TEMPORARY TABLE ${CONTENT_TABLE} (h text, n bigint) ON COMMIT DELETE ROWS;\n` +
  "SET default_transaction_read_only = on;\n";

/** Every user table's shape as one JSON array (tableShapes; surgical-plan.ts reads it with live's other catalog in one query). */
export const CATALOG = `
SELECT coalesce(json_agg(json_build_object('table', t.qualified, 'pk', t.pk, 'columns', t.cols) ORDER BY t.qualified), '[]')
FROM (
  SELECT format('%I.%I', n.nspname, c.relname) AS qualified,
    coalesce((SELECT json_agg(a.attname ORDER BY k.ord) FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum WHERE i.indrelid = c.oid AND i.indisprimary), '[]') AS pk,
    coalesce((SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
      WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''), '[]') AS cols
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
) t`;

/** Every user table of a database with its primary key and stored columns. */
export async function tableShapes(url: string, label: string): Promise<TableShape[]> {
  const text = await psql(url, CATALOG, { what: `reading the tables of ${label}` });
  return JSON.parse(text.trim() || "[]") as TableShape[];
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const rowOf = (columns: readonly string[]): string => `ROW(${columns.map((c) => `t.${quoteIdent(c)}`).join(", ")})::text`;
/** The first 60 bits of a row hash as a number, for the order-independent checksum. */
const bits = (h: string): string => `('x' || substr(${h}, 1, 15))::bit(60)::bigint::numeric`;

/** How one table present on both sides is compared. */
export interface TablePlan {
  table: string;
  /** Primary key columns (the same on both sides), or empty: compared by content. */
  pk: string[];
  /** Columns hashed: those both sides store, in live's order. */
  columns: string[];
  note?: string;
}

/** Pure: the plan for a table both sides have. */
export function planTable(live: TableShape, copy: TableShape): TablePlan {
  const inCopy = new Set(copy.columns);
  const inLive = new Set(live.columns);
  const columns = live.columns.filter((c) => inCopy.has(c));
  const samePk = live.pk.length > 0 && live.pk.length === copy.pk.length && live.pk.every((c, i) => c === copy.pk[i]);
  const notes = [
    live.columns.some((c) => !inCopy.has(c)) ? `columns only in live: ${live.columns.filter((c) => !inCopy.has(c)).join(", ")}` : "",
    copy.columns.some((c) => !inLive.has(c)) ? `columns only in the copy: ${copy.columns.filter((c) => !inLive.has(c)).join(", ")}` : "",
    !samePk && (live.pk.length > 0 || copy.pk.length > 0) ? `primary keys differ (live: ${live.pk.join(", ") || "none"}; copy: ${copy.pk.join(", ") || "none"})` : "",
  ].filter(Boolean);
  return { table: live.table, pk: samePk ? live.pk : [], columns, ...(notes.length ? { note: notes.join("; ") } : {}) };
}

export const keyOf = (pk: readonly string[]): CompareKey => (pk.length ? `primary key (${pk.join(", ")})` : "content (no primary key)");

/** The copy's side of a table: `(key, hash)` ordered by key, or `(hash, count)` without a key. */
function copySideSql(plan: TablePlan): string {
  const from = `FROM ${plan.table} t`;
  if (plan.pk.length === 0) return `COPY (SELECT md5(${rowOf(plan.columns)}), count(*) ${from} GROUP BY 1) TO STDOUT`;
  return `COPY (SELECT ${rowOf(plan.pk)}, md5(${rowOf(plan.columns)}) ${from} ORDER BY ${plan.pk.map((c) => `t.${quoteIdent(c)}`).join(", ")}) TO STDOUT`;
}

/**
 * Live's count for a table, after the copy's side is in the temporary table: one line
 * `index, only in copy, only in live, changed (empty by content), rows live, rows copy, sum live, sum copy`.
 */
function liveSideSql(plan: TablePlan, index: number): string {
  const from = `FROM ${plan.table} t`;
  if (plan.pk.length === 0) {
    return (
      `WITH l AS (SELECT md5(${rowOf(plan.columns)}) AS h, count(*) AS n ${from} GROUP BY 1) ` +
      `SELECT ${index}, coalesce(sum(greatest(c.n - coalesce(l.n, 0), 0)), 0), coalesce(sum(greatest(l.n - coalesce(c.n, 0), 0)), 0), NULL, ` +
      `coalesce(sum(l.n), 0), coalesce(sum(c.n), 0), coalesce(sum(l.n * ${bits("l.h")}), 0), coalesce(sum(c.n * ${bits("c.h")}), 0) ` +
      `FROM ${CONTENT_TABLE} c FULL JOIN l ON l.h = c.h`
    );
  }
  return (
    `SELECT ${index}, count(*) FILTER (WHERE l.k IS NULL), count(*) FILTER (WHERE c.k IS NULL), count(*) FILTER (WHERE c.h <> l.h), ` +
    `count(l.k), count(c.k), coalesce(sum(${bits("l.h")}), 0), coalesce(sum(${bits("c.h")}), 0) ` +
    `FROM ${KEYS_TABLE} c FULL JOIN (SELECT ${rowOf(plan.pk)} AS k, md5(${rowOf(plan.columns)}) AS h ${from}) l ON l.k = c.k`
  );
}

/** A table on one side only: its rows and checksum, one line `index, rows, sum`. */
export function oneSideSql(shape: TableShape, index: number): string {
  return `SELECT ${index}, count(*), coalesce(sum(${bits(`md5(${rowOf(shape.columns)})`)}), 0) FROM ${shape.table} t`;
}

/** Pure: one line of liveSideSql's output as a comparison. */
export function comparisonOf(plan: TablePlan, fields: readonly string[]): TableComparison {
  const [onlyCopy, onlyLive, changed, rowsLive, rowsCopy, sumLive, sumCopy] = fields.slice(1);
  const columnsDiffer = plan.note !== undefined && /columns only/.test(plan.note);
  const c: TableComparison = {
    table: plan.table,
    rowsA: Number(rowsLive),
    rowsB: Number(rowsCopy),
    checksumA: `${rowsLive}:${sumLive}`,
    checksumB: `${rowsCopy}:${sumCopy}`,
    equal: false,
    key: keyOf(plan.pk),
    onlyInCopy: Number(onlyCopy),
    onlyInLive: Number(onlyLive),
    changed: plan.pk.length === 0 || changed === "" ? null : Number(changed),
    ...(plan.note ? { note: plan.note } : {}),
  };
  c.equal = !columnsDiffer && c.onlyInCopy === 0 && c.onlyInLive === 0 && (c.changed ?? 0) === 0;
  return c;
}

export interface DiffSides {
  live: { url: string; label: string };
  copy: { url: string; label: string };
}

/**
 * The live session: the prelude, then per table a transaction that loads the copy's side (streamed
 * from a psql on the copy) and counts. Resolves to liveSideSql's lines; the first failure on either
 * side ends both psql processes and rejects with that side's error.
 */
export async function streamDiff(sides: DiffSides, plans: readonly TablePlan[], liveOnly: readonly { shape: TableShape; index: number }[]): Promise<string[][]> {
  const live = spawnPg("psql", psqlArgs("", { stdin: "" }), sides.live.url, { stdin: "pipe", stdout: "pipe" });
  let out = "";
  live.child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  let copyFailure: Error | undefined;
  let current: ReturnType<typeof spawnPg> | undefined;
  async function* script(): AsyncGenerator<string | Buffer> {
    yield LIVE_SESSION_PRELUDE;
    for (const [index, plan] of plans.entries()) {
      const copy = spawnPg("psql", psqlArgs("", { stdin: "" }), sides.copy.url, { stdin: "pipe", stdout: "pipe" });
      current = copy;
      copy.child.stdin!.on("error", () => undefined);
      copy.child.stdin!.end(SESSION_SETTINGS + copySideSql(plan) + ";\n");
      yield `BEGIN;\nCOPY ${plan.pk.length ? KEYS_TABLE : CONTENT_TABLE} FROM STDIN;\n`;
      for await (const chunk of copy.child.stdout! as AsyncIterable<Buffer>) yield chunk;
      const { code, stderr } = await copy.done;
      current = undefined;
      if (code !== 0) {
        copyFailure = pgFailure(`reading ${plan.table} from ${sides.copy.label}`, stderr || `psql exited with ${code}`, sides.copy.url);
        throw copyFailure;
      }
      yield `\\.\nANALYZE ${plan.pk.length ? KEYS_TABLE : CONTENT_TABLE};\n${liveSideSql(plan, index)};\nCOMMIT;\n`;
    }
    for (const { shape, index } of liveOnly) yield `${oneSideSql(shape, index)};\n`;
    yield "DISCARD TEMP;\n";
  }
  live.child.stdin!.on("error", () => undefined); // EPIPE when live's psql stops: reported from its exit
  const fed = pipeline(Readable.from(script()), live.child.stdin!).catch((err: unknown) => {
    current?.child.kill("SIGKILL");
    live.child.kill("SIGKILL"); // an open transaction on live is rolled back; the temporary tables go with the session
    return err;
  });
  const [feedError, { code, stderr }] = await Promise.all([fed, live.done]);
  // a compare only reads: nothing is left behind to say
  if (copyFailure) throw dataFailure(copyFailure, { what: `comparing against ${sides.live.label}` });
  if (code !== 0) throw pgFailure(`comparing against ${sides.live.label}`, stderr || `psql exited with ${code}`, sides.live.url);
  if (feedError) throw dataFailure(feedError, { what: `comparing against ${sides.live.label}` });
  return out.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
}
