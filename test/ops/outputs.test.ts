/**
 * A stack-output read that fails is an error naming what could not be read; only a stack that has
 * never been deployed (no outputs) falls back to the retention window, and says so.
 */
import { strict as assert } from "node:assert";
import { readStackConfig } from "../../recovery/config/stackfile";
import { ToolError } from "../../recovery/errors";
import { existingCopies, readEarliestRestore } from "../../recovery/ops/outputs";
import { FakeStackPort } from "../helpers/fake-stack";
import { RecordingIO, runMain, STACK_TRACE } from "../helpers/cli-io";
import { StackStub } from "../helpers/stack-stub";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Only what the reads use: outputs and the copy list (aytq:recovery.ptrCopies). */
function outputsPort(outputs: () => Promise<Record<string, unknown>>, copies: unknown = undefined): StackStub {
  return new StackStub("test", copies === undefined ? {} : { recovery: { ptrCopies: copies } }, { outputs, readOnly: { refusal: "only outputs and config are read" } });
}

const unreachable = () => outputsPort(async () => Promise.reject(new ToolError('pulumi failed during reading outputs on stack "test": error: could not reach the backend')));

describe("stack outputs: a failed read is an error, never a default", () => {
  it("readEarliestRestore: a failed read names earliestRestoreDate and the cause", async () => {
    await assert.rejects(readEarliestRestore(unreachable()), (e: unknown) => {
      assert.ok(e instanceof ToolError);
      assert.match(e.message, /could not read the outputs of stack "test" \(earliestRestoreDate: the server's earliest restore point, which bounds --at\), so nothing was changed: pulumi failed .*could not reach the backend/);
      assert.match(e.hint ?? "", /pulumi stack output --stack test/);
      return true;
    });
  });

  it("existingCopies: a failed read names ptrCopies", async () => {
    await assert.rejects(existingCopies(unreachable()), /could not read the outputs of stack "test" \(ptrCopies: the point-in-time copies that exist\)/);
  });

  it("a stack never deployed (no outputs) falls back to the retention window and says so", async () => {
    const w = await readEarliestRestore(outputsPort(async () => ({})));
    assert.equal(w.earliestRestore, undefined);
    assert.match(w.source, /the last 7 days \(backup retention\): stack "test" has never been deployed \(it has no outputs\)/);
    assert.deepEqual(await existingCopies(outputsPort(async () => ({}), [{ name: "copy-a", restorePointUTC: "2024-07-20T00:00:00Z" }])), [{ name: "copy-a", restorePointUTC: "2024-07-20T00:00:00Z" }]);
  });

  it("a date Azure has not reported yet (null) falls back, saying so", async () => {
    const w = await readEarliestRestore(outputsPort(async () => ({ serverName: "s", earliestRestoreDate: null })));
    assert.equal(w.earliestRestore, undefined);
    assert.match(w.source, /Azure has not reported the server's earliest restore date yet/);
  });

  it("an earliestRestoreDate that is not a time is an error", async () => {
    await assert.rejects(readEarliestRestore(outputsPort(async () => ({ earliestRestoreDate: "soon" }))), /the output earliestRestoreDate of stack "test" is not a time \("soon"\)/);
  });

  it("a ptrCopies output that is not a list is an error", async () => {
    await assert.rejects(existingCopies(outputsPort(async () => ({ ptrCopies: "copy-a" }))), /the output ptrCopies of stack "test" is not a list/);
  });

  it("a reported date is used", async () => {
    const w = await readEarliestRestore(outputsPort(async () => ({ earliestRestoreDate: "2024-07-17T06:02:11Z" })));
    assert.equal(w.earliestRestore?.toISOString(), "2024-07-17T06:02:11.000Z");
    assert.match(w.source, /from 2024-07-17T06:02:11Z \(the server's earliest restore date\)/);
  });
});

describe("stack outputs through the command: ptr and tidy stop when the outputs cannot be read", () => {
  const failingOutputs = () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    port.onCall = (call) => {
      if (call === "outputs") throw new ToolError('pulumi failed during reading outputs on stack "test": error: could not reach the backend');
    };
    return port;
  };

  it("ptr: exit 4 naming earliestRestoreDate; no silent 7-day window, nothing written", async () => {
    const port = failingOutputs();
    const io = new RecordingIO(port);
    assert.equal(await runMain(["ptr", "--stack", "test", "--at", iso(DAY), "--yes"], io), 4, io.text);
    assert.match(io.errText, /could not read the outputs of stack "test" \(earliestRestoreDate/);
    assert.doesNotMatch(io.errText, /restore window: the last 7 days/);
    assert.doesNotMatch(io.errText, STACK_TRACE);
    assert.deepEqual(port.calls.filter((c) => /^(setConfig|removeConfig|up)/.test(c)), []);
  });

  it("tidy --all: exit 4 naming ptrCopies, nothing written", async () => {
    const port = failingOutputs();
    const io = new RecordingIO(port);
    assert.equal(await runMain(["tidy", "--stack", "test", "--all", "--yes"], io), 4, io.text);
    assert.match(io.errText, /could not read the outputs of stack "test" \(ptrCopies/);
    assert.deepEqual(port.calls.filter((c) => /^(setConfig|removeConfig|up)/.test(c)), []);
  });

  it("ptr on a stack whose earliestRestoreDate is not reported yet: says which window it uses", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const io = new RecordingIO(port);
    assert.equal(await runMain(["ptr", "--stack", "test", "--at", iso(60 * MIN), "--dry-run"], io), 0, io.text);
    assert.match(io.errText, /restore window: the last 7 days \(backup retention\): Azure has not reported the server's earliest restore date yet/);
  });
});
