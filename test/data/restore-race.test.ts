/**
 * Issue 9: a restore whose SQL fails part-way through a large backup ended the process with exit 0
 * and no word. psql stopped at the error while we waited for its stdin to drain; the wait never
 * ended, the event loop emptied and Node exited 0. Now psql's exit fails the restore at once, with
 * psql's own error line, and the target is unchanged.
 */
import { strict as assert } from "node:assert";
import { gzipSync } from "node:zlib";
import { BlobServiceClient } from "@azure/storage-blob";
import { restoreFromBlob } from "../../recovery/data/restore";
import { ToolError } from "../../recovery/errors";
import type { StorageLocation } from "../../recovery/data/types";
import { createDatabase, fingerprint, freshStorage, seed, startDataEnv, type DataEnv } from "../helpers/data";

/** Rows of COPY data, about `mb` megabytes. */
function copyRows(table: string, mb: number): string {
  const row = "x".repeat(1000);
  const n = Math.ceil((mb * 1024 * 1024) / (row.length + 8));
  const lines: string[] = [`CREATE TABLE ${table} (id int, payload text);`, `COPY ${table} (id, payload) FROM stdin;`];
  for (let i = 0; i < n; i++) lines.push(`${i}\t${row}`);
  lines.push("\\.", "");
  return lines.join("\n");
}

/** A plain dump (pg_dump's header and trailer) that fails early, then goes on for many megabytes. */
export function failingDump(): Buffer {
  const sql = [
    "--\n-- PostgreSQL database dump\n--\n-- Dumped from database version 15.0\n-- Dumped by pg_dump version 15.0\n",
    "DELETE FROM qualifications;",
    copyRows("first_big", 1),
    "SELECT 1/0;", // psql stops here (ON_ERROR_STOP) ...
    copyRows("second_big", 40), // ... while we still have 40 MB to feed it
    "-- PostgreSQL database dump complete\n",
  ].join("\n");
  return gzipSync(sql, { level: 1 });
}

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
