/**
 * compare against real PostgreSQL: per table, rows only in the copy, only in live and changed, by
 * primary key (composite too) or by content; tables on one side only; NULLs, COPY's escapes, a
 * generated column, session settings; a large table streamed with flat memory; live left as it was.
 */
import { strict as assert } from "node:assert";
import { compareDatabases, formatComparison } from "../../recovery/data/compare";
import { LIVE_SESSION_PRELUDE } from "../../recovery/data/table-diff";
import type { PgCluster } from "../../recovery/pg/cluster";
import { psql } from "../../recovery/pg/psql";
import type { TableComparison } from "../../recovery/data/types";
import { createDatabase, fingerprint, livePair, startDataEnv, waitForNoSessions, type DataEnv } from "../helpers/data";

/** Shared by both sides: what the copy (the restore point) holds. */
const COPY_SQL = String.raw`
CREATE TABLE users (id int PRIMARY KEY, name text, note text, seen timestamptz, score float8);
INSERT INTO users SELECT g, 'user ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE E'tab\there\nnew line \\ back' END, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute', g / 3.0 FROM generate_series(1, 20) g;
CREATE TABLE enrolments (course text, teacher int, grade text, PRIMARY KEY (course, teacher));
INSERT INTO enrolments VALUES (E'a\tb', 1, 'A'), (E'c\\d', 1, 'B'), (E'line\nbreak', 2, NULL), ('plain', 2, 'C'), ('plain', 3, 'D');
CREATE TABLE log (msg text, at int);
INSERT INTO log VALUES ('a', 1), ('a', 1), ('b', 2), (NULL, NULL);
CREATE TABLE gen (id int PRIMARY KEY, x int, y int GENERATED ALWAYS AS (x * 2) STORED);
INSERT INTO gen (id, x) SELECT g, g FROM generate_series(1, 5) g;
CREATE TABLE same (id bigint PRIMARY KEY, v text);
INSERT INTO same SELECT g, md5(g::text) FROM generate_series(1, 50) g;
CREATE TABLE dropped_since (id int PRIMARY KEY);
INSERT INTO dropped_since SELECT generate_series(1, 4);
`;

/** What happened on live since: deletes, inserts, updates, a NULL made '', a migration. */
const LIVE_CHANGES_SQL = String.raw`
DELETE FROM users WHERE id IN (1, 2);
INSERT INTO users (id, name) VALUES (100, 'new'), (101, 'new'), (102, E'new\\');
UPDATE users SET name = 'renamed' WHERE id = 5;
UPDATE users SET note = '' WHERE id = 6;
DELETE FROM enrolments WHERE course = E'a\tb';
UPDATE enrolments SET grade = E'B\t+' WHERE course = E'c\\d';
INSERT INTO enrolments VALUES ('plain', 4, 'E');
DELETE FROM log WHERE ctid = (SELECT min(ctid) FROM log WHERE msg = 'a');
INSERT INTO log VALUES ('b', 2), ('c', 3);
ALTER TABLE gen DROP COLUMN y;
ALTER TABLE gen ADD COLUMN y int GENERATED ALWAYS AS (x * 3) STORED;
UPDATE gen SET x = 40 WHERE id = 4;
DROP TABLE dropped_since;
CREATE TABLE created_since (v text);
INSERT INTO created_since VALUES ('x'), ('y');
`;

