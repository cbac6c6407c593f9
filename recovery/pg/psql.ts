/**
 * Small SQL helpers over psql for the local platform and drills: no client library, an argument
 * array, no shell, the connection (password included) through the environment, never in argv.
 * Output is psql's unaligned tuples-only format, one row a line, `|` between fields.
 */
import { spawn } from "node:child_process";
import { ToolError } from "../errors";
import { errorLine, failureHint, pgToolPath } from "../data/pgtools";
import { maskUrl, redact } from "../util/redact";
import { clientEnv } from "./connection";

export interface QueryOptions {
  /** Kill psql after this long. @default 120000 */
  timeoutMs?: number;
  /** Feed this text on stdin (with `-f -`) instead of `-c`. */
  stdin?: string;
  /** Give up connecting after this many seconds. @default PSQL_CONNECT_TIMEOUT_SECONDS */
  connectTimeoutSeconds?: number;
}

const DEFAULT_QUERY_TIMEOUT_MS = 120_000;
/** psql's connect timeout here: the local servers answer at once or are down. */
export const PSQL_CONNECT_TIMEOUT_SECONDS = 5;

/** psql's argv for one call: no connection in it (that goes through psqlEnv). */
export function psqlArgs(sql: string, options: Pick<QueryOptions, "stdin"> = {}): string[] {
  return ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", ...(options.stdin === undefined ? ["-c", sql] : ["-f", "-"])];
}

/** psql's environment for a URL: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE... */
export function psqlEnv(url: string, base: NodeJS.ProcessEnv = process.env, connectTimeoutSeconds: number = PSQL_CONNECT_TIMEOUT_SECONDS): NodeJS.ProcessEnv {
  return clientEnv(url, base, connectTimeoutSeconds);
}

/** Run SQL with ON_ERROR_STOP; resolves to stdout, rejects with a ToolError quoting psql's error. */
export function psql(url: string, sql: string, options: QueryOptions = {}): Promise<string> {
  const args = psqlArgs(sql, options);
  const env = psqlEnv(url, process.env, options.connectTimeoutSeconds);
  return new Promise((resolve, reject) => {
    // psql is a client tool: found like pg_dump, so a machine with only postgresql-client can run it.
    const child = spawn(pgToolPath("psql"), args, { stdio: ["pipe", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else {
        // psql's own error line in the message (the operator sees no stderr), passwords masked
        const clean = redact(stderr, [env.PGPASSWORD]).trim() || `exit ${String(code)}`;
        reject(new ToolError(`psql failed against ${maskUrl(url)}: ${errorLine(clean)}`, failureHint(clean), clean));
      }
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.stdin ?? "");
  });
}

/** First field of the first row, or undefined. */
export async function psqlValue(url: string, sql: string): Promise<string | undefined> {
  const out = (await psql(url, sql)).split("\n")[0];
  return out === undefined || out === "" ? undefined : out;
}

/** Whether the database answers `select 1` within a few seconds. */
export async function answers(url: string): Promise<boolean> {
  try {
    return (await psql(url, "select 1", { timeoutMs: 8000 })).trim() === "1";
  } catch {
    return false;
  }
}
