/**
 * The surgical ways of bringing the copy's data back into live (surgical-plan.ts decides what they
 * write): `tables` gives the planned tables exactly the copy's rows, `undelete` inserts the copy's
 * rows whose primary key live lacks. Both run as one psql session on live, in one transaction:
 *
 *   BEGIN; lock the tables against writers; switch their user triggers off;
 *   per table: a temporary table shaped like it, filled by COPY streamed from a psql on the copy
 *     (all in one exported snapshot of the copy; Node passes bytes along, holds no rows);
 *   tables:   delete the rows the copy lacks (tables that reference others first), then, parents
 *             first, update the rows whose content differs and insert the rows live lacks;
 *   undelete: parents first, count the rows that differ (left alone), insert the rows live lacks;
 *   sequences moved forward past the largest id now in each table (never back: no id is reused);
 *   triggers back on; COMMIT.
 *
 * Non-deferrable foreign keys are checked at the end of each statement, deferrable ones at COMMIT
 * (SET CONSTRAINTS ALL DEFERRED): a violation, a failing constraint trigger or a unique conflict
 * stops psql (ON_ERROR_STOP) before COMMIT, so live is unchanged, and the error names the
 * constraint and the key (PostgreSQL's DETAIL line). If this process dies, psql's input ends
 * without COMMIT and the server rolls the transaction back. Rows are matched by primary key and
 * compared by their text (ROW(...)::text, after a cheap byte-for-byte test), in one session, so
 * types without an equality operator (json) compare too. Both ways are idempotent: run again, they
 * find nothing more to write.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DrError, InterruptedError, RefusedError, ToolError } from "../errors";
import { dataFailure } from "./failure";
import { psqlArgs } from "../pg/psql";
import { pgFailure, spawnPg, type Spawned } from "../pg/tools";
import { redact } from "../util/redact";
import { connectionEnv } from "../pg/connection";
import { exportSnapshot } from "./snapshot";
import { planSurgical, type PlannedTable, type ResolvedPlan } from "./surgical-plan";
import { quoteIdent, SESSION_SETTINGS } from "./table-diff";
import type { DatabaseConnection, SurgicalPlan, SurgicalResult, SurgicalTableResult } from "./types";

export interface SurgicalOptions {
  /** Abort (Ctrl-C): both psql sessions are killed before COMMIT; live is unchanged. */
  signal?: AbortSignal;
  /** How long to wait for another session's lock on a table before giving up. @default "60s" */
  lockTimeout?: string;
}

const stage = (i: number): string => `aytq_dr_rows_${i}`;
const cols = (names: readonly string[], prefix = ""): string => names.map((c) => `${prefix}${quoteIdent(c)}`).join(", ");
const row = (names: readonly string[], alias: string): string => `ROW(${cols(names, `${alias}.`)})`;
/**
 * Live's row `t` and the copy's `s` differ when their text differs, as compare counts them (json has
 * no equality operator). record_image_eq (the same bytes in every column; the staging table has
 * live's column types) is asked first: the same bytes print the same text, so it changes no answer,
 * it only spares printing the rows that are the same (most of them): the comparison takes half as long.
 */
const differs = (names: readonly string[]): string => `NOT record_image_eq(${row(names, "t")}, ${row(names, "s")}) AND ${row(names, "t")}::text <> ${row(names, "s")}::text`;
const keyMatch = (pk: readonly string[], a: string, b: string): string => pk.map((c) => `${a}.${quoteIdent(c)} = ${b}.${quoteIdent(c)}`).join(" AND ");
const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;
/** A triggers's name in ALTER TABLE. */
const triggerStatements = (t: PlannedTable, on: boolean): string => t.triggers.map((g) => `ALTER TABLE ${t.table} ${on ? "ENABLE" : "DISABLE"} TRIGGER ${quoteIdent(g)};\n`).join("");

/** The copy's side of one table: its stored columns, read inside the exported snapshot. */
function copySql(t: PlannedTable, snapshotId: string): string {
  return (
    SESSION_SETTINGS +
    `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\nSET TRANSACTION SNAPSHOT ${literal(snapshotId)};\n` +
    `COPY (SELECT ${cols(t.columns)} FROM ${t.table}) TO STDOUT;\nCOMMIT;\n`
  );
}

