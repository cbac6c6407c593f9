/**
 * A fake terminal for running `main` in-process: records what is printed, answers prompts from a
 * list (an unexpected question fails the test), and hands out the fake stack it was given.
 */
import { NO_WAIT_POLL } from "./azure/port";
import { MemoryRunStore } from "./memory-run-store";
import { strict as assert } from "node:assert";
import type { CliIO } from "../../recovery/cli/io";
import { main } from "../../recovery/cli/main";
import type { StackPort } from "../../recovery/stack/port";
import type { AzureServerApi } from "../../recovery/azure/arm";
import { PLAN_SUBSCRIPTION_ID } from "../../recovery/plan/mocks";

export class RecordingIO implements CliIO {
  readonly isTTY: boolean;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly asked: string[] = [];
  /** Stacks opened, and the signal each was opened with. */
  readonly opened: { stack: string; signal?: AbortSignal }[] = [];
  readonly env: NodeJS.ProcessEnv;
  readonly prompt?: (question: string) => Promise<string>;
  /** What openAzure returns (the fake stack's simulated Azure, when it has one). */
  azure?: AzureServerApi;
  /** Runs kept beside the backups: in memory, never the real storage account. */
  readonly runStore = new MemoryRunStore();
  /** The simulated Azure's busy servers end after a number of polls, not of seconds. */
  readonly readyPoll = NO_WAIT_POLL;

  constructor(
    private readonly port: StackPort | undefined,
    options: { isTTY?: boolean; answers?: string[]; env?: NodeJS.ProcessEnv } = {},
  ) {
    this.isTTY = options.isTTY ?? false;
    this.env = options.env ?? { AZURE_SUBSCRIPTION_ID: PLAN_SUBSCRIPTION_ID };
    const answers = [...(options.answers ?? [])];
    if (this.isTTY) {
      this.prompt = async (question) => {
        this.asked.push(question);
        const answer = answers.shift();
        assert.ok(answer !== undefined, `unexpected question: ${question}`);
        return answer;
      };
    }
  }
  out(text: string): void {
    this.stdout.push(text);
  }
  err(text: string): void {
    this.stderr.push(text);
  }
  async openStack(stack: string, signal?: AbortSignal): Promise<StackPort> {
    this.opened.push({ stack, signal });
    assert.ok(this.port, `the stack ${stack} was opened`);
    return this.port;
  }
  openAzure(): AzureServerApi {
    assert.ok(this.azure, "Azure was opened");
    return this.azure;
  }
  get errText(): string {
    return this.stderr.join("\n");
  }
  get outText(): string {
    return this.stdout.join("\n");
  }
  get text(): string {
    return `${this.outText}\n${this.errText}`;
  }
}

/** main() reads argv as node gives it: the runtime and the script first. */
export function runMain(args: readonly string[], io: CliIO): Promise<number> {
  return main(["node", "aytq-dr", ...args], io);
}

/** A stack trace in printed text (an internal error): never for bad input. */
export const STACK_TRACE = /\n\s+at .+:\d+:\d+/;

/**
 * The providers' tokens a converging run looks for before its first step (runbook/readiness.ts).
 * Never sent anywhere: the fake stacks run no provider.
 */
export const PROVIDER_TOKENS: NodeJS.ProcessEnv = { GITHUB_TOKEN: "test-github-token", STATUSCAKE_API_TOKEN: "test-statuscake-token" };
