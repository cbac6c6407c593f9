/**
 * What pre-flight asks GitHub, through the one client (github/client.ts): may the token edit
 * branch protection, what is the live rule of a branch, is a workflow enabled, what does an
 * environment's variable hold. Each read never throws: a failure is an answer with its fix.
 */
import { z } from "zod";
import type { GithubBranchProtectionAnswer, LiveActor, LiveBranchProtection } from "./branch-protection";
import {
  DEFAULT_GITHUB_API_URL,
  GITHUB_TIMEOUT_MS,
  GithubFailure,
  githubFailure,
  githubGet,
  maskGithubToken,
  messageOf,
  oneLine,
  type GithubAccessFixes,
  type GithubClientOptions,
  type GithubRequestOptions,
} from "../github/client";

/** The fixes for pre-flight's branch protection reads (the token of AYTQ_DR_GITHUB_TOKEN, admin on the app's repository). */
function branchProtectionFixes(repository: string): GithubAccessFixes {
  return {
    unauthorized: `the token is wrong, expired or revoked: create one with admin rights on ${repository} (fine-grained: Administration read and write) and export it as GITHUB_TOKEN`,
    forbidden: `the token needs admin rights on ${repository} (fine-grained: Administration read and write; classic: repo scope, held by an admin), authorised for the organisation's SSO`,
    notFound: `check pipeline.repository and pipeline.branch, and that the token can see ${repository} (a fine-grained token lists its repositories; reading protection needs Administration read)`,
  };
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
function liveRuleFromRest(body: unknown, org: string): LiveBranchProtection {
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
