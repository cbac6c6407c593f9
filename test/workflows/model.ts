/**
 * The workflows as data, for tests: loading them (and the local composite action they use),
 * running their expressions and `run:` lines for a given event and inputs, and parsing every
 * aytq-dr command line with the command's own definition (`buildProgram`).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import { parse, parseDocument } from "yaml";
import { buildProgram } from "../../recovery/cli/main";
import type { CliIO } from "../../recovery/cli/io";
import { asString, Contexts, interpolate, Status, truthy, Value } from "./expressions";
import { commands, expand, Word } from "./shell";

export const ROOT = path.resolve(__dirname, "..", "..");
export const WORKFLOW_DIR = path.join(ROOT, ".github", "workflows");

interface StepDoc {
  id?: string;
  name?: string;
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
  env?: Record<string, unknown>;
  if?: unknown;
  shell?: string;
}

export interface JobDoc {
  if?: unknown;
  needs?: string | string[];
  "runs-on"?: unknown;
  environment?: unknown;
  permissions?: unknown;
  concurrency?: { group?: unknown; "cancel-in-progress"?: unknown } | string;
  strategy?: { matrix?: Record<string, unknown>; "fail-fast"?: unknown };
  env?: Record<string, unknown>;
  steps?: StepDoc[];
  "timeout-minutes"?: unknown;
}

interface WorkflowDoc {
  name?: string;
  on?: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: { group?: unknown; "cancel-in-progress"?: unknown } | string;
  env?: Record<string, unknown>;
  jobs: Record<string, JobDoc>;
}

export interface Workflow {
  /** File name, e.g. `recover.yml`. */
  file: string;
  path: string;
  text: string;
  doc: WorkflowDoc;
}

export interface ActionDoc {
  inputs?: Record<string, { required?: boolean; default?: unknown }>;
  runs: { using: string; steps?: StepDoc[] };
}

