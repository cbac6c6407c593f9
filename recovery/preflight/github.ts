/**
 * GitHub's REST API: the one client aytq-dr has (`githubGet`: https only, one line and a fix for
 * every failure), and what pre-flight asks with it: may the token edit branch protection, what is
 * the live rule of a branch, is a workflow enabled. `ci find-journal` (ci/journal-artifact.ts) asks
 * through the same client. The token (GITHUB_TOKEN, the variable the Pulumi provider reads too) is
 * sent in a header and never appears in a message or a fix.
 */
import { z } from "zod";
import type { GithubBranchProtectionAnswer, LiveActor, LiveBranchProtection } from "./branch-protection";
import { envValue } from "../util/env";

export const DEFAULT_GITHUB_API_URL = "https://api.github.com";
export const GITHUB_TIMEOUT_MS = 10_000;

export interface GithubClientOptions {
  /** The token; never printed. */
  token: string | undefined;
  /** REST API root. @default DEFAULT_GITHUB_API_URL */
  baseUrl?: string;
  /** Per request. @default GITHUB_TIMEOUT_MS */
  timeoutMs?: number;
}

/** GITHUB_TOKEN, and GITHUB_API_URL when set (GitHub Actions sets it; tests point it at a local server). */
export function githubOptionsFromEnv(env: NodeJS.ProcessEnv): GithubClientOptions {
  return { token: envValue(env, "GITHUB_TOKEN"), baseUrl: envValue(env, "GITHUB_API_URL") };
}

/** A request that could not be made or was refused: one line and its fix, never the token. */
export class GithubFailure extends Error {
  constructor(
    public readonly detail: string,
    public readonly fix: string,
  ) {
    super(detail);
  }
}

/** GitHub's answer: status, headers and the parsed JSON body (undefined when it is not JSON). */
export interface GithubAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** How one caller talks to GitHub: the token (never printed), the API root, a deadline, what to do once a failure is fixed. */
export interface GithubRequestOptions {
  token: string;
  baseUrl: string;
  timeoutMs: number;
  /** What the reader does after fixing a failure, e.g. "run aytq-dr preflight again". */
  again: string;
  fetch?: typeof fetch;
}

/** What to do when GitHub refuses the token (401), the access (403) or cannot see the thing (404). */
export interface GithubAccessFixes {
  unauthorized: string;
  forbidden: string;
  notFound: string;
}

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max - 3) + "..." : flat;
}

function messageOf(body: unknown): string | undefined {
  const m = (body as { message?: unknown } | null)?.message;
  return typeof m === "string" ? oneLine(m) : undefined;
}

function rateLimitReset(headers: Headers): string | undefined {
  const reset = Number(headers.get("x-ratelimit-reset"));
  if (Number.isFinite(reset) && reset > 0) return `it resets at ${new Date(reset * 1000).toISOString()}`;
  const after = Number(headers.get("retry-after"));
  if (Number.isFinite(after) && after > 0) return `GitHub asks to retry after ${after} s`;
  return undefined;
}

/** The fixes for pre-flight's branch protection reads (the token of AYTQ_DR_GITHUB_TOKEN, admin on the app's repository). */
function branchProtectionFixes(repository: string): GithubAccessFixes {
  return {
    unauthorized: `the token is wrong, expired or revoked: create one with admin rights on ${repository} (fine-grained: Administration read and write) and export it as GITHUB_TOKEN`,
    forbidden: `the token needs admin rights on ${repository} (fine-grained: Administration read and write; classic: repo scope, held by an admin), authorised for the organisation's SSO`,
    notFound: `check pipeline.repository and pipeline.branch, and that the token can see ${repository} (a fine-grained token lists its repositories; reading protection needs Administration read)`,
  };
}

