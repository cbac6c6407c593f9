/**
 * Issue 20: one database-URL parser that agrees with libpq. For every URL shape, what our parser
 * hands psql through the environment connects where `psql "<url>"` connects (same database, user,
 * port and address), or our parser refuses it (exit 2, never quoting the password). A throwaway
 * PostgreSQL on loopback (and its unix socket) answers; nothing leaves the machine.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { UsageError } from "../../recovery/errors";
import { startThrowawayCluster, type PgCluster } from "../../recovery/pg/cluster";
import { clientEnv, connectionEnv, formatDatabaseUrl, parseDatabaseUrl, withConnection } from "../../recovery/pg/connection";
import { psql } from "../../recovery/pg/psql";
import { pgToolPath } from "../../recovery/pg/tools";
import { databaseOf, withDatabase } from "../../recovery/data/pgtools";

const QUERY = "select current_database(), current_user, inet_server_port(), coalesce(host(inet_server_addr()), 'socket')";

/** The environment without PG* (both sides start from the same). */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PG")) env[k] = v;
  return { ...env, PGCONNECT_TIMEOUT: "5" };
}

/** What psql reports, or "error". */
function run(args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(pgToolPath("psql"), ["-X", "-A", "-t", "-w", ...args, "-c", QUERY], { env, encoding: "utf8", timeout: 20_000 });
  return r.status === 0 ? r.stdout.trim() : "error";
}

/** libpq reading the URL itself (test passwords only: the throwaway cluster trusts loopback). */
const viaLibpq = (url: string): string => run([url], baseEnv());

/** Our parser, then psql with only the environment it builds; "refused" when it refuses. */
function viaOurs(url: string): string {
  let env: NodeJS.ProcessEnv;
  try {
    env = clientEnv(url, baseEnv(), 5);
  } catch (e) {
    assert.ok(e instanceof UsageError, `not a UsageError: ${String(e)}`);
    assert.ok(!/Pw-SECRET/.test(`${e.message}${e.hint ?? ""}`), `the password was echoed: ${e.message}`);
    return "refused";
  }
  return run([], env);
}