/** Parse a workflow's text; YAML errors throw with their position. */
export function parseWorkflow(file: string, text: string, filePath = path.join(WORKFLOW_DIR, file)): Workflow {
  const d = parseDocument(text);
  if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join("; ")}`);
  return { file, path: filePath, text, doc: d.toJS() as WorkflowDoc };
}

export function loadWorkflows(dir = WORKFLOW_DIR): Workflow[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => parseWorkflow(f, readFileSync(path.join(dir, f), "utf8"), path.join(dir, f)));
}

export function loadWorkflow(file: string): Workflow {
  return parseWorkflow(file, readFileSync(path.join(WORKFLOW_DIR, file), "utf8"));
}

/** A local action (`uses: ./.github/actions/x`). */
export function loadLocalAction(uses: string, root = ROOT): { path: string; text: string; doc: ActionDoc } {
  const dir = path.join(root, uses);
  const file = ["action.yml", "action.yaml"].map((f) => path.join(dir, f)).find((f) => existsSync(f));
  if (!file) throw new Error(`no action.yml in ${dir}`);
  const text = readFileSync(file, "utf8");
  return { path: file, text, doc: parse(text) as ActionDoc };
}

/** A step as it runs: inside a composite action, `via` names it and `inputs` are the caller's `with:`. */
export interface FlatStep {
  step: StepDoc;
  via?: { uses: string; with: Record<string, unknown>; caller: StepDoc };
}

/** A job's steps with local composite actions expanded in place. */
export function flatSteps(job: JobDoc): FlatStep[] {
  return (job.steps ?? []).flatMap((step): FlatStep[] => {
    if (typeof step.uses === "string" && step.uses.startsWith("./")) {
      const action = loadLocalAction(step.uses);
      if (action.doc.runs.using !== "composite") return [{ step }];
      return (action.doc.runs.steps ?? []).map((inner) => ({ step: inner, via: { uses: step.uses as string, with: step.with ?? {}, caller: step } }));
    }
    return [{ step }];
  });
}

/** What a simulated run is given. */
export interface Case {
  event: string;
  inputs?: Record<string, Value>;
  vars?: Record<string, Value>;
  secrets?: Record<string, Value>;
  /** Outputs of earlier steps, by step id. */
  outputs?: Record<string, Record<string, string>>;
  /** `needs.<job>.result`. @default success */
  needsResult?: string;
  status?: Status;
}

export const FAKE_VARS = { AZURE_CLIENT_ID: "11111111-1111-1111-1111-111111111111", AZURE_TENANT_ID: "22222222-2222-2222-2222-222222222222", AZURE_SUBSCRIPTION_ID: "33333333-3333-3333-3333-333333333333" };
const FAKE_SECRETS = { AYTQ_DR_SLACK_WEBHOOK: "https://hooks.slack.invalid/x", AYTQ_DR_TEAMS_WEBHOOK: "https://teams.invalid/x", AYTQ_DR_GITHUB_TOKEN: "github_pat_x", AYTQ_DR_HEARTBEAT_URL: "https://push.invalid/x", STATUSCAKE_API_TOKEN: "sc_x" };

function contexts(wf: Workflow, c: Case, matrix: Record<string, Value>, env: Record<string, string>, inputs: Record<string, Value>): Contexts {
  const outputs: Record<string, Value> = {};
  for (const [id, o] of Object.entries(c.outputs ?? {})) outputs[id] = { outputs: o, outcome: "success", conclusion: "success" };
  const needs: Record<string, Value> = {};
  for (const j of Object.keys(wf.doc.jobs)) needs[j] = { result: c.needsResult ?? "success", outputs: {} };
  return {
    github: {
      event_name: c.event,
      workspace: "/home/runner/work/aytq-dr/aytq-dr",
      server_url: "https://github.com",
      repository: "DFE-Digital/aytq-dr",
      run_id: "1234",
      token: "ghs_workflow_token",
      event: { pull_request: { number: 7, head: { repo: { full_name: "DFE-Digital/aytq-dr" } } } },
    },
    inputs,
    matrix,
    vars: { ...FAKE_VARS, ...(c.vars ?? {}) },
    secrets: { ...FAKE_SECRETS, ...(c.secrets ?? {}) },
    steps: outputs,
    env,
    runner: { temp: "/home/runner/work/_temp", os: "Linux" },
    needs,
    job: {},
    strategy: {},
  };
}

/** The matrix combinations of a job for a case (`include` / `exclude` are not used by these workflows). */
export function matrixOf(wf: Workflow, job: JobDoc, c: Case): Record<string, Value>[] {
  const m = job.strategy?.matrix;
  if (!m) return [{}];
  let combos: Record<string, Value>[] = [{}];
  for (const [key, raw] of Object.entries(m)) {
    if (key === "include" || key === "exclude") throw new Error(`${wf.file}: matrix ${key} is not supported by this model`);
    const values = interpolate(raw, contexts(wf, c, {}, {}, c.inputs ?? {}));
    if (!Array.isArray(values)) throw new Error(`${wf.file}: matrix.${key} is not a list: ${JSON.stringify(values)}`);
    combos = combos.flatMap((combo) => values.map((v) => ({ ...combo, [key]: v })));
  }
  return combos;
}

/** One aytq-dr command line a workflow runs. */
export interface Invocation {
  workflow: string;
  job: string;
  matrix: Record<string, Value>;
  /** The step's name or id (the composite action's step prefixed with the action). */
  step: string;
  /** The script's command, before expansion. */
  command: string;
  /** The step's environment after evaluation. */
  env: Record<string, string>;
  /** The words after `aytq-dr` (npm scripts resolved). */
  words: Word[];
  argv: string[];
}

const PACKAGE_SCRIPTS = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

/** The aytq-dr arguments of a simple command, or undefined when it does not run aytq-dr. */
function aytqDrWords(words: Word[]): Word[] | undefined {
  const v = words.map((w) => w.value);
  if (v[0] === "npx" && v[1] === "aytq-dr") return words.slice(2);
  if (v[0] === "aytq-dr") return words.slice(1);
  if (v[0] === "node" && v[1] === "bin/aytq-dr.js") return words.slice(2);
  if (v[0] === "npm" && v[1] === "run" && v[2] !== undefined) {
    const script = PACKAGE_SCRIPTS[v[2]];
    if (script === undefined) throw new Error(`npm run ${v[2]}: no such script in package.json`);
    const inner = aytqDrWords(expand(script, {}));
    if (!inner) return undefined;
    const dashdash = v.indexOf("--");
    return [...inner, ...(dashdash >= 0 ? words.slice(dashdash + 1) : [])];
  }
  return undefined;
}

/** Every aytq-dr command line a workflow would run for a case (jobs and steps whose `if` holds). */
export function invocations(wf: Workflow, c: Case): Invocation[] {
  const out: Invocation[] = [];
  const inputsOf = (): Record<string, Value> => ({ ...(c.inputs ?? {}) });
  for (const [jobName, job] of Object.entries(wf.doc.jobs)) {
    for (const matrix of matrixOf(wf, job, c)) {
      const wfEnv: Record<string, string> = {};
      for (const [k, v] of Object.entries(wf.doc.env ?? {})) wfEnv[k] = asString(interpolate(v, contexts(wf, c, matrix, wfEnv, inputsOf())));
      const jobCtx = contexts(wf, c, matrix, wfEnv, inputsOf());
      if (job.if !== undefined && !truthy(interpolate(typeof job.if === "string" && !job.if.includes("${{") ? `\${{ ${job.if} }}` : job.if, jobCtx, c.status))) continue;
      const jobEnv: Record<string, string> = { ...wfEnv };
      for (const [k, v] of Object.entries(job.env ?? {})) jobEnv[k] = asString(interpolate(v, contexts(wf, c, matrix, jobEnv, inputsOf())));
      for (const { step, via } of flatSteps(job)) {
        // inside a composite action, `inputs` are the caller's `with:` values (evaluated in the caller's context)
        let inputs = inputsOf();
        if (via) {
          const callerCtx = contexts(wf, c, matrix, jobEnv, inputsOf());
          inputs = Object.fromEntries(Object.entries(via.with).map(([k, v]) => [k, interpolate(v, callerCtx)]));
          if (via.caller.if !== undefined && !truthy(interpolate(wrapIf(via.caller.if), callerCtx, c.status))) continue;
        }
        const ctx = contexts(wf, c, matrix, jobEnv, inputs);
        if (step.if !== undefined && !truthy(interpolate(wrapIf(step.if), ctx, c.status))) continue;
        if (typeof step.run !== "string") continue;
        const env: Record<string, string> = { ...jobEnv };
        for (const [k, v] of Object.entries(step.env ?? {})) env[k] = asString(interpolate(v, contexts(wf, c, matrix, env, inputs)));
        const script = asString(interpolate(step.run, contexts(wf, c, matrix, env, inputs)));
        for (const command of commands(script)) {
          const words = aytqDrWords(expand(command, env));
          if (!words) continue;
          const label = `${via ? `${via.uses} > ` : ""}${step.name ?? step.id ?? command}`;
          out.push({ workflow: wf.file, job: jobName, matrix, step: label, command, env, words, argv: words.map((w) => w.value) });
        }
      }
    }
  }
  return out;
}

function wrapIf(cond: unknown): unknown {
  return typeof cond === "string" && !cond.includes("${{") ? `\${{ ${cond} }}` : cond;
}

/**
 * Every aytq-dr command line of a workflow with each of its variables set to a placeholder, so
 * that every flag appears, also those behind `${VAR:+...}`. Jobs and steps are not filtered.
 */
export function staticInvocations(wf: Workflow): Invocation[] {
  const out: Invocation[] = [];
  for (const [jobName, job] of Object.entries(wf.doc.jobs)) {
    for (const { step, via } of flatSteps(job)) {
      if (typeof step.run !== "string") continue;
      for (const command of commands(step.run)) {
        const placeholders = new Proxy({} as Record<string, string>, { get: (_t, name) => (typeof name === "string" ? `<${name}>` : undefined) });
        const words = aytqDrWords(expand(command, placeholders));
        if (!words) continue;
        out.push({ workflow: wf.file, job: jobName, matrix: {}, step: `${via ? `${via.uses} > ` : ""}${step.name ?? step.id ?? command}`, command, env: {}, words, argv: words.map((w) => w.value) });
      }
    }
  }
  return out;
}

/** What commander made of an argv: the command's path, its options and its arguments. */
export interface Parsed {
  path: string[];
  opts: Record<string, unknown>;
  args: string[];
}

const silentIO: CliIO = { out: () => undefined, err: () => undefined, isTTY: false, env: {} };

/** The names from the program down to a command (`["backups", "verify"]`). */
function pathOf(cmd: Command): string[] {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names;
}

/** Every command of the program, depth first. */
function allCommands(program: Command): Command[] {
  return program.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/**
 * Parse argv with aytq-dr's own command tree, every action replaced by a recorder: the flags,
 * subcommands, required options and argument counts are the commands' real definitions.
 * Resolves with what was parsed, or with commander's message when it refuses.
 */
export async function parseWithProgram(argv: readonly string[]): Promise<Parsed | { error: string }> {
  const errors: string[] = [];
  const program = buildProgram({ ...silentIO, err: (t) => errors.push(t) });
  let parsed: Parsed | undefined;
  // commander keeps the handler private; a group (`ci`, `backups`) has none and must keep none
  const hasAction = (c: Command): boolean => (c as unknown as { _actionHandler: unknown })._actionHandler !== null;
  for (const cmd of allCommands(program).filter(hasAction)) {
    cmd.action(function (this: Command) {
      parsed = { path: pathOf(this), opts: this.opts(), args: [...this.args] };
    });
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) return { error: errors.join(" ").trim() || err.message };
    throw err;
  }
  return parsed ?? { error: `"${argv.join(" ")}" runs no command` };
}