describe("compare: what differs, per table, by row", function () {
  this.timeout(300_000);
  let env: DataEnv;
  let cluster: PgCluster;
  before(async () => {
    env = await startDataEnv();
    cluster = env.cluster;
  });
  after(async () => env?.dispose());

  const pair = () => livePair(cluster, COPY_SQL);

  const byName = (tables: TableComparison[], name: string): TableComparison => {
    const t = tables.find((x) => x.table === name);
    assert.ok(t, `${name} is in the result`);
    return t;
  };

  it("counts rows only in the copy, only in live and changed, per table; by content without a primary key; tables on one side only", async () => {
    const { live, copy } = await pair();
    await psql(live.url, "", { stdin: LIVE_CHANGES_SQL });
    const r = await compareDatabases(live, copy);
    assert.equal(r.equal, false);
    const pick = (t: TableComparison) => ({ key: t.key, onlyInCopy: t.onlyInCopy, onlyInLive: t.onlyInLive, changed: t.changed, rowsA: t.rowsA, rowsB: t.rowsB, equal: t.equal });
    assert.deepEqual(pick(byName(r.tables, "public.users")), { key: "primary key (id)", onlyInCopy: 2, onlyInLive: 3, changed: 2, rowsA: 21, rowsB: 20, equal: false });
    assert.deepEqual(pick(byName(r.tables, "public.enrolments")), { key: "primary key (course, teacher)", onlyInCopy: 1, onlyInLive: 1, changed: 1, rowsA: 5, rowsB: 5, equal: false });
    // a multiset: 'a' once fewer in live, 'b' once more and 'c' new; a NULL row counts like any other
    assert.deepEqual(pick(byName(r.tables, "public.log")), { key: "content (no primary key)", onlyInCopy: 1, onlyInLive: 2, changed: null, rowsA: 5, rowsB: 4, equal: false });
    // the generated column is not hashed: its new expression alone is no difference, x changed is
    assert.deepEqual(pick(byName(r.tables, "public.gen")), { key: "primary key (id)", onlyInCopy: 0, onlyInLive: 0, changed: 1, rowsA: 5, rowsB: 5, equal: false });
    assert.deepEqual(pick(byName(r.tables, "public.same")), { key: "primary key (id)", onlyInCopy: 0, onlyInLive: 0, changed: 0, rowsA: 50, rowsB: 50, equal: true });
    const dropped = byName(r.tables, "public.dropped_since");
    assert.deepEqual(pick(dropped), { key: "primary key (id)", onlyInCopy: 4, onlyInLive: 0, changed: null, rowsA: null, rowsB: 4, equal: false });
    assert.match(dropped.note ?? "", /only in the copy/);
    const created = byName(r.tables, "public.created_since");
    assert.deepEqual(pick(created), { key: "content (no primary key)", onlyInCopy: 0, onlyInLive: 2, changed: null, rowsA: 2, rowsB: null, equal: false });
    assert.match(created.note ?? "", /only in live/);

    const text = formatComparison(r, { a: "live", b: "copy" });
    assert.match(text, /public\.users\s+primary key \(id\)\s+21\s+20\s+2\s+3\s+2/);
    assert.match(text, /public\.log\s+content \(no primary key\)\s+5\s+4\s+1\s+2\s+-/);
    assert.match(text, /DIFFERENT: 6 of 7 tables differ/);
  });

  it("the same data is equal, whatever each database's TimeZone and DateStyle", async () => {
    const { live, copy } = await pair();
    const liveDb = new URL(live.url).pathname.slice(1);
    await psql(cluster.url("postgres"), `ALTER DATABASE ${liveDb} SET TimeZone = 'America/New_York'; ALTER DATABASE ${liveDb} SET DateStyle = 'SQL, DMY'; ALTER DATABASE ${liveDb} SET extra_float_digits = 0`);
    const r = await compareDatabases(live, copy);
    assert.deepEqual(r.tables.filter((t) => !t.equal).map((t) => t.table), []);
    assert.equal(r.equal, true);
  });

  it("leaves live as it was: no table, no row, no temporary table after; the session refuses any other write", async () => {
    const { live, copy } = await pair();
    await psql(copy.url, "DELETE FROM users WHERE id < 5");
    const relations = "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')";
    const [before, relsBefore] = [await fingerprint(live), await psql(live.url, relations)];
    const r = await compareDatabases(live, copy);
    assert.equal(byName(r.tables, "public.users").onlyInLive, 4);
    assert.equal(await fingerprint(live), before);
    assert.equal(await psql(live.url, relations), relsBefore);
    assert.equal((await psql(live.url, "SELECT count(*) FROM pg_class WHERE relpersistence = 't'")).trim(), "0", "no temporary table is left");
    await assert.rejects(psql(live.url, "", { stdin: LIVE_SESSION_PRELUDE + "INSERT INTO users (id) VALUES (999);" }), /read-only transaction/);
    await assert.rejects(psql(live.url, "", { stdin: LIVE_SESSION_PRELUDE + "CREATE TABLE intruder (x int);" }), /read-only transaction/);
    assert.equal(await fingerprint(live), before);
  });

  it("a failure on the copy's side is an error naming the table, and live is unchanged", async () => {
    const { live, copy } = await pair();
    // a row whose hash cannot be computed on the copy: the copy's COPY fails part way
    await psql(copy.url, "CREATE TABLE bad (id int PRIMARY KEY, v text); INSERT INTO bad SELECT g, 'x' FROM generate_series(1, 10) g; REVOKE ALL ON bad FROM PUBLIC");
    await psql(live.url, "CREATE TABLE bad (id int PRIMARY KEY, v text)");
    await psql(cluster.url("postgres"), `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader') THEN CREATE ROLE reader LOGIN; END IF; END $$`);
    await psql(copy.url, "GRANT SELECT ON users, enrolments, log, gen, same, dropped_since TO reader");
    const before = await fingerprint(live);
    const copyAsReader = { ...copy, url: copy.url.replace("postgres@", "reader@") };
    await assert.rejects(compareDatabases(live, copyAsReader), (err: Error) => /reading public\.bad from/.test(err.message) && /permission denied/.test(err.message));
    assert.equal(await fingerprint(live), before);
    assert.equal((await psql(live.url, "SELECT count(*) FROM pg_class WHERE relpersistence = 't'")).trim(), "0");
  });

  it("the copy's session ended mid-stream: an error naming the table, both psql stopped, live unchanged and no temporary table left", async () => {
    const [live, copy] = await Promise.all([createDatabase(cluster, "live"), createDatabase(cluster, "copy")]);
    const big = "CREATE TABLE big (k text PRIMARY KEY, v int); INSERT INTO big SELECT repeat(md5(g::text), 16) || g, g FROM generate_series(1, 200000) g;";
    await Promise.all([psql(live.url, big, { timeoutMs: 0 }), psql(copy.url, big, { timeoutMs: 0 })]);
    const before = await fingerprint(live);
    const [liveDb, copyDb] = [live, copy].map((d) => new URL(d.url).pathname.slice(1));
    let running = true;
    const compared = compareDatabases(live, copy).finally(() => (running = false));
    let terminated = false;
    while (running && !terminated) {
      const streaming = await psql(cluster.url("postgres"), `SELECT count(*) FROM pg_stat_activity WHERE datname = '${liveDb}' AND query ILIKE 'COPY aytq_dr_copy_keys FROM STDIN%'`);
      if (streaming.trim() !== "0") {
        terminated = (await psql(cluster.url("postgres"), `SELECT count(*) FROM pg_stat_activity WHERE datname = '${copyDb}' AND query ILIKE 'COPY (SELECT%' AND pg_terminate_backend(pid)`)).trim() === "1";
      }
    }
    assert.ok(terminated, "the copy's COPY was ended while live was reading it");
    await assert.rejects(compared, (err: Error) => /reading public\.big from/.test(err.message));
    assert.equal(await waitForNoSessions(cluster, liveDb), "0", "live's session ended");
    assert.equal(await fingerprint(live), before);
    assert.equal((await psql(live.url, "SELECT count(*) FROM pg_class WHERE relpersistence = 't'")).trim(), "0");
  });

  it("streams a large table (200k rows) with flat memory in Node", async () => {
    const [live, copy] = await Promise.all([createDatabase(cluster, "live"), createDatabase(cluster, "copy")]);
    const big = "CREATE TABLE big (k text PRIMARY KEY, v int); INSERT INTO big SELECT repeat(md5(g::text), 16) || g, g FROM generate_series(1, 200000) g;";
    await Promise.all([psql(live.url, big, { timeoutMs: 0 }), psql(copy.url, big, { timeoutMs: 0 })]);
    await psql(live.url, "DELETE FROM big WHERE v % 200 = 0; UPDATE big SET v = -v WHERE v % 400 = 1; INSERT INTO big VALUES ('fresh', 1)");
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const r = await compareDatabases(live, copy).finally(() => clearInterval(timer));
    const t = byName(r.tables, "public.big");
    assert.deepEqual([t.onlyInCopy, t.onlyInLive, t.changed], [1000, 1, 500]);
    // about 110 MB of keys and hashes cross Node: holding them would grow it by more than that
    if (process.env.AYTQ_DR_SHOW_MEMORY) console.log(`grew ${(peak - base) / 1048576} MB`);
    assert.ok(peak - base < 48 * 1024 * 1024, `Node grew by ${Math.round((peak - base) / 1024 / 1024)} MB`);
  });
});