describe("database URLs: our parser agrees with libpq", function () {
  this.timeout(120_000);
  let cluster: PgCluster;
  let dir: string;
  let dispose: () => Promise<void>;
  let P: number;

  before(async () => {
    ({ cluster, dir, dispose } = await startThrowawayCluster({ listen_addresses: "127.0.0.1,::1" }));
    P = cluster.port;
    for (const sql of ["create database db1", "create database db2", `create database "we ird"`, "create role u1 login", "create role u2 login", `create role "odd user" login`]) await psql(cluster.url(), sql);
  });
  after(async () => dispose?.());

  /** [url, what libpq connects to ("db|user|port|addr"), or "error"; ours must match or refuse]. */
  const cases = (): [string, string, "same" | "refused"][] => {
    const D = encodeURIComponent(dir);
    const ok = (db: string, user = "postgres", addr = "127.0.0.1") => `${db}|${user}|${addr === "socket" ? "" : P}|${addr}`;
    return [
      [`postgres://postgres@127.0.0.1:${P}/db1`, ok("db1"), "same"],
      [`postgresql://postgres@127.0.0.1:${P}/db1?dbname=db2`, ok("db2"), "same"],
      [`postgres://postgres@127.0.0.1:${P}/db1?dbname=db2&dbname=db1`, ok("db1"), "same"],
      [`postgres://u1@127.0.0.1:${P}/db1?user=u2`, ok("db1", "u2"), "same"],
      [`postgres://postgres@127.0.0.1:1/db1?port=${P}`, ok("db1"), "same"],
      [`postgres://postgres@127.0.0.2:${P}/db1?host=127.0.0.1`, ok("db1"), "same"],
      [`postgres://postgres@127.0.0.1:${P}?dbname=db2`, ok("db2"), "same"],
      [`postgres://postgres@/db1?host=${D}&port=${P}`, ok("db1", "postgres", "socket"), "same"],
      [`postgres://postgres@${D}:${P}/db2`, ok("db2", "postgres", "socket"), "same"],
      [`postgres://postgres@[::1]:${P}/db1`, ok("db1", "postgres", "::1"), "same"],
      [`postgres://postgres:p%40ss%25w%3Ard-Pw-SECRET@127.0.0.1:${P}/db1`, ok("db1"), "same"],
      [`postgres://postgres@127.0.0.1:${P}/we%20ird`, ok("we ird"), "same"],
      [`postgres://odd%20user@127.0.0.1:${P}/db1`, ok("db1", "odd user"), "same"],
      [`postgres://u%31@127.0.0.1:${P}/db1`, ok("db1", "u1"), "same"],
      [`postgres://postgres@127.0.0.1:${P}/`, ok("postgres"), "same"],
      [`postgres://postgres@127.0.0.1:${P}`, ok("postgres"), "same"],
      [`postgres://:@127.0.0.1:${P}/db1?user=postgres`, ok("db1"), "same"],
      [`postgres://postgres@127.0.0.1:${P}/db1?sslmode=disable&application_name=aytq`, ok("db1"), "same"],
      [`postgres://postgres@127.0.0.1:${P}/db1?ssl=true`, "error", "same"],
      [`postgres://postgres@127.0.0.1:${P}/db1?port=${P}&port=1`, "error", "same"],
      [`postgres://postgres@127.0.0.1:${P}/db1?options=-c%20search_path%3Dx`, ok("db1"), "same"],
      [`postgres://postgres@127.0.0.1:${P}/db1#frag`, "error", "same"],
      // refused: libpq fails, or reads it in a way we do not pass on
      [`postgres://postgres:p%ss-Pw-SECRET@127.0.0.1:${P}/db1`, "error", "refused"],
      [`postgres://postgres:p@ss-Pw-SECRET@127.0.0.1:${P}/db1`, "error", "refused"],
      [`postgres://postgres@127.0.0.1:${P}/db1?foo=bar`, "error", "refused"],
      [`postgres://postgres@127.0.0.1:${P}/db1?user=post%00gres`, "error", "refused"],
      [`postgres://postgres@127.0.0.1:${P}/db1?&`, "error", "refused"],
      [`postgres://postgres@127.0.0.1:${P}/db1?a==b`, "error", "refused"],
      [`postgres://postgres@127.0.0.1:99999/db1`, "error", "refused"],
      [`postgres://postgres@127.0.0.1:${P},127.0.0.2:${P}/db1`, ok("db1"), "refused"],
      [`postgres://postgres@127.0.0.1:${P}/db1?host=127.0.0.1,127.0.0.2`, ok("db1"), "refused"],
      [`postgres://postgres@127.0.0.1:${P}/db1?dbname=`, ok("postgres"), "refused"],
      [`postgres://postgres@127.0.0.1:${P}/db1?dbname=postgres%3A%2F%2Fx`, "error", "refused"],
      [`postgres://postgres@[::1:${P}/db1`, "error", "refused"],
      [`http://postgres@127.0.0.1:${P}/db1`, "error", "refused"],
    ];
  };

  it("every URL shape: the same database, user, port and address as psql \"<url>\", or refused", () => {
    for (const [url, libpq, ours] of cases()) {
      const real = viaLibpq(url);
      assert.equal(real, libpq, `libpq on ${url}`);
      assert.equal(viaOurs(url), ours === "same" ? libpq : "refused", url);
    }
  });

  it("property: generated URLs (parts overridden or duplicated in the query, encodings) agree with libpq or are refused", () => {
    const enc = (s: string) => fc.constantFrom(s, encodeURIComponent(s), [...s].map((c) => `%${c.charCodeAt(0).toString(16)}`).join(""));
    const user = fc.oneof(fc.constant(""), fc.constantFrom("postgres", "u1", "u2", "odd user", "nobody").chain(enc));
    const db = fc.oneof(fc.constant(""), fc.constantFrom("db1", "db2", "we ird", "postgres", "missing").chain(enc));
    const host = fc.constantFrom("127.0.0.1", "[::1]", "", encodeURIComponent(dir), "127.0.0.2");
    const port = fc.constantFrom(`${P}`, "", "1");
    const param = fc.oneof(
      fc.tuple(fc.constant("dbname"), db),
      fc.tuple(fc.constant("user"), user),
      fc.tuple(fc.constant("port"), port),
      fc.tuple(fc.constant("host"), fc.constantFrom("127.0.0.1", encodeURIComponent(dir), "::1", "127.0.0.2")),
      fc.tuple(fc.constant("sslmode"), fc.constantFrom("disable", "prefer")),
      fc.tuple(fc.constant("application_name"), fc.constantFrom("a", "b%20c")),
    );
    fc.assert(
      fc.property(fc.constantFrom("postgres", "postgresql"), user, fc.boolean(), host, port, db, fc.array(param, { maxLength: 4 }), (scheme, u, pw, h, p, d, params) => {
        const creds = u || pw ? `${u}${pw ? ":x-Pw-SECRET" : ""}@` : "";
        const query = params.length ? `?${params.map(([k, v]) => `${k}=${v}`).join("&")}` : "";
        const url = `${scheme}://${creds}${h}${p ? `:${p}` : ""}/${d}${query}`;
        const ours = viaOurs(url);
        if (ours !== "refused") assert.equal(ours, viaLibpq(url), url);
      }),
      { numRuns: 60 },
    );
  });

  it("withDatabase, withConnection and formatDatabaseUrl write URLs libpq reads as the parser does", () => {
    const url = `postgres://postgres:p%40ss-Pw-SECRET@127.0.0.2:1/db1?dbname=db2&host=127.0.0.1&port=${P}`;
    assert.equal(databaseOf(url), "db2", "the query's dbname is the database");
    const other = withDatabase(url, "we ird");
    assert.equal(viaLibpq(other).split("|")[0], "we ird");
    assert.deepEqual(parseDatabaseUrl(other), { ...parseDatabaseUrl(url), dbname: "we ird" });
    const socket = withConnection(url, { host: dir });
    assert.equal(viaLibpq(socket), "db2|postgres||socket");
    const v6 = formatDatabaseUrl({ host: "::1", port: String(P), user: "postgres", dbname: "db1" });
    assert.equal(viaLibpq(v6), `db1|postgres|${P}|::1`);
  });

  it("a raw % in the password is a one-line UsageError, not a crash, and the password is never echoed", () => {
    assert.throws(() => connectionEnv("postgres://u:50%off-Pw-SECRET@h/db"), (e: unknown) => e instanceof UsageError && /% in its password that is not a %XX escape/.test(e.message) && /%25/.test(e.hint ?? "") && !e.message.includes("Pw-SECRET"));
  });
});
