import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { BlobServiceClient } from "@azure/storage-blob";
import { backupToBlob } from "../../recovery/data/backup";
import { restoreFromBlob } from "../../recovery/data/restore";
import { listBackups } from "../../recovery/data/storage";
import { toolVersion } from "../../recovery/data/pgtools";
import { connectionEnv } from "../../recovery/pg/connection";
import { psql } from "../../recovery/pg/psql";
import { pgToolPath } from "../../recovery/pg/tools";
import { InterruptedError, RefusedError, ToolError, UsageError } from "../../recovery/errors";
import type { DatabaseConnection, StorageLocation } from "../../recovery/data/types";
import { connection, createDatabase, fingerprint, freshStorage, schemaOf, seed, startDataEnv, type DataEnv } from "../helpers/data";

function containerOf(storage: StorageLocation) {
  if (storage.kind !== "connection-string") throw new Error("tests use Azurite");
  return BlobServiceClient.fromConnectionString(storage.connectionString).getContainerClient(storage.container);
}

async function uploadRaw(storage: StorageLocation, name: string, bytes: Buffer, metadata?: Record<string, string>): Promise<void> {
  const c = containerOf(storage);
  await c.createIfNotExists();
  await c.getBlockBlobClient(name).upload(bytes, bytes.length, { metadata });
}

async function downloadRaw(storage: StorageLocation, name: string): Promise<Buffer> {
  return containerOf(storage).getBlockBlobClient(name).downloadToBuffer();
}

/** The existing workflow's dump: pg_dump -E utf8 --clean --if-exists --no-owner | gzip. */
function workflowDump(db: DatabaseConnection): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const dump = spawn(pgToolPath("pg_dump"), ["-E", "utf8", "--clean", "--if-exists", "--no-owner"], { env: { ...process.env, ...connectionEnv(db.url) }, stdio: ["ignore", "pipe", "inherit"] });
    const gzip = spawn("gzip", ["-c"], { stdio: ["pipe", "pipe", "inherit"] });
    dump.stdout.pipe(gzip.stdin);
    const chunks: Buffer[] = [];
    gzip.stdout.on("data", (c: Buffer) => chunks.push(c));
    gzip.on("close", (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`gzip ${code}`))));
    dump.on("error", reject);
  });
}

async function rejectsWith<T extends Error>(p: Promise<unknown>, type: new (...a: never[]) => T, pattern: RegExp): Promise<T> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    assert.match((err as Error).message, pattern);
    return err as T;
  }
  assert.fail(`expected a ${type.name} matching ${pattern}`);
}

