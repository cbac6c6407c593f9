/**
 * The real StackPort: the Pulumi Automation API over the project folder (Pulumi.yaml), selecting an
 * existing stack. Every call is one `pulumi` command (forget is an export and an import); failures
 * become typed errors that quote the engine's own diagnostics, a locked stack a LockedError (no
 * retry: another update is running, and retrying would only queue behind it). Refresh, preview and
 * up report their steps as they happen through `onProgress`; secret config values never reach a
 * line, a message, an error or a command line.
 *
 * Two commands are run by this adapter itself (runPulumi), as the workspace would run them, because
 * the SDK's way leaks secrets: a secret config value goes on `config set`'s standard input (the
 * SDK's setAllConfig puts it in argv, readable in /proc/<pid>/cmdline), and the state to import is
 * written to a private folder (the SDK's importStack writes it, secrets in clear, to a world-readable
 * file in the temp folder).
 */
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { LocalWorkspace, PulumiCommand, ConcurrentUpdateError, StackNotFoundError, CommandError } from "@pulumi/pulumi/automation";
import type { Stack, DiagnosticEvent, EngineEvent, OpMap, Workspace } from "@pulumi/pulumi/automation";
import { CONFIG_NAMESPACE } from "../../infra/config";
import { PROJECT_ROOT } from "../config/stackfile";
import { LockedError, RefusedError, ToolError, UsageError } from "../errors";
import { redact } from "../util/redact";
import { commandErrorOutput, EngineFailureText, failureLines, isPlanViolation } from "./failure";
import type { ConfigScalar, ForgetResult, PendingOperation, PreviewOptions, PreviewResult, PreviewStep, StackPort, StateResource, StepOp, UpOptions, UpResult } from "./port";
import { urnName } from "./port";
import { DEFAULT_PROGRESS_INTERVAL_MS, EnginePhase, ProgressTracker } from "./progress";
import { deploymentOf, forgetResources, stateResources } from "./state";
import { envValue } from "../util/env";
import { removeOnExit } from "../util/exit-cleanup";

/** Env var: folder whose `bin/pulumi` is the CLI to use (tests point it at a fake). @default `pulumi` on PATH */
const PULUMI_ROOT_ENV = "AYTQ_DR_PULUMI_ROOT";

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

/** What translateError knows about the failed command beyond the error itself. */
interface FailureContext extends EngineFailureText {
  /** The engine operation that failed, when it was one. */
  phase?: EnginePhase;
  /** Applied to every line of the message (redaction of the port's secret config values). @default redact */
  clean?: (text: string) => string;
}

const HINTS: Record<EnginePhase | "other", string> = {
  up: "fix the cause the engine names above, then run the command again: it previews the stack as this update left it, and the gate checks that diff before anything else is applied",
  preview: "a preview changes nothing; fix the cause the engine names above, then run the command again",
  refresh: "a refresh only updates the stack's state, never the cloud; fix the cause above, then run the command again",
  other: "read the message above; nothing after this step ran",
};

/**
 * A pulumi command this adapter ran itself (runPulumi) that did not succeed. Its message says only
 * how the process ended: never its argv, never what it was given on standard input.
 */
class PulumiRunError extends Error {
  constructor(
    /** How the process ended: `exited with code 255`, `was killed with SIGTERM`, `could not be started (...)`. */
    readonly exit: string,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`pulumi ${exit}`);
    this.name = "PulumiRunError";
  }
}

// the SDK's own tests of a failed command's stderr (automation/errors.js createCommandError, v3.248.0)
const LOCKED_TEXT = /the stack is currently locked by|\[409\] Conflict: Another update is currently in progress\./;
const STACK_NOT_FOUND_TEXT = /no stack named.*found/;

/**
 * Turn an Automation API failure into one of ours. A CommandError keeps the engine's diagnostics
 * (events, the printed Diagnostics section, the CLI's error lines): redacted, deduplicated, bounded.
 * An `up` that deviated from its saved plan says so: the stack changed since the preview was approved.
 */
