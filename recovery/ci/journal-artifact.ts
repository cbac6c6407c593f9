/**
 * A run's journal across workflow runs. The run that writes a journal uploads its folder as an
 * artifact named by `journalArtifactName`; a later workflow run resuming it finds the newest
 * artifact of that name that a run of recover.yml, dispatched on the default branch of this
 * repository, uploaded (`findJournalArtifact`, through GitHub's REST API: anyone who can run a
 * workflow here, a fork's pull request included, can upload an artifact of that name), downloads it, and
 * `importJournal` (journal-import.ts) puts it where `aytq-dr run --resume` looks.
 */
import { z } from "zod";
import type { StackName } from "../../infra/config";
import { ToolError, UsageError } from "../errors";
import { DEFAULT_GITHUB_API_URL, GithubFailure, INSECURE_GITHUB_API_URL_FIX, githubFailure, githubGet, insecureGithubApiUrl, maskGithubToken, type GithubAccessFixes, type GithubAnswer, type GithubRequestOptions } from "../github/client";
import { runDir } from "../runbook/journal";

/** `aytq-dr-journal-<stack>-<run-id>`: one name per run, uploaded again by every workflow run that continues it. */
export function journalArtifactName(stack: string, runId: string): string {
  return `aytq-dr-journal-${stack}-${runId}`;
}

/** `aytq-dr-report-<stack>-<run-id>`. */
export function reportArtifactName(stack: string, runId: string): string {
  return `aytq-dr-report-${stack}-${runId}`;
}

/** The only workflow whose journals a recovery resumes: the one that writes them (recover.yml), ... */
const RECOVER_WORKFLOW = ".github/workflows/recover.yml";
/** ... started by hand (the Actions tab or `gh workflow run`), never by a push, a schedule or a pull request. */
const RECOVER_EVENT = "workflow_dispatch";

/** What GitHub's "List artifacts for a repository" returns, as far as it is used here. */
const ArtifactList = z.object({
  total_count: z.number(),
  artifacts: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      expired: z.boolean(),
      created_at: z.string().nullable().optional(),
      workflow_run: z
        .object({
          id: z.number().optional(),
          repository_id: z.number().nullable().optional(),
          head_repository_id: z.number().nullable().optional(),
          head_branch: z.string().nullable().optional(),
        })
        .nullable()
        .optional(),
    }),
  ),
});
export type ArtifactListing = z.infer<typeof ArtifactList>["artifacts"][number];

/** "Get a repository", as far as it is used here. */
const RepositoryBody = z.looseObject({ id: z.number(), full_name: z.string(), default_branch: z.string() });
const RepoLite = z.looseObject({ id: z.number(), full_name: z.string() });
/** "Get a workflow run", as far as it is used here. */
const WorkflowRunBody = z.looseObject({
  id: z.number(),
  event: z.string(),
  path: z.string(),
  head_branch: z.string().nullable(),
  repository: RepoLite.nullable().optional(),
  head_repository: RepoLite.nullable().optional(),
  html_url: z.string().optional(),
});

/** The repository the journal is looked for in, as GitHub has it. */
interface RepositoryFacts {
  id: number;
  fullName: string;
  defaultBranch: string;
}

/** The workflow run that uploaded an artifact, as GitHub has it. */
interface WorkflowRunFacts {
  id: number;
  event: string;
  /** The workflow file: `.github/workflows/recover.yml`, or with the ref (`...@main`) as GitHub's docs show it. */
  path: string;
  headBranch: string | null;
  repository?: { id: number; fullName: string } | null;
  /** The repository the run's code came from: a fork's, for a pull request from a fork. */
  headRepository?: { id: number; fullName: string } | null;
  htmlUrl?: string;
}

/** An artifact of the journal's name that a recovery does not take, and why. */
interface UntrustedArtifact {
  artifactId: number;
  workflowRunId: number;
  createdAt: string;
  /** What GitHub says of its run; undefined when GitHub has no such run. */
  run?: WorkflowRunFacts;
  reasons: string[];
}

export interface FoundJournal {
  artifactName: string;
  artifactId: number;
  /** The workflow run that uploaded it: what actions/download-artifact takes as `run-id`. */
  workflowRunId: number;
  createdAt: string;
  /** Newer artifacts of the same name, from runs not trusted, that were passed over. */
  setAside: UntrustedArtifact[];
}

/** Text from GitHub (a branch name, a repository) shown in a message: no control characters, never long. */
function shown(text: string | null | undefined): string {
  if (text === null || text === undefined) return "(none)";
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, "?");
  return flat.length > 100 ? `${flat.slice(0, 100)}...` : flat;
}

/**
 * Why a journal uploaded by `run` must not be resumed in `repo`; empty when it may: a run of this
 * repository (not a fork), on its default branch, of recover.yml, started by workflow_dispatch.
 * The artifact's own `workflow_run` ids are checked too, when GitHub gives them.
 */
