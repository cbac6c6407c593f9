/**
 * The real StackPort: the Pulumi Automation API over the project folder (Pulumi.yaml), selecting an
 * existing stack. Every call is one `pulumi` command; failures become typed errors, a locked stack
 * a LockedError (no retry: another update is running, and retrying would only queue behind it).
 */
import * as path from "node:path";
import { existsSync } from "node:fs";
import { LocalWorkspace, PulumiCommand, ConcurrentUpdateError, StackNotFoundError, CommandError } from "@pulumi/pulumi/automation";
import type { Stack, EngineEvent, OpMap } from "@pulumi/pulumi/automation";
import { CONFIG_NAMESPACE } from "../../infra/config";
import { PROJECT_ROOT } from "../config/stackfile";
import { LockedError, ToolError, UsageError } from "../errors";
import { redact } from "../util/redact";
import { ConfigScalar, PreviewResult, PreviewStep, StackPort, StepOp, UpResult, urnName } from "./port";

/** Env var: folder whose `bin/pulumi` is the CLI to use (tests point it at a fake). @default `pulumi` on PATH */
export const PULUMI_ROOT_ENV = "AYTQ_DR_PULUMI_ROOT";

export interface AutomationOptions {
  /** Where Pulumi.yaml is. @default PROJECT_ROOT */
  workDir?: string;
  /** Folder holding `bin/pulumi`. @default the env var AYTQ_DR_PULUMI_ROOT, else `pulumi` on PATH */
  pulumiRoot?: string;
  /** Extra environment for the CLI. */
  env?: Record<string, string>;
  /** Aborts a running preview/up/refresh (the CLI gets SIGINT and stops cleanly). */
  signal?: AbortSignal;
}

const key = (p: string) => `${CONFIG_NAMESPACE}:${p}`;

/** Turn an Automation API failure into one of ours. The CLI's stderr is redacted and kept. */
export function translateError(err: unknown, stackName: string, what: string): Error {
  if (err instanceof ConcurrentUpdateError) {
    return new LockedError(
      `stack "${stackName}" is locked by another update, so ${what} did not run and nothing was changed`,
      `wait for that update to finish (\`pulumi stack history --stack ${stackName}\` shows it), then run this again; only if it died (its process is gone), \`pulumi cancel --stack ${stackName}\` releases the lock`,
    );
  }
  if (err instanceof StackNotFoundError) {
    return new UsageError(`stack "${stackName}" does not exist in the current Pulumi backend`, "log in to the right backend (pulumi login) or create the stack (pulumi stack init)");
  }
  if (err instanceof CommandError) {
    const text = redact(err.message);
    const stderr = /stderr:\s*([\s\S]*?)(?:\n\s*err\?:|$)/.exec(text)?.[1]?.trim() ?? text;
    const first = stderr.split("\n").filter((l) => l.trim()).slice(-3).join("\n  ");
    return new ToolError(`pulumi failed during ${what} on stack "${stackName}": ${first}`, "read the message above; nothing after this step ran", text);
  }
  return err instanceof Error ? err : new Error(String(err));
}

function countsOf(map: OpMap | undefined): Partial<Record<StepOp, number>> {
  const out: Partial<Record<StepOp, number>> = {};
  for (const [op, n] of Object.entries(map ?? {})) if (typeof n === "number") out[op as StepOp] = n;
  return out;
}

/** The cloud name of a resource from its inputs, else the logical name of its URN. */
export function resourceName(urn: string, inputs?: Record<string, unknown>, type = ""): string {
  // children of a server (Database, Configuration) also carry `serverName`: only a Server is named by it
  const keys = type.endsWith(":Server") ? ["serverName", "name"] : ["accountName", "databaseName", "configurationName", "name"];
  for (const k of keys) {
    const v = inputs?.[k];
    if (typeof v === "string" && v) return v;
  }
  return urnName(urn);
}

/** The steps a preview announced, from its engine events. */
export function stepsFromEvents(events: readonly EngineEvent[]): PreviewStep[] {
  const steps: PreviewStep[] = [];
  for (const e of events) {
    const m = e.resourcePreEvent?.metadata;
    if (!m) continue;
    // metadata inputs are `Record<string, any>` in the SDK's types; only plain strings are read from them
    const inputs = (m.new?.inputs ?? m.old?.inputs) as Record<string, unknown> | undefined;
    steps.push({
      op: m.op as StepOp,
      type: m.type,
      urn: m.urn,
      protected: Boolean(m.old?.protect || m.new?.protect),
      name: resourceName(m.urn, inputs, m.type),
    });
  }
  return steps;
}

export class AutomationStackPort implements StackPort {
  private constructor(
    private readonly stack: Stack,
    readonly stackName: string,
    private readonly signal?: AbortSignal,
  ) {}

