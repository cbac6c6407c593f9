import { strict as assert } from "node:assert";
import { PassThrough } from "node:stream";
import { askOn } from "../../recovery/cli/io";
import { EXIT, InterruptedError, describeError } from "../../recovery/errors";

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
});