function untrustedBecause(artifact: ArtifactListing, run: WorkflowRunFacts, repo: RepositoryFacts): string[] {
  const reasons: string[] = [];
  const same = (r: { id: number; fullName: string }) => r.id === repo.id && r.fullName.toLowerCase() === repo.fullName.toLowerCase();
  const listed = artifact.workflow_run;
  if (run.repository ? !same(run.repository) : typeof listed?.repository_id === "number" && listed.repository_id !== repo.id) {
    reasons.push(`a run of ${run.repository ? shown(run.repository.fullName) : `repository id ${listed?.repository_id}`}, not ${repo.fullName}`);
  }
  if (!run.headRepository || !same(run.headRepository) || (typeof listed?.head_repository_id === "number" && listed.head_repository_id !== repo.id)) {
    reasons.push(`its code came from ${run.headRepository ? shown(run.headRepository.fullName) : "a repository GitHub does not name"}, not ${repo.fullName}`);
  }
  if (run.headBranch !== repo.defaultBranch) reasons.push(`it ran on branch ${shown(run.headBranch)}, not the default branch ${repo.defaultBranch}`);
  const at = run.path.indexOf("@");
  const file = at >= 0 ? run.path.slice(0, at) : run.path;
  const ref = at >= 0 ? run.path.slice(at + 1) : undefined;
  if (file !== RECOVER_WORKFLOW) reasons.push(`it is a run of ${shown(file)}, not ${RECOVER_WORKFLOW}`);
  else if (ref !== undefined && ref !== repo.defaultBranch && ref !== `refs/heads/${repo.defaultBranch}`) reasons.push(`it ran ${RECOVER_WORKFLOW} as of ${shown(ref)}, not ${repo.defaultBranch}`);
  if (run.event !== RECOVER_EVENT) reasons.push(`it was started by ${shown(run.event)}, not ${RECOVER_EVENT}`);
  return reasons;
}

/** `artifact 6 of workflow run 666 (event pull_request, branch main of someone/fork, workflow .github/workflows/preview.yml)`. */
function describeUntrusted(u: UntrustedArtifact, repo: RepositoryFacts): string {
  const r = u.run;
  if (!r) return `artifact ${u.artifactId} of workflow run ${u.workflowRunId} (GitHub has no such run in ${repo.fullName})`;
  const fork = r.headRepository && r.headRepository.fullName.toLowerCase() !== repo.fullName.toLowerCase() ? ` of ${shown(r.headRepository.fullName)}` : "";
  return `artifact ${u.artifactId} of workflow run ${u.workflowRunId} (event ${shown(r.event)}, branch ${shown(r.headBranch)}${fork}, workflow ${shown(r.path)}, uploaded ${u.createdAt || "at an unknown time"})`;
}

/**
 * The artifacts a resume may come from, newest first: unexpired, of that exact name, with the
 * workflow run that uploaded them (every workflow run that continued the run uploaded a newer
 * journal). Whether each run is trusted is asked next. Throws a UsageError when there is none.
 */
export function journalCandidates(artifacts: readonly ArtifactListing[], name: string, runId: string): ArtifactListing[] {
  const named = artifacts.filter((a) => a.name === name);
  const usable = named
    .filter((a) => !a.expired && a.workflow_run?.id !== undefined)
    .sort((a, b) => Date.parse(b.created_at ?? "") - Date.parse(a.created_at ?? "") || b.id - a.id);
  if (usable.length > 0) return usable;
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
  /** A token that may read the repository's Actions artifacts and runs (`permissions: actions: read`); never printed. */
  token: string;
  /** https only; plain http only to this machine (the tests' stand-in). @default https://api.github.com (GITHUB_API_URL) */
  apiUrl?: string;
  fetch?: typeof fetch;
  /** Per request. @default 15000 */
  timeoutMs?: number;
  /** Where to say that a newer, untrusted artifact was set aside. @default standard error */
  log?: (line: string) => void;
}

const ARTIFACT_FIXES: GithubAccessFixes = {
  unauthorized: "the job that looks for the journal needs `permissions: actions: read` and GITHUB_TOKEN set to ${{ github.token }}",
  forbidden: "the job that looks for the journal needs `permissions: actions: read` and GITHUB_TOKEN set to ${{ github.token }}",
  notFound: "check --repository (default GITHUB_REPOSITORY); the job that looks for the journal needs `permissions: actions: read` and GITHUB_TOKEN set to ${{ github.token }}",
};

/** Pages of "List artifacts for a repository" read at most (100 artifacts each). */
const MAX_ARTIFACT_PAGES = 10;

/**
 * Ask GitHub for the journal artifact of a run: `GET /repos/{repository}`, then
 * `GET /repos/{repository}/actions/artifacts?name=...`, then, newest first, `GET
 * /repos/{repository}/actions/runs/{run_id}` of the run that uploaded each artifact until one is
 * trusted (`untrustedBecause`). Newer untrusted ones are set aside and said so (`log`); when none
 * is trusted, a UsageError (exit 2) names the newest: its run, branch and event. The token goes
 * only to an https URL (or to this machine), in a header, and never into a message.
 */
