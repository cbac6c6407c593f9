/**
 * Ctrl-C in every converging command puts the config back, as `run` does: the signal reaches the
 * converge (and the stack port, which stops a running pulumi), the config keys are rolled back,
 * the exit code is 130, and no signal listener outlives the command.
 */
import { strict as assert } from "node:assert";
import type { RawConfig } from "../../infra/config";
import { readStackConfig } from "../../recovery/config/stackfile";
import { FakeStackPort } from "../helpers/fake-stack";
import { DELETED_AT } from "../ops/recover-harness";
import { RecordingIO, runMain, STACK_TRACE } from "../helpers/cli-io";

const MIN = 60_000;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");
const COPY = { name: "copy-a", restorePointUTC: "2024-07-20T00:00:00Z", createdAtUTC: "2024-07-20T01:00:00Z" };

function fakeStack(extra: (raw: RawConfig) => void = () => undefined): FakeStackPort {
  const raw = readStackConfig("test");
  extra(raw);
  return new FakeStackPort("test", raw);
}

/** Ctrl-C as the command's preview runs (a real SIGINT reaches the same listeners). */
function ctrlCAt(port: FakeStackPort, call: string): void {
  port.onCall = (c) => {
    if (c === call) process.emit("SIGINT");
  };
}

const signalListeners = () => process.listenerCount("SIGINT") + process.listenerCount("SIGTERM");

describe("Ctrl-C in a converging command puts the config back (exit 130)", () => {
  const commands: [string, string[], (raw: RawConfig) => void][] = [
    // freeze is a hold through the pipeline stack, not this stack's config (freeze.test.ts)
    ["stop", ["stop"], () => undefined],
    ["maintenance on", ["maintenance", "on"], () => undefined],
    ["ptr", ["ptr", "--at", iso(60 * MIN)], () => undefined],
    ["tidy", ["tidy", "--all"], (raw) => ((raw.recovery as Record<string, unknown>).ptrCopies = [COPY])],
  ];
  for (const [what, args, extra] of commands) {
    it(`${what}: interrupted during its preview, the config is as before and nothing is applied`, async () => {
      const port = fakeStack(extra);
      // compared as the program reads it: an empty copy list and no list at all are the same config
      const before = port.settings();
      const listeners = signalListeners();
      ctrlCAt(port, "preview");
      const io = new RecordingIO(port);
      assert.equal(await runMain([...args, "--stack", "test", "--yes"], io), 130, io.text);
      assert.match(io.errText, /interrupted: stopping and putting the config back/);
      assert.match(io.errText, /interrupted \(Ctrl-C\): nothing was applied; the config change was rolled back/);
      assert.match(io.errText, /fix: see where the stack stands with aytq-dr status --stack test/);
      assert.doesNotMatch(io.errText, STACK_TRACE);
      assert.deepEqual(port.settings(), before);
      assert.ok(!port.calls.includes("up"), "no up after Ctrl-C");
      assert.equal(io.opened[0].signal?.aborted, true, "the stack port got the signal");
      assert.equal(signalListeners(), listeners, "a signal listener outlived the command");
    });
  }

  it("revive: interrupted while its create phase previews, recovery.mode is back to normal", async () => {
    const port = fakeStack();
    await port.deleteServerInAzure(undefined, DELETED_AT);
    ctrlCAt(port, "preview");
    const io = new RecordingIO(port);
    io.azure = port.azure;
    assert.equal(await runMain(["revive", "--stack", "test", "--at", iso(60 * MIN), "--yes"], io), 130, io.text);
    assert.match(io.errText, /interrupted \(Ctrl-C\)/);
    assert.equal(port.settings().recovery.mode, "normal");
    assert.equal(port.settings().recovery.restorePointUTC, undefined);
    assert.deepEqual(port.azure.serverCreates, [], "no server was created");
  });

  it("a second Ctrl-C leaves at once (exit 130), and the listener for it is removed with the command", async () => {
    const exits: number[] = [];
    const realExit = process.exit;
    const port = fakeStack();
    let previews = 0;
    port.onCall = (c) => {
      if (c === "preview" && ++previews === 1) {
        process.emit("SIGINT");
        process.emit("SIGINT");
      }
    };
    process.exit = ((code?: number) => {
      exits.push(code ?? 0);
    }) as typeof process.exit;
    try {
      const listeners = signalListeners();
      const io = new RecordingIO(port);
      await runMain(["stop", "--stack", "test", "--yes"], io);
      assert.deepEqual(exits, [130]);
      assert.equal(signalListeners(), listeners);
    } finally {
      process.exit = realExit;
    }
  });

  for (const [first, second, code] of [["SIGTERM", "SIGTERM", 143], ["SIGHUP", "SIGINT", 130], ["SIGINT", "SIGHUP", 129]] as const) {
    it(`${first} then ${second}: the first asks the command to stop, the second leaves at once with its own code (${code})`, async () => {
      const exits: number[] = [];
      const realExit = process.exit;
      const port = fakeStack();
      let previews = 0;
      port.onCall = (c) => {
        if (c === "preview" && ++previews === 1) {
          process.emit(first);
          process.emit(second);
        }
      };
      process.exit = ((c?: number) => {
        exits.push(c ?? 0);
      }) as typeof process.exit;
      try {
        const listeners = () => process.listenerCount("SIGINT") + process.listenerCount("SIGTERM") + process.listenerCount("SIGHUP");
        const before = listeners();
        const io = new RecordingIO(port);
        await runMain(["stop", "--stack", "test", "--yes"], io);
        assert.deepEqual(exits, [code]);
        assert.equal(listeners(), before, "a signal listener outlived the command");
      } finally {
        process.exit = realExit;
      }
    });
  }

  for (const [sig, words] of [["SIGTERM", "SIGTERM"], ["SIGHUP", "SIGHUP: the terminal closed"]] as const) {
    it(`${sig} during the preview stops the command like Ctrl-C: config put back, said as ${sig}`, async () => {
      const port = fakeStack();
      const before = port.settings();
      port.onCall = (c) => {
        if (c === "preview") process.emit(sig);
      };
      const io = new RecordingIO(port);
      await runMain(["stop", "--stack", "test", "--yes"], io);
      assert.match(io.errText, new RegExp(`stop interrupted \\(${words}\\): nothing was applied; the config change was rolled back`));
      assert.deepEqual(port.settings(), before);
      assert.ok(!port.calls.includes("up"));
    });
  }

  it("without Ctrl-C nothing changes: the command applies and exits 0", async () => {
    const port = fakeStack();
    const io = new RecordingIO(port);
    assert.equal(await runMain(["stop", "--stack", "test", "--yes"], io), 0, io.text);
    assert.equal(port.settings().app.stopped, true);
    assert.equal(io.opened[0].signal?.aborted, false);
  });
});
