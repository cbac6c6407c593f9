/**
 * The real StackPort: the Pulumi Automation API over the project folder (Pulumi.yaml), selecting an
 * existing stack. Every call is one `pulumi` command (forget is an export and an import); failures
 * become typed errors that quote the engine's own diagnostics, a locked stack a LockedError (no
 * retry: another update is running, and retrying would only queue behind it; translate-error.ts).
 * Refresh, preview and up report their steps as they happen through `onProgress`; secret config
 * values never reach a line, a message, an error or a command line.
 *
 * Two commands are run by this adapter itself (runPulumi, pulumi-cli.ts), as the workspace would
 * run them, because the SDK's way leaks secrets: a secret config value goes on `config set`'s standard input (the
 * SDK's setAllConfig puts it in argv, readable in /proc/<pid>/cmdline), and the state to import is
 * written to a private folder (the SDK's importStack writes it, secrets in clear, to a world-readable
 * file in the temp folder).
 */
import * as path from "node:path";
import { existsSync } from "node:fs";
import type { Stack, DiagnosticEvent, EngineEvent, OpMap } from "@pulumi/pulumi/automation";
import { CONFIG_NAMESPACE } from "../../infra/config";
import { PROJECT_ROOT } from "../config/stackfile";
import { RefusedError, ToolError } from "../errors";
import { redact } from "../util/redact";
import { countsOf, stepsFromEvents } from "./engine-results";
import type { ConfigScalar, ForgetResult, PendingOperation, PreviewOptions, PreviewResult, StackPort, StateResource, UpOptions, UpResult } from "./port";
import { DEFAULT_PROGRESS_INTERVAL_MS, EnginePhase, ProgressTracker } from "./progress";
import { findPulumiCli, runPulumi } from "./pulumi-cli";
import { automation } from "./pulumi-sdk";
import { deploymentOf, forgetResources, stateResources } from "./state";
import { withPrivateStateFile } from "./state-file";
import { translateError } from "./translate-error";

export interface AutomationOptions {
  /** Where Pulumi.yaml is. @default PROJECT_ROOT */
  workDir?: string;
  /** Folder holding `bin/pulumi`. @default the env var AYTQ_DR_PULUMI_ROOT, else `pulumi` on PATH */
  pulumiRoot?: string;
  /** Extra environment for the CLI. */
  env?: Record<string, string>;
  /** Aborts a running preview/up/refresh (the CLI gets SIGINT and stops cleanly). */
  signal?: AbortSignal;
  /**
   * Receives one short line per step of a refresh, preview or up as it starts and ends, engine
   * warnings and errors, and a line per step still running every `progressIntervalMs`; also a
   * warning per pending operation a forget cleared.
   * @default no progress lines
   */
  onProgress?: (line: string) => void;
  /** How often a step still running is reported. @default DEFAULT_PROGRESS_INTERVAL_MS (one minute) */
  progressIntervalMs?: number;
}

const key = (p: string) => `${CONFIG_NAMESPACE}:${p}`;

/** `key=value` replaced by `key=***` wherever it appears (the SDK's setAllConfig puts config pairs in argv, which execa quotes in errors). */
function maskPairs(text: string, pairs: Iterable<[string, string]>): string {
  let out = text;
  for (const [k, v] of pairs) out = out.split(`${k}=${v}`).join(`${k}=***`);
  return out;
}

/** The line that reports a pending operation a state import cleared. */
function clearedLine(op: PendingOperation): string {
  const risk = op.type === "creating" || op.type === "importing" ? ": the resource may exist in Azure while state no longer knows it" : "";
  return `forget: warning: writing the state back cleared the pending operation '${op.type}' on ${op.urn} (pulumi stack import clears every pending operation)${risk}`;
}

/** What an engine operation gives the SDK call so that events and output reach the adapter. */
interface EngineHooks {
  onEvent: (e: EngineEvent) => void;
  onOutput: (text: string) => void;
  onError: (text: string) => void;
}

export class AutomationStackPort implements StackPort {
  /** Secret config values set through this port, by full key: redacted from every line and error. */
  private readonly secrets = new Map<string, string>();

  private constructor(
    private readonly stack: Stack,
    readonly stackName: string,
    private readonly options: Pick<AutomationOptions, "signal" | "onProgress" | "progressIntervalMs"> = {},
  ) {}

