/**
 * Small SQL helpers over psql for the local platform and drills: no client library, an argument
 * array, no shell. Output is psql's unaligned tuples-only format, one row a line, `|` between fields.
 */
import { spawn } from "node:child_process";
import { ToolError } from "../errors";
import { maskUrl } from "../util/redact";
import { pgBin } from "./cluster";

export interface QueryOptions {
  /** Kill psql after this long. @default 120000 */
  timeoutMs?: number;
  /** Feed this text on stdin (with `-f -`) instead of `-c`. */
  stdin?: string;
}

const DEFAULT_QUERY_TIMEOUT_MS = 120_000;

/** Run SQL with ON_ERROR_STOP; resolves to stdout, rejects with a ToolError quoting psql's error. */
export function psql(url: string, sql: string, options: QueryOptions = {}): Promise<string> {
  const args = ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url];
  if (options.stdin === undefined) args.push("-c", sql);
  else args.push("-f", "-");
  return new Promise((resolve, reject) => {
    const child = spawn(pgBin("psql"), args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, PGCONNECT_TIMEOUT: "5" } });
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
      else reject(new ToolError(`psql failed against ${maskUrl(url)}`, undefined, stderr.trim() || `exit ${String(code)}`));
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
