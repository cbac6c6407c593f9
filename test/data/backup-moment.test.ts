/**
 * The moment a backup stands for is exact (issue 18): the dump reads a snapshot exported by a
 * session of ours, and the server's clock read right after it is recorded as `consistentat`. No row
 * in the dump is newer than that, however many writers commit around it: a property over real
 * PostgreSQL and Azurite, with short transactions from several sessions at once.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { backupToBlob } from "../../recovery/data/backup";
import { restoreFromBlob } from "../../recovery/data/restore";
import { containerFor, listBackups } from "../../recovery/data/storage";
import { exportSnapshot } from "../../recovery/data/snapshot";
import { clientEnv } from "../../recovery/pg/connection";
import { psql } from "../../recovery/pg/psql";
import { pgToolPath } from "../../recovery/pg/tools";
import { createDatabase, freshStorage, startDataEnv, type DataEnv } from "../helpers/data";

/** Rows of `beats` in a plain dump: each row's clock at insert, in microseconds since the epoch. */
function beatsIn(dump: string): bigint[] {
  const start = dump.indexOf("COPY public.beats (id, at) FROM stdin;\n");
  assert.ok(start >= 0, "the dump has the table's data");
  const body = dump.slice(dump.indexOf("\n", start) + 1, dump.indexOf("\n\\.\n", start));
  return body === "" ? [] : body.split("\n").map((line) => BigInt(line.split("\t")[1]));
}

/** A writer: one session inserting a row per transaction (its clock at insert) for `ms` milliseconds. */
function writer(url: string, ms: number): Promise<void> {
  const sql = `DO $$ DECLARE stop timestamptz := clock_timestamp() + interval '${ms} milliseconds'; BEGIN
    WHILE clock_timestamp() < stop LOOP INSERT INTO beats DEFAULT VALUES; COMMIT; END LOOP; END $$;`;
  return new Promise((resolve, reject) => {
    const p = spawn(pgToolPath("psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], { env: clientEnv(url), stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`writer failed: ${err}`))));
  });
}

describe("a backup's moment is its snapshot's (real PostgreSQL and Azurite)", function () {
  this.timeout(240_000);
  let env: DataEnv;
  before(async () => {
    env = await startDataEnv();
  });
  after(async () => {
    await env?.dispose();
  });

  it("no row in a backup is newer than the moment it records, with many short writers around it", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 300 }), async (writers, delayMs) => {
        const db = await createDatabase(env.cluster, "moment");
        await psql(db.url, "CREATE TABLE beats (id bigserial PRIMARY KEY, at bigint NOT NULL DEFAULT (extract(epoch from clock_timestamp()) * 1000000)::bigint)");
        const storage = freshStorage(env);
        const running = Array.from({ length: writers }, () => writer(db.url, 1_200));
        await new Promise((r) => setTimeout(r, delayMs));
        const name = `moment_${++n}.sql.gz`;
        await backupToBlob(db, storage, name);
        await Promise.all(running);
        const info = (await listBackups(storage)).find((b) => b.name === name);
        assert.ok(info?.consistentAt, "the backup records its moment");
        const dump = gunzipSync(await (await containerFor(storage)).getBlobClient(name).downloadToBuffer()).toString("utf8");
        const rows = beatsIn(dump);
        const moment = BigInt(info.consistentAt.getTime()) * 1000n;
        const newer = rows.filter((at) => at > moment);
        assert.deepEqual(newer, [], `${newer.length} of ${rows.length} rows newer than ${info.consistentAt.toISOString()}`);
        // and the moment is not merely "later" than the snapshot: every row inserted (and, one insert a
        // transaction, committed) a second or more before it is in the dump
        const settled = moment - 1_000_000n;
        const before = Number((await psql(db.url, `SELECT count(*) FROM beats WHERE at < ${settled}`)).trim());
        assert.equal(rows.filter((at) => at < settled).length, before, "rows committed well before the recorded moment are all in the dump");
      }),
      { numRuns: 5 },
    );
  });

  it("a restore says the moment its data is consistent to: the backup's recorded one", async () => {
    const source = await createDatabase(env.cluster, "moment_src");
    await psql(source.url, "CREATE TABLE beats (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp()); INSERT INTO beats DEFAULT VALUES;");
    const storage = await freshStorage(env);
    const name = "moment_restore.sql.gz";
    await backupToBlob(source, storage, name);
    const recorded = (await listBackups(storage)).find((b) => b.name === name)?.consistentAt;
    assert.ok(recorded, "the backup recorded no moment");
    const target = await createDatabase(env.cluster, "moment_dst");
    const restored = await restoreFromBlob(storage, name, target);
    assert.equal(restored.consistentAt, recorded.toISOString().replace(/\.\d{3}Z$/, "Z"));
  });

  it("a snapshot that cannot be exported fails with psql's reason and leaves no session behind", async () => {
    const db = await createDatabase(env.cluster, "moment");
    await assert.rejects(exportSnapshot(db.url.replace(/\/[^/]+$/, "/no_such_database"), "nowhere"), /exporting a snapshot of nowhere failed: .*no_such_database/);
    const held = await exportSnapshot(db.url, db.label);
    assert.match(held.id, /^[0-9A-F]+-[0-9A-F]+-\d+$/);
    assert.ok(Math.abs(held.at.getTime() - Date.now()) < 60_000);
    await held.release();
    await held.release();
    const others = await psql(db.url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
    assert.equal(others.trim(), "0", "the exporting session is gone");
  });
});