  /** Select an existing stack of the project. The stack is never created here. */
  static async open(stackName: string, options: AutomationOptions = {}): Promise<AutomationStackPort> {
    const pulumiCommand = await findPulumiCli(options.pulumiRoot);
    try {
      const stack = await automation().LocalWorkspace.selectStack(
        { stackName, workDir: options.workDir ?? PROJECT_ROOT },
        { pulumiCommand, envVars: options.env },
      );
      return new AutomationStackPort(stack, stackName, { signal: options.signal, onProgress: options.onProgress, progressIntervalMs: options.progressIntervalMs });
    } catch (err) {
      throw translateError(err, stackName, "selecting the stack");
    }
  }

  /** Redact URL passwords, connection-string keys and every secret config value set through this port. */
  private readonly clean = (text: string): string => redact(maskPairs(text, this.secrets), [...this.secrets.values()]);

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translateError(err, this.stackName, what, { clean: this.clean });
    }
  }

  private emit(lines: readonly string[]): void {
    const onProgress = this.options.onProgress;
    if (!onProgress) return;
    for (const line of lines) {
      try {
        onProgress(line);
      } catch {
        // a progress line that cannot be written must not stop the update it reports on
      }
    }
  }

  /**
   * Run one engine operation: its events become progress lines (and a line per running step every
   * interval, on a timer cleared in `finally`); its error diagnostics, stdout and stderr are kept
   * for the error message if it fails.
   */
  private async engine<T>(phase: EnginePhase, run: (hooks: EngineHooks) => Promise<T>): Promise<T> {
    const tracker = new ProgressTracker(phase, Date.now(), this.clean);
    const diagnostics: DiagnosticEvent[] = [];
    let stdout = "";
    let stderr = "";
    const timer = this.options.onProgress ? setInterval(() => this.emit(tracker.tick(Date.now())), this.options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS) : undefined;
    timer?.unref();
    try {
      return await run({
        onEvent: (e) => {
          if (e.diagnosticEvent?.severity === "error") diagnostics.push(e.diagnosticEvent);
          if (this.options.onProgress) this.emit(tracker.event(e, Date.now()));
        },
        onOutput: (t) => (stdout += t),
        onError: (t) => (stderr += t),
      });
    } catch (err) {
      throw translateError(err, this.stackName, phase, { phase, diagnostics, stdout, stderr, clean: this.clean });
    } finally {
      if (timer) clearInterval(timer);
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
      const { CommandError, ConcurrentUpdateError } = automation();
      if (err instanceof CommandError && /not found|missing/i.test(err.message) && !(err instanceof ConcurrentUpdateError)) return undefined;
      throw translateError(err, this.stackName, `reading config ${key(p)}`, { clean: this.clean });
    }
  }

  /**
   * One `config set-all --path`. With `secret`, one `config set --path --secret <key>` per value,
   * the value on the command's standard input (never in argv), and redacted from then on.
   */
  async setConfig(values: Readonly<Record<string, ConfigScalar>>, options: { secret?: boolean } = {}): Promise<void> {
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    if (!options.secret) {
      const map = Object.fromEntries(entries.map(([k, v]) => [key(k), { value: String(v), secret: false }]));
      await this.run("setting config", () => this.stack.setAllConfig(map, true));
      return;
    }
    // known before the command runs: the CLI may echo the value in an error
    for (const [k, v] of entries) this.secrets.set(key(k), String(v));
    for (const [k, v] of entries) {
      // With no value argument and stdin not a terminal, `config set` reads the value from stdin and
      // drops ONE trailing newline (pkg/cmd/pulumi/config/config.go, cmdutil.RemoveTrailingNewline,
      // since v3.0.0; `--raw` keeps it, but only newer CLIs know it): so the value, then "\n".
      await this.run(`setting secret config ${key(k)}`, () => runPulumi(this.stack.workspace, ["config", "set", "--path", "--secret", key(k), "--stack", this.stackName], `${String(v)}\n`));
    }
  }

  async removeConfig(p: string): Promise<void> {
    try {
      await this.stack.removeConfig(key(p), true);
    } catch (err) {
      const { CommandError, ConcurrentUpdateError } = automation();
      if (err instanceof CommandError && /not found/i.test(err.message) && !(err instanceof ConcurrentUpdateError)) return;
      throw translateError(err, this.stackName, `removing config ${key(p)}`, { clean: this.clean });
    }
  }

  async refresh(targets: readonly string[]): Promise<void> {
    if (targets.length === 0) return;
    await this.engine("refresh", (hooks) => this.stack.refresh({ target: [...targets], signal: this.options.signal, color: "never", ...hooks }));
  }

  async resourceUrns(): Promise<StateResource[]> {
    const exported = await this.run("reading the state", () => this.stack.exportStack());
    return stateResources(deploymentOf(exported));
  }

  /**
   * `stack export`, drop the resources, `stack import` from a file only this user can read. Refused,
   * with nothing changed, while a resource that stays still points at one of them. The import clears
   * every pending operation of the stack (see forgetResources): each is reported (a progress line,
   * and the result), since a pending create may be a resource Azure has and state no longer knows.
   */
  async forget(urns: readonly string[]): Promise<ForgetResult> {
    if (urns.length === 0) return { clearedPendingOperations: [] };
    // The SDK's exportStack (v3.248.0) runs `stack export --show-secrets` and parses its stdout in
    // memory: it writes nothing to disk.
    const exported = await this.run("reading the state", () => this.stack.exportStack());
    const outcome = forgetResources(deploymentOf(exported), urns);
    if (!outcome.ok) {
      const refs = outcome.references.map((r) => `${r.from} (${r.via} names ${r.to})`);
      throw new RefusedError(
        `cannot forget ${[...new Set(outcome.references.map((r) => r.to))].join(", ")} on stack "${this.stackName}": still referenced by ${refs.join("; ")}; nothing was changed`,
        "forget the resources that reference it in the same call, or leave it in state",
      );
    }
    if (outcome.forgotten.length === 0) return { clearedPendingOperations: [] };
    await this.importState({ ...exported, deployment: outcome.deployment });
    this.emit(outcome.clearedPendingOperations.map(clearedLine));
    return { clearedPendingOperations: outcome.clearedPendingOperations };
  }

  /**
   * `pulumi stack import --file <f>`, where <f> is a file only this user can read, removed whatever
   * happens (state-file.ts). The SDK's importStack is not used: it writes a world-readable
   * `<tmpdir>/automation-<n>` and deletes it only on success.
   */
  private async importState(state: unknown): Promise<void> {
    await withPrivateStateFile(this.stackName, state, (file) => this.run("writing the state", () => runPulumi(this.stack.workspace, ["stack", "import", "--file", file, "--stack", this.stackName])));
  }

  async preview(options: PreviewOptions = {}): Promise<PreviewResult> {
    const planFile = options.savePlan === undefined ? undefined : path.resolve(options.savePlan);
    const events: EngineEvent[] = [];
    let summarized = false;
    let diffText = "";
    const result = await this.engine("preview", (hooks) =>
      this.stack.preview({
        diff: true,
        plan: planFile,
        color: "never",
        signal: this.options.signal,
        onEvent: (e) => {
          if (e.summaryEvent) summarized = true;
          events.push(e);
          hooks.onEvent(e);
        },
        onOutput: (t) => {
          diffText += t;
          hooks.onOutput(t);
        },
        onError: hooks.onError,
      }),
    );
    // Without the summary event, the SDK only warns and returns an empty changeSummary (and the steps
    // came from the same events): read as "no changes", that would let the gate approve blind.
    if (!summarized) {
      throw new RefusedError(
        `pulumi preview on stack "${this.stackName}" returned no summary of its changes (the engine's events did not arrive), so the gate cannot check it: nothing was applied`,
        `check the Pulumi CLI's version (\`pulumi version\`: @pulumi/pulumi 3.248.0 reads the engine's events from a file for CLIs up to 3.205.0, over a local connection on 127.0.0.1 after), then run the command again; \`pulumi preview --diff --stack ${this.stackName}\` shows the changes by hand`,
      );
    }
    if (planFile !== undefined && !existsSync(planFile)) {
      throw new ToolError(
        `pulumi preview on stack "${this.stackName}" succeeded but saved no plan at ${planFile}, so no up can be bound to it`,
        "check that the folder exists and is writable, then preview again",
      );
    }
    return { changeSummary: countsOf(result.changeSummary), steps: stepsFromEvents(events), diffText: this.clean(diffText || result.stdout) };
  }

  async up(options: UpOptions = {}): Promise<UpResult> {
    const planFile = options.plan === undefined ? undefined : path.resolve(options.plan);
    if (planFile !== undefined && !existsSync(planFile)) {
      throw new RefusedError(`there is no saved plan at ${planFile}, so up on stack "${this.stackName}" cannot be bound to an approved preview; nothing was changed`, "preview again (that saves the plan), then apply it");
    }
    let summary: OpMap | undefined;
    const result = await this.engine("up", (hooks) =>
      this.stack.up({
        plan: planFile,
        color: "never",
        signal: this.options.signal,
        ...hooks,
        onEvent: (e) => {
          if (e.summaryEvent) summary = e.summaryEvent.resourceChanges;
          hooks.onEvent(e);
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
