/** `aytq-dr run` in-process: the PTR window of data-loss, decision points on a terminal vs flags, progress lines. */
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { decider, progressPrinter, runAction } from "../../recovery/cli/commands/run";
import type { CliIO } from "../../recovery/cli/io";
import { readStackConfig } from "../../recovery/config/stackfile";
import { EXIT, RefusedError, UsageError } from "../../recovery/errors";
import { AzurePlatform, AzurePlatformOptions } from "../../recovery/platforms/azure/platform";
import type { DatabaseConnection, DatabaseRef, StepRecord } from "../../recovery/runbook/ports";
import { FakeStackPort } from "../../recovery/stack/fake";
import { FakeData } from "../runbook/fakes";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");

function fakeIO(env: NodeJS.ProcessEnv, answers?: string[]): CliIO & { lines: string[]; asked: string[] } {
  const lines: string[] = [];
  const asked: string[] = [];
  const io: CliIO & { lines: string[]; asked: string[] } = { out: (t) => lines.push(t), err: (t) => lines.push(t), isTTY: answers !== undefined, env, lines, asked };
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
    await assert.rejects(runAction("data-loss", { stack: "test", at: iso(2 * DAY), restoreCopy: "yes" }, io, deps(port)), (e: unknown) => e instanceof UsageError && /earliest restore point/.test(e.message));
    assert.deepEqual(port.calls.filter((c) => /^(setConfig|removeConfig|up|preview)/.test(c)), []);
    assert.ok(!existsSync(path.join(stateDir, "test")) || readdirSync(path.join(stateDir, "test")).length === 0, "a run was started");
  });

  it("runs with --at older than 7 days when the server's earliest restore date allows it", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    port.earliestRestoreDate = iso(7 * DAY + 2 * 60 * MIN);
    const io = fakeIO({ AYTQ_DR_STATE_DIR: stateDir });
    const code = await runAction("data-loss", { stack: "test", at: iso(7 * DAY + 60 * MIN), restoreCopy: "yes" }, io, deps(port));
    assert.equal(code, EXIT.ok, io.lines.join("\n"));
    assert.match(io.lines.join("\n"), /restore window: from .* \(the server's earliest restore date\)/);
  });

  it("without the output, refuses --at older than 7 days before opening the stack's config", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const io = fakeIO({ AYTQ_DR_STATE_DIR: stateDir });
    await assert.rejects(runAction("data-loss", { stack: "test", at: iso(7 * DAY + 60 * MIN), restoreCopy: "yes" }, io, deps(port)), /older than 7 days of backup retention/);
    assert.deepEqual(port.calls.filter((c) => /^(setConfig|up)/.test(c)), []);
  });
});

describe("run: decision points", () => {
  const context = "2 of 5 tables differ";
  it("on a terminal, prompts and takes y as yes and anything else as no", async () => {
    const io = fakeIO({}, ["y", "n"]);
    const decide = decider("data-loss", {}, io);
    assert.equal(decide.answersBy, "prompt");
    assert.equal(await decide("Restore the copy into the live database?", context), true);
    assert.equal(await decide("Restore the copy into the live database?", context), false);
    assert.equal(io.asked.length, 2);
    assert.match(io.asked[0], /Restore the copy into the live database\? \[y\/N\]/);
    assert.ok(io.lines.includes(context), "the differences are shown before the question");
  });
  it("an explicit --restore-copy answers without a prompt, even on a terminal", async () => {
    const io = fakeIO({}, []);
    const decide = decider("data-loss", { restoreCopy: "no" }, io);
    assert.equal(decide.answersBy, "flag");
    assert.equal(await decide("Restore?", context), false);
    assert.equal(io.asked.length, 0);
  });
  it("--yes answers yes without a prompt", async () => {
    const decide = decider("data-loss", { yes: true }, fakeIO({}));
    assert.equal(await decide("Restore?", context), true);
  });
  it("without a terminal and without an answer flag, refuses before the run starts", () => {
    assert.throws(() => decider("data-loss", {}, fakeIO({})), (e: unknown) => e instanceof RefusedError && /--restore-copy yes\|no/.test(e.hint ?? ""));
  });
  it("a scenario without decisions needs no answer flag", () => {
    assert.doesNotThrow(() => decider("server-lost-revive", {}, fakeIO({})));
  });
  it("refuses an answer that is not yes or no", () => {
    assert.throws(() => decider("data-loss", { restoreCopy: "maybe" }, fakeIO({})), UsageError);
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
