/**
 * The one reading of a postgres:// URL, and the libpq environment it becomes, so client tools
 * (psql, pg_dump, pg_restore) get the connection, password included, through the environment and
 * never through argv, where any user on the machine could read it in the process list.
 *
 * The reading follows libpq's own URI parser (fe-connect.c, conninfo_uri_parse_options and
 * conninfo_uri_parse_params), so what aytq-dr says it connects to is what psql connects to:
 *   - `postgres://` or `postgresql://`; credentials end at the FIRST `@` before any `/` (a raw
 *     `@` in a password splits it there: encode it as %40); the user ends at the first `:`;
 *   - the host runs to `:`, `/`, `?` or `,`, or is an IPv6 literal in brackets; then `:port`,
 *     then `/dbname`, then `?key=value&...`;
 *   - every part is percent-decoded (a bad `%` escape or `%00` is an error; `+` stays `+`);
 *   - query parameters override the parts before them and a later duplicate overrides an earlier
 *     one (`?dbname=x` wins over the path; `ssl=true` means sslmode=require);
 *   - an empty user, password, host, port or database in the URL's parts is as if absent.
 * What libpq would read differently from the environment, or what we do not pass on, is refused
 * (UsageError, exit 2, one line, never quoting the URL or the password): several hosts, a query
 * parameter outside PARAM_ENV, an empty query value, a port outside 1-65535, a host with `@`, and
 * a database name pg_restore's `-d` would read as a connection string (with `=` or a URI prefix).
 */
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";

/** Seconds a client waits for a server to answer before giving up (database down fails fast). */
export const CONNECT_TIMEOUT_SECONDS = 10;

/** The libpq keywords a URL may set, and the environment variable each goes to. */
const PARAM_ENV = {
  host: "PGHOST",
  port: "PGPORT",
  dbname: "PGDATABASE",
  user: "PGUSER",
  password: "PGPASSWORD",
  sslmode: "PGSSLMODE",
  sslrootcert: "PGSSLROOTCERT",
  sslcert: "PGSSLCERT",
  sslkey: "PGSSLKEY",
  application_name: "PGAPPNAME",
  connect_timeout: "PGCONNECT_TIMEOUT",
  options: "PGOPTIONS",
  target_session_attrs: "PGTARGETSESSIONATTRS",
  channel_binding: "PGCHANNELBINDING",
} as const;

type ConnectionKey = keyof typeof PARAM_ENV;

/** What a URL connects to, keyword by keyword, as libpq reads it (absent keys: libpq's defaults). */
export type ConnectionTarget = Partial<Record<ConnectionKey, string>>;

const EXAMPLE = "write it like postgres://user:password@host:5432/database (percent-encode @ : / ? # % in the user or password, e.g. %40 for @)";

function refuse(problem: string, fix: string = EXAMPLE): never {
  throw new UsageError(`the database URL ${problem} (the URL is not repeated here: it holds a password)`, fix);
}

/** libpq's conninfo_uri_decode: `%XX` escapes only, `%00` forbidden. `part` names it in the error. */
function decode(text: string, part: string): string {
  if (!text.includes("%")) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "%") {
      bytes.push(...Buffer.from(text[i], "utf8"));
      continue;
    }
    const hex = text.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) refuse(`has a % in its ${part} that is not a %XX escape`, `write a literal % as %25: ${EXAMPLE}`);
    if (hex === "00") refuse(`has %00 in its ${part}, which libpq forbids`);
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(bytes).toString("utf8");
}

/**
 * What `url` connects to, as libpq reads it, or a UsageError naming the part that is wrong (never
 * its value when it may be the password).
 */
export function parseDatabaseUrl(url: string): ConnectionTarget {
  const text = url.trim();
  const prefix = /^postgres(?:ql)?:\/\//.exec(text);
  if (!prefix) refuse("is not a postgres:// URL");
  const target: ConnectionTarget = {};
  const set = (key: ConnectionKey, value: string, part: string): void => {
    target[key] = decode(value, part);
  };
  let p = prefix[0].length;
  // credentials: libpq looks for "@" before any "/", and splits at the first one
  const at = text.slice(p).search(/[@/]/);
  if (at >= 0 && text[p + at] === "@") {
    const info = text.slice(p, p + at);
    const colon = info.indexOf(":");
    const user = colon >= 0 ? info.slice(0, colon) : info;
    if (user) set("user", user, "user name");
    if (colon >= 0 && info.length > colon + 1) set("password", info.slice(colon + 1), "password");
    p += at + 1;
  }
  let host: string;
  if (text[p] === "[") {
    const close = text.indexOf("]", p);
    if (close < 0) refuse("has a [ with no ] around its IPv6 host");
    host = text.slice(p + 1, close);
    if (host === "") refuse("has an empty IPv6 host []");
    p = close + 1;
    if (p < text.length && !":/?,".includes(text[p])) refuse(`has "${clipInput(text[p])}" after its IPv6 host, where : / or ? belongs`);
  } else {
    const end = text.slice(p).search(/[:/?,]/);
    host = end < 0 ? text.slice(p) : text.slice(p, p + end);
    p = end < 0 ? text.length : p + end;
  }
  if (host) set("host", host, "host");
  if (text[p] === ":") {
    const end = text.slice(p + 1).search(/[/?,]/);
    const port = end < 0 ? text.slice(p + 1) : text.slice(p + 1, p + 1 + end);
    if (port) set("port", port, "port");
    p = end < 0 ? text.length : p + 1 + end;
  }
  if (text[p] === ",") refuse("names several hosts; aytq-dr connects to one", "give one host (the server's own name)");
  if (text[p] === "/") {
    const end = text.indexOf("?", p);
    const db = end < 0 ? text.slice(p + 1) : text.slice(p + 1, end);
    if (db) set("dbname", db, "database name");
    p = end < 0 ? text.length : end;
  }
  if (text[p] === "?") {
    for (const pair of text.slice(p + 1) === "" ? [] : text.slice(p + 1).split("&")) {
      const eq = pair.indexOf("=");
      if (eq < 0) refuse(`has a query parameter with no = (each is key=value, joined by &)`);
      if (pair.indexOf("=", eq + 1) >= 0) refuse(`has a query parameter with two = signs (encode = in a value as %3D)`);
      let key = decode(pair.slice(0, eq), "query");
      if (!(key in PARAM_ENV) && key !== "ssl") {
        refuse(`has the query parameter "${clipInput(key, 40)}", which aytq-dr does not pass on`, `use only ${Object.keys(PARAM_ENV).join(", ")}`);
      }
      let value = decode(pair.slice(eq + 1), key === "password" ? "password" : `${key} parameter`);
      if (key === "ssl") {
        // libpq's JDBC compatibility: ssl=true is sslmode=require; any other ssl= is an unknown parameter to it
        if (value !== "true") refuse(`has ssl= other than ssl=true, which libpq does not accept`, "write sslmode=require (or ssl=true)");
        [key, value] = ["sslmode", "require"];
      }
      if (value === "") refuse(`has an empty ${clipInput(key, 40)}= in its query`, `leave ${key} out, or give it a value`);
      target[key as ConnectionKey] = value;
    }
  }
  return checked(target);
}

