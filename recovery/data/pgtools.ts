/**
 * Running PostgreSQL client tools (pg_dump, pg_restore, psql) the way the SDK runs pulumi: an
 * argument array, no shell, the connection (password included) through the environment, never in
 * argv or in messages. Version rules live here as pure functions.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { ToolError } from "../errors";
import { redact } from "../util/redact";
import { clientEnv, connectionEnv } from "../pg/connection";

export type PgTool = "pg_dump" | "pg_restore" | "psql";

// the connection as libpq environment lives in pg/ so psql helpers share it; re-exported for data callers
export { CONNECT_TIMEOUT_SECONDS, connectionEnv } from "../pg/connection";

/** The oldest client major we suggest installing when the server's is unknown. */
const SUGGESTED_CLIENT_MAJOR = 17;

export function installHint(major: number = SUGGESTED_CLIENT_MAJOR): string {
  return `install the PostgreSQL ${major} client tools: apt-get update && apt-get install -y postgresql-client-${major} (PGDG apt repository for versions Debian does not ship)`;
}

/**
 * Where a client tool lives: the newest Debian `/usr/lib/postgresql/<N>/bin` that has it (client
 * tools from the newest version dump and restore every older server), then PATH.
 */
export function pgToolPath(tool: PgTool, env: NodeJS.ProcessEnv = process.env): string {
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v) && existsSync(path.join(debian, v, "bin", tool)))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return path.join(debian, versions[0], "bin", tool);
  }
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, tool))) return path.join(dir, tool);
  }
  throw new ToolError(`${tool} was not found (looked in /usr/lib/postgresql/*/bin and PATH)`, installHint());
}

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

export interface Spawned {
  child: ChildProcess;
  /** Resolves when the tool exits, with its exit code (signal -> 128+n style non-zero) and the tail of stderr. */
  done: Promise<{ code: number; stderr: string }>;
}

/** Start a client tool against a database. stdin/stdout are pipes for the caller; stderr is collected. */
export function spawnPg(tool: PgTool, args: readonly string[], url: string | undefined, stdio: { stdin?: "pipe" | "ignore"; stdout?: "pipe" | "ignore" } = {}): Spawned {
  const bin = pgToolPath(tool);
  const child = spawn(bin, [...args], { env: clientEnv(url), stdio: [stdio.stdin ?? "ignore", stdio.stdout ?? "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 64_000) stderr = stderr.slice(-32_000);
  });
  const done = new Promise<{ code: number; stderr: string }>((resolve) => {
    child.once("error", (err: NodeJS.ErrnoException) => {
      stderr += `\n${tool} could not start: ${err.code ?? err.message}`;
    });
    child.once("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stderr }));
  });
  return { child, done };
}

/** Run a tool to completion, returning stdout. A non-zero exit is a ToolError quoting the tool's error line. */
export async function runPg(tool: PgTool, args: readonly string[], url: string | undefined, what: string): Promise<string> {
  const { child, done } = spawnPg(tool, args, url);
  let stdout = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  const { code, stderr } = await done;
  if (code !== 0) throw pgFailure(what, stderr, url);
  return stdout;
}

/** The line a person needs from a tool's stderr: the first ERROR/FATAL line, else the last line. */
export function errorLine(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /\b(ERROR|FATAL|error|could not)\b/.test(l)) ?? lines[lines.length - 1] ?? "(no message)";
}

export function pgFailure(what: string, stderr: string, url?: string): ToolError {
  const secrets = url ? [connectionEnv(url).PGPASSWORD] : [];
  const clean = redact(stderr, secrets).trim();
  const line = errorLine(clean);
  return new ToolError(`${what} failed: ${line}`, failureHint(clean), clean);
}

/** What to do about a client tool's (redacted) stderr, when we can tell: install it, or reach the server. */
export function failureHint(cleanStderr: string): string | undefined {
  if (/could not start: ENOENT/.test(cleanStderr)) return installHint();
  return /connect|Connection refused|timeout expired|no route/i.test(errorLine(cleanStderr)) ? "is the server running and reachable (tunnel, firewall, --database-url)?" : undefined;
}

/** A query's rows as tab-separated text (psql -XAt, fail on the first error). */
export function query(url: string, sql: string, what = "query"): Promise<string> {
  return runPg("psql", ["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-F", "\t", "-c", sql], url, what);
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
  const out = (await query(url, "SELECT current_setting('server_version_num') || ' ' || current_setting('server_version')", "connecting to the database")).trim();
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
