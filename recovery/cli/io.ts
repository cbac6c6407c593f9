import type { AzureServerApi } from "../azure/arm";
import type { ReadyPoll } from "../ops/verify-server";
import type { KubernetesTunnelOptions } from "../data/tunnel";
import type { DatabaseConnection } from "../runbook/ports";
import type { StackPort } from "../stack/port";
import { InterruptedError, RefusedError, SIGNAL_WORDS, type StopSignal } from "../errors";
import type { RunStore } from "../runbook/run-store";
import { onStopSignal, terminalHungUp } from "./interrupt";

/** Where a command writes. Tests pass their own to run commands in-process. */
export interface CliIO {
  /** Results: tables, JSON. */
  out(text: string): void;
  /** Progress, warnings, errors. */
  err(text: string): void;
  /** Whether a person is at a terminal (prompts and progress bars only then). */
  readonly isTTY: boolean;
  /** Ask a question on the terminal; undefined when there is no terminal. */
  prompt?(question: string): Promise<string>;
  readonly env: NodeJS.ProcessEnv;
  /** Opens a stack. Tests give a fake stack to run converging commands in-process. @default the Automation API */
  openStack?(stack: string, signal?: AbortSignal): Promise<StackPort>;
  /** Azure Resource Manager for a subscription (revive, rebuild, normal, status, preflight). Tests give the simulated Azure. @default the Azure SDK */
  openAzure?(subscriptionId: string): AzureServerApi;
  /** How a busy server (restarting, updating) is polled until Ready. Tests poll without waiting. @default DEFAULT_READY_POLL */
  readyPoll?: ReadyPoll;
  /** Reads one key of a Kubernetes Secret (a rebuild reads the app's DATABASE_URL). Tests give a fake. @default the Kubernetes API */
  readSecret?(namespace: string, name: string, key: string): Promise<string>;
  /** Opens a route to a stack's database (--stack without --database-url). Tests give a fake tunnel. @default openKubernetesTunnel */
  openTunnel?(options: KubernetesTunnelOptions): Promise<DatabaseConnection>;
  /** Where runs are kept beside the backups (a resume from another checkout). Tests give one in memory. @default the stack's backup container */
  runStore?: RunStore;
  /** The last line written to err: what the command last said it was doing (cli/process.ts names it if the command never ends). */
  lastLine?(): string | undefined;
}

/** A write to stdout or stderr; dropped once the terminal hung up (SIGHUP), when the stream is that terminal. */
function writeTo(stream: NodeJS.WriteStream, text: string): void {
  if (terminalHungUp() && stream.isTTY) return;
  stream.write(text.endsWith("\n") ? text : text + "\n");
}

export function processIO(): CliIO {
  const isTTY = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  let last: string | undefined;
  return {
    out: (text) => writeTo(process.stdout, text),
    err: (text) => {
      last = text.split("\n").map((l) => l.trim()).filter(Boolean).pop() ?? last;
      writeTo(process.stderr, text);
    },
    lastLine: () => last,
    isTTY,
    env: process.env,
    prompt: isTTY ? (question) => askOn(question, process.stdin, process.stderr) : undefined,
  };
}

/**
 * One question on a terminal, abandoned at once when the person says stop: Ctrl-C typed at it, or
 * SIGINT, SIGHUP or SIGTERM reaching the process, rejects with an InterruptedError carrying the
 * signal (exit 130, 129, 143): nothing it asked about is done. The end of the input (Ctrl-D, a
 * closed pipe) is no answer: a RefusedError (exit 3) that says so, never taken for Ctrl-C and never
 * left waiting (readline leaves its question pending for ever when a pipe ends).
 */
export async function askOn(question: string, input: NodeJS.ReadableStream, output: NodeJS.WritableStream, terminal?: boolean): Promise<string> {
  const readline = await import("node:readline/promises");
  (input as Partial<Pick<NodeJS.ReadStream, "ref">>).ref?.();
  const rl = readline.createInterface({ input, output, ...(terminal === undefined ? {} : { terminal }) });
  const stop = new AbortController();
  let by: StopSignal | undefined;
  const stopFor = (s: StopSignal): void => {
    by ??= s;
    stop.abort(s);
  };
  const disposeSignals = onStopSignal(stopFor);
  // Ctrl-C typed at a terminal question reaches readline (raw mode), not the process
  rl.on("SIGINT", () => stopFor("SIGINT"));
  // a read that fails (EIO from a terminal that hung up) ends the input; it must not be an uncaught error
  (rl as unknown as NodeJS.EventEmitter).on("error", () => rl.close());
  const ended = new Promise<undefined>((resolve) => rl.once("close", () => resolve(undefined)));
  try {
    const answer = await Promise.race([rl.question(question, { signal: stop.signal }), ended]);
    if (by) throw interruptedAt(by);
    if (answer === undefined) throw noAnswer();
    return answer;
  } catch (err) {
    if (by) throw interruptedAt(by);
    // readline rejects with an AbortError on Ctrl-D (and on Ctrl-C only when nothing listens for it: we do)
    if (err instanceof Error && err.name === "AbortError") throw noAnswer();
    throw err;
  } finally {
    disposeSignals();
    rl.close();
    // a paused pipe or terminal still holds the event loop: the command would never end after the question
    (input as Partial<Pick<NodeJS.ReadStream, "unref">>).unref?.();
  }
}

function interruptedAt(by: StopSignal): InterruptedError {
  return new InterruptedError(
    `interrupted (${SIGNAL_WORDS[by]}) at the question: it was not answered, so nothing it asked about was done`,
    "run the command again to be asked again (a run: resume it with the --resume line it printed)",
    by,
  );
}

function noAnswer(): RefusedError {
  return new RefusedError(
    "no answer: the input ended at the question (Ctrl-D, or a closed input), which counts as No, so nothing it asked about was done",
    "run the command again on a terminal and answer the question, or add --yes to go ahead without one",
  );
}
