/**
 * The one wrapper every command's action runs in (`act`), kept apart from main.ts so that the
 * commands, which main.ts registers, never import main.ts back. It gives the action its IO and its
 * abort signal (the first Ctrl-C, SIGHUP or SIGTERM asks it to stop, the second leaves at once:
 * interrupt.ts), and turns its outcome into the exit code: nothing is 0, a number is that code
 * (compare: different is 1), a thrown error is printed as one line with its fix and ends with its
 * own code (errors.ts).
 */
import type { Command } from "commander";
import { describeError, EXIT } from "../errors";
import { redact } from "../util/redact";
import { listenForInterrupt } from "./interrupt";
import type { CliIO } from "./io";

/** Adds one command (or a group) to the program; commands/index.ts lists them in `--help` order. */
export type RegisterCommand = (program: Command, io: CliIO) => void;

/** What an action is given. */
export interface ActionContext {
  readonly io: CliIO;
  /**
   * Runs `work` with the command's abort signal, listening for a stop signal from its start to its
   * end. A question asked before needs none: it abandons itself (io.ts askOn).
   */
  interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

/** What an action resolves to: nothing (exit 0) or the exit code of a result that is not a failure. */
type Outcome = number | void;

/** What the first stop signal prints when the command says nothing more specific. */
const STOPPING = "interrupted: stopping (press Ctrl-C again to leave at once)";

/** `work` under a stop-signal listener that prints `onStop` when the first signal arrives; removed when `work` ends. */
export function interruptibleFor(io: CliIO, onStop: string = STOPPING): ActionContext["interruptible"] {
  return async (work) => {
    const interrupt = listenForInterrupt(io, onStop);
    try {
      return await work(interrupt.signal);
    } finally {
      interrupt.dispose();
    }
  };
}

/** Print a failure as one paragraph (the password of a URL a tool quoted removed) and return its exit code. */
export function reportFailure(io: CliIO, err: unknown): number {
  const { exitCode, message } = describeError(err);
  // the last line of defence: a failure deep down (a driver, a tool) may quote a URL with its password
  io.err(`aytq-dr: ${redact(message)}`);
  return exitCode;
}

type WithExitCode = Command & { aytqExitCode?: number };

/**
 * The commander action for `action`: commander passes the declared arguments, the options and the
 * command; `onStop` is what the first stop signal prints (what stopping puts back).
 */
export function act<P extends unknown[]>(io: CliIO, action: (ctx: ActionContext, ...params: P) => Promise<Outcome>, onStop?: string): (...params: P) => Promise<void> {
  return async (...params) => {
    let code: number;
    try {
      code = (await action({ io, interruptible: interruptibleFor(io, onStop) }, ...params)) ?? EXIT.ok;
    } catch (err) {
      code = reportFailure(io, err);
    }
    setExitCode(params[params.length - 1] as Command, code);
  };
}

/** Set the exit code of a finished command (only `act` does it). */
function setExitCode(command: Command, code: number): void {
  (command as WithExitCode).aytqExitCode = code;
}

/** The exit code a finished command set, or undefined when it set none (main.ts then exits 0). */
export function exitCodeOf(command: Command): number | undefined {
  return (command as WithExitCode).aytqExitCode;
}
