/**
 * data-loss's copy-into-live step: one pass from the copy into live that keeps the copy's backup,
 * and resume of runs journalled with the two steps it replaced (backup-copy, restore-live).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Journal, type RunMeta } from "../../recovery/runbook/journal";
import { runScenario } from "../../recovery/runbook/runner";
import { SCENARIO_STEPS, copyBackupName } from "../../recovery/runbook/scenarios";
import type { DatabaseConnection, StorageLocation } from "../../recovery/runbook/ports";
import type { StepRecord } from "../../recovery/runbook/run-model";
import { ToolError } from "../../recovery/errors";
import { FakeData, FakePlatform } from "./fakes";

const NOW = new Date("2024-07-24T08:00:00Z");
const INPUTS = { restorePointUTC: "2024-07-24T06:00:00Z", copyName: "the-copy" };
const AFTER = ["start", "validate", "maintenance-off", "unfreeze", "tidy"];

/** FakeData with the one-pass copy. */
class OnePassData extends FakeData {
  failCopy: Error | undefined;
  async copyInto(source: DatabaseConnection, _s: StorageLocation, request: { name: string }, target: DatabaseConnection) {
    this.calls.push(`copyInto ${source.serverName} ${request.name} -> ${target.serverName}`);
    if (this.failCopy) throw this.failCopy;
    if (this.blobs.includes(request.name)) throw new Error(`backup ${request.name} exists`);
    this.blobs.push(request.name);
    return { name: request.name, bytes: 100, sha256: "0123456789abcdef" };
  }
}

describe("runbook: copy-into-live (one pass from the copy into live)", () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-copy-into-"));
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  const run = (platform: FakePlatform, data: FakeData, extra: Partial<Parameters<typeof runScenario>[0]> = {}) =>
    runScenario({ scenario: "data-loss", platform, data, inputs: INPUTS, stateDir, decide: async () => "whole", now: () => NOW, ...extra });

  /** A data-loss run journalled (by an older aytq-dr) up to and including `through`. */
  function oldJournal(runId: string, steps: string[]): void {
    const journal = new Journal(stateDir, "test", runId);
    const meta: RunMeta = { runId, scenario: "data-loss", stack: "test", platform: "local", createdAt: NOW.toISOString(), inputs: INPUTS };
    journal.create(meta);
    for (const step of steps) journal.append({ step, status: "done", startedAt: NOW.toISOString(), endedAt: NOW.toISOString() });
  }
  const OLD_BEFORE = ["stop", "maintenance-on", "freeze", "safety-backup", "ptr", "compare"];

  it("is one step of data-loss, between compare and start", () => {
    const steps = SCENARIO_STEPS["data-loss"];
    assert.equal(steps[steps.indexOf("compare") + 1], "copy-into-live");
    assert.equal(steps[steps.indexOf("copy-into-live") + 1], "start");
    assert.ok(!steps.includes("backup-copy") && !steps.includes("restore-live"));
  });

  it("copies the copy into live in one call, and the copy's backup is in storage afterwards", async () => {
    const data = new OnePassData();
    const out = await run(new FakePlatform(), data);
    assert.equal(out.outcome, "completed", JSON.stringify(out.steps));
    const name = copyBackupName("test", out.runId);
    assert.ok(data.calls.includes(`copyInto the-copy ${name} -> s189t01-aytq-ts-pg`), data.calls.join("\n"));
    assert.ok(!data.calls.some((c) => c.startsWith("restore") || c.startsWith(`backup the-copy`)), "no second pass");
    assert.ok(data.blobs.includes(name), "the copy's backup is recorded");
    const step = out.steps.find((s) => s.step === "copy-into-live")!;
    assert.match(step.summary ?? "", /one pass/);
    assert.deepEqual(step.inputs, { copyName: "the-copy", backup: name });
  });

  it("fails the run at copy-into-live when the one pass fails; resuming runs it again", async () => {
    const data = new OnePassData();
    data.failCopy = new ToolError("uploading x failed; live is unchanged (rolled back)");
    const platform = new FakePlatform();
    const first = await run(platform, data);
    assert.equal(first.outcome, "failed");
    assert.equal(first.steps[first.steps.length - 1].step, "copy-into-live");
    assert.equal(platform.stopped, true, "the app stays stopped");
    data.failCopy = undefined;
    const second = await run(platform, data, { resumeRunId: first.runId });
    assert.equal(second.outcome, "completed");
    assert.deepEqual(second.steps.slice(first.steps.length).map((s) => s.step), ["copy-into-live", ...AFTER]);
  });

  it("without a one-pass data tool, backs the copy up and then restores that backup (the same step)", async () => {
    const data = new FakeData();
    const out = await run(new FakePlatform(), data);
    assert.equal(out.outcome, "completed");
    const name = copyBackupName("test", out.runId);
    const i = data.calls.indexOf(`backup the-copy ${name}`);
    assert.ok(i >= 0 && data.calls[i + 1] === `restore ${name} -> s189t01-aytq-ts-pg`, data.calls.join("\n"));
  });

  it("resumes a run journalled with the old backup-copy step done: restores that backup, no second dump", async () => {
    const runId = "20240724T080000Z-data-loss-0ad1";
    oldJournal(runId, [...OLD_BEFORE, "backup-copy"]);
    const data = new OnePassData();
    data.blobs = [copyBackupName("test", runId)];
    const out = await run(new FakePlatform(), data, { resumeRunId: runId });
    assert.equal(out.outcome, "completed", JSON.stringify(out.steps));
    assert.deepEqual(out.steps.slice(OLD_BEFORE.length + 1).map((s: StepRecord) => s.step), ["copy-into-live", ...AFTER]);
    assert.ok(data.calls.includes(`restore ${copyBackupName("test", runId)} -> s189t01-aytq-ts-pg`));
    assert.ok(!data.calls.some((c) => c.startsWith("copyInto") || c.startsWith("backup")), data.calls.join("\n"));
  });

  it("resumes a run journalled with the old restore-live step done at start: live is not restored again", async () => {
    const runId = "20240724T080000Z-data-loss-0ad2";
    oldJournal(runId, [...OLD_BEFORE, "backup-copy", "restore-live"]);
    const data = new OnePassData();
    data.blobs = [copyBackupName("test", runId)];
    const out = await run(new FakePlatform(), data, { resumeRunId: runId });
    assert.equal(out.outcome, "completed");
    assert.deepEqual(out.steps.slice(OLD_BEFORE.length + 2).map((s) => s.step), AFTER);
    assert.ok(!data.calls.some((c) => c.startsWith("restore") || c.startsWith("copyInto")), data.calls.join("\n"));
  });

  it("after a crash that left the copy's backup committed (live not), the resumed step restores that backup", async () => {
    const data = new OnePassData();
    const platform = new FakePlatform();
    const first = await run(platform, data, {
      onEvent: (e) => {
        // the blob was committed, then the process died before live's COMMIT
        if (e.type === "step-start" && e.step === "copy-into-live") data.failCopy = new ToolError("simulated crash");
      },
    });
    assert.equal(first.outcome, "failed");
    data.failCopy = undefined;
    data.blobs.push(copyBackupName("test", first.runId));
    const second = await run(platform, data, { resumeRunId: first.runId });
    assert.equal(second.outcome, "completed");
    assert.ok(data.calls.includes(`restore ${copyBackupName("test", first.runId)} -> s189t01-aytq-ts-pg`));
  });
});
