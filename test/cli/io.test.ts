import { strict as assert } from "node:assert";
import { PassThrough } from "node:stream";
import { askOn } from "../../recovery/cli/io";
import { EXIT, InterruptedError, RefusedError, describeError } from "../../recovery/errors";

describe("questions on a terminal", () => {
  function terminal(): { input: PassThrough; output: PassThrough; shown: () => string } {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = "";
    output.on("data", (d: Buffer) => (shown += d.toString()));
    return { input, output, shown: () => shown };
  }

  it("returns the line typed", async () => {
    const t = terminal();
    const answer = askOn("Restore? [y/N] ", t.input, t.output, true);
    t.input.write("y\r");
    assert.equal(await answer, "y");
    assert.match(t.shown(), /Restore\? \[y\/N\]/);
  });

  it("Ctrl-C at the question is an interruption (exit 130, one line and a fix), not an internal error with a stack", async () => {
    const t = terminal();
    const answer = askOn("Restore? [y/N] ", t.input, t.output, true);
    t.input.write("\x03");
    const err = await answer.then(
      () => assert.fail("Ctrl-C answered the question"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof InterruptedError, String(err));
    const described = describeError(err);
    assert.equal(described.exitCode, EXIT.interrupted);
    assert.equal(described.internal, false);
    assert.match(described.message, /^interrupted \(Ctrl-C\) at the question: it was not answered.*\n  fix: run the command again/);
    assert.doesNotMatch(described.message, /\n\s+at /, "no stack");
  });

  /** What the question settled with within `ms`: a value, an error, or "still waiting". */
  async function settled(answer: Promise<string>, ms = 2_000): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const waiting = new Promise<string>((resolve) => (timer = setTimeout(() => resolve("still waiting"), ms)));
    try {
      return await Promise.race([answer.catch((e: unknown) => e), waiting]);
    } finally {
      clearTimeout(timer);
    }
  }

  const signals: [NodeJS.Signals, number, RegExp][] = [
    ["SIGINT", EXIT.interrupted, /interrupted \(Ctrl-C\)/],
    ["SIGHUP", 129, /interrupted \(SIGHUP: the terminal closed\)/],
    ["SIGTERM", 143, /interrupted \(SIGTERM\)/],
  ];
  for (const [sig, code, says] of signals) {
    it(`${sig} reaching the process while the question waits abandons it at once: exit ${code}, no listener left`, async () => {
      const t = terminal();
      const before = process.listenerCount(sig);
      const answer = askOn("Apply? [y/N] ", t.input, t.output, false);
      await new Promise((r) => setImmediate(r));
      assert.equal(process.listenerCount(sig), before + 1, "the question listens for the signal");
      process.emit(sig, sig);
      const err = await settled(answer);
      assert.ok(err instanceof InterruptedError, `the question did not stop: ${String(err)}`);
      assert.equal(err.exitCode, code);
      assert.match(describeError(err).message, says);
      assert.equal(process.listenerCount(sig), before, "a listener outlived the question");
    });
  }

  it("the end of the input (a pipe that closes) is no answer: exit 3, said as the end of the input, never left waiting", async () => {
    const t = terminal();
    const answer = askOn("Apply? [y/N] ", t.input, t.output, false);
    t.input.end();
    const err = await settled(answer);
    assert.ok(err instanceof RefusedError && !(err instanceof InterruptedError), `not a refusal: ${String(err)}`);
    assert.equal(err.exitCode, EXIT.refused);
    assert.match(describeError(err).message, /^no answer: the input ended at the question.*counts as No.*\n  fix: /);
  });

  it("Ctrl-D at a terminal question is no answer (exit 3), not Ctrl-C", async () => {
    const t = terminal();
    const answer = askOn("Apply? [y/N] ", t.input, t.output, true);
    t.input.write("\x04");
    const err = await settled(answer);
    assert.ok(err instanceof RefusedError && !(err instanceof InterruptedError), `not a refusal: ${String(err)}`);
    assert.doesNotMatch(describeError(err).message, /Ctrl-C/);
  });
});
