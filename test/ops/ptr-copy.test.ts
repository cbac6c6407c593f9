/**
 * The decisions that moved below the command line, tested without it: the copy's name and the
 * PTR window (ops/ptr-copy.ts), a resumed run's checks on the stack (runbook/resume.ts).
 */
import { strict as assert } from "node:assert";
import { RefusedError, UsageError } from "../../recovery/errors";
import { defaultCopyName } from "../../recovery/ops/operations";
import { checkPtrWindowOnStack, chooseCopyName, freeName } from "../../recovery/ops/ptr-copy";
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

  it("chooseCopyName: the per-minute default, the next free one when that minute's copy exists", async () => {
    const base = defaultCopyName(LIVE, NOW);
    assert.equal((await chooseCopyName(readOnlyStack({}), LIVE, undefined, NOW)).name, base);
    const taken = readOnlyStack({ ptrCopies: [{ name: base, restorePointUTC: "2024-07-24T06:00:00Z" }] });
    const choice = await chooseCopyName(taken, LIVE, undefined, NOW);
    assert.equal(choice.name, `${base}-2`);
    assert.deepEqual(choice.existing.map((c) => c.name), [base]);
  });

  it("chooseCopyName: an operator's name that exists (or is the live server's) is refused, listing the copies", async () => {
    const stack = readOnlyStack({ ptrCopies: [{ name: "copy-a", restorePointUTC: "2024-07-20T00:00:00Z" }] });
    await assert.rejects(chooseCopyName(stack, LIVE, "copy-a", NOW), (e: unknown) => e instanceof RefusedError && /copy-a already exists; existing copies: copy-a \(at 2024-07-20T00:00:00Z\)/.test(e.message));
    await assert.rejects(chooseCopyName(stack, LIVE, LIVE, NOW), RefusedError);
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
