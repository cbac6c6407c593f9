/**
 * Issue 20: `validate --deadline-seconds 0.000001` failed inside Node ("delay out of range", a
 * stack trace). Every duration flag states a range that works and refuses what is outside it,
 * echoing what was typed.
 */
import { strict as assert } from "node:assert";
import { RecordingIO, runMain, STACK_TRACE } from "../helpers/cli-io";

describe("--deadline-seconds: a range that Node's timers can hold", () => {
  for (const value of ["0.000001", "0.5", "0.999999", "0"]) {
    it(`refuses --deadline-seconds ${value} with exit 2, echoing it and the range`, async () => {
      const io = new RecordingIO(undefined);
      const code = await runMain(["validate", "--url", "http://127.0.0.1:1/health", "--deadline-seconds", value], io);
      assert.equal(code, 2, io.text);
      assert.match(io.errText, new RegExp(`--deadline-seconds "${value.replace(".", "\\.")}" is not a number of seconds from 1 to 86400`));
      assert.doesNotMatch(io.errText, STACK_TRACE);
      assert.doesNotMatch(io.errText, /out of range/);
    });
  }

  it("accepts 1 and 1.5 seconds (the floor and a fraction above it)", async () => {
    for (const value of ["1", "1.5"]) {
      const io = new RecordingIO(undefined);
      assert.equal(await runMain(["validate", "--url", "http://127.0.0.1:1/health", "--attempts", "1", "--deadline-seconds", value], io), 1, io.text);
      assert.doesNotMatch(io.errText, STACK_TRACE);
    }
  });
});