function translateError(err: unknown, stackName: string, what: string, context: FailureContext = {}): Error {
  const own = err instanceof PulumiRunError ? err : undefined;
  if (err instanceof ConcurrentUpdateError || (own && LOCKED_TEXT.test(own.stderr))) {
    return new LockedError(
      `stack "${stackName}" is locked by another update, so ${what} did not run and nothing was changed`,
      `wait for that update to finish (\`pulumi stack history --stack ${stackName}\` shows it), then run this again; only if it died (its process is gone), \`pulumi cancel --stack ${stackName}\` releases the lock`,
    );
  }
  if (err instanceof StackNotFoundError || (own && STACK_NOT_FOUND_TEXT.test(own.stderr))) {
    return new UsageError(`stack "${stackName}" does not exist in the current Pulumi backend`, "log in to the right backend (pulumi login) or create the stack (pulumi stack init)");
  }
  if (err instanceof CommandError || own) {
    const clean = context.clean ?? ((t: string) => redact(t));
    let text: EngineFailureText;
    let lines: string[];
    let how: string | undefined;
    let full: string;
    if (own) {
      // a command runPulumi ran: its own output, and how it ended
      text = { diagnostics: context.diagnostics, stdout: own.stdout, stderr: own.stderr };
      lines = failureLines(text, clean);
      how = own.exit;
      full = clean(`${own.message}\n${own.stderr}\n${own.stdout}`.trim());
    } else {
      const message = (err as CommandError).message;
      const captured = Boolean(context.stdout?.trim() || context.stderr?.trim());
      text = captured ? context : { diagnostics: context.diagnostics, stderr: commandErrorOutput(message) };
      lines = failureLines(text, clean);
      if (lines.length === 0 && captured) lines = failureLines({ stderr: commandErrorOutput(message) }, clean);
      // killed by a signal, or a CLI that said nothing: execa's first words say which (its argv is left out)
      how = /Command (failed with exit code -?\d+|was killed with \w+)/.exec(message)?.[0];
      full = clean(message);
    }
    if (lines.length === 0) lines = [`(pulumi printed no error message${how ? `; ${how}` : ""})`];
    const body = lines.length === 1 ? ` ${lines[0]}` : `\n  ${lines.join("\n  ")}`;
    if (context.phase === "up" && isPlanViolation(text)) {
      return new ToolError(
        `pulumi up on stack "${stackName}" stopped: the stack changed since the preview was approved, so the update no longer matched the saved plan; the engine stopped at the first deviation and nothing after it ran (steps before it may have applied):${body}`,
        "preview again: run the command again, so that it previews the stack as it is now and the gate checks that new diff; apply only if it is still what you want",
        full,
      );
    }
    return new ToolError(`pulumi failed during ${what} on stack "${stackName}":${body}`, HINTS[context.phase ?? "other"], full);
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
function stepsFromEvents(events: readonly EngineEvent[]): PreviewStep[] {
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

/** `key=value` replaced by `key=***` wherever it appears (the SDK's setAllConfig puts config pairs in argv, which execa quotes in errors). */
function maskPairs(text: string, pairs: Iterable<[string, string]>): string {
  let out = text;
  for (const [k, v] of pairs) out = out.split(`${k}=${v}`).join(`${k}=***`);
  return out;
}

/**
 * The environment the workspace runs the CLI with (SDK v3.248.0: localWorkspace.js runPulumiCmd,
 * cmd.js PulumiCommand.run, execa's extendEnv): this process's environment, PULUMI_HOME when the
 * workspace has one, the workspace's envVars, PATH starting with the CLI's folder when the CLI is
 * given by path (so that it finds its bundled plugins), and PULUMI_AUTOMATION_API=true.
 */
function pulumiEnvironment(workspace: Pick<Workspace, "pulumiHome" | "envVars">, command: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const extra: Record<string, string> = { ...(workspace.pulumiHome ? { PULUMI_HOME: workspace.pulumiHome } : {}), ...workspace.envVars };
  const env: NodeJS.ProcessEnv = { ...base, ...extra };
  if (path.isAbsolute(command)) env.PATH = `${path.dirname(command)}${path.delimiter}${extra.PATH || base.PATH || ""}`;
  env.PULUMI_AUTOMATION_API = "true";
  return env;
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

/**
 * Why the Pulumi CLI could not be run, in words: the SDK reports a missing executable as
 * `code: -2` (ENOENT), which says nothing to an operator.
 */
function pulumiCliError(err: unknown, root: string | undefined): ToolError {
  const where = root === undefined ? "`pulumi` on PATH" : `${root}/bin/pulumi (${PULUMI_ROOT_ENV})`;
  const install = `install the Pulumi CLI (https://www.pulumi.com/docs/install/) so that \`pulumi\` is on PATH, or set ${PULUMI_ROOT_ENV} to the folder that holds bin/pulumi`;
  // commandResult is private in the SDK's types, but it is where the exit code (-2: ENOENT) and stderr are
  const result = err instanceof CommandError ? (err as unknown as { commandResult?: { code?: number; stderr?: string } }).commandResult : undefined;
  const text = `${err instanceof Error ? err.message : String(err)}\n${result?.stderr ?? ""}`;
  if (/\bENOENT\b/.test(text) || result?.code === -2) {
    return new ToolError(`the Pulumi CLI is not installed here: there is no ${where}`, install);
  }
  if (/\bEACCES\b/.test(text) || result?.code === -13) {
    return new ToolError(`the Pulumi CLI at ${where} cannot be run: it is not executable`, `make it executable (chmod +x), or ${install}`);
  }
  const first = (result?.stderr ?? "").split("\n").find((l) => l.trim()) ?? (err instanceof Error ? err.message.split("\n")[0] : String(err));
  return new ToolError(`cannot run the Pulumi CLI (${where}): ${redact(first)}`, `check that \`pulumi version\` runs; otherwise ${install}`);
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
    const root = options.pulumiRoot ?? envValue(process.env, PULUMI_ROOT_ENV);
    if (root !== undefined && !existsSync(path.join(root, "bin", "pulumi"))) {
      throw new UsageError(`${PULUMI_ROOT_ENV}=${root} has no bin/pulumi`, `point ${PULUMI_ROOT_ENV} at a Pulumi installation folder, or unset it to use pulumi from PATH`);
    }
    let pulumiCommand: PulumiCommand;
    try {
      pulumiCommand = await PulumiCommand.get({ root, skipVersionCheck: true });
    } catch (err) {
      throw pulumiCliError(err, root);
    }
    try {
      const stack = await LocalWorkspace.selectStack(
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

  /**
   * Run `pulumi <args> --non-interactive` as the workspace runs its commands (same executable, its
   * workDir as cwd, pulumiEnvironment), with `input` written to its standard input, which is then
   * closed. No shell. For the commands whose SDK method would leak a secret (see the header).
   * Fails with a PulumiRunError (for translateError), which holds no argv and no input.
   */
  private runPulumi(args: readonly string[], input = ""): Promise<{ stdout: string; stderr: string }> {
    const workspace = this.stack.workspace;
    const command = workspace.pulumiCommand.command;
    return new Promise((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      const child = spawn(command, [...args, "--non-interactive"], { cwd: workspace.workDir, env: pulumiEnvironment(workspace, command), stdio: ["pipe", "pipe", "pipe"] });
      child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
      child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
      // EPIPE when the CLI exits (e.g. a locked stack) before reading its input: its exit says why
      child.stdin.on("error", () => undefined);
      child.on("error", (err) => reject(new PulumiRunError(`could not be started (${err.message})`, stdout, stderr)));
      child.on("close", (code, signal) => {
        if (code === 0) resolve({ stdout, stderr });
        else reject(new PulumiRunError(signal ? `was killed with ${signal}` : `exited with code ${code}`, stdout, stderr));
      });
      child.stdin.end(input);
    });
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
      await this.run(`setting secret config ${key(k)}`, () => this.runPulumi(["config", "set", "--path", "--secret", key(k), "--stack", this.stackName], `${String(v)}\n`));
    }
  }

  async removeConfig(p: string): Promise<void> {
    try {
      await this.stack.removeConfig(key(p), true);
    } catch (err) {
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
   * `pulumi stack import --file <f>`, where <f> is in a new folder of mode 0700, written with mode
   * 0600 (it holds the secrets in clear), and the folder is removed whatever happens. The SDK's
   * importStack is not used: it writes a world-readable `<tmpdir>/automation-<n>` and deletes it
   * only on success.
   */
  private async importState(state: unknown): Promise<void> {
    let dir: string | undefined;
    let keepUntilExit: (() => void) | undefined;
    try {
      let file: string;
      try {
        dir = await mkdtemp(path.join(os.tmpdir(), "aytq-dr-state-"));
        // the secrets in clear go also when a second signal leaves at once (process.exit runs no finally)
        keepUntilExit = removeOnExit(dir);
        await chmod(dir, 0o700); // mkdtemp's mode already, said out loud
        file = path.join(dir, "state.json");
        await writeFile(file, JSON.stringify(state, null, 4), { mode: 0o600, flag: "wx" });
      } catch (err) {
        throw new ToolError(
          `cannot write the state of stack "${this.stackName}" to a private temporary file (${err instanceof Error ? err.message : String(err)}), so it was not imported; nothing was changed`,
          "check that the temporary folder (TMPDIR) exists and is writable, then run this again",
        );
      }
      await this.run("writing the state", () => this.runPulumi(["stack", "import", "--file", file, "--stack", this.stackName]));
    } finally {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      keepUntilExit?.();
    }
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