describe("backup and restore against PostgreSQL and Azurite", function () {
  this.timeout(120_000);
  let env: DataEnv;
  let source: DatabaseConnection;
  let sourceFingerprint: string;

  before(async () => {
    env = await startDataEnv();
    source = await createDatabase(env.cluster, "src");
    await seed(source);
    sourceFingerprint = await fingerprint(source);
  });
  after(async () => env?.dispose());

  it("round-trips plain SQL: schema, data, sequences and constraints identical; metadata describes the stored bytes", async () => {
    const storage = freshStorage(env);
    const result = await backupToBlob(source, storage, "round.sql.gz");
    const stored = await downloadRaw(storage, "round.sql.gz");
    assert.equal(result.bytes, stored.length);
    assert.equal(result.sha256, createHash("sha256").update(stored).digest("hex"));
    assert.match(gunzipSync(stored).toString("utf8"), /DROP TABLE IF EXISTS public\.teachers/);
    const props = await containerOf(storage).getBlockBlobClient("round.sql.gz").getProperties();
    assert.equal(props.metadata?.sha256, result.sha256);
    assert.equal(props.metadata?.bytes, String(stored.length));
    assert.equal(props.metadata?.sourceserver, "local-test");
    assert.equal(props.metadata?.sourcedatabase, new URL(source.url).pathname.slice(1));
    assert.equal(props.metadata?.pgdumpversion, (await toolVersion("pg_dump")).text);
    assert.ok(props.metadata?.serverversion);
    assert.equal(props.metadata?.format, "plain");

    const target = await createDatabase(env.cluster, "dst");
    const restored = await restoreFromBlob(storage, "round", target);
    assert.equal(restored.name, "round.sql.gz");
    assert.equal(restored.sha256Verified, true);
    assert.equal(await fingerprint(target), sourceFingerprint);
    assert.equal(schemaOf(target), schemaOf(source));
    assert.equal((await psql(target.url, "SELECT last_value FROM teachers_id_seq")).trim(), "900");
    await assert.rejects(psql(target.url, "INSERT INTO qualifications (teacher_id, kind) VALUES (99999, 'x')"), /foreign key/);
    await assert.rejects(psql(target.url, "INSERT INTO teachers (trn, name) VALUES ('0000001', 'dup')"), /unique|duplicate/);
  });

  it("round-trips a custom archive, in one transaction and with --jobs 2 (fresh database, then swap)", async () => {
    const storage = freshStorage(env);
    const r = await backupToBlob(source, storage, "arch.dump", { format: "custom" });
    assert.equal(r.format, "custom");
    const one = await createDatabase(env.cluster, "dst");
    await restoreFromBlob(storage, "arch.dump", one);
    assert.equal(await fingerprint(one), sourceFingerprint);
    const two = await createDatabase(env.cluster, "dst");
    await psql(two.url, "CREATE TABLE leftover (x int); INSERT INTO leftover VALUES (1)");
    await restoreFromBlob(storage, "arch", two, { jobs: 2 });
    assert.equal(await fingerprint(two), sourceFingerprint);
    assert.equal(schemaOf(two), schemaOf(source));
  });

  it("restores a .sql.gz made by the existing workflow (no metadata) over a database with other data", async () => {
    const storage = freshStorage(env);
    await uploadRaw(storage, "aytq_ts_adhoc_2024-01-01.sql.gz", await workflowDump(source));
    const target = await createDatabase(env.cluster, "dst");
    await seed(target);
    await psql(target.url, "DELETE FROM qualifications WHERE id % 3 = 0; UPDATE teachers SET name = 'changed'");
    assert.notEqual(await fingerprint(target), sourceFingerprint);
    const r = await restoreFromBlob(storage, "aytq_ts_adhoc_2024-01-01", target);
    assert.equal(r.sha256Verified, false);
    assert.equal(await fingerprint(target), sourceFingerprint);
  });

  it("accepts plain SQL that is not gzip'd", async () => {
    const storage = freshStorage(env);
    await uploadRaw(storage, "plain.sql", gunzipSync(await workflowDump(source)));
    const target = await createDatabase(env.cluster, "dst");
    await restoreFromBlob(storage, "plain.sql", target);
    assert.equal(await fingerprint(target), sourceFingerprint);
  });

  it("refuses to overwrite an existing backup name (write-once)", async () => {
    const storage = freshStorage(env);
    await backupToBlob(source, storage, "once.sql.gz");
    const before = await containerOf(storage).getBlockBlobClient("once.sql.gz").getProperties();
    await rejectsWith(backupToBlob(source, storage, "once.sql.gz"), RefusedError, /already exists.*write-once/);
    const after = await containerOf(storage).getBlockBlobClient("once.sql.gz").getProperties();
    assert.equal(after.etag, before.etag);
  });

  it("reports a missing backup by the names it tried", async () => {
    const storage = freshStorage(env);
    const target = await createDatabase(env.cluster, "dst");
    await rejectsWith(restoreFromBlob(storage, "nope", target), UsageError, /no backup named nope or nope\.sql\.gz or nope\.dump/);
  });

  describe("leaves the target unchanged when the backup is bad", () => {
    let storage: StorageLocation;
    let target: DatabaseConnection;
    let targetBefore: string;
    let good: Buffer;

    before(async () => {
      storage = freshStorage(env);
      target = await createDatabase(env.cluster, "dst");
      await seed(target);
      await psql(target.url, "UPDATE teachers SET name = 'target' WHERE id < 50; DELETE FROM qualifications WHERE id > 1500");
      targetBefore = await fingerprint(target);
      await backupToBlob(source, storage, "good.sql.gz");
      good = await downloadRaw(storage, "good.sql.gz");
    });
    afterEach(async () => assert.equal(await fingerprint(target), targetBefore, "target database changed"));

    it("corrupt gzip", async () => {
      const bad = Buffer.from(good);
      for (let i = 200; i < bad.length - 100; i += 97) bad[i] ^= 0xff;
      await uploadRaw(storage, "corrupt.sql.gz", bad);
      await rejectsWith(restoreFromBlob(storage, "corrupt.sql.gz", target), ToolError, /not valid gzip|failed/);
    });

    it("truncated gzip file", async () => {
      await uploadRaw(storage, "cut.sql.gz", good.subarray(0, Math.floor(good.length * 0.7)));
      await rejectsWith(restoreFromBlob(storage, "cut.sql.gz", target), ToolError, /not valid gzip|unexpected end/);
    });

    it("truncated plain SQL cut at a statement boundary (no dump-complete trailer)", async () => {
      const text = gunzipSync(good).toString("utf8");
      const cut = text.slice(0, text.indexOf("\\.\n", Math.floor(text.length * 0.6)) + 3);
      await uploadRaw(storage, "cut.sql", Buffer.from(cut));
      await rejectsWith(restoreFromBlob(storage, "cut.sql", target), ToolError, /truncated/);
    });

    it("wrong checksum in the metadata (mismatch found before anything commits)", async () => {
      await uploadRaw(storage, "sum.sql.gz", good, { sha256: "0".repeat(64) });
      await rejectsWith(restoreFromBlob(storage, "sum.sql.gz", target), ToolError, /corrupt: its sha256 is [0-9a-f]{64}, the metadata says 0{64}/);
    });

    it("a SQL error half way: rolled back, and the message quotes psql's error line", async () => {
      const text = gunzipSync(good).toString("utf8");
      const at = text.indexOf("\\.\n", Math.floor(text.length / 2)) + 3;
      const broken = text.slice(0, at) + "\nSELECT 1/0;\n" + text.slice(at);
      await uploadRaw(storage, "halfway.sql.gz", gzipSync(broken));
      const err = await rejectsWith(restoreFromBlob(storage, "halfway.sql.gz", target), ToolError, /ERROR:\s+division by zero/);
      assert.match(err.message, /rolled back, the database is unchanged/);
    });

    it("wrong checksum on a custom archive", async () => {
      await backupToBlob(source, storage, "arch.dump", { format: "custom" });
      const bytes = await downloadRaw(storage, "arch.dump");
      await uploadRaw(storage, "arch-bad.dump", bytes, { sha256: "1".repeat(64) });
      await rejectsWith(restoreFromBlob(storage, "arch-bad.dump", target), ToolError, /corrupt/);
    });
  });

  it("fails clearly when the database is down, with the password masked", async () => {
    const storage = freshStorage(env);
    await backupToBlob(source, storage, "x.sql.gz");
    const down = connection("postgres://postgres:Sup3rSecretPw@127.0.0.1:1/nothing");
    const e1 = await rejectsWith(backupToBlob(down, storage, "y.sql.gz"), ToolError, /connecting to the database failed/);
    const e2 = await rejectsWith(restoreFromBlob(storage, "x.sql.gz", down), ToolError, /failed/);
    for (const e of [e1, e2]) {
      assert.doesNotMatch(`${e.message} ${e.hint ?? ""} ${e.stderr ?? ""}`, /Sup3rSecretPw/);
    }
    assert.equal((await listBackups(storage)).map((b) => b.name).includes("y.sql.gz"), false);
  });

  it("an interrupted backup (pg_dump killed mid-stream) leaves no blob", async () => {
    const storage = freshStorage(env);
    const big = await createDatabase(env.cluster, "big");
    await seed(big, 150_000);
    const controller = new AbortController();
    let seen = 0;
    const p = backupToBlob(big, storage, "interrupted.sql.gz", {
      signal: controller.signal,
      onProgress: (pr) => {
        seen = pr.bytes;
        if (pr.bytes > 0) controller.abort();
      },
    });
    // progress is reported at most every 250 ms; abort on the first report
    await rejectsWith(p, InterruptedError, /nothing was stored/);
    assert.ok(seen > 0, "the dump had started");
    assert.equal(await containerOf(storage).getBlockBlobClient("interrupted.sql.gz").exists(), false);
    assert.deepEqual(await listBackups(storage), []);
  });
});
