/** `aytq-dr run` in-process: the PTR window of data-loss, decision points on a terminal vs flags, progress lines. */
import { PROVIDER_TOKENS } from "../helpers/cli-io";
import { fakePipelineFreeze } from "../helpers/fake-pipeline-stack";
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runAction } from "../../recovery/cli/commands/run-action";
import { progressPrinter } from "../../recovery/cli/commands/run-progress";
import { resumeCommand } from "../../recovery/runbook/resume-check";
import { checkResumedTimes } from "../../recovery/runbook/resume";
import type { CliIO } from "../../recovery/cli/io";
import { readStackConfig } from "../../recovery/config/stackfile";
import { EXIT, UsageError } from "../../recovery/errors";
import { AzurePlatform, AzurePlatformOptions } from "../../recovery/platforms/azure/platform";
import type { DatabaseConnection, DatabaseRef } from "../../recovery/runbook/ports";
import type { StepRecord } from "../../recovery/runbook/run-model";
import { Journal, RunMeta } from "../../recovery/runbook/journal";
import { FakeStackPort } from "../helpers/fake-stack";
import { FakeData } from "../runbook/fakes";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");

function fakeIO(env: NodeJS.ProcessEnv, answers?: string[]): CliIO & { lines: string[]; asked: string[] } {
  const lines: string[] = [];
  const asked: string[] = [];
  const io: CliIO & { lines: string[]; asked: string[] } = { out: (t) => lines.push(t), err: (t) => lines.push(t), isTTY: answers !== undefined, env: { ...PROVIDER_TOKENS, ...env }, lines, asked };
  if (answers) {
    return {
      ...io,
      prompt: async (q) => {
        asked.push(q);
        const a = answers.shift();
        assert.ok(a !== undefined, `unexpected question: ${q}`);
        return a;
      },
    };
  }
  return io;
}

/** No Kubernetes: FakeData never uses the connections. */
class NoTunnelAzurePlatform extends AzurePlatform {
  constructor(o: AzurePlatformOptions) {
    super({ pipeline: fakePipelineFreeze(), ...o });
  }
  override async connect(db: DatabaseRef): Promise<DatabaseConnection> {
    const name = db.kind === "live" ? this.liveServerName : db.name;
    return { url: "postgres://u:pw@127.0.0.1:1/db", label: name, serverName: name, release: async () => undefined };
  }
}

describe("run data-loss: the PTR window from the stack's earliestRestoreDate", () => {
  let stateDir: string;
  beforeEach(() => (stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-run-window-"))));
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));
  const deps = (port: FakeStackPort) => ({ openPort: async () => port, data: new FakeData(), platform: (o: AzurePlatformOptions) => new NoTunnelAzurePlatform(o) });

  it("refuses --at older than the server's earliest restore date before the first step: no journal, no config change", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    port.earliestRestoreDate = iso(DAY);
    const io = fakeIO({ AYTQ_DR_STATE_DIR: stateDir });
    await assert.rejects(runAction("data-loss", { stack: "test", at: iso(2 * DAY), restoreCopy: "whole", yes: true }, io, deps(port)), (e: unknown) => e instanceof UsageError && /earliest restore point/.test(e.message));
    assert.deepEqual(port.calls.filter((c) => /^(setConfig|removeConfig|up|preview)/.test(c)), []);
    assert.ok(!existsSync(path.join(stateDir, "test")) || readdirSync(path.join(stateDir, "test")).length === 0, "a run was started");
  });

  it("runs with --at older than 7 days when the server's earliest restore date allows it", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    port.earliestRestoreDate = iso(7 * DAY + 2 * 60 * MIN);
    const io = fakeIO({ AYTQ_DR_STATE_DIR: stateDir });
    const code = await runAction("data-loss", { stack: "test", at: iso(7 * DAY + 60 * MIN), restoreCopy: "whole", yes: true }, io, deps(port));
    assert.equal(code, EXIT.ok, io.lines.join("\n"));
    assert.match(io.lines.join("\n"), /restore window: from .* \(the server's earliest restore date\)/);
  });

  it("without the output, refuses --at older than 7 days before opening the stack's config", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const io = fakeIO({ AYTQ_DR_STATE_DIR: stateDir });
    await assert.rejects(runAction("data-loss", { stack: "test", at: iso(7 * DAY + 60 * MIN), restoreCopy: "whole", yes: true }, io, deps(port)), /older than 7 days of backup retention/);
    assert.deepEqual(port.calls.filter((c) => /^(setConfig|up)/.test(c)), []);
  });
});

