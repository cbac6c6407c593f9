/**
 * The one way aytq-dr runs SQL: psql with no psqlrc, stop at the first error, the connection
 * (password included) through the environment, never in argv. Output is psql's unaligned
 * tuples-only format: one row a line, a tab between fields (psqlRows splits it). A failure is a
 * ToolError from pg/tools: psql's own error line, passwords masked, the fix for the cause.
 * (A restore streams a dump into psql itself, through spawnPg: see data/psql-sink.ts.)
 */
import { ToolError } from "../errors";
import { clientEnv, CONNECT_TIMEOUT_SECONDS, connectionLabel } from "./connection";
import { pgFailure, spawnPg } from "./tools";

export interface QueryOptions {
  /** Kill psql after this long; 0 for never (a summary of a large database). @default DEFAULT_QUERY_TIMEOUT_MS */
  timeoutMs?: number;
  /** Feed this text on stdin (with `-f -`) instead of `-c`. */
  stdin?: string;
  /** Give up connecting after this many seconds. @default CONNECT_TIMEOUT_SECONDS */
  connectTimeoutSeconds?: number;
  /** What this query does, for the error message ("<what> failed: ..."). @default "psql against <host:port/database>" */
  what?: string;
}

const DEFAULT_QUERY_TIMEOUT_MS = 120_000;
/** Field separator of psql's output here. */
const FIELD_SEPARATOR = "\t";

/** psql's argv for one call: no connection in it (that goes through psqlEnv). */
export function psqlArgs(sql: string, options: Pick<QueryOptions, "stdin"> = {}): string[] {
  return ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-F", FIELD_SEPARATOR, ...(options.stdin === undefined ? ["-c", sql] : ["-f", "-"])];
}

/** psql's environment for a URL: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE... (inherited PG* dropped). */
export function psqlEnv(url: string, base: NodeJS.ProcessEnv = process.env, connectTimeoutSeconds: number = CONNECT_TIMEOUT_SECONDS): NodeJS.ProcessEnv {
  return clientEnv(url, base, connectTimeoutSeconds);
}

/** Run SQL with ON_ERROR_STOP; resolves to stdout, rejects with a ToolError quoting psql's error. */
export async function psql(url: string, sql: string, options: QueryOptions = {}): Promise<string> {
  const what = options.what ?? `psql against ${connectionLabel(url)}`;
  const run = spawnPg("psql", psqlArgs(sql, options), url, { stdin: "pipe", stdout: "pipe", connectTimeoutSeconds: options.connectTimeoutSeconds ?? CONNECT_TIMEOUT_SECONDS });
  let stdout = "";
  run.child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  run.child.stdin!.on("error", () => undefined); // EPIPE when psql stops early: reported from its exit
  run.child.stdin!.end(options.stdin ?? "");
  const timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  let timedOut = false;
  const timer = timeoutMs > 0 ? setTimeout(() => ((timedOut = true), run.child.kill("SIGKILL")), timeoutMs) : undefined;
  const { code, stderr } = await run.done;
  clearTimeout(timer);
  if (timedOut) throw new ToolError(`${what} failed: psql did not finish within ${timeoutMs / 1000} s and was stopped`, "is the server overloaded, or waiting on a lock? try again, or look at pg_stat_activity");
  if (code !== 0) throw pgFailure(what, stderr || `psql exited with ${code}`, url);
  return stdout;
}

/** Rows of a query, each split into its fields. */
export async function psqlRows(url: string, sql: string, options: QueryOptions = {}): Promise<string[][]> {
  return (await psql(url, sql, options))
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split(FIELD_SEPARATOR));
}

/** First field of the first row, or undefined. */
export async function psqlValue(url: string, sql: string, options: QueryOptions = {}): Promise<string | undefined> {
  const out = (await psql(url, sql, options)).split("\n")[0]?.split(FIELD_SEPARATOR)[0];
  return out === undefined || out === "" ? undefined : out;
}