  /** Select an existing stack of the project. The stack is never created here. */
  static async open(stackName: string, options: AutomationOptions = {}): Promise<AutomationStackPort> {
    const root = options.pulumiRoot ?? process.env[PULUMI_ROOT_ENV];
    if (root !== undefined && !existsSync(path.join(root, "bin", "pulumi"))) {
      throw new UsageError(`${PULUMI_ROOT_ENV}=${root} has no bin/pulumi`, `point ${PULUMI_ROOT_ENV} at a Pulumi installation folder, or unset it to use pulumi from PATH`);
    }
    let pulumiCommand: PulumiCommand;
    try {
      pulumiCommand = await PulumiCommand.get({ root, skipVersionCheck: true });
    } catch (err) {
      throw new ToolError(`cannot run the Pulumi CLI${root ? ` from ${root}` : ""}: ${redact(err instanceof Error ? err.message.split("\n")[0] : String(err))}`, "install the Pulumi CLI (https://www.pulumi.com/docs/install/) or set AYTQ_DR_PULUMI_ROOT");
    }
    try {
      const stack = await LocalWorkspace.selectStack(
        { stackName, workDir: options.workDir ?? PROJECT_ROOT },
        { pulumiCommand, envVars: options.env },
      );
      return new AutomationStackPort(stack, stackName, options.signal);
    } catch (err) {
      throw translateError(err, stackName, "selecting the stack");
    }
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translateError(err, this.stackName, what);
    }
  }

  async getConfig(p: string): Promise<unknown> {
    try {
      const v = await this.stack.getConfig(key(p), true);
      // the CLI prints `{"value": "<text>", "objectValue": ..., "secret": false}`; objects come back as JSON text
      const raw = v as { value: string; objectValue?: unknown };
      if (raw.objectValue !== undefined) return raw.objectValue;
      try {
        return JSON.parse(raw.value);
      } catch {
        return raw.value;
      }
    } catch (err) {
      if (err instanceof CommandError && /not found|missing/i.test(err.message) && !(err instanceof ConcurrentUpdateError)) return undefined;
      throw translateError(err, this.stackName, `reading config ${key(p)}`);
    }
  }

  async setConfig(values: Readonly<Record<string, ConfigScalar>>): Promise<void> {
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    const map = Object.fromEntries(entries.map(([k, v]) => [key(k), { value: String(v), secret: false }]));
    await this.run("setting config", () => this.stack.setAllConfig(map, true));
  }

  async removeConfig(p: string): Promise<void> {
    try {
      await this.stack.removeConfig(key(p), true);
    } catch (err) {
      if (err instanceof CommandError && /not found/i.test(err.message) && !(err instanceof ConcurrentUpdateError)) return;
      throw translateError(err, this.stackName, `removing config ${key(p)}`);
    }
  }

  async refresh(targets: readonly string[], onOutput?: (text: string) => void): Promise<void> {
    if (targets.length === 0) return;
    await this.run("refresh", () => this.stack.refresh({ target: [...targets], onOutput, signal: this.signal, color: "never" }));
  }

  async resourceUrns(): Promise<{ urn: string; type: string }[]> {
    const deployment = await this.run("reading the state", () => this.stack.exportStack());
    const resources = (deployment.deployment as { resources?: { urn: string; type: string }[] } | undefined)?.resources ?? [];
    return resources.map((r) => ({ urn: r.urn, type: r.type }));
  }

  async preview(onOutput?: (text: string) => void): Promise<PreviewResult> {
    const events: EngineEvent[] = [];
    let diffText = "";
    const result = await this.run("preview", () =>
      this.stack.preview({
        diff: true,
        color: "never",
        signal: this.signal,
        onEvent: (e) => events.push(e),
        onOutput: (t) => {
          diffText += t;
          onOutput?.(t);
        },
      }),
    );
    return { changeSummary: countsOf(result.changeSummary), steps: stepsFromEvents(events), diffText: diffText || result.stdout };
  }

  async up(onOutput?: (text: string) => void): Promise<UpResult> {
    let summary: OpMap | undefined;
    const result = await this.run("up", () =>
      this.stack.up({
        color: "never",
        signal: this.signal,
        onOutput,
        onEvent: (e) => {
          if (e.summaryEvent) summary = e.summaryEvent.resourceChanges;
        },
      }),
    );
    const outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
    return { changeSummary: countsOf(summary ?? result.summary?.resourceChanges), outputs };
  }

  async outputs(): Promise<Record<string, unknown>> {
    const outs = await this.run("reading outputs", () => this.stack.outputs());
    return Object.fromEntries(Object.entries(outs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
  }

  async cancel(): Promise<void> {
    await this.run("cancel", () => this.stack.cancel());
  }
}