describe("run data-loss: the way chosen by flag, through a stopped run and its resume", () => {
  let stateDir: string;
  beforeEach(() => (stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-run-way-"))));
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));
  const deps = (port: FakeStackPort, data: FakeData) => ({ openPort: async () => port, data, platform: (o: AzurePlatformOptions) => new NoTunnelAzurePlatform(o) });
  const surgicalWrites = (data: FakeData) => data.calls.filter((c) => /^(restoreSurgical|copyInto|restore |backup s189t01-aytq-ts-pg-ptr)/.test(c));

  it("--restore-copy tables --tables with an unknown name: exit 2 at compare, nothing written to live", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const data = new FakeData();
    const io = fakeIO({ AYTQ_DR_STATE_DIR: stateDir });
    const code = await runAction("data-loss", { stack: "test", at: iso(60 * MIN), restoreCopy: "tables", tables: "users,nope", yes: true }, io, deps(port, data));
    assert.equal(code, EXIT.usage, io.lines.join("\n"));
    assert.match(io.lines.join("\n"), /stopped at compare: --tables: "nope" is not a table compare found/);
    assert.deepEqual(surgicalWrites(data), []);
  });

  it("the way given at the start is kept by the resume, which refuses a new --restore-copy (exit 2) and asks nothing", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const data = new FakeData();
    data.failOnce.set("restoreSurgical", new UsageError("simulated: live is unchanged"));
    const io = fakeIO({ AYTQ_DR_STATE_DIR: stateDir });
    assert.equal(await runAction("data-loss", { stack: "test", at: iso(60 * MIN), restoreCopy: "undelete", yes: true }, io, deps(port, data)), EXIT.usage, io.lines.join("\n"));
    const runId = readdirSync(path.join(stateDir, "test"))[0];
    assert.match(io.lines.join("\n"), /decision: How should the copy .* come back into the live database\? -> undelete \(flag\)/);
    await assert.rejects(
      runAction(undefined, { stack: "test", resume: runId, restoreCopy: "whole", yes: true }, fakeIO({ AYTQ_DR_STATE_DIR: stateDir }), deps(port, data)),
      (e: unknown) => e instanceof UsageError && /--restore-copy does not apply here: this run has decided "undelete" \(users\)/.test(e.message),
    );
    const again = fakeIO({ AYTQ_DR_STATE_DIR: stateDir });
    assert.equal(await runAction(undefined, { stack: "test", resume: runId, yes: true }, again, deps(port, data)), EXIT.ok, again.lines.join("\n"));
    assert.deepEqual(surgicalWrites(data), ["restoreSurgical undelete users", "restoreSurgical undelete users"]);
    assert.doesNotMatch(again.lines.join("\n"), /decision:/);
  });
});

describe("run: progress", () => {
  it("shows the current step as n of N, each step's elapsed time and the run's total", () => {
    const io = fakeIO({});
    let t = 1_000_000;
    const print = progressPrinter(io, ["stop", "maintenance-on", "freeze"], () => t);
    const record = (step: string): StepRecord => ({ step, status: "done", startedAt: "", summary: `${step} ok` });
    print({ type: "run-start", runId: "r1", scenario: "data-loss", stack: "test", at: "" });
    t += 2_000;
    print({ type: "step-start", runId: "r1", step: "maintenance-on", at: "" });
    t += 65_000;
    print({ type: "step-end", runId: "r1", record: record("maintenance-on") });
    t += 3_000;
    print({ type: "run-end", runId: "r1", outcome: "completed", at: "" });
    assert.match(io.lines[0], /resume with: aytq-dr run --resume r1 --stack test/);
    assert.equal(io.lines[1], "[maintenance-on] starting: step 2 of 3 (2.0s elapsed)");
    assert.equal(io.lines[2], "[maintenance-on] done in 1m5s (total 1m7s): maintenance-on ok");
    assert.equal(io.lines[3], "run r1: completed after 1m10s");
  });
});

describe("run: the resume command it prints", () => {
  it("on production carries --confirm-production, which the resume needs again", () => {
    const io = fakeIO({});
    progressPrinter(io, ["stop"])({ type: "run-start", runId: "r1", scenario: "data-loss", stack: "production", at: "" });
    assert.match(io.lines[0], /resume with: aytq-dr run --resume r1 --stack production --confirm-production\)$/);
    assert.equal(resumeCommand("r1", "test"), "aytq-dr run --resume r1 --stack test");
  });
});