function checked(t: ConnectionTarget): ConnectionTarget {
  if (t.host?.includes(",")) refuse("names several hosts; aytq-dr connects to one", "give one host (the server's own name)");
  if (t.host?.includes("@")) refuse("has an @ in its host: a raw @ in the password ends the credentials there", "write @ in the password as %40");
  if (t.port !== undefined && !(/^\d{1,5}$/.test(t.port) && Number(t.port) >= 1 && Number(t.port) <= 65535)) {
    refuse(`has the port "${clipInput(t.port, 20)}", not a number from 1 to 65535`);
  }
  if (t.dbname !== undefined && (t.dbname.includes("=") || /^postgres(?:ql)?:\/\//.test(t.dbname))) {
    refuse("has a database name that pg_restore -d would read as a connection string (it holds = or starts with postgres://)", "name a database without = that does not start with postgres://");
  }
  if (t.connect_timeout !== undefined && !/^\d{1,6}$/.test(t.connect_timeout)) refuse(`has connect_timeout "${clipInput(t.connect_timeout, 20)}", not a whole number of seconds`);
  return t;
}

function encodePart(text: string): string {
  return encodeURIComponent(text);
}

/**
 * The URL of a target, written so that parseDatabaseUrl (and libpq) read back exactly `target`:
 * credentials in the user-info (maskUrl hides the password there), a unix-socket host in the
 * query, every other keyword in the query.
 */
export function formatDatabaseUrl(target: ConnectionTarget, scheme: "postgres" | "postgresql" = "postgresql"): string {
  const t = checked({ ...target });
  const creds = t.user !== undefined || t.password !== undefined ? `${encodePart(t.user ?? "")}${t.password !== undefined ? `:${encodePart(t.password)}` : ""}@` : "";
  const socket = t.host !== undefined && (t.host.startsWith("/") || t.host.startsWith("@"));
  const host = t.host === undefined || socket ? "" : t.host.includes(":") ? `[${t.host}]` : encodePart(t.host);
  const port = t.port !== undefined ? `:${t.port}` : "";
  const db = t.dbname !== undefined ? `/${encodePart(t.dbname)}` : "/";
  const rest = (Object.keys(PARAM_ENV) as ConnectionKey[])
    .filter((k) => t[k] !== undefined && !["user", "password", "port", "dbname", "host"].includes(k))
    .map((k) => `${k}=${encodePart(t[k] as string)}`);
  if (socket) rest.unshift(`host=${encodePart(t.host as string)}`);
  return `${scheme}://${creds}${host}${port}${db}${rest.length ? `?${rest.join("&")}` : ""}`;
}

/** `host:port/database` (or `local socket ...`) for messages: never the user's password. */
export function connectionLabel(url: string): string {
  const t = parseDatabaseUrl(url);
  const host = t.host === undefined ? "the local socket" : t.host.startsWith("/") ? `the socket in ${clipInput(t.host, 80)}` : clipInput(t.host.includes(":") ? `[${t.host}]` : t.host, 100);
  return `${host}${t.port !== undefined ? `:${t.port}` : ""}/${clipInput(t.dbname ?? t.user ?? "(default database)", 80)}`;
}

/** The same connection with some keywords changed (another database, a tunnel's host and port). */
export function withConnection(url: string, change: ConnectionTarget): string {
  return formatDatabaseUrl({ ...parseDatabaseUrl(url), ...change }, url.trim().startsWith("postgresql:") ? "postgresql" : "postgres");
}

/**
 * libpq environment for a postgres:// URL. The password goes to PGPASSWORD, never to argv.
 * @param connectTimeoutSeconds used unless the URL has `connect_timeout`. @default CONNECT_TIMEOUT_SECONDS
 */
export function connectionEnv(url: string, connectTimeoutSeconds: number = CONNECT_TIMEOUT_SECONDS): Record<string, string> {
  const target = parseDatabaseUrl(url);
  const env: Record<string, string> = { PGCONNECT_TIMEOUT: String(connectTimeoutSeconds) };
  for (const key of Object.keys(target) as ConnectionKey[]) env[PARAM_ENV[key]] = target[key] as string;
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
