/**
 * Issue 9: a restore whose SQL fails part-way through a large backup ended the process with exit 0
 * and no word. psql stopped at the error while we waited for its stdin to drain; the wait never
 * ended, the event loop emptied and Node exited 0. Now psql's exit fails the restore at once, with
 * psql's own error line, and the target is unchanged.
 */
import { strict as assert } from "node:assert";
import { BlobServiceClient } from "@azure/storage-blob";
import { restoreFromBlob } from "../../recovery/data/restore";
import { ToolError } from "../../recovery/errors";
import type { StorageLocation } from "../../recovery/data/types";
import { createDatabase, failingDump, fingerprint, freshStorage, seed, startDataEnv, type DataEnv } from "../helpers/data";

async function upload(storage: StorageLocation, name: string, body: Buffer): Promise<void> {
  if (storage.kind !== "connection-string") throw new Error("tests use Azurite");
  const c = BlobServiceClient.fromConnectionString(storage.connectionString).getContainerClient(storage.container);
  await c.createIfNotExists();
  await c.getBlockBlobClient(name).uploadData(body);
}

describe("restore: psql exiting while we wait for drain", function () {
  this.timeout(120_000);
  let env: DataEnv;
  before(async () => {
    env = await startDataEnv();
  });
  after(async () => env?.dispose());

  it("fails the restore at once with psql's error line (never hangs, never a silent success); target unchanged", async () => {
    const storage = freshStorage(env);
    await upload(storage, "fails-early.sql.gz", failingDump());
    const target = await createDatabase(env.cluster, "race");
    await seed(target);
    const before = await fingerprint(target);
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), 30_000)));
    const outcome = await Promise.race([restoreFromBlob(storage, "fails-early.sql.gz", target).then(() => "restored" as const, (err: unknown) => err), hung]);
    clearTimeout(timer);
    assert.notEqual(outcome, "hung", "the restore neither finished nor failed within 30 s");
    assert.notEqual(outcome, "restored", "a restore whose SQL failed reported success");
    assert.ok(outcome instanceof ToolError, `expected a ToolError, got ${String(outcome)}`);
    assert.match(outcome.message, /ERROR:\s+division by zero/);
    assert.match(outcome.message, /rolled back, the database is unchanged/);
    assert.ok(Date.now() - started < 30_000);
    assert.equal(await fingerprint(target), before, "the target changed");
  });
});
