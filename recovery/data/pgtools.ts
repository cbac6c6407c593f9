/**
 * PostgreSQL facts the data tools need: which versions can dump and restore what (pure rules,
 * tested from tables), the server's version, and database names in URLs. Tools are started by
 * pg/tools.ts and SQL runs through pg/psql.ts: one runner for the whole command.
 */
import { ToolError } from "../errors";
import { parseDatabaseUrl, withConnection } from "../pg/connection";
import { psql } from "../pg/psql";
import { installHint, runPg, type PgTool } from "../pg/tools";

/** Database name of a URL, as libpq reads it (pg/connection.ts): a query `dbname=` included. */
export function databaseOf(url: string): string {
  const t = parseDatabaseUrl(url);
  return t.dbname ?? t.user ?? "postgres";
}

/** The same connection with another database (a scratch database on the same server); a query `dbname=` is replaced too. */
export function withDatabase(url: string, database: string): string {
  return withConnection(url, { dbname: database });
}

// --- versions ---------------------------------------------------------------------------------

/** `pg_dump (PostgreSQL) 17.2 (Debian 17.2-1.pgdg120+1)` -> 17.2. */
export function parseToolVersion(text: string): { major: number; text: string } {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(text) ?? /(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) throw new ToolError(`cannot read a version from "${text.trim()}"`);
  return { major: Number(m[1]), text: m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1] };
}

/** How much of a plain dump's start is read for its header (parseDumpHeader). */
export const HEAD_BYTES = 8192;

/** `-- Dumped by pg_dump version 17.2 (Debian ...)` in a plain dump's first lines; undefined when absent. */
export function parseDumpHeader(head: string): { major: number; text: string } | undefined {
  const m = /^-- Dumped by pg_dump version (\d+)(?:\.(\d+))?/m.exec(head);
  return m ? { major: Number(m[1]), text: m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1] } : undefined;
}

/** Why pg_dump cannot dump this server, or undefined. pg_dump refuses servers newer than itself. */
export function dumpVersionProblem(pgDump: { major: number; text: string }, server: { major: number; text: string }): string | undefined {
  if (pgDump.major >= server.major) return undefined;
  return `pg_dump ${pgDump.text} is older than the server (PostgreSQL ${server.text}); pg_dump must be at least the server's major version`;
}

/**
 * Why psql (plain dumps) or pg_restore (archives) cannot restore a backup, or undefined. A newer
 * pg_dump writes meta-commands an older psql rejects half way, and archive versions an older
 * pg_restore cannot read.
 */
export function restoreVersionProblem(client: { major: number; text: string }, dump: { major: number; text: string }, tool: "psql" | "pg_restore" = "psql"): string | undefined {
  if (client.major >= dump.major) return undefined;
  return tool === "psql"
    ? `psql ${client.text} is older than the pg_dump ${dump.text} that wrote this backup; an older psql can reject its commands half way`
    : `pg_restore ${client.text} is older than the pg_dump ${dump.text} that wrote this archive; an older pg_restore cannot read newer archives`;
}

/**
 * pg_dump's version from a custom archive's header (pg_dump's WriteHead): "PGDMP", format version
 * (3 bytes), int and offset sizes, format, compression (a byte from archive 1.15, an int before),
 * the creation time (7 ints), then three strings: database, server version, pg_dump version. An
 * int is a sign byte and `intSize` bytes, little-endian; a string an int length and its bytes.
 * Undefined when the header is shorter or other than that (the restore itself still checks).
 */
export function parseArchiveHeader(head: Buffer): { major: number; text: string; archiveVersion: string } | undefined {
  if (head.length < 12 || head.subarray(0, 5).toString("latin1") !== "PGDMP") return undefined;
  const [vmaj, vmin, vrev, intSize] = [head[5], head[6], head[7], head[8]];
  if (intSize < 1 || intSize > 8) return undefined;
  let at = 11; // after offSize (9) and format (10)
  const readInt = (): number | undefined => {
    if (at + 1 + intSize > head.length) return undefined;
    const negative = head[at] !== 0;
    let value = 0;
    for (let i = 0; i < intSize; i++) value += head[at + 1 + i] * 2 ** (8 * i);
    at += 1 + intSize;
    return negative ? -value : value;
  };
  const readStr = (): string | undefined => {
    const len = readInt();
    if (len === undefined || len < 0 || at + len > head.length) return undefined;
    const text = head.subarray(at, at + len).toString("utf8");
    at += len;
    return text;
  };
  if (vmaj > 1 || (vmaj === 1 && vmin >= 15)) at += 1;
  else if (readInt() === undefined) return undefined;
  for (let i = 0; i < 7; i++) if (readInt() === undefined) return undefined;
  if (readStr() === undefined || readStr() === undefined) return undefined;
  const version = readStr();
  const m = version === undefined ? null : /^(\d+)(?:\.(\d+))?/.exec(version);
  if (!m) return undefined;
  return { major: Number(m[1]), text: m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1], archiveVersion: `${vmaj}.${vmin}.${vrev}` };
}

const versionCache = new Map<PgTool, { major: number; text: string }>();

export async function toolVersion(tool: PgTool): Promise<{ major: number; text: string }> {
  const cached = versionCache.get(tool);
  if (cached) return cached;
  const v = parseToolVersion(await runPg(tool, ["--version"], undefined, `${tool} --version`));
  versionCache.set(tool, v);
  return v;
}

export async function serverVersion(url: string): Promise<{ major: number; text: string }> {
  const out = (await psql(url, "SELECT current_setting('server_version_num') || ' ' || current_setting('server_version')", { what: "connecting to the database" })).trim();
  const [num, ...rest] = out.split(" ");
  return { major: Math.floor(Number(num) / 10000), text: rest.join(" ").split(" ")[0] ?? num };
}

/** Refuse before dumping when pg_dump is older than the server. */
export async function checkCanDump(url: string, tool: "pg_dump" = "pg_dump"): Promise<{ client: { major: number; text: string }; server: { major: number; text: string } }> {
  const [client, server] = await Promise.all([toolVersion(tool), serverVersion(url)]);
  const problem = dumpVersionProblem(client, server);
  if (problem) throw new ToolError(problem, installHint(server.major));
  return { client, server };
}
