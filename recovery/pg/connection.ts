/**
 * A postgres:// URL as libpq environment variables, so client tools (psql, pg_dump, pg_restore)
 * get the connection, password included, through the environment and never through argv, where
 * any user on the machine could read it in the process list.
 */
import { UsageError } from "../errors";
import { redact } from "../util/redact";

/** Seconds a client waits for a server to answer before giving up (database down fails fast). */
export const CONNECT_TIMEOUT_SECONDS = 10;

/**
 * libpq environment for a postgres:// URL. The password goes to PGPASSWORD, never to argv.
 * @param connectTimeoutSeconds used unless the URL has `connect_timeout`. @default CONNECT_TIMEOUT_SECONDS
 */
export function connectionEnv(url: string, connectTimeoutSeconds: number = CONNECT_TIMEOUT_SECONDS): Record<string, string> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`not a database URL: ${redact(url)}`, "write it like postgres://user:password@host:5432/database");
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new UsageError(`not a postgres:// URL: ${redact(url)}`, "write it like postgres://user:password@host:5432/database");
  }
  const env: Record<string, string> = { PGCONNECT_TIMEOUT: String(connectTimeoutSeconds) };
  if (u.hostname) env.PGHOST = u.hostname.replace(/^\[|\]$/g, "");
  if (u.port) env.PGPORT = u.port;
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const db = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (db) env.PGDATABASE = db;
  const params: Record<string, string> = {
    sslmode: "PGSSLMODE", sslrootcert: "PGSSLROOTCERT", application_name: "PGAPPNAME", connect_timeout: "PGCONNECT_TIMEOUT",
  };
  for (const [key, value] of u.searchParams) {
    const name = params[key];
    if (name) env[name] = value;
  }
  return env;
}

/**
 * Environment for a child client tool: `base` minus inherited PG* settings (a stray PGDATABASE or
 * PGPASSWORD must not redirect the connection), plus the connection of `url`.
 */
export function clientEnv(url: string | undefined, base: NodeJS.ProcessEnv = process.env, connectTimeoutSeconds?: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith("PG")) env[k] = v;
  return { ...env, ...(url ? connectionEnv(url, connectTimeoutSeconds) : {}), PGCLIENTENCODING: "UTF8" };
}
