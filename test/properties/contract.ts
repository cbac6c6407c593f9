/**
 * The 3 a.m. contract the property tests hold for every generated input: never a crash or a stack
 * trace; bad input exits 2 with one message and a `fix:` line, and changes nothing.
 */
import { strict as assert } from "node:assert";
import { EXIT, RefusedError } from "../../recovery/errors";
import { StackStub } from "../helpers/stack-stub";
import { RecordingIO, STACK_TRACE } from "../helpers/cli-io";

/** Generated cases for a parser; each parser gets at least this many. */
export const RUNS = 1000;
/** Generated cases run through the real entry point (`main`), a sample of the parser's inputs. */
export const MAIN_RUNS = 60;

/** What a run of main printed and returned, against the contract. */
export function assertContract(io: RecordingIO, code: number, input: string): void {
  const text = io.text;
  assert.notEqual(code, EXIT.internal, `internal error for ${JSON.stringify(input).slice(0, 300)}:\n${text.slice(0, 2000)}`);
  assert.doesNotMatch(text, STACK_TRACE, `stack trace for ${JSON.stringify(input).slice(0, 300)}`);
  if (code === EXIT.usage) assert.match(io.errText, /\n\s*fix: \S/, `exit 2 without a fix line for ${JSON.stringify(input).slice(0, 300)}:\n${io.errText.slice(0, 2000)}`);
  assert.ok(io.errText.length < 5_000, `${io.errText.length} characters of messages for one input`);
}

/** Thrown by the stub stack when a command gets as far as writing config: the input was accepted. */
export const REACHED = "stub stack: the command reached its first config write";

/**
 * A stack that has never been deployed (no outputs, no config) and refuses the first write with
 * exit 3 and REACHED: a command that gets there accepted its input, and nothing is changed.
 */
export function stubStack(stackName = "test"): StackStub {
  return new StackStub(stackName, {}, { readOnly: { reads: ["getConfig", "outputs", "resourceUrns"], refusal: () => new RefusedError(REACHED, "nothing: this is a test's stub") } });
}
