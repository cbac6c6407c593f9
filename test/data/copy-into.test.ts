/**
 * The one-pass copy (copy-into.ts) against real PostgreSQL and Azurite: the source's dump goes into
 * the target and into blob storage at once; a failure on either side leaves the target as it was
 * and no blob; our own process killed mid-stream does the same.
 */
import { strict as assert } from "node:assert";
import { BlobServiceClient } from "@azure/storage-blob";
import { backupToBlob } from "../../recovery/data/backup";
import { copyIntoDatabase } from "../../recovery/data/copy-into";
import { restoreFromBlob } from "../../recovery/data/restore";
import { listBackups, META } from "../../recovery/data/storage";
import { RefusedError, ToolError } from "../../recovery/errors";
import { psql } from "../../recovery/pg/psql";
import type { StorageLocation } from "../../recovery/data/types";
import { createDatabase, fingerprint, freshStorage, schemaOf, seed, startDataEnv, startScriptVictim, waitForBulkCopy, waitForNoSessions, type DataEnv } from "../helpers/data";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function containerOf(storage: StorageLocation) {
  if (storage.kind !== "connection-string") throw new Error("tests use Azurite");
  return BlobServiceClient.fromConnectionString(storage.connectionString).getContainerClient(storage.container);
}

describe("copy into a database in one pass, keeping the bytes as a backup", function () {
  this.timeout(300_000);
  let env: DataEnv;
  before(async () => {
    env = await startDataEnv();
  });
  after(async () => env?.dispose());

  /** A target that holds other data: what "unchanged" is checked against. */
  async function liveWithOtherData() {
    const live = await createDatabase(env.cluster, "live");
    await seed(live);
    await psql(live.url, "UPDATE teachers SET name = 'live only' WHERE id % 4 = 0; DELETE FROM qualifications WHERE id > 1500");
    return live;
  }

  it("makes the target equal the source, and stores a backup (sha256 in metadata) that restores to the same", async () => {
    const storage = freshStorage(env);
    const copy = await createDatabase(env.cluster, "copy");
    await seed(copy, 20_000);
    const live = await liveWithOtherData();
    const out = await copyIntoDatabase(copy, storage, "copy.sql.gz", live);
    assert.equal(await fingerprint(live), await fingerprint(copy), "live equals the copy");
    assert.equal(schemaOf(live), schemaOf(copy));
    const [info] = await listBackups(storage);
    assert.equal(info.name, "copy.sql.gz");
    assert.equal(info.sha256, out.backup.sha256);
    assert.equal(info.bytes, out.backup.bytes);
    const props = await containerOf(storage).getBlockBlobClient("copy.sql.gz").getProperties();
    assert.equal(props.metadata?.[META.sha256], out.backup.sha256);
    assert.equal(props.metadata?.[META.format], "plain");
    const again = await createDatabase(env.cluster, "again");
    const restored = await restoreFromBlob(storage, "copy.sql.gz", again);
    assert.ok(restored.sha256Verified, "the stored checksum was verified on restore");
    assert.equal(await fingerprint(again), await fingerprint(copy), "the blob restores to the same");
  });

  it("refuses when the upload fails (the name appears meanwhile): the target is unchanged and our blob is not stored", async () => {
    const storage = freshStorage(env);
    const copy = await createDatabase(env.cluster, "copy");
    await seed(copy, 20_000);
    const live = await liveWithOtherData();
    const before = await fingerprint(live);
    const container = containerOf(storage);
    let planted: Promise<unknown> | undefined;
    const err = await copyIntoDatabase(copy, storage, "raced.sql.gz", live, {
      onProgress: () => {
        // someone else writes the same name while we stream: our commit (ifNoneMatch *) must fail
        planted ??= container.getBlockBlobClient("raced.sql.gz").upload("theirs", 6);
      },
    }).then(() => undefined, (e: unknown) => e);
    await planted;
    assert.ok(err instanceof RefusedError, `refused: ${String(err)}`);
    assert.match(err.message, /appeared while dumping/);
    assert.equal(await fingerprint(live), before, "live is unchanged");
    assert.equal((await container.getBlockBlobClient("raced.sql.gz").downloadToBuffer()).toString(), "theirs", "the other writer's blob is untouched");
  });

  it("fails when the restore fails (psql stops on an error): the target is unchanged and no blob is stored", async () => {
    const storage = freshStorage(env);
    const copy = await createDatabase(env.cluster, "copy");
    await seed(copy, 20_000);
    const live = await liveWithOtherData();
    // a view the dump does not know depends on teachers: the dump's DROP TABLE teachers fails
    await psql(live.url, "CREATE VIEW pinned AS SELECT id FROM teachers");
    const before = await fingerprint(live);
    const err = await copyIntoDatabase(copy, storage, "nope.sql.gz", live).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ToolError, `failed: ${String(err)}`);
    assert.match(err.message, /depend|cannot drop/);
    assert.match(err.message, /unchanged/);
    assert.equal(await fingerprint(live), before, "live is unchanged");
    assert.deepEqual(await listBackups(storage), [], "no blob");
  });

  /** Ends pg_dump's server session once it is copying `bulk` out of `db`: pg_dump then fails mid-stream. */
  async function killDumpMidStream(db: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const killed = await psql(env.cluster.url("postgres"), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${db}' AND query ILIKE 'COPY public.bulk%'`);
      if (killed.trim() !== "0") return;
      await sleep(20);
    }
    throw new Error("pg_dump never reached the bulk table");
  }

  it("pg_dump failing mid-stream (its session ended): the target is unchanged and no blob is stored", async () => {
    const storage = freshStorage(env);
    const copy = await createDatabase(env.cluster, "dumpdies");
    await seed(copy, 400_000);
    const live = await liveWithOtherData();
    const before = await fingerprint(live);
    const running = copyIntoDatabase(copy, storage, "cut.sql.gz", live).then(() => undefined, (e: unknown) => e);
    await killDumpMidStream(new URL(copy.url).pathname.slice(1));
    const err = await running;
    assert.ok(err instanceof ToolError, `failed: ${String(err)}`);
    assert.match(err.message, /pg_dump of .* failed/);
    assert.equal(await fingerprint(live), before, "live is unchanged");
    assert.deepEqual(await listBackups(storage), [], "no blob");
  });

  it("a backup whose pg_dump fails mid-stream stores no blob (the hash stage holds the end until pg_dump exits 0)", async () => {
    const storage = freshStorage(env);
    const copy = await createDatabase(env.cluster, "dumpdies");
    await seed(copy, 400_000);
    const running = backupToBlob(copy, storage, "cut.sql.gz").then(() => undefined, (e: unknown) => e);
    await killDumpMidStream(new URL(copy.url).pathname.slice(1));
    const err = await running;
    assert.ok(err instanceof ToolError, `failed: ${String(err)}`);
    assert.match(err.message, /pg_dump of .* failed/);
    assert.deepEqual(await listBackups(storage), [], "no blob");
  });

  it("refuses a name that exists (write-once) before dumping anything", async () => {
    const storage = freshStorage(env);
    const copy = await createDatabase(env.cluster, "copy");
    await seed(copy);
    const live = await liveWithOtherData();
    const before = await fingerprint(live);
    await copyIntoDatabase(copy, storage, "once.sql.gz", await createDatabase(env.cluster, "first"));
    const err = await copyIntoDatabase(copy, storage, "once.sql.gz", live).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof RefusedError, String(err));
    assert.equal(await fingerprint(live), before);
  });

  it("our process killed with SIGKILL mid-stream: the target is unchanged and no blob is stored", async () => {
    const storage = freshStorage(env);
    if (storage.kind !== "connection-string") throw new Error("tests use Azurite");
    const copy = await createDatabase(env.cluster, "killsrc");
    await seed(copy, 400_000);
    const live = await liveWithOtherData();
    const before = await fingerprint(live);
    const db = new URL(live.url).pathname.slice(1);
    const child = startScriptVictim(
      `import { copyIntoDatabase } from "@/recovery/data/copy-into";
const conn = (url: string) => ({ url, label: url.slice(url.lastIndexOf("/") + 1), serverName: "test", release: async () => undefined });
copyIntoDatabase(conn(process.env.SRC!), JSON.parse(process.env.STORAGE!), "killed.sql.gz", conn(process.env.DST!)).then(() => console.log("copied"));
`,
      { SRC: copy.url, DST: live.url, STORAGE: JSON.stringify(storage) },
    );
    const writing = await waitForBulkCopy(env.cluster, db, child.running);
    assert.ok(writing, `the copy never reached the bulk table's COPY (exit ${child.exitCode()}):\n${child.output()}`);
    assert.equal(await child.kill(), "SIGKILL");
    assert.doesNotMatch(child.output(), /copied/);
    assert.equal(await waitForNoSessions(env.cluster, db), "0", "the restore's session ended (rolled back)");
    assert.equal(await fingerprint(live), before, "live is unchanged");
    assert.deepEqual(await listBackups(storage), [], "no blob");
  });
});