const insertMissing = (t: PlannedTable, i: number): string =>
  `WITH x AS (INSERT INTO ${t.table} (${cols(t.columns)})${t.identityAlways.length ? " OVERRIDING SYSTEM VALUE" : ""} ` +
  `SELECT ${cols(t.columns, "s.")} FROM ${stage(i)} s` +
  (t.pk.length ? ` WHERE NOT EXISTS (SELECT 1 FROM ${t.table} t WHERE ${keyMatch(t.pk, "t", "s")})` : "") +
  ` RETURNING 1) SELECT ${i}, 'inserted', count(*) FROM x;\n`;

/** Live's statements for one table after its rows are staged, by phase. */
function statements(way: SurgicalPlan["way"], t: PlannedTable, i: number): { remove: string; write: string } {
  if (way === "undelete") {
    const differing = `SELECT ${i}, 'kept', count(*) FROM ${t.table} t JOIN ${stage(i)} s ON ${keyMatch(t.pk, "t", "s")} WHERE ${differs(t.columns)};\n`;
    return { remove: "", write: differing + insertMissing(t, i) };
  }
  if (t.pk.length === 0) {
    // no key to match rows by: the table's content is replaced as a whole
    return { remove: `WITH d AS (DELETE FROM ${t.table} RETURNING 1) SELECT ${i}, 'deleted', count(*) FROM d;\n`, write: insertMissing(t, i) };
  }
  const remove = `WITH d AS (DELETE FROM ${t.table} t WHERE NOT EXISTS (SELECT 1 FROM ${stage(i)} s WHERE ${keyMatch(t.pk, "t", "s")}) RETURNING 1) SELECT ${i}, 'deleted', count(*) FROM d;\n`;
  // a GENERATED ALWAYS identity column outside the key cannot be updated; it keeps live's value
  const settable = t.columns.filter((c) => !t.pk.includes(c) && !t.identityAlways.includes(c));
  const update = settable.length
    ? `WITH u AS (UPDATE ${t.table} t SET (${cols(settable)}) = ROW(${cols(settable, "s.")}) FROM ${stage(i)} s ` +
      `WHERE ${keyMatch(t.pk, "t", "s")} AND ${differs(t.columns)} RETURNING 1) SELECT ${i}, 'updated', count(*) FROM u;\n`
    : "";
  return { remove, write: update + insertMissing(t, i) };
}

/** Move each owned sequence forward to the largest value now in its column, never back. */
const sequenceStatements = (t: PlannedTable, i: number): string =>
  t.sequences
    .map(
      (s) =>
        `SELECT ${i}, 'sequence', ${literal(s.sequence)}, setval(${literal(s.sequence)}, x.m) FROM (SELECT max(${quoteIdent(s.column)})::bigint AS m FROM ${t.table}) x, ${s.sequence} q ` +
        `WHERE x.m IS NOT NULL AND (x.m > q.last_value OR (x.m = q.last_value AND NOT q.is_called));\n`,
    )
    .join("");

/** What live's session may use for the staged rows (temp_buffers) and each hash join or sort (work_mem). */
const STAGING_MEMORY = { tempBuffers: "256MB", workMem: "64MB" } as const;

/** The head of live's session: settings, the transaction, locks, triggers off. */
function prelude(tables: readonly PlannedTable[], lockTimeout: string): string {
  return (
    SESSION_SETTINGS +
    "\\set VERBOSITY verbose\n" +
    // The staged rows and the joins on them stay in memory: PostgreSQL's defaults (temp_buffers
    // 8 MB, work_mem 4 MB) spill a 50 MB table's staging to temporary files and split each hash
    // join into batches on disk. One session, one transaction: the memory is released at its end.
    `SET temp_buffers = ${literal(STAGING_MEMORY.tempBuffers)};\n` +
    `BEGIN;\nSET LOCAL lock_timeout = ${literal(lockTimeout)};\nSET LOCAL work_mem = ${literal(STAGING_MEMORY.workMem)};\nSET CONSTRAINTS ALL DEFERRED;\n` +
    `LOCK TABLE ${tables.map((t) => t.table).join(", ")} IN SHARE ROW EXCLUSIVE MODE;\n` +
    tables.map((t) => triggerStatements(t, false)).join("")
  );
}

/** The same plan, or why not: the catalog may have changed between the question and now. */
function checkUnchanged(asked: SurgicalPlan, now: ResolvedPlan): void {
  if (now.plan.refused.length) {
    throw new RefusedError(
      `${asked.way} cannot take ${now.plan.refused.map((r) => `${r.table} (${r.reason})`).join("; ")}; live is unchanged`,
      asked.way === "undelete" ? "choose tables or whole for these, or leave them out" : "leave these tables out, or choose whole",
    );
  }
  const forced = (p: SurgicalPlan) => p.forced.map((f) => f.table).sort().join(",");
  if (forced(asked) !== forced(now.plan)) {
    throw new RefusedError(
      `the foreign keys of live changed since the plan was shown (tables forced in now: ${now.plan.forced.map((f) => f.table).join(", ") || "none"}); live is unchanged`,
      "resume the run to see the new plan and be asked again",
    );
  }
}