export async function findJournalArtifact(o: FindOptions): Promise<FoundJournal> {
  runDir("", o.stack, o.runId); // refuses a run id that is not one
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(o.repository)) throw new UsageError(`"${o.repository}" is not owner/name`, "run inside GitHub Actions (GITHUB_REPOSITORY), or pass --repository owner/name");
  const name = journalArtifactName(o.stack, o.runId);
  const base = (o.apiUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, "");
  const insecure = insecureGithubApiUrl(base);
  if (insecure) throw new UsageError(insecure, INSECURE_GITHUB_API_URL_FIX);
  const req: GithubRequestOptions = { token: o.token, baseUrl: base, timeoutMs: o.timeoutMs ?? 15_000, again: "run the workflow again", fetch: o.fetch };
  const toolError = (f: GithubFailure) => new ToolError(maskGithubToken(f.detail, o.token), maskGithubToken(f.fix, o.token));
  const ask = async (path: string): Promise<GithubAnswer> => {
    try {
      return await githubGet(req, path);
    } catch (err) {
      throw err instanceof GithubFailure ? toolError(err) : err;
    }
  };
  const expect = <T>(a: GithubAnswer, what: string, schema: z.ZodType<T>): T => {
    if (a.status !== 200) throw toolError(githubFailure(a, what, req, ARTIFACT_FIXES));
    const parsed = schema.safeParse(a.body);
    if (!parsed.success) throw new ToolError(`GitHub's answer for ${what} is not in the expected shape`, `check ${base} is GitHub's REST API (GITHUB_API_URL)`);
    return parsed.data;
  };
  const repoPath = `/repos/${o.repository}`;

  const repoBody = expect(await ask(repoPath), o.repository, RepositoryBody);
  const repo: RepositoryFacts = { id: repoBody.id, fullName: repoBody.full_name, defaultBranch: repoBody.default_branch };

  const artifacts: ArtifactListing[] = [];
  for (let page = 1; page <= MAX_ARTIFACT_PAGES; page++) {
    const list = expect(await ask(`${repoPath}/actions/artifacts?name=${encodeURIComponent(name)}&per_page=100${page > 1 ? `&page=${page}` : ""}`), `the artifacts of ${o.repository}`, ArtifactList);
    artifacts.push(...list.artifacts);
    if (list.artifacts.length < 100 || artifacts.length >= list.total_count) break;
  }

  const setAside: UntrustedArtifact[] = [];
  for (const a of journalCandidates(artifacts, name, o.runId)) {
    const workflowRunId = a.workflow_run?.id as number;
    const answer = await ask(`${repoPath}/actions/runs/${workflowRunId}`);
    let run: WorkflowRunFacts | undefined;
    if (answer.status !== 404) {
      const r = expect(answer, `workflow run ${workflowRunId} of ${o.repository}`, WorkflowRunBody);
      const lite = (x: z.infer<typeof RepoLite> | null | undefined) => (x ? { id: x.id, fullName: x.full_name } : x);
      run = { id: r.id, event: r.event, path: r.path, headBranch: r.head_branch, repository: lite(r.repository), headRepository: lite(r.head_repository), htmlUrl: r.html_url };
    }
    const reasons = run ? untrustedBecause(a, run, repo) : [`GitHub has no workflow run ${workflowRunId} in ${repo.fullName}`];
    if (reasons.length === 0) {
      const log = o.log ?? ((line: string) => process.stderr.write(line + "\n"));
      for (const u of setAside) log(`WARNING: set aside a newer journal artifact ${name}: ${describeUntrusted(u, repo)}: ${u.reasons.join("; ")}; using artifact ${a.id} of workflow run ${workflowRunId}`);
      return { artifactName: name, artifactId: a.id, workflowRunId, createdAt: a.created_at ?? "", setAside };
    }
    setAside.push({ artifactId: a.id, workflowRunId, createdAt: a.created_at ?? "", run, reasons });
  }
  const newest = setAside[0];
  const more = setAside.length > 1 ? `; ${setAside.length - 1} older artifact(s) of that name are not trusted either (workflow runs ${setAside.slice(1).map((u) => u.workflowRunId).join(", ")})` : "";
  throw new UsageError(
    `the journal artifact ${name} was not uploaded by a run aytq-dr trusts: ${describeUntrusted(newest, repo)}: ${newest.reasons.join("; ")}${more}`,
    `a journal is resumed only from a run of ${RECOVER_WORKFLOW} started by ${RECOVER_EVENT} on ${repo.defaultBranch} of ${repo.fullName}; check the run id, and look at workflow run ${newest.workflowRunId}${newest.run?.htmlUrl ? ` (${shown(newest.run.htmlUrl)})` : ""}: an artifact from a pull request or a fork may be an attempt to feed a recovery its journal and config; to recover now, start a new run of the scenario`,
  );
}