/** Turn a non-2xx answer into one line and its fix. `what` names what was asked for. */
export function githubFailure(a: GithubAnswer, what: string, o: Pick<GithubRequestOptions, "baseUrl" | "again">, fixes: GithubAccessFixes): GithubFailure {
  const message = messageOf(a.body);
  const http = `HTTP ${a.status}${message ? `: ${message}` : ""}`;
  const limited =
    (a.status === 403 || a.status === 429) && (a.headers.get("x-ratelimit-remaining") === "0" || a.headers.has("retry-after") || /rate limit/i.test(message ?? ""));
  if (limited) {
    const reset = rateLimitReset(a.headers);
    return new GithubFailure(
      `GitHub's API rate limit for this token is used up (${http})${reset ? `; ${reset}` : ""}`,
      `wait${reset ? ` (${reset})` : " a few minutes"} and ${o.again}; jobs that share this token share its limit`,
    );
  }
  if (a.status === 401) return new GithubFailure(`GitHub refused GITHUB_TOKEN (${http})`, fixes.unauthorized);
  if (a.status === 403) return new GithubFailure(`GitHub refused access to ${what} (${http})`, fixes.forbidden);
  if (a.status === 404) return new GithubFailure(`GitHub answered 404 for ${what} (${http}): it does not exist, or the token cannot see it`, fixes.notFound);
  if (a.status >= 500) return new GithubFailure(`GitHub answered ${http} for ${what}`, `GitHub may be having trouble (https://www.githubstatus.com): ${o.again} later`);
  return new GithubFailure(`GitHub answered ${http} for ${what}`, `check ${o.baseUrl} is GitHub's REST API (GITHUB_API_URL) and ${o.again}`);
}

/**
 * Why the token must not be sent to `baseUrl`, or undefined when it may: only https, or plain
 * http to this machine (127.0.0.0/8, ::1, localhost), which is what the tests' stand-ins listen on.
 */
export function insecureGithubApiUrl(baseUrl: string): string | undefined {
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    return `the GitHub API URL "${oneLine(baseUrl, 80)}" is not a URL`;
  }
  if (u.protocol === "https:") return undefined;
  const loopback = u.hostname === "localhost" || u.hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(u.hostname);
  if (u.protocol === "http:" && loopback) return undefined;
  return `the GitHub API URL ${u.protocol}//${u.host} is not https: GITHUB_TOKEN is not sent over ${u.protocol.replace(/:$/, "")}`;
}

/** The fix for an API URL the token may not be sent to. */
export const INSECURE_GITHUB_API_URL_FIX =
  "set GITHUB_API_URL to GitHub's API over https (https://api.github.com; GitHub Enterprise Server: https://<host>/api/v3), or unset it; plain http is accepted only to this machine (127.0.0.1, ::1, localhost)";

/** GET a path of GitHub's REST API. Throws a GithubFailure when the URL is not https, or GitHub cannot be reached in time; any HTTP status is an answer. */
export function githubGet(opts: GithubRequestOptions, path: string): Promise<GithubAnswer> {
  return githubRequest(opts, "GET", path);
}