describe("run --resume: the restore times are checked again before any step", () => {
  let stateDir: string;
  beforeEach(() => (stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-run-resume-"))));
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));
  let opened = 0;
  const deps = (port: FakeStackPort, data = new FakeData()) => ({
    openPort: async () => {
      opened++;
      return port;
    },
    data,
    platform: (o: AzurePlatformOptions) => new NoTunnelAzurePlatform(o),
  });
  beforeEach(() => (opened = 0));
  const record = (step: string): StepRecord => ({ step, status: "done", startedAt: iso(9 * DAY), endedAt: iso(9 * DAY), summary: `${step} ok` });
  /** A run as a crash left it, days ago: these steps done. */
  function crashedRun(scenario: "data-loss" | "server-lost-revive", inputs: RunMeta["inputs"], done: string[], createdAgo: number): string {
    const runId = `20240701T000000Z-${scenario}-ab12`;
    const journal = new Journal(stateDir, "test", runId);
    journal.create({ runId, scenario, stack: "test", platform: "azure", createdAt: iso(createdAgo), inputs });
    for (const s of done) journal.append(record(s));
    return runId;
  }
  const changes = (port: FakeStackPort) => port.calls.filter((c) => /^(setConfig|removeConfig|refresh|preview|up)/.test(c));

  it("data-loss: refuses when the ptr step has not run and --at has left the 7-day window; nothing runs", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const at = iso(7 * DAY + 60 * MIN);
    const runId = crashedRun("data-loss", { restorePointUTC: at, copyName: "copy-x" }, ["stop", "maintenance-on", "freeze", "safety-backup"], 7 * DAY);
    const io = fakeIO({ AYTQ_DR_STATE_DIR: stateDir });
    const err = await runAction(undefined, { stack: "test", resume: runId, yes: true, restoreCopy: "whole" }, io, deps(port)).then(
      () => assert.fail("resumed"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof UsageError, String(err));
    assert.match(err.message, new RegExp(`run ${runId} \\(data-loss, started .*\\) cannot be resumed: its ptr step has not run yet`));
    assert.match(err.message, /older than 7 days of backup retention/);
    assert.match(err.message, /expired: it left the 7-day retention window at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; nothing was run/);
    assert.match(err.hint ?? "", /start a new run with a newer --at .*: aytq-dr run data-loss --stack test --at <time>/);
    assert.match(err.hint ?? "", /the steps it did \(stop, maintenance-on, freeze, safety-backup\)/);
    assert.deepEqual(changes(port), []);
    assert.equal(new Journal(stateDir, "test", runId).records().length, 4, "no step ran");
  });

  it("data-loss: uses the server's earliest restore date when the stack has one", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    port.earliestRestoreDate = iso(DAY);
    const runId = crashedRun("data-loss", { restorePointUTC: iso(2 * DAY), copyName: "copy-x" }, ["stop"], 2 * DAY);
    const io = fakeIO({ AYTQ_DR_STATE_DIR: stateDir });
    await assert.rejects(
      runAction(undefined, { stack: "test", resume: runId, yes: true, restoreCopy: "whole" }, io, deps(port)),
      (e: unknown) => e instanceof UsageError && /the server's earliest restore date has moved past it: it is now /.test(e.message),
    );
    assert.deepEqual(changes(port), []);
  });

  /** Config writes of the converges that stop, put into maintenance and freeze: what stop, maintenance-on and freeze would repeat. */
  const startOfIncident = (port: FakeStackPort) => port.calls.filter((c) => /^setConfig .*(app\.stopped=true|app\.maintenance=true|pipeline\.frozen=true)/.test(c));

  it("data-loss: resumes when the point is still inside the window, without repeating the completed steps' calls", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const data = new FakeData();
    const runId = crashedRun("data-loss", { restorePointUTC: iso(6 * DAY), copyName: "copy-x" }, ["stop", "maintenance-on", "freeze", "safety-backup"], 6 * DAY);
    const io = fakeIO({ AYTQ_DR_STATE_DIR: stateDir });
    assert.equal(await runAction(undefined, { stack: "test", resume: runId, yes: true, restoreCopy: "whole" }, io, deps(port, data)), EXIT.ok, io.lines.join("\n"));
    assert.match(io.lines.join("\n"), /restore point still inside the window/);
    // stop, maintenance-on, freeze and safety-backup completed before the crash: none of their calls again
    assert.deepEqual(startOfIncident(port), [], "a completed step converged again");
    assert.deepEqual(data.calls.filter((c) => c.includes("_safety")), [], "the safety backup was taken again");
    // the steps it had left did run: the copy was made (and tidied), its backup restored into live
    assert.ok(port.calls.some((c) => c.startsWith("setConfig recovery.ptrCopies[0].name=copy-x")), port.calls.join("\n"));
    assert.ok(data.calls.some((c) => /^restore aytq_test_.*_copy\.sql\.gz -> /.test(c)), data.calls.join("\n"));
  });

  it("data-loss: no check once the ptr step is done, or when its copy exists already (a crash after creating it)", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const old = iso(8 * DAY);
    const done = crashedRun("data-loss", { restorePointUTC: old, copyName: "copy-x" }, ["stop", "maintenance-on", "freeze", "safety-backup", "ptr"], 8 * DAY);
    const data = new FakeData();
    assert.equal(await runAction(undefined, { stack: "test", resume: done, yes: true, restoreCopy: "whole" }, fakeIO({ AYTQ_DR_STATE_DIR: stateDir }), deps(port, data)), EXIT.ok);
    // ptr completed: its copy is never created again, nor the earlier steps' calls repeated
    assert.deepEqual(port.calls.filter((c) => c.startsWith("setConfig") && c.includes("copy-x")), []);
    assert.deepEqual(startOfIncident(port), []);
    assert.deepEqual(data.calls.filter((c) => c.includes("_safety")), []);

    const port2 = new FakeStackPort("test", readStackConfig("test"));
    port2.config.recovery = { ...(port2.config.recovery as object), ptrCopies: [{ name: "copy-y", restorePointUTC: old, createdAtUTC: old }] };
    await port2.up();
    rmSync(path.join(stateDir, "test"), { recursive: true, force: true });
    const crashed = crashedRun("data-loss", { restorePointUTC: old, copyName: "copy-y" }, ["stop", "maintenance-on", "freeze", "safety-backup"], 8 * DAY);
    const io = fakeIO({ AYTQ_DR_STATE_DIR: stateDir });
    assert.equal(await runAction(undefined, { stack: "test", resume: crashed, yes: true, restoreCopy: "whole" }, io, deps(port2)), EXIT.ok, io.lines.join("\n"));
  });

  it("server-lost-revive: refuses when the revive step has not run and the deletion is now more than 5 days ago, before opening the stack", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const runId = crashedRun("server-lost-revive", { restorePointUTC: iso(6 * DAY - 50 * MIN), deletedAtUTC: iso(6 * DAY - 40 * MIN - 20 * MIN) }, ["stop", "maintenance-on"], 6 * DAY - 30 * MIN);
    const io = fakeIO({ AYTQ_DR_STATE_DIR: stateDir });
    const err = await runAction(undefined, { stack: "test", resume: runId, yes: true }, io, deps(port)).then(
      () => assert.fail("resumed"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof UsageError, String(err));
    assert.match(err.message, /cannot be resumed: its revive step has not run yet/);
    assert.match(err.message, /--deleted-at .* is more than 5 days ago/);
    assert.match(err.message, /expired: the 5-day revive window closed at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    assert.match(err.hint ?? "", /cannot be revived: recover from the latest backup instead: aytq-dr run server-lost-rebuild --stack test/);
    assert.equal(opened, 0, "the stack was not opened");
  });

  it("server-lost-revive: without --deleted-at, a restore point now older than 5 days is refused with both ways on", () => {
    const meta: RunMeta = { runId: "r1", scenario: "server-lost-revive", stack: "test", platform: "azure", createdAt: iso(6 * DAY), inputs: { restorePointUTC: iso(6 * DAY) } };
    assert.throws(
      () => checkResumedTimes(meta, [record("stop")], "revive", new Date(), "production"),
      (e: unknown) =>
        e instanceof UsageError &&
        /start a new run with a newer --at .*aytq-dr run server-lost-revive --stack production --at <time> --deleted-at <time> --confirm-production; otherwise .*server-lost-rebuild/.test(e.hint ?? ""),
    );
    // once revive is done, the times no longer matter
    assert.doesNotThrow(() => checkResumedTimes(meta, ["stop", "maintenance-on", "freeze", "revive"].map(record), "revive", new Date(), "test"));
  });
});
