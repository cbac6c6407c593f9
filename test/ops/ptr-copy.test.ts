/**
 * The decisions that moved below the command line, tested without it: the copy's name, one rule for
 * the command, the runbook and both platforms (config/copy-name.ts), the copy and the PTR window
 * (ops/ptr-copy.ts), a resumed run's checks on the stack (runbook/resume.ts).
 */
import { strict as assert } from "node:assert";
import { RefusedError, UsageError } from "../../recovery/errors";
import { copyCreatedAt, defaultCopyName, freeName, ptrCopyFor, runCopyName } from "../../recovery/config/copy-name";
import { checkPtrWindowOnStack, chooseCopy } from "../../recovery/ops/ptr-copy";
import type { RunMeta } from "../../recovery/runbook/journal";
import { checkResumeOnStack, pendingSteps } from "../../recovery/runbook/resume";
import type { StepRecord } from "../../recovery/runbook/run-model";
import { StackStub } from "../helpers/stack-stub";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const LIVE = "s189t01-aytq-ts-pg";
const NOW = new Date("2024-07-24T08:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

/** A stack whose reads answer from these outputs and this copy list (aytq:recovery.ptrCopies); writes fail the test. */
function readOnlyStack(outputs: Record<string, unknown>, copies: unknown = undefined): StackStub {
  return new StackStub("test", copies === undefined ? {} : { recovery: { ptrCopies: copies } }, { outputs, readOnly: { refusal: "a decision wrote to the stack" } });
}

describe("ops/ptr-copy: the copy's name and the PTR window", () => {
  it("freeName: the base, else -2, -3..., within 63 characters", () => {
    assert.equal(freeName("a", new Set()), "a");
    assert.equal(freeName("a", new Set(["a", "a-2"])), "a-3");
    const long = "x".repeat(63);
    assert.equal(freeName(long, new Set([long])), `${"x".repeat(61)}-2`);
  });

  it("runCopyName: the per-minute default with the run id's own suffix, within 63 characters", () => {
    assert.equal(runCopyName(LIVE, NOW, "data-loss-20240724T080000Z-ab12"), `${LIVE}-ptr-202407240800-ab12`);
    const long = "l".repeat(60);
    assert.equal(runCopyName(long, NOW, "r-ab12").length, 63);
    assert.match(runCopyName(long, NOW, "r-ab12"), /-ab12$/);
  });

  it("ptrCopyFor: a new name is a new copy, created to the second", () => {
    const r = ptrCopyFor({ name: "copy-b", restorePointUTC: "2024-07-24T06:00:00Z", liveServerName: LIVE, existing: [], now: new Date("2024-07-24T08:00:00.456Z") });
    assert.deepEqual(r, { copy: { name: "copy-b", restorePointUTC: "2024-07-24T06:00:00Z", createdAtUTC: "2024-07-24T08:00:00Z" }, reused: false });
    assert.equal(copyCreatedAt(new Date("2024-07-24T08:00:00.000Z")), "2024-07-24T08:00:00Z");
  });

  it("ptrCopyFor: a name that exists at the same restore point is that copy (a resumed step, a repeated command change nothing)", () => {
    const existing = [{ name: "copy-a", restorePointUTC: "2024-07-20T00:00:00Z", createdAtUTC: "2024-07-20T01:00:00Z" }];
    const r = ptrCopyFor({ name: "copy-a", restorePointUTC: "2024-07-20T00:00:00Z", liveServerName: LIVE, existing, now: NOW });
    assert.deepEqual(r, { copy: existing[0], reused: true }, "kept as it was, with its own creation time");
  });

  it("ptrCopyFor: refuses a copy of that name at another restore point, and the live server's name, listing the copies", () => {
    const existing = [{ name: "copy-a", restorePointUTC: "2024-07-20T00:00:00Z" }];
    const ask = (name: string) => () => ptrCopyFor({ name, restorePointUTC: "2024-07-20T00:00:01Z", liveServerName: LIVE, existing, now: NOW });
    assert.throws(ask("copy-a"), (e: unknown) => e instanceof RefusedError && /copy-a already exists; existing copies: copy-a \(at 2024-07-20T00:00:00Z\)/.test(e.message));
    assert.throws(ask(LIVE), (e: unknown) => e instanceof RefusedError && new RegExp(`${LIVE} already exists`).test(e.message));
  });

  it("chooseCopy: the per-minute default, the next free one when that minute's copy exists", async () => {
    const base = defaultCopyName(LIVE, NOW);
    assert.equal((await chooseCopy(readOnlyStack({}), LIVE, undefined, "2024-07-24T06:00:00Z", NOW)).copy.name, base);
    const taken = readOnlyStack({ ptrCopies: [{ name: base, restorePointUTC: "2024-07-24T06:00:00Z" }] });
    const choice = await chooseCopy(taken, LIVE, undefined, "2024-07-24T06:00:00Z", NOW);
    assert.deepEqual(choice.copy, { name: `${base}-2`, restorePointUTC: "2024-07-24T06:00:00Z", createdAtUTC: "2024-07-24T08:00:00Z" });
    assert.equal(choice.reused, false, "a default name is always a new copy");
    assert.deepEqual(choice.existing.map((c) => c.name), [base]);
  });

  it("chooseCopy: an operator's name that exists at another restore point (or is the live server's) is refused, listing the copies", async () => {
    const stack = readOnlyStack({ ptrCopies: [{ name: "copy-a", restorePointUTC: "2024-07-20T00:00:00Z" }] });
    await assert.rejects(chooseCopy(stack, LIVE, "copy-a", "2024-07-24T06:00:00Z", NOW), (e: unknown) => e instanceof RefusedError && /copy-a already exists; existing copies: copy-a \(at 2024-07-20T00:00:00Z\)/.test(e.message));
    await assert.rejects(chooseCopy(stack, LIVE, LIVE, "2024-07-24T06:00:00Z", NOW), RefusedError);
    assert.equal((await chooseCopy(stack, LIVE, "copy-a", "2024-07-20T00:00:00Z", NOW)).reused, true);
  });

  it("checkPtrWindowOnStack: the server's earliest restore date bounds --at, and the log says which window applies", async () => {
    const lines: string[] = [];
    const stack = readOnlyStack({ earliestRestoreDate: iso(NOW.getTime() - DAY) });
    await assert.rejects(checkPtrWindowOnStack(stack, new Date(NOW.getTime() - 2 * DAY), NOW, (l) => lines.push(l)), (e: unknown) => e instanceof UsageError && /earliest restore point/.test(e.message));
    assert.match(lines[0], /restore window: from 2024-07-23T08:00:00Z \(the server's earliest restore date\)/);
    await checkPtrWindowOnStack(readOnlyStack({}), new Date(NOW.getTime() - 6 * DAY), NOW, (l) => lines.push(l));
    assert.match(lines[1], /restore window: the last 7 days \(backup retention\): stack "test" has never been deployed/);
  });
});

describe("runbook/resume: a resumed run's checks on the stack", () => {
  const meta = (at: number): RunMeta => ({ runId: "r1", scenario: "data-loss", stack: "test", platform: "azure", createdAt: iso(at), inputs: { restorePointUTC: iso(at), copyName: "copy-x" } });
  const done = (steps: string[]): StepRecord[] => steps.map((step) => ({ step, status: "done", startedAt: "" }));

  it("pendingSteps: the steps after the last completed one", () => {
    assert.deepEqual(pendingSteps("server-lost-revive", done(["stop", "maintenance-on"])), ["freeze", "revive", "start", "validate", "maintenance-off", "unfreeze"]);
  });

  it("checks the restore point while ptr has not run and its copy does not exist; reads only", async () => {
    const stack = readOnlyStack({ earliestRestoreDate: iso(Date.now() - DAY) });
    await assert.rejects(checkResumeOnStack(meta(Date.now() - 2 * DAY), done(["stop"]), stack, new Date(), "test"), /cannot be resumed: its ptr step has not run yet/);
    const ok = await checkResumeOnStack(meta(Date.now() - 6 * 60 * MIN), done(["stop"]), stack, new Date(), "test");
    assert.match(ok ?? "", /restore point still inside the window \(from .* \(the server's earliest restore date\)\)/);
  });

  it("no check once ptr is done, or when the copy exists already", async () => {
    const old = Date.now() - 9 * DAY;
    assert.equal(await checkResumeOnStack(meta(old), done(["stop", "maintenance-on", "freeze", "safety-backup", "ptr"]), readOnlyStack({}), new Date(), "test"), undefined);
    const copied = readOnlyStack({}, [{ name: "copy-x", restorePointUTC: iso(old) }]);
    assert.equal(await checkResumeOnStack(meta(old), done(["stop"]), copied, new Date(), "test"), undefined);
    // the outputs are read once, for the copies; the window is not read when the copy exists
    assert.equal(copied.calls.filter((c) => c === "outputs").length, 1);
  });
});
