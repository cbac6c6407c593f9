/**
 * The command as a process (bin/aytq-dr.js). Node exits 0 when its event loop empties, even while
 * a promise is still pending: a stream that never calls back would end a command "successfully",
 * with no result. So the process watches for that moment ('beforeExit' with the command unsettled)
 * and turns it into a failure (exit 4) that names the command and the last thing it said it did.
 * A command stopped by a signal ends with that signal's code (130 Ctrl-C, 129 SIGHUP, 143 SIGTERM),
 * also where it only knows it was interrupted.
 */
import { EXIT, SIGNAL_EXIT, type StopSignal } from "../errors";
import { receivedSignal } from "./interrupt";
import { processIO, type CliIO } from "./io";
import { main } from "./main";

/** The longest piece of the last progress line the failure repeats. */
const MAX_LAST_LINE = 200;

/** The command's words: the arguments before the first flag (`backups verify`, `maintenance on`), at most three. */
export function commandWords(argv: readonly string[]): string {
  const words: string[] = [];
  for (const arg of argv.slice(2)) {
    if (arg.startsWith("-") || words.length === 3) break;
    words.push(arg);
  }
  return words.length ? words.join(" ").slice(0, MAX_LAST_LINE) : "(no command)";
}

/** The one line printed when a command never settled. */
export function unsettledLine(command: string, last: string | undefined): string {
  const said = last ? `its last line was "${last.slice(0, MAX_LAST_LINE)}"` : "it had printed nothing yet";
  return `aytq-dr: ${command} ended without a result: nothing was left running and it never finished (${said}); treat it as failed: the step it was on may not have happened`;
}

/** What the process needs: its exit code and its 'beforeExit' event. Tests pass a stand-in. */
export interface ProcessLike {
  exitCode?: number | string | null;
  on(event: "beforeExit", listener: () => void): unknown;
  off(event: "beforeExit", listener: () => void): unknown;
}

/** The exit code of a command that ended with `code`: an interruption ends with the code of the signal that caused it. */
export function signalledExitCode(code: number, signal: StopSignal | undefined): number {
  return code === EXIT.interrupted && signal !== undefined ? SIGNAL_EXIT[signal] : code;
}

/** Run the command line as this process: sets the exit code, and exit 4 when the command never settles. */
export function runProcess(argv: readonly string[] = process.argv, io: CliIO = processIO(), proc: ProcessLike = process, signal: () => StopSignal | undefined = receivedSignal): Promise<number | undefined> {
  let settled = false;
  const onBeforeExit = (): void => {
    if (settled) return;
    settled = true; // once: printing schedules nothing, so the process exits with the code set here
    proc.off("beforeExit", onBeforeExit);
    io.err(unsettledLine(commandWords(argv), io.lastLine?.()));
    proc.exitCode = EXIT.failed;
  };
  proc.on("beforeExit", onBeforeExit);
  return main(argv, io).then((result) => {
    const code = signalledExitCode(result, signal());
    proc.off("beforeExit", onBeforeExit);
    if (settled) return undefined; // already reported as unsettled (cannot happen once the loop is empty; kept for stand-ins)
    settled = true;
    proc.exitCode = code;
    return code;
  });
}
