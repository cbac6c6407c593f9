/**
 * A run's journal across workflow runs. The run that writes a journal uploads its folder as an
 * artifact named by `journalArtifactName`; a later workflow run resuming it finds the newest
 * artifact of that name through GitHub's REST API (`findJournalArtifact`), downloads it, and
 * `importJournal` puts it where `aytq-dr run --resume` looks (`<state dir>/<stack>/<run-id>/`),
 * checks it is the run asked for, and puts the run's stack config back (stack-config.ts).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import type { StackName } from "../../infra/config";
import { ToolError, UsageError } from "../errors";
import { resumeIndex, runDir, type RunMeta } from "../runbook/journal";
import { SCENARIOS, type ScenarioName, type StepRecord } from "../runbook/ports";
import { SCENARIO_STEPS } from "../runbook/scenarios";
import { readStackConfigSnapshot, restoreStackConfig, type RestoredKey } from "./stack-config";

/** `aytq-dr-journal-<stack>-<run-id>`: one name per run, uploaded again by every workflow run that continues it. */
export function journalArtifactName(stack: string, runId: string): string {
  return `aytq-dr-journal-${stack}-${runId}`;
}

/** `aytq-dr-report-<stack>-<run-id>`. */
export function reportArtifactName(stack: string, runId: string): string {
  return `aytq-dr-report-${stack}-${runId}`;
}

/** What GitHub's "list artifacts for a repository" returns, as far as it is used here. */
const ArtifactList = z.object({
  total_count: z.number(),
  artifacts: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      expired: z.boolean(),
      created_at: z.string().nullable().optional(),
      workflow_run: z.object({ id: z.number().optional(), head_branch: z.string().nullable().optional() }).nullable().optional(),
    }),
  ),
});
export type ArtifactListing = z.infer<typeof ArtifactList>["artifacts"][number];

export interface FoundJournal {
  artifactName: string;
  artifactId: number;
  /** The workflow run that uploaded it: what actions/download-artifact takes as `run-id`. */
  workflowRunId: number;
  createdAt: string;
}

/**
 * The artifact to resume from: the newest unexpired one of that exact name (every workflow run
 * that continued the run uploaded a newer journal). Throws a UsageError naming what was found.
 */
export function pickJournalArtifact(artifacts: readonly ArtifactListing[], name: string, runId: string): FoundJournal {
  const named = artifacts.filter((a) => a.name === name);
  const usable = named
    .filter((a) => !a.expired && a.workflow_run?.id !== undefined)
    .sort((a, b) => Date.parse(b.created_at ?? "") - Date.parse(a.created_at ?? "") || b.id - a.id);
  const best = usable[0];
  if (best?.workflow_run?.id !== undefined) return { artifactName: name, artifactId: best.id, workflowRunId: best.workflow_run.id, createdAt: best.created_at ?? "" };
  if (named.length > 0) {
    throw new UsageError(
      `the journal of run ${runId} (artifact ${name}) has expired: GitHub deleted its files`,
      "a run cannot be resumed without its journal: start a new run of the scenario (each step finds the stack as the old run left it)",
    );
  }
  throw new UsageError(
    `no journal artifact ${name} in this repository`,
    "check the run id (the summary of the run that started it shows it) and the environment: journals are kept per environment",
  );
}

export interface FindOptions {
  stack: StackName;
  runId: string;
  /** `owner/name` (GITHUB_REPOSITORY). */
  repository: string;
  /** A token that may read the repository's Actions artifacts (`permissions: actions: read`); never printed. */
  token: string;
  /** @default https://api.github.com (GITHUB_API_URL) */
  apiUrl?: string;
  fetch?: typeof fetch;
  /** Per request. @default 15000 */
  timeoutMs?: number;
}

/** Ask GitHub for the journal artifact of a run (`GET /repos/{repository}/actions/artifacts?name=...`). */
export async function findJournalArtifact(o: FindOptions): Promise<FoundJournal> {
  runDir("", o.stack, o.runId); // refuses a run id that is not one
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(o.repository)) throw new UsageError(`"${o.repository}" is not owner/name`, "run inside GitHub Actions (GITHUB_REPOSITORY), or pass --repository owner/name");
  const name = journalArtifactName(o.stack, o.runId);
  const base = (o.apiUrl ?? "https://api.github.com").replace(/\/+$/, "");
  const url = `${base}/repos/${o.repository}/actions/artifacts?name=${encodeURIComponent(name)}&per_page=100`;
  const doFetch = o.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, {
      headers: { authorization: `Bearer ${o.token}`, accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28", "user-agent": "aytq-dr" },
      signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
    });
  } catch (err) {
    throw new ToolError(`could not reach GitHub's API at ${base}: ${(err as Error).message}`, "run the workflow again; if it keeps failing, see https://www.githubstatus.com");
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403 || res.status === 404) {
    throw new ToolError(
      `GitHub refused to list the artifacts of ${o.repository} (HTTP ${res.status})`,
      "the job that looks for the journal needs `permissions: actions: read` and GITHUB_TOKEN set to ${{ github.token }}",
    );
  }
  if (!res.ok) throw new ToolError(`GitHub answered HTTP ${res.status} listing the artifacts of ${o.repository}`, "run the workflow again later");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = ArtifactList.safeParse(body);
  if (!parsed.success) throw new ToolError(`GitHub's artifact list for ${o.repository} is not in the expected shape`, `check ${base} is GitHub's REST API (GITHUB_API_URL)`);
  return pickJournalArtifact(parsed.data.artifacts, name, o.runId);
}

export interface ImportOptions {
  /** Where the artifact was downloaded. */
  from: string;
  /** AYTQ_DR_STATE_DIR. */
  stateDir: string;
  stack: StackName;
  runId: string;
  /** The checkout whose Pulumi.<stack>.yaml gets the run's config back. */
  root: string;
}

