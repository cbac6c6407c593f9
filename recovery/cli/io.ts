import type { AzureServerApi } from "../azure/arm";
import type { ReadyPoll } from "../ops/recover-server";
import type { KubernetesTunnelOptions } from "../data/tunnel";
import type { DatabaseConnection } from "../runbook/ports";
import type { StackPort } from "../stack/port";
import { InterruptedError } from "../errors";
import type { RunStore } from "../runbook/run-store";

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

export function processIO(): CliIO {
  const isTTY = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  let last: string | undefined;
  return {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : text + "\n"),
    err: (text) => {
      last = text.split("\n").map((l) => l.trim()).filter(Boolean).pop() ?? last;
      process.stderr.write(text.endsWith("\n") ? text : text + "\n");
    },
    lastLine: () => last,
    isTTY,
    env: process.env,
    prompt: isTTY ? (question) => askOn(question, process.stdin, process.stderr) : undefined,
  };
}

/**
 * One question on a terminal. Ctrl-C at the question reaches readline, not the process (no SIGINT
 * listener of ours fires), and readline rejects with an AbortError: that is the person saying stop,
 * so it becomes an InterruptedError (exit 130, nothing answered), not an internal error with a stack.
 */
export async function askOn(question: string, input: NodeJS.ReadableStream, output: NodeJS.WritableStream, terminal?: boolean): Promise<string> {
  const readline = await import("node:readline/promises");
  const rl = readline.createInterface({ input, output, ...(terminal === undefined ? {} : { terminal }) });
  try {
    return await rl.question(question);
  } catch (err) {
    if (err instanceof Error && err.name === "AbortError") throw new InterruptedError("interrupted (Ctrl-C) at the question: it was not answered, so nothing it asked about was done", "run the command again to be asked again (a run: resume it with the --resume line it printed)");
    throw err;
  } finally {
    rl.close();
  }
}