/** psql's ERROR and DETAIL lines (VERBOSITY verbose: with the SQLSTATE), passwords masked. */
function databaseSays(stderr: string, url: string): { text: string; sqlstate?: string } {
  const clean = redact(stderr, [connectionEnv(url).PGPASSWORD]);
  const lines = clean.split("\n").map((l) => l.replace(/^psql:<stdin>:\d+:\s*/, "").trim());
  const error = lines.find((l) => /^(ERROR|FATAL):/.test(l));
  if (!error) return { text: "" };
  const detail = lines.find((l) => /^DETAIL:/.test(l));
  const m = /^(?:ERROR|FATAL):\s+([0-9A-Z]{5}):\s*(.*)$/.exec(error);
  const text = m ? `${m[2]}${detail ? ` (${detail.replace(/^DETAIL:\s*/, "")})` : ""}` : error;
  return { text, sqlstate: m?.[1] };
}

/**
 * Carry out `asked` (a plan shown to a person) in one transaction on live. The plan is made again
 * from the catalogs first; if it changed, nothing is written.
 */
export async function restoreSurgical(copy: DatabaseConnection, live: DatabaseConnection, asked: SurgicalPlan, options: SurgicalOptions = {}): Promise<SurgicalResult> {
  const started = Date.now();
  // While the catalogs are read again, the copy's snapshot is exported and live's session and the
  // first reader of the copy connect (each a round trip less before the first row moves). The
  // psql sessions get no input until the plan stands: on a refusal their input just ends, and they
  // exit having begun nothing; the snapshot only reads, and is released on every path.
  const held = exportSnapshot(copy.url, copy.label);
  held.catch(() => undefined); // observed below
  const session = connectEarly(live.url);
  const firstReader = connectEarly(copy.url);
  try {
    const resolved = await planSurgical(live, copy, asked.way, asked.chosen);
    checkUnchanged(asked, resolved);
    const tables = resolved.tables;
    const result = (rows: SurgicalTableResult[], sequences: SurgicalResult["sequences"]): SurgicalResult => ({
      way: asked.way,
      tables: rows,
      sequences,
      triggersSkipped: resolved.plan.triggersSkipped,
      elapsedMs: Date.now() - started,
    });
    if (tables.length === 0) return result([], []);
    if (options.signal?.aborted) throw new InterruptedError("interrupted before anything was written; live is unchanged");
    const snapshot = await held;
    const lines = await runSession(copy, live, { session, firstReader }, tables, asked.way, snapshot.id, options);
    return result(...tally(tables, lines));
  } finally {
    for (const { child } of [session, firstReader]) if (!child.stdin!.writableEnded && !child.stdin!.destroyed) child.stdin!.end();
    await Promise.all([session.done, firstReader.done, (await held.catch(() => undefined))?.release()]);
  }
}

/** A psql that connects now and runs what it is fed later. */
function connectEarly(url: string): Spawned {
  const p = spawnPg("psql", psqlArgs("", { stdin: "" }), url, { stdin: "pipe", stdout: "pipe" });
  p.child.stdin!.on("error", () => undefined); // EPIPE when psql stops: reported from its exit
  return p;
}

/** Pure: psql's result lines as per-table counts and moved sequences. */
function tally(tables: readonly PlannedTable[], lines: readonly string[][]): [SurgicalTableResult[], SurgicalResult["sequences"]] {
  const rows = tables.map((t) => ({ table: t.table, inserted: 0, updated: 0, deleted: 0, keptDiffering: 0 }));
  const sequences: SurgicalResult["sequences"] = [];
  const field = { inserted: "inserted", updated: "updated", deleted: "deleted", kept: "keptDiffering" } as const;
  for (const [index, kind, a, b] of lines) {
    const row = rows[Number(index)];
    if (!row) continue;
    if (kind === "sequence") sequences.push({ sequence: a, lastValue: b });
    else if (kind in field) row[field[kind as keyof typeof field]] = Number(a);
  }
  return [rows, sequences];
}

/** Live's session and the copy's first reader, connected (connectEarly) and not yet fed. */
interface Sessions {
  session: Spawned;
  firstReader: Spawned;
}

