/**
 * PostgreSQL facts the data tools need: which versions can dump and restore what (pure rules,
 * tested from tables), the server's version, and database names in URLs. Tools are started by
 * pg/tools.ts and SQL runs through pg/psql.ts: one runner for the whole command.
 */
import { ToolError } from "../errors";
import { connectionEnv } from "../pg/connection";
import { psql } from "../pg/psql";
import { installHint, runPg, type PgTool } from "../pg/tools";

/** Database name of a URL. */
export function databaseOf(url: string): string {
  return connectionEnv(url).PGDATABASE ?? connectionEnv(url).PGUSER ?? "postgres";
}

/** The same URL with another database (a scratch database on the same server). */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = "/" + encodeURIComponent(database);
  return u.toString();
}

// --- versions ---------------------------------------------------------------------------------

/** `pg_dump (PostgreSQL) 17.2 (Debian 17.2-1.pgdg120+1)` -> 17.2. */
export function parseToolVersion(text: string): { major: number; text: string } {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(text) ?? /(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) throw new ToolError(`cannot read a version from "${text.trim()}"`);
  return { major: Number(m[1]), text: m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1] };
}

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

/** Why psql cannot replay a dump, or undefined. A newer pg_dump writes meta-commands an older psql rejects half way. */
export function restoreVersionProblem(psql: { major: number; text: string }, dump: { major: number; text: string }): string | undefined {
  if (psql.major >= dump.major) return undefined;
  return `psql ${psql.text} is older than the pg_dump ${dump.text} that wrote this backup; an older psql can reject its commands half way`;
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
