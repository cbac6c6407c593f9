/** A run's journal and config kept write-once in the backup container, against Azurite. */
import { strict as assert } from "node:assert";
import { BlobServiceClient } from "@azure/storage-blob";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { StackConfigSnapshot } from "../../recovery/runbook/stack-config";
import type { AzuriteHandle } from "../../recovery/data/azurite";
import { fileAzurite } from "../helpers/data";
import { listBackups } from "../../recovery/data/storage";
import { configDifferences, fetchRun, syncRun, writeFetchedRun } from "../../recovery/runbook/run-store";
import type { StorageLocation } from "../../recovery/runbook/ports";

const RUN = "20261206T030000Z-data-loss-ab12";
const snapshot = (values: Record<string, unknown>): StackConfigSnapshot => ({ stack: "test", takenAt: "2026-12-06T03:00:00.000Z", values });
const record = (step: string) => JSON.stringify({ step, status: "done", startedAt: "2026-12-06T03:00:00.000Z" });

describe("run store: the journal beside the backups", function () {
  this.timeout(60_000);
  let azurite: AzuriteHandle;
  let storage: StorageLocation;
  let seq = 0;
  before(async () => (azurite = await fileAzurite()));
  after(async () => azurite.stop());
  beforeEach(async () => {
    storage = { kind: "connection-string", connectionString: azurite.connectionString, container: `runs${++seq}` };
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(storage.container).create();
  });

  it("keeps each record once, the config only when it changed, and gives the run back whole", async () => {
    const runJson = JSON.stringify({ runId: RUN, scenario: "data-loss", stack: "test" });
    const open = snapshot({ "app.stopped": false });
    assert.equal(await syncRun(storage, "test", RUN, { runJson, records: [], config: open }), 2);
    assert.equal(await syncRun(storage, "test", RUN, { runJson, records: [], config: open }), 0, "a repeated sync writes nothing");
    const stopped = snapshot({ "app.stopped": true, "app.maintenance": true });
    assert.equal(await syncRun(storage, "test", RUN, { runJson, records: [record("maintenance-on"), record("stop")], config: stopped }), 3);
    const back = await fetchRun(storage, "test", RUN);
    assert.ok(back);
    assert.equal(back.runJson, runJson);
    assert.deepEqual(back.records, [record("maintenance-on"), record("stop")]);
    assert.deepEqual(back.config?.values, stopped.values, "the latest config");
    assert.equal(await fetchRun(storage, "production", RUN), undefined, "runs are kept per stack");
  });

  it("never replaces a stored blob: a record that differs from the stored one is an error", async () => {
    const runJson = JSON.stringify({ runId: RUN });
    await syncRun(storage, "test", RUN, { runJson, records: [record("stop")], config: snapshot({}) });
    await assert.rejects(syncRun(storage, "test", RUN, { runJson: JSON.stringify({ runId: "other" }), records: [record("stop")], config: snapshot({}) }), /run\.json already exists in the backup container with other content/);
  });

  it("is never taken for a backup", async () => {
    await syncRun(storage, "test", RUN, { runJson: "{}", records: [record("stop")], config: snapshot({}) });
    assert.deepEqual(await listBackups(storage), []);
  });

  it("writes a fetched run into a new local folder, and refuses to overwrite one", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "aytq-fetched-"));
    try {
      const runDir = path.join(dir, "test", RUN);
      writeFetchedRun(runDir, { runJson: "{}\n", records: [record("stop")], config: snapshot({ "app.stopped": true }) });
      assert.equal(readFileSync(path.join(runDir, "journal.jsonl"), "utf8"), record("stop") + "\n");
      assert.throws(() => writeFetchedRun(runDir, { runJson: "{}\n", records: [] }), /already holds a run/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the keys where a checkout's stack file and the run's last config differ", () => {
    assert.deepEqual(configDifferences(snapshot({ "app.stopped": true, "app.maintenance": true }), snapshot({ "app.stopped": false, "app.maintenance": true })), [{ key: "app.stopped", run: true, checkout: false }]);
  });
});