async function runSession(copy: DatabaseConnection, live: DatabaseConnection, { session, firstReader }: Sessions, tables: readonly PlannedTable[], way: SurgicalPlan["way"], snapshotId: string, options: SurgicalOptions): Promise<string[][]> {
  let out = "";
  session.child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  let copyFailure: Error | undefined;
  let current: Spawned | undefined;
  // the next table's reader connects while this table's rows stream
  let next: Spawned | undefined = firstReader;
  const killReaders = (): void => {
    for (const r of [current, next]) r?.child.kill("SIGKILL");
  };
  const parts = tables.map((t, i) => statements(way, t, i));
  async function* script(): AsyncGenerator<string | Buffer> {
    yield prelude(tables, options.lockTimeout ?? "60s");
    for (const [i, t] of tables.entries()) {
      const reader = next!;
      current = reader;
      next = i + 1 < tables.length ? connectEarly(copy.url) : undefined;
      reader.child.stdin!.end(copySql(t, snapshotId));
      yield `CREATE TEMPORARY TABLE ${stage(i)} ON COMMIT DROP AS SELECT ${cols(t.columns)} FROM ${t.table} WITH NO DATA;\nCOPY ${stage(i)} (${cols(t.columns)}) FROM STDIN;\n`;
      for await (const chunk of reader.child.stdout! as AsyncIterable<Buffer>) yield chunk;
      const { code, stderr } = await reader.done;
      current = undefined;
      if (code !== 0) {
        copyFailure = pgFailure(`reading ${t.table} from ${copy.label}`, stderr || `psql exited with ${code}`, copy.url);
        throw copyFailure;
      }
      // The joins on the key need its row count and distinct values, nothing more: the key's
      // statistics alone, from a sample of 3,000 rows (about a third of a full ANALYZE's time). No key, no join.
      const stats = t.pk.map((c) => `ALTER TABLE ${stage(i)} ALTER COLUMN ${quoteIdent(c)} SET STATISTICS 10;\n`).join("");
      yield `\\.\n${t.pk.length ? `${stats}ANALYZE ${stage(i)} (${cols(t.pk)});\n` : ""}`;
    }
    // removals from the referencing tables first, then writes with the referenced tables first
    for (let i = tables.length - 1; i >= 0; i--) yield parts[i].remove;
    for (const [i, t] of tables.entries()) yield parts[i].write + sequenceStatements(t, i);
    yield tables.map((t) => triggerStatements(t, true)).join("");
    yield "COMMIT;\n";
  }
  const onAbort = (): void => {
    killReaders();
    session.child.kill("SIGKILL"); // before COMMIT: the server rolls back
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const fed = pipeline(Readable.from(script()), session.child.stdin!).catch((err: unknown) => {
      killReaders();
      session.child.kill("SIGKILL"); // an open transaction on live is rolled back
      return err;
    });
    const [feedError, { code, stderr }] = await Promise.all([fed, session.done]);
    const mapped = { what: `${way} into ${live.label}`, left: `${live.label} is unchanged (rolled back)`, signal: options.signal, interruptedFix: "resume the run; the step runs again" };
    if (options.signal?.aborted) throw dataFailure(copyFailure ?? feedError, mapped);
    if (copyFailure) throw dataFailure(copyFailure, mapped);
    // psql's own answer: the database's SQLSTATE says whether it refused (failure below)
    if (code !== 0) throw failure(way, live, stderr || `psql exited with ${code}`);
    if (feedError) throw dataFailure(feedError, mapped);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
  return out.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
}

/** A constraint or trigger said no (class 23, or a raised exception): refused, naming it; anything else is a tool failure. */
function failure(way: string, live: DatabaseConnection, stderr: string): DrError {
  const said = databaseSays(stderr, live.url);
  if (said.sqlstate && (said.sqlstate.startsWith("23") || said.sqlstate === "P0001")) {
    return new RefusedError(
      `${way} into ${live.label} refused by the database: ${said.text}; nothing was written (rolled back)`,
      way === "undelete"
        ? "a referenced row is missing: undelete its table too (--tables), or choose tables or whole"
        : "a row the copy needs is gone from a table not being replaced: add that table (--tables), or choose whole",
    );
  }
  if (said.sqlstate === "55P03") return new ToolError(`${way} into ${live.label}: a table is locked by another session (${said.text}); nothing was written`, "is the app really stopped? find the session in pg_stat_activity, then resume the run");
  const base = pgFailure(`${way} into ${live.label}`, stderr, live.url);
  return new ToolError(`${said.text ? `${way} into ${live.label} failed: ${said.text}` : base.message}; nothing was written (rolled back)`, base.hint);
}
