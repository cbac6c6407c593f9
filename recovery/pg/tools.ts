/**
 * Running PostgreSQL client tools (pg_dump, pg_restore, psql) the way the SDK runs pulumi: an
 * argument array, no shell, the connection (password included) through the environment, never in
 * argv or in messages. Every client tool of aytq-dr starts here, and every failure of one becomes
 * a ToolError here: the tool's own error line, passwords masked, and a fix that matches the cause.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { ToolError } from "../errors";
import { redact } from "../util/redact";
import { clientEnv, connectionEnv } from "./connection";

export type PgTool = "pg_dump" | "pg_restore" | "psql";

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

export interface Spawned {
  child: ChildProcess;
  /** Resolves when the tool exits, with its exit code (signal -> 128+n style non-zero) and the tail of stderr. */
  done: Promise<{ code: number; stderr: string }>;
}

export interface SpawnOptions {
  stdin?: "pipe" | "ignore";
  stdout?: "pipe" | "ignore";
  /** Give up connecting after this many seconds (unless the URL says connect_timeout). @default CONNECT_TIMEOUT_SECONDS */
  connectTimeoutSeconds?: number;
}

/** Start a client tool against a database. stdin/stdout are pipes for the caller; stderr is collected. */
export function spawnPg(tool: PgTool, args: readonly string[], url: string | undefined, options: SpawnOptions = {}): Spawned {
  const bin = pgToolPath(tool);
  const child = spawn(bin, [...args], { env: clientEnv(url, process.env, options.connectTimeoutSeconds), stdio: [options.stdin ?? "ignore", options.stdout ?? "pipe", "pipe"] });
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
function errorLine(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /\b(ERROR|FATAL|error|could not)\b/.test(l)) ?? lines[lines.length - 1] ?? "(no message)";
}

/** `<what> failed: <the tool's error line>`, passwords masked, with the fix for the cause when we can tell it. */
export function pgFailure(what: string, stderr: string, url?: string): ToolError {
  const secrets = url ? [connectionEnv(url).PGPASSWORD] : [];
  const clean = redact(stderr, secrets).trim();
  const line = errorLine(clean);
  return new ToolError(`${what} failed: ${line}`, failureHint(clean), clean);
}

/**
 * What to do about a client tool's (redacted) stderr, when we can tell: install the tool, fix the
 * credentials, name an existing database, or reach the server. Order matters: a refused password
 * also mentions the connection, and must not be told to check the network.
 */
function failureHint(cleanStderr: string): string | undefined {
  if (/could not start: ENOENT/.test(cleanStderr)) return installHint();
  const line = errorLine(cleanStderr);
  if (/password authentication failed|no password supplied|fe_sendauth/i.test(cleanStderr)) {
    return "the server refused these credentials: check the user and password in --database-url (or the app's DATABASE_URL Secret, which a rotated password leaves stale); the server is reachable";
  }
  if (/database "[^"]*" does not exist/i.test(line)) return "check the database name at the end of --database-url (or in the app's DATABASE_URL Secret)";
  return /connect|Connection refused|timeout expired|no route/i.test(line) ? "is the server running and reachable (tunnel, firewall, --database-url)?" : undefined;
}
