/** What a run takes before its first step (runbook/scenario-inputs.ts, resume-check.ts, run-checks.ts), without the CLI. */
import { strict as assert } from "node:assert";
import { EXIT, UsageError } from "../../recovery/errors";
import { checkScenarioFlags, newRunInputs, scenarioInputs } from "../../recovery/runbook/scenario-inputs";
import { checkAdoptRunConfig, resumeCommand } from "../../recovery/runbook/resume-check";
import { checkAppCredentials, checkAzureReachable, runExitCode, scenarioNeedsAzure } from "../../recovery/runbook/run-checks";
import type { RunOutcome, StepRecord } from "../../recovery/runbook/run-model";

const MIN = 60_000;
const now = new Date("2024-07-24T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("a new run's inputs (runbook/scenario-inputs.ts)", () => {
  it("server-lost-rebuild takes no time: --at is refused (exit 2), nothing is echoed", () => {
    const said: string[] = [];
    assert.deepEqual(scenarioInputs("server-lost-rebuild", {}, now, (t) => said.push(t)), {});
    assert.throws(() => scenarioInputs("server-lost-rebuild", { at: ago(60 * MIN) }, now, () => undefined), (e: unknown) => e instanceof UsageError && /takes no --at or --deleted-at/.test(e.message));
    assert.deepEqual(said, []);
  });
  it("server-lost-revive and data-loss need --at; revive alone takes --deleted-at", () => {
    for (const s of ["server-lost-revive", "data-loss"] as const) {
      assert.throws(() => scenarioInputs(s, {}, now, () => undefined), (e: unknown) => e instanceof UsageError && new RegExp(`${s} needs --at`).test(e.message));
    }
    const revive = scenarioInputs("server-lost-revive", { at: ago(60 * MIN), deletedAt: ago(90 * MIN) }, now, () => undefined);
    assert.equal(revive.restorePointUTC, ago(60 * MIN));
    assert.equal(revive.deletedAtUTC, ago(90 * MIN));
    assert.throws(() => scenarioInputs("data-loss", { at: ago(60 * MIN), deletedAt: ago(90 * MIN) }, now, () => undefined), /--deleted-at is only for server-lost-revive/);
  });
  it("data-loss echoes the restore point and keeps --name as the copy's name", () => {
    const said: string[] = [];
    const inputs = scenarioInputs("data-loss", { at: ago(60 * MIN), name: "my-copy" }, now, (t) => said.push(t));
    assert.equal(inputs.copyName, "my-copy");
    assert.match(said[0], /^restore point: /);
  });
  it("refuses flags the scenario does not use, never ignores them", () => {
    assert.throws(() => checkScenarioFlags("server-lost-revive", { restoreCopy: "whole" }), (e: unknown) => e instanceof UsageError && /--restore-copy does not apply here: server-lost-revive asks no question about data/.test(e.message));
    assert.throws(() => checkScenarioFlags("server-lost-rebuild", { name: "x" }), /--name does not apply here/);
    assert.throws(() => checkScenarioFlags("data-loss", { timezone: "Europe/London" }), /--timezone does not apply here/);
    assert.doesNotThrow(() => checkScenarioFlags("data-loss", { restoreCopy: "whole", tables: "users", name: "x" }));
  });
  it("a new run needs a known scenario (exit 2, listing them)", () => {
    assert.throws(() => newRunInputs(undefined, {}, "test", now, () => undefined), (e: unknown) => e instanceof UsageError && /run needs a scenario or --resume/.test(e.message));
    assert.throws(() => newRunInputs("data-gone", {}, "test", now, () => undefined), (e: unknown) => e instanceof UsageError && /unknown scenario "data-gone"/.test(e.message) && /server-lost-rebuild/.test(e.hint ?? ""));
    assert.deepEqual(newRunInputs("server-lost-rebuild", {}, "test", now, () => undefined), { scenario: "server-lost-rebuild", inputs: {} });
  });
});

describe("a resume request (runbook/resume-check.ts)", () => {
  it("the resume command carries --confirm-production on production only", () => {
    assert.equal(resumeCommand("r1", "test"), "aytq-dr run --resume r1 --stack test");
    assert.equal(resumeCommand("r1", "production"), "aytq-dr run --resume r1 --stack production --confirm-production");
  });
  it("--adopt-run-config goes with --resume only", () => {
    assert.throws(() => checkAdoptRunConfig({ adoptRunConfig: true }), (e: unknown) => e instanceof UsageError && /no --resume <run-id>/.test(e.message));
    assert.doesNotThrow(() => checkAdoptRunConfig({ adoptRunConfig: true, resume: "r1" }));
  });
});

describe("a run's Azure and its exit code (runbook/run-checks.ts)", () => {
  it("revive and rebuild ask Azure about the live server; data-loss does not", () => {
    assert.equal(scenarioNeedsAzure("server-lost-revive"), true);
    assert.equal(scenarioNeedsAzure("server-lost-rebuild"), true);
    assert.equal(scenarioNeedsAzure("data-loss"), false);
    assert.throws(() => checkAzureReachable("server-lost-rebuild", false), (e: unknown) => e instanceof UsageError && /subscription is unknown/.test(e.message));
    assert.doesNotThrow(() => checkAzureReachable("data-loss", false));
  });
  const outcome = (o: RunOutcome["outcome"], last?: StepRecord["status"], exitCode?: number): RunOutcome => ({
    runId: "r1",
    scenario: "data-loss",
    outcome: o,
    steps: last ? [{ step: "ptr", status: last, startedAt: "" }] : [],
    decisions: [],
    ...(exitCode === undefined ? {} : { exitCode }),
  });
  it("the stopping error's own code first; an interruption is 130; otherwise refused 3 or failed 4", () => {
    assert.equal(runExitCode(outcome("completed", "done"), false), EXIT.ok);
    assert.equal(runExitCode(outcome("failed", "failed", EXIT.locked), false), EXIT.locked);
    assert.equal(runExitCode(outcome("stopped", "interrupted", EXIT.refused), false), EXIT.interrupted);
    assert.equal(runExitCode(outcome("failed", "failed", EXIT.failed), true), EXIT.interrupted);
    assert.equal(runExitCode(outcome("stopped"), false), EXIT.refused);
    assert.equal(runExitCode(outcome("failed"), false), EXIT.failed);
  });
});

describe("a rebuild's credentials (runbook/run-checks.ts)", () => {
  it("are read before the first step by a scenario that rebuilds the server, and only by it", async () => {
    let read = 0;
    const recovery = { appCredentials: async () => void read++ };
    await checkAppCredentials("server-lost-rebuild", recovery);
    await checkAppCredentials("server-lost-revive", recovery);
    await checkAppCredentials("data-loss", recovery);
    assert.equal(read, 1);
    await checkAppCredentials("server-lost-rebuild", undefined);
  });
});