/** One request to GitHub's REST API (a JSON body for POST). Failures to reach it throw a GithubFailure; any HTTP status is an answer. */
export async function githubRequest(opts: GithubRequestOptions, method: "GET" | "POST" | "DELETE", path: string, json?: unknown): Promise<GithubAnswer> {
  const insecure = insecureGithubApiUrl(opts.baseUrl);
  if (insecure) throw new GithubFailure(insecure, INSECURE_GITHUB_API_URL_FIX);
  const url = opts.baseUrl.replace(/\/+$/, "") + path;
  try {
    const res = await (opts.fetch ?? fetch)(url, {
      method,
      headers: {
        authorization: `Bearer ${opts.token}`,
        accept: "application/vnd.github+json",
        "x-github-api-version": "2022-11-28",
        "user-agent": "aytq-dr",
        ...(json === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    const text = await res.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, headers: res.headers, body };
  } catch (err) {
    const e = err as Error;
    if (e.name === "TimeoutError" || e.name === "AbortError") {
      throw new GithubFailure(`GitHub did not answer within ${opts.timeoutMs / 1000} s (${opts.baseUrl})`, `check this machine reaches ${opts.baseUrl} (proxy, firewall, VPN) and ${opts.again}`);
    }
    const cause = (e.cause as Error | undefined)?.message ?? e.message;
    throw new GithubFailure(`GitHub not reachable at ${opts.baseUrl}: ${oneLine(cause)}`, `check this machine reaches ${opts.baseUrl} (proxy, firewall, VPN; GITHUB_API_URL if set) and ${opts.again}`);
  }
}

/** Every occurrence of the token replaced by [GITHUB_TOKEN]: for any text built from an answer. */
export function maskGithubToken(text: string, token: string): string {
  return token.length > 0 ? text.split(token).join("[GITHUB_TOKEN]") : text;
}

// GitHub's answer for GET /repos/{owner}/{repo}/branches/{branch}/protection. Loose: only what we compare.
const enabled = z.looseObject({ enabled: z.boolean() }).optional();
const actorLists = z
  .looseObject({
    users: z.array(z.looseObject({ login: z.string(), node_id: z.string().optional() })).default([]),
    teams: z.array(z.looseObject({ slug: z.string(), node_id: z.string().optional() })).default([]),
    apps: z.array(z.looseObject({ slug: z.string().optional(), node_id: z.string().optional() })).default([]),
  })
  .optional();
const protectionBody = z.looseObject({
  required_status_checks: z
    .looseObject({
      strict: z.boolean().optional(),
      contexts: z.array(z.string()).optional(),
      checks: z.array(z.looseObject({ context: z.string() })).optional(),
    })
    .optional(),
  enforce_admins: enabled,
  required_pull_request_reviews: z
    .looseObject({
      dismiss_stale_reviews: z.boolean().optional(),
      require_code_owner_reviews: z.boolean().optional(),
      required_approving_review_count: z.number().int().optional(),
      require_last_push_approval: z.boolean().optional(),
      dismissal_restrictions: actorLists,
      bypass_pull_request_allowances: actorLists,
    })
    .optional(),
  restrictions: actorLists,
  required_signatures: enabled,
  required_linear_history: enabled,
  allow_force_pushes: enabled,
  allow_deletions: enabled,
  block_creations: enabled,
  required_conversation_resolution: enabled,
  lock_branch: enabled,
});
type ActorLists = z.output<typeof actorLists>;

function actorsOf(lists: ActorLists, org: string): LiveActor[] {
  if (!lists) return [];
  return [
    ...lists.users.map((u) => ({ name: `/${u.login}`, nodeId: u.node_id })),
    ...lists.teams.map((t) => ({ name: `${org}/${t.slug}`, nodeId: t.node_id })),
    // the provider names apps only by node ID
    ...lists.apps.map((a) => ({ name: a.node_id ?? a.slug ?? "(an app)", nodeId: a.node_id })),
  ];
}

/** The REST answer in the shape pre-flight compares. Throws with the first thing that does not fit. */
export function liveRuleFromRest(body: unknown, org: string): LiveBranchProtection {
  const b = protectionBody.parse(body);
  const r = b.required_pull_request_reviews;
  const sc = b.required_status_checks;
  const on = (x: { enabled: boolean } | undefined) => x?.enabled === true;
  return {
    reviews: r && {
      requiredApprovingReviewCount: r.required_approving_review_count ?? 0,
      dismissStaleReviews: r.dismiss_stale_reviews === true,
      requireCodeOwnerReviews: r.require_code_owner_reviews === true,
      requireLastPushApproval: r.require_last_push_approval === true,
      // GitHub lists dismissal_restrictions only when dismissals are restricted
      restrictDismissals: r.dismissal_restrictions !== undefined,
      dismissalRestrictions: actorsOf(r.dismissal_restrictions, org),
      pullRequestBypassers: actorsOf(r.bypass_pull_request_allowances, org),
    },
    requiredStatusChecks: sc && { strict: sc.strict === true, contexts: [...new Set([...(sc.contexts ?? []), ...(sc.checks ?? []).map((c) => c.context)])] },
    enforceAdmins: on(b.enforce_admins),
    requireConversationResolution: on(b.required_conversation_resolution),
    requiredLinearHistory: on(b.required_linear_history),
    requireSignedCommits: on(b.required_signatures),
    allowsForcePushes: on(b.allow_force_pushes),
    allowsDeletions: on(b.allow_deletions),
    lockBranch: on(b.lock_branch),
    restrictPushes: b.restrictions && { pushAllowances: actorsOf(b.restrictions, org), blocksCreations: on(b.block_creations) },
  };
}

function preflightRequest(token: string, options: GithubClientOptions): GithubRequestOptions {
  return { token, baseUrl: options.baseUrl ?? DEFAULT_GITHUB_API_URL, timeoutMs: options.timeoutMs ?? GITHUB_TIMEOUT_MS, again: "run aytq-dr preflight again" };
}

/** May the token edit branch protection of `repository` (`owner/name`), and what is the live rule of `branch`? Never throws. */
export async function readBranchProtection(repository: string, branch: string, options: GithubClientOptions): Promise<GithubBranchProtectionAnswer> {
  const token = options.token ?? "";
  if (!token) {
    return { ok: false, detail: "GITHUB_TOKEN is not set", fix: `export GITHUB_TOKEN=<a token with admin rights on ${repository}> (the Pulumi GitHub provider reads the same variable)` };
  }
  const opts = preflightRequest(token, options);
  const fixes = branchProtectionFixes(repository);
  const [org, name] = repository.split("/");
  const repoPath = `/repos/${encodeURIComponent(org)}/${encodeURIComponent(name)}`;
  try {
    const repo = await githubGet(opts, repoPath);
    if (repo.status !== 200) throw githubFailure(repo, repository, opts, fixes);
    const admin = (repo.body as { permissions?: { admin?: unknown } } | undefined)?.permissions?.admin === true;

    const what = `the protection of ${branch} in ${repository}`;
    const prot = await githubGet(opts, `${repoPath}/branches/${encodeURIComponent(branch)}/protection`);
    if (prot.status === 404 && /branch not protected/i.test(messageOf(prot.body) ?? "")) return { ok: true, admin, live: undefined };
    if (prot.status !== 200) throw githubFailure(prot, what, opts, fixes);
    let live: LiveBranchProtection;
    try {
      live = liveRuleFromRest(prot.body, org);
    } catch (err) {
      const issue = err instanceof z.ZodError ? err.issues[0] : undefined;
      throw new GithubFailure(
        `GitHub's answer for ${what} is not a branch protection rule${issue ? ` (${issue.path.join(".") || "body"}: ${issue.message})` : ""}`,
        `check ${opts.baseUrl} is GitHub's REST API (GITHUB_API_URL); if it is, compare the rule by hand in the repository's branch settings`,
      );
    }
    return { ok: true, admin, live };
  } catch (err) {
    const f = err instanceof GithubFailure ? err : new GithubFailure(`GitHub: ${oneLine(err instanceof Error ? err.message : String(err))}`, "run aytq-dr preflight again; if it persists, report it");
    return { ok: false, detail: maskGithubToken(f.detail, token), fix: maskGithubToken(f.fix, token) };
  }
}

/** GitHub's states of a workflow (the `state` of GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}). */
export const WORKFLOW_STATES = ["active", "deleted", "disabled_fork", "disabled_inactivity", "disabled_manually"] as const;

/** The workflow as GitHub has it, or why it could not be read. */
export type GithubWorkflowAnswer =
  | { ok: true; repository: string; file: string; name: string; state: string; htmlUrl?: string }
  | { ok: false; repository: string | undefined; file: string; detail: string; fix: string };

const workflowBody = z.looseObject({ name: z.string(), path: z.string(), state: z.string(), html_url: z.string().optional() });

/**
 * The state of a workflow of `repository` (`owner/name`), named by its file (`backup.yml`):
 * GET /repos/{owner}/{repo}/actions/workflows/{file}. Never throws; `repository` undefined says
 * which repository runs the workflows is not known here.
 */
export async function readWorkflowState(repository: string | undefined, file: string, options: GithubClientOptions): Promise<GithubWorkflowAnswer> {
  const token = options.token ?? "";
  const fail = (detail: string, fix: string): GithubWorkflowAnswer => ({ ok: false, repository, file, detail: maskGithubToken(detail, token), fix: maskGithubToken(fix, token) });
  if (!repository || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
    return fail(
      repository ? `"${oneLine(repository, 80)}" is not owner/name` : "which repository runs the aytq-dr workflows is not known here",
      "set GITHUB_REPOSITORY=<owner/name of the repository holding .github/workflows> (GitHub Actions sets it), or run from a clone whose origin is that repository on GitHub",
    );
  }
  if (!token) return fail("GITHUB_TOKEN is not set", `export GITHUB_TOKEN=<a token that may read ${repository} (fine-grained: Actions read)>`);
  const opts = preflightRequest(token, options);
  const [owner, name] = repository.split("/");
  const what = `the workflow ${file} of ${repository}`;
  const fixes: GithubAccessFixes = {
    unauthorized: `the token is wrong, expired or revoked: export a GITHUB_TOKEN that may read ${repository} (fine-grained: Actions read)`,
    forbidden: `give the token read access to ${repository}'s Actions (fine-grained: Actions read; classic: repo scope), or look in ${repository}'s Actions tab`,
    notFound: `check that .github/workflows/${file} is on ${repository}'s default branch and that the token can see ${repository} (fine-grained: Actions read)`,
  };
  try {
    const a = await githubGet(opts, `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/actions/workflows/${encodeURIComponent(file)}`);
    if (a.status !== 200) throw githubFailure(a, what, opts, fixes);
    const parsed = workflowBody.safeParse(a.body);
    if (!parsed.success) throw new GithubFailure(`GitHub's answer for ${what} is not a workflow (no name, path or state)`, `check ${opts.baseUrl} is GitHub's REST API (GITHUB_API_URL)`);
    return { ok: true, repository, file, name: parsed.data.name, state: parsed.data.state, htmlUrl: parsed.data.html_url };
  } catch (err) {
    const f = err instanceof GithubFailure ? err : new GithubFailure(`GitHub: ${oneLine(err instanceof Error ? err.message : String(err))}`, "run aytq-dr preflight again; if it persists, report it");
    return fail(f.detail, f.fix);
  }
}

/** A variable of a GitHub environment, or why it could not be read (`absent`: GitHub answered 404). */
export type GithubVariableAnswer = { ok: true; value: string } | { ok: false; absent: boolean; detail: string; fix: string };

const variableBody = z.looseObject({ name: z.string(), value: z.string() });

/**
 * GET /repos/{owner}/{repo}/environments/{environment}/variables/{name}: a configuration variable
 * of an environment (pre-flight reads AZURE_CLIENT_ID, which is no secret). Never throws.
 */
export async function readEnvironmentVariable(repository: string | undefined, environment: string, name: string, options: GithubClientOptions): Promise<GithubVariableAnswer> {
  const token = options.token ?? "";
  const fail = (detail: string, fix: string, absent = false): GithubVariableAnswer => ({ ok: false, absent, detail: maskGithubToken(detail, token), fix: maskGithubToken(fix, token) });
  if (!repository || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
    return fail("which repository runs the aytq-dr workflows is not known here", "set GITHUB_REPOSITORY=<owner/name of the repository holding .github/workflows>");
  }
  if (!token) return fail("GITHUB_TOKEN is not set", `export GITHUB_TOKEN=<a token that may read ${repository}'s environments (fine-grained: Environments read)>`);
  const opts = preflightRequest(token, options);
  const [owner, repo] = repository.split("/");
  const what = `variable ${name} of environment ${environment} of ${repository}`;
  const fixes: GithubAccessFixes = {
    unauthorized: `the token is wrong, expired or revoked: export a GITHUB_TOKEN that may read ${repository}'s environments`,
    forbidden: `give the token read access to ${repository}'s environments (fine-grained: Environments read)`,
    notFound: `create the environment ${environment} with its variable ${name} (README, one-time set-up)`,
  };
  try {
    const a = await githubGet(opts, `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/environments/${encodeURIComponent(environment)}/variables/${encodeURIComponent(name)}`);
    if (a.status === 404) return fail(`GitHub has no ${what}`, fixes.notFound, true);
    if (a.status !== 200) throw githubFailure(a, what, opts, fixes);
    const parsed = variableBody.safeParse(a.body);
    if (!parsed.success) throw new GithubFailure(`GitHub's answer for ${what} is not a variable`, `check ${opts.baseUrl} is GitHub's REST API (GITHUB_API_URL)`);
    return { ok: true, value: parsed.data.value };
  } catch (err) {
    const f = err instanceof GithubFailure ? err : new GithubFailure(`GitHub: ${oneLine(err instanceof Error ? err.message : String(err))}`, "run aytq-dr preflight again; if it persists, report it");
    return fail(f.detail, f.fix);
  }
}

// ---------------------------------------------------------------------------
// Git references of the app repository: the freeze holds (ops/pipeline-holds.ts) live there.
// docs.github.com/rest/git/refs (2022-11-28): Create a reference answers 201, or 422 when it
// exists; Delete a reference 204, or 422 when it does not exist; List matching references 200
// with an array (empty when nothing matches); Get a reference 200, or 404.

/** The refs calls the freeze holds need. Every failure is a GithubFailure (one line, a fix, never the token). */
export interface GitRefsApi {
  readonly repository: string;
  /** The commit `heads/<branch>` points at (a ref must point at an object). */
  branchSha(branch: string): Promise<string>;
  /** Create `refs/<ref>`: "exists" when GitHub already has it (422), atomically. */
  createRef(ref: string, sha: string): Promise<"created" | "exists">;
  /** Delete `refs/<ref>`: "absent" when GitHub has no such ref (422, or 404). */
  deleteRef(ref: string): Promise<"deleted" | "absent">;
  /** Every ref under `refs/<prefix>`, as full names (`refs/aytq-dr/freeze/test-run`). */
  listRefs(prefix: string): Promise<string[]>;
}

const refBody = z.looseObject({ ref: z.string(), object: z.looseObject({ sha: z.string() }) });

/** The fixes for the refs calls (a freeze's holds): the token needs Contents write on the repository. */
function refsFixes(repository: string): GithubAccessFixes {
  return {
    unauthorized: `the token is wrong, expired or revoked: export a GITHUB_TOKEN with Contents read and write and Administration read and write on ${repository}`,
    forbidden: `the token needs Contents read and write on ${repository} (the freeze holds are git refs) as well as Administration read and write (the rule); classic: repo scope`,
    notFound: `check aytq:pipeline.repository in Pulumi.pipeline.yaml and that the token can see ${repository} (a fine-grained token lists its repositories)`,
  };
}

/** GitHub's refs API for `repository` (`owner/name`), through the one client. Throws a GithubFailure when GITHUB_TOKEN is not set. */
export function githubRefs(repository: string, options: GithubClientOptions & { fetch?: typeof fetch }): GitRefsApi {
  const token = options.token ?? "";
  if (!token) throw new GithubFailure("GITHUB_TOKEN is not set", `export GITHUB_TOKEN=<a token with Contents and Administration read and write on ${repository}> (the Pulumi GitHub provider reads the same variable)`);
  const opts: GithubRequestOptions = { token, baseUrl: options.baseUrl ?? DEFAULT_GITHUB_API_URL, timeoutMs: options.timeoutMs ?? GITHUB_TIMEOUT_MS, again: "run the command again", fetch: options.fetch };
  const fixes = refsFixes(repository);
  const [owner, name] = repository.split("/");
  const base = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/git`;
  const refPath = (ref: string) => ref.split("/").map(encodeURIComponent).join("/");
  const masked = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      const f = err instanceof GithubFailure ? err : new GithubFailure(`GitHub: ${oneLine(err instanceof Error ? err.message : String(err))}`, "run the command again; if it persists, report it");
      throw new GithubFailure(maskGithubToken(f.detail, token), maskGithubToken(f.fix, token));
    }
  };
  return {
    repository,
    branchSha: (branch) =>
      masked(async () => {
        const a = await githubRequest(opts, "GET", `${base}/ref/heads/${refPath(branch)}`);
        if (a.status !== 200) throw githubFailure(a, `branch ${branch} of ${repository}`, opts, fixes);
        const parsed = refBody.safeParse(a.body);
        if (!parsed.success) throw new GithubFailure(`GitHub's answer for branch ${branch} of ${repository} is not a git reference`, `check ${opts.baseUrl} is GitHub's REST API (GITHUB_API_URL)`);
        return parsed.data.object.sha;
      }),
    createRef: (ref, sha) =>
      masked(async () => {
        const a = await githubRequest(opts, "POST", `${base}/refs`, { ref: `refs/${ref}`, sha });
        if (a.status === 201) return "created";
        if (a.status === 422 && /already exists/i.test(messageOf(a.body) ?? "")) return "exists";
        throw githubFailure(a, `creating refs/${ref} in ${repository}`, opts, fixes);
      }),
    deleteRef: (ref) =>
      masked(async () => {
        const a = await githubRequest(opts, "DELETE", `${base}/refs/${refPath(ref)}`);
        if (a.status === 204) return "deleted";
        if (a.status === 404 || (a.status === 422 && /does not exist/i.test(messageOf(a.body) ?? ""))) return "absent";
        throw githubFailure(a, `deleting refs/${ref} in ${repository}`, opts, fixes);
      }),
    listRefs: (prefix) =>
      masked(async () => {
        const a = await githubRequest(opts, "GET", `${base}/matching-refs/${refPath(prefix)}`);
        if (a.status !== 200) throw githubFailure(a, `the refs under refs/${prefix} in ${repository}`, opts, fixes);
        const parsed = z.array(refBody).safeParse(a.body);
        if (!parsed.success) throw new GithubFailure(`GitHub's answer for the refs under refs/${prefix} of ${repository} is not a list of references`, `check ${opts.baseUrl} is GitHub's REST API (GITHUB_API_URL)`);
        return parsed.data.map((r) => r.ref);
      }),
  };
}
