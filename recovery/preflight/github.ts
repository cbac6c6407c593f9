/**
 * GitHub's REST API, as pre-flight needs it: may the token edit branch protection, and what is the
 * live rule of a branch. Every failure becomes one line and its fix; the token (GITHUB_TOKEN, the
 * variable the Pulumi provider reads too) is sent in a header and never appears in either.
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

class GithubFailure extends Error {
  constructor(
    public readonly detail: string,
    public readonly fix: string,
  ) {
    super(detail);
  }
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
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

/** Turn a non-2xx answer into one line and its fix. `what` names what was asked for. */
function failureFor(a: Answer, what: string, repository: string, baseUrl: string): GithubFailure {
  const message = messageOf(a.body);
  const http = `HTTP ${a.status}${message ? `: ${message}` : ""}`;
  const limited =
    (a.status === 403 || a.status === 429) && (a.headers.get("x-ratelimit-remaining") === "0" || a.headers.has("retry-after") || /rate limit/i.test(message ?? ""));
  if (limited) {
    const reset = rateLimitReset(a.headers);
    return new GithubFailure(
      `GitHub's API rate limit for this token is used up (${http})${reset ? `; ${reset}` : ""}`,
      `wait${reset ? ` (${reset})` : " a few minutes"} and run aytq-dr preflight again; jobs that share this token share its limit`,
    );
  }
  if (a.status === 401) {
    return new GithubFailure(
      `GitHub refused GITHUB_TOKEN (${http})`,
      `the token is wrong, expired or revoked: create one with admin rights on ${repository} (fine-grained: Administration read and write) and export it as GITHUB_TOKEN`,
    );
  }
  if (a.status === 403) {
    return new GithubFailure(
      `GitHub refused access to ${what} (${http})`,
      `the token needs admin rights on ${repository} (fine-grained: Administration read and write; classic: repo scope, held by an admin), authorised for the organisation's SSO`,
    );
  }
  if (a.status === 404) {
    return new GithubFailure(
      `GitHub answered 404 for ${what} (${http}): it does not exist, or the token cannot see it`,
      `check pipeline.repository and pipeline.branch, and that the token can see ${repository} (a fine-grained token lists its repositories; reading protection needs Administration read)`,
    );
  }
  if (a.status >= 500) {
    return new GithubFailure(`GitHub answered ${http} for ${what}`, `GitHub may be having trouble (https://www.githubstatus.com): run aytq-dr preflight again later`);
  }
  return new GithubFailure(`GitHub answered ${http} for ${what}`, `check ${baseUrl} is GitHub's REST API (GITHUB_API_URL) and run aytq-dr preflight again`);
}

async function get(opts: Required<GithubClientOptions>, path: string): Promise<Answer> {
  const url = opts.baseUrl.replace(/\/+$/, "") + path;
  try {
    const res = await fetch(url, {
      headers: {
        authorization: `Bearer ${opts.token}`,
        accept: "application/vnd.github+json",
        "x-github-api-version": "2022-11-28",
        "user-agent": "aytq-dr",
      },
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
      throw new GithubFailure(
        `GitHub did not answer within ${opts.timeoutMs / 1000} s (${opts.baseUrl})`,
        `check this machine reaches ${opts.baseUrl} (proxy, firewall, VPN) and run aytq-dr preflight again`,
      );
    }
    const cause = (e.cause as Error | undefined)?.message ?? e.message;
    throw new GithubFailure(`GitHub not reachable at ${opts.baseUrl}: ${oneLine(cause)}`, `check this machine reaches ${opts.baseUrl} (proxy, firewall, VPN; GITHUB_API_URL if set) and run aytq-dr preflight again`);
  }
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

function mask(text: string, token: string): string {
  return token.length > 0 ? text.split(token).join("[GITHUB_TOKEN]") : text;
}

/** May the token edit branch protection of `repository` (`owner/name`), and what is the live rule of `branch`? Never throws. */
export async function readBranchProtection(repository: string, branch: string, options: GithubClientOptions): Promise<GithubBranchProtectionAnswer> {
  const token = options.token ?? "";
  if (!token) {
    return { ok: false, detail: "GITHUB_TOKEN is not set", fix: `export GITHUB_TOKEN=<a token with admin rights on ${repository}> (the Pulumi GitHub provider reads the same variable)` };
  }
  const opts: Required<GithubClientOptions> = { token, baseUrl: options.baseUrl ?? DEFAULT_GITHUB_API_URL, timeoutMs: options.timeoutMs ?? GITHUB_TIMEOUT_MS };
  const [org, name] = repository.split("/");
  const repoPath = `/repos/${encodeURIComponent(org)}/${encodeURIComponent(name)}`;
  try {
    const repo = await get(opts, repoPath);
    if (repo.status !== 200) throw failureFor(repo, repository, repository, opts.baseUrl);
    const admin = (repo.body as { permissions?: { admin?: unknown } } | undefined)?.permissions?.admin === true;

    const what = `the protection of ${branch} in ${repository}`;
    const prot = await get(opts, `${repoPath}/branches/${encodeURIComponent(branch)}/protection`);
    if (prot.status === 404 && /branch not protected/i.test(messageOf(prot.body) ?? "")) return { ok: true, admin, live: undefined };
    if (prot.status !== 200) throw failureFor(prot, what, repository, opts.baseUrl);
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
    return { ok: false, detail: mask(f.detail, token), fix: mask(f.fix, token) };
  }
}