export interface ImportedJournal {
  meta: RunMeta;
  records: StepRecord[];
  /** Lines of journal.jsonl that are not JSON (a crash mid-write): the step they describe runs again. */
  tornLines: number;
  /** Completed steps, in scenario order. */
  done: string[];
  /** The step a resume starts with; undefined when the run had completed. */
  next: string | undefined;
  restored: RestoredKey[];
  /** Whether the artifact carried a config snapshot (journals of older aytq-dr versions do not). */
  hadSnapshot: boolean;
  dir: string;
}

/** Folders under `root` (depth <= 3) holding a run.json. */
function runFolders(root: string, depth = 0): string[] {
  if (!existsSync(root) || !statSync(root).isDirectory()) return [];
  const here = existsSync(path.join(root, "run.json")) ? [root] : [];
  if (depth >= 3) return here;
  return [...here, ...readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) => runFolders(path.join(root, d.name), depth + 1))];
}

function readMeta(folder: string): Partial<RunMeta> | undefined {
  try {
    return JSON.parse(readFileSync(path.join(folder, "run.json"), "utf8")) as Partial<RunMeta>;
  } catch {
    return undefined;
  }
}

/**
 * Put a downloaded journal where `run --resume` finds it, after checking it is the run asked for,
 * and put the run's stack config back. Refuses (and changes nothing) when the download holds no
 * journal of that run, a journal of another stack, or when the state dir already has that run.
 */
export function importJournal(o: ImportOptions): ImportedJournal {
  const target = runDir(o.stateDir, o.stack, o.runId);
  const folders = runFolders(o.from);
  const found = folders.map((f) => ({ folder: f, meta: readMeta(f) })).filter((f) => f.meta?.runId === o.runId);
  if (found.length === 0) {
    const others = folders.map((f) => readMeta(f)?.runId ?? `${f} (run.json is not JSON)`);
    throw new UsageError(
      `the download in ${o.from} holds no journal of run ${o.runId}${others.length ? `; it holds: ${others.join(", ")}` : " (no run.json at all)"}`,
      `check the resume input: it is the run id the earlier run's summary shows (${journalArtifactName(o.stack, "<run-id>")})`,
    );
  }
  if (found.length > 1) throw new UsageError(`the download in ${o.from} holds run ${o.runId} ${found.length} times: ${found.map((f) => f.folder).join(", ")}`, "download only the newest journal artifact");
  const { folder, meta } = found[0];
  const problems: string[] = [];
  if (meta?.stack !== o.stack) problems.push(`it is a run on ${String(meta?.stack)}, not ${o.stack}`);
  if (!(SCENARIOS as readonly string[]).includes(String(meta?.scenario))) problems.push(`its scenario "${String(meta?.scenario)}" is not one of ${SCENARIOS.join(", ")}`);
  if (typeof meta?.createdAt !== "string" || Number.isNaN(Date.parse(meta.createdAt))) problems.push("it has no start time (createdAt)");
  if (meta?.inputs === null || typeof meta?.inputs !== "object") problems.push("it has no inputs");
  if (problems.length) throw new UsageError(`the journal of run ${o.runId} cannot be resumed here:\n  - ${problems.join("\n  - ")}`, meta?.stack && meta.stack !== o.stack ? `resume it with environment ${String(meta.stack)}` : "the artifact is damaged: start a new run of the scenario");
  const full = meta as RunMeta;
  if (existsSync(path.join(target, "run.json"))) {
    throw new UsageError(`${target} already holds run ${o.runId}: nothing was imported`, "resume from that folder as it is, or remove it first if the download is the newer journal");
  }
  const snapshot = readStackConfigSnapshot(folder);
  // read everything before changing anything: a damaged snapshot must leave no half import
  const lines = existsSync(path.join(folder, "journal.jsonl")) ? readFileSync(path.join(folder, "journal.jsonl"), "utf8").split("\n").filter((l) => l.trim()) : [];
  const records: StepRecord[] = [];
  let tornLines = 0;
  for (const line of lines) {
    try {
      records.push(JSON.parse(line) as StepRecord);
    } catch {
      tornLines++;
    }
  }
  const restored = snapshot ? restoreStackConfig(o.root, o.stack, snapshot) : [];
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isFile()) copyFileSync(path.join(folder, entry.name), path.join(target, entry.name));
  }
  const steps = SCENARIO_STEPS[full.scenario as ScenarioName];
  const start = resumeIndex(steps, records);
  return { meta: full, records, tornLines, done: steps.slice(0, start), next: steps[start], restored, hadSnapshot: snapshot !== undefined, dir: target };
}

/** Markdown for the job summary of a resumed run. */
export function importedJournalMarkdown(j: ImportedJournal): string {
  const lines = [
    `### Resuming run \`${j.meta.runId}\``,
    "",
    `${j.meta.scenario} on ${j.meta.stack}, started ${j.meta.createdAt}.`,
    "",
    `- done: ${j.done.length ? j.done.join(", ") : "nothing yet"}`,
    `- next: ${j.next ?? "nothing: the run had completed"}`,
  ];
  if (j.tornLines) lines.push(`- ${j.tornLines} journal line(s) cut off by a crash: the step they describe runs again`);
  if (!j.hadSnapshot) lines.push("- **the journal carries no stack config**: the steps already done are not in this checkout's stack file, so the next preview may be refused by the gate");
  else if (j.restored.length) lines.push(`- stack config put back: ${j.restored.map((r) => `\`${r.key}\``).join(", ")}`);
  else lines.push("- stack config: as committed (the run had changed nothing yet, or had put everything back)");
  return lines.join("\n") + "\n";
}
