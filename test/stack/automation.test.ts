import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AutomationStackPort } from "../../recovery/stack/automation";
import { LockedError, ToolError, UsageError } from "../../recovery/errors";
import { applyPatch } from "../../recovery/ops/apply";
import { configPatchFor } from "../../recovery/ops/operations";
import { runOperation } from "../../recovery/ops/converge";
import { RefusedError } from "../../recovery/errors";
import { FakePulumi, preEvent } from "./fake-pulumi";

const SERVER = "azure-native:dbforpostgresql:Server";
const workDir = mkdtempSync(path.join(os.tmpdir(), "aytq-project-"));
const open = (fake: FakePulumi) => AutomationStackPort.open("test", { pulumiRoot: fake.root, workDir });

describe("Automation API adapter against a fake pulumi CLI", function () {
  after(() => {
    rmSync(workDir, { recursive: true, force: true });
    FakePulumi.removeAll();
  });
  this.timeout(30_000);

  it("selects the stack with `stack select --stack test`", async () => {
    const fake = new FakePulumi();
    await open(fake);
    assert.deepEqual(fake.calls(), [["stack", "select", "--stack", "test"]]);
  });

  it("maps an unknown stack to a usage error", async () => {
    const fake = new FakePulumi({ stacks: ["production"] });
    await assert.rejects(open(fake), (e: unknown) => e instanceof UsageError && /does not exist/.test(e.message));
  });

  it("sets config with one `config set-all --path`, with the aytq namespace", async () => {
    const fake = new FakePulumi();
    const port = await open(fake);
    fake.clearCalls();
    await applyPatch(port, configPatchFor({ kind: "revive", restorePointUTC: "2024-07-24T06:10:00Z" }));
    assert.deepEqual(fake.calls(), [
      ["config", "set-all", "--stack", "test", "--path", "--plaintext", "aytq:recovery.mode=reviveDropped", "--plaintext", "aytq:recovery.restorePointUTC=2024-07-24T06:10:00Z"],
    ]);
    assert.deepEqual(fake.state().config, { recovery: { mode: "reviveDropped", restorePointUTC: "2024-07-24T06:10:00Z" } });
  });

  it("writes a list of copies as `config rm --path` then element path keys", async () => {
    const fake = new FakePulumi({ config: { recovery: { ptrCopies: [{ name: "old", restorePointUTC: "2024-07-23T00:00:00Z" }] } } });
    const port = await open(fake);
    fake.clearCalls();
    const copy = { name: "s189t01-aytq-ts-pg-ptr-202407240800", restorePointUTC: "2024-07-24T06:00:00Z", createdAtUTC: "2024-07-24T08:00:00Z" };
    await applyPatch(port, configPatchFor({ kind: "ptr", copy, existing: [{ name: "old", restorePointUTC: "2024-07-23T00:00:00Z" }] }));
    assert.deepEqual(fake.calls(), [
      ["config", "rm", "aytq:recovery.ptrCopies", "--stack", "test", "--path"],
      [
        "config", "set-all", "--stack", "test", "--path",
        "--plaintext", "aytq:recovery.ptrCopies[0].name=old",
        "--plaintext", "aytq:recovery.ptrCopies[0].restorePointUTC=2024-07-23T00:00:00Z",
        "--plaintext", `aytq:recovery.ptrCopies[1].name=${copy.name}`,
        "--plaintext", "aytq:recovery.ptrCopies[1].restorePointUTC=2024-07-24T06:00:00Z",
        "--plaintext", "aytq:recovery.ptrCopies[1].createdAtUTC=2024-07-24T08:00:00Z",
      ],
    ]);
    assert.deepEqual(await port.getConfig("recovery.ptrCopies"), [{ name: "old", restorePointUTC: "2024-07-23T00:00:00Z" }, copy]);
  });

  it("reads config with `config get --path --json`, undefined when not set", async () => {
    const fake = new FakePulumi({ config: { app: { stopped: true } } });
    const port = await open(fake);
    fake.clearCalls();
    assert.equal(await port.getConfig("app.stopped"), true);
    assert.equal(await port.getConfig("recovery.restorePointUTC"), undefined);
    assert.deepEqual(fake.calls()[0], ["config", "get", "--path", "aytq:app.stopped", "--json", "--stack", "test"]);
  });

  it("previews with --diff and reads the change summary and the steps from the event log", async () => {
    const fake = new FakePulumi({
      previewEvents: [preEvent("create", SERVER, "ptr-copy", { inputs: { serverName: "copy-1" } }), preEvent("same", SERVER, "live-server", { protect: true, inputs: { serverName: "s189t01-aytq-ts-pg" } })],
      previewStdout: "  + azure-native:dbforpostgresql:Server ptr-copy create\n",
      summary: { create: 1, same: 1 },
    });
    const port = await open(fake);
    fake.clearCalls();
    const p = await port.preview();
    const call = fake.calls()[0];
    assert.deepEqual(call.slice(0, 2), ["preview", "--diff"]);
    assert.ok(call.includes("--event-log"));
    assert.deepEqual(call.slice(-2), ["--stack", "test"]);
    assert.deepEqual(p.changeSummary, { create: 1, same: 1 });
    assert.deepEqual(
      p.steps.map((s) => [s.op, s.name, s.protected]),
      [
        ["create", "copy-1", false],
        ["same", "s189t01-aytq-ts-pg", true],
      ],
    );
    assert.match(p.diffText, /ptr-copy create/);
  });

  it("runs `up --yes --skip-preview` and reads outputs", async () => {
    const fake = new FakePulumi({ outputs: { recoveryMode: "normal", webReplicas: 0 } });
    const port = await open(fake);
    fake.clearCalls();
    const up = await port.up();
    assert.deepEqual(fake.calls()[0].slice(0, 3), ["up", "--yes", "--skip-preview"]);
    assert.equal(up.outputs.webReplicas, 0);
  });

  it("refreshes only the given targets", async () => {
    const fake = new FakePulumi();
    const port = await open(fake);
    fake.clearCalls();
    await port.refresh(["urn:a", "urn:b"]);
    const call = fake.calls()[0];
    assert.deepEqual(call.slice(0, 3), ["refresh", "--skip-preview", "--yes"]);
    assert.deepEqual(call.filter((_, i) => call[i - 1] === "--target"), ["urn:a", "urn:b"]);
  });

  it("turns a locked stack into LockedError, runs the command once, and leaves config as it was", async () => {
    const fake = new FakePulumi({ locked: ["preview"], config: { app: { stopped: false } } });
    const port = await open(fake);
    fake.clearCalls();
    await assert.rejects(runOperation({ kind: "stop" }, { port, liveServerName: "s189t01-aytq-ts-pg", log: () => undefined }), (e: unknown) => e instanceof LockedError && /locked by another update/.test(e.message));
    assert.equal(fake.calls().filter((c) => c[0] === "preview").length, 1);
    assert.deepEqual(fake.state().config, { app: { stopped: false } });
  });

  it("turns other CLI failures into ToolError with the CLI's message", async () => {
    const fake = new FakePulumi({ fail: { up: "error: azure-native:dbforpostgresql:Server live: Conflict" } });
    const port = await open(fake);
    await assert.rejects(port.up(), (e: unknown) => e instanceof ToolError && /Conflict/.test(e.message));
  });

  it("full converge: the gate refuses a preview that deletes the protected live server, and config is rolled back", async () => {
    const fake = new FakePulumi({
      config: { pipeline: { frozen: false } },
      previewEvents: [preEvent("update", "github:index/branchProtection:BranchProtection", "bp"), preEvent("delete", SERVER, "live-server", { protect: true, inputs: { serverName: "s189t01-aytq-ts-pg" } })],
    });
    const port = await open(fake);
    fake.clearCalls();
    await assert.rejects(runOperation({ kind: "freeze" }, { port, liveServerName: "s189t01-aytq-ts-pg", log: () => undefined }), (e: unknown) => e instanceof RefusedError && /s189t01-aytq-ts-pg/.test(e.message));
    assert.deepEqual(fake.state().config, { pipeline: { frozen: false } });
    assert.ok(!fake.calls().some((c) => c[0] === "up"));
  });
});
