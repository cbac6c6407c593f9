/**
 * GitHub's REST API: the one client aytq-dr has (`githubRequest`: https only, one line and a fix
 * for every failure; the token, GITHUB_TOKEN as the Pulumi provider reads it, is sent in a header
 * and never appears in a message or a fix), and the git refs calls the freeze holds need. Below
 * the operations, pre-flight and CI, which all ask GitHub through it: pre-flight's reads
 * (preflight/github.ts), `ci find-journal` (ci/journal-artifact.ts), the freeze holds
 * (ops/pipeline-holds.ts).
 */
import { z } from "zod";
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

/** `text` on one line, cut to `max` characters: how an answer's text is quoted in a message. */
export function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max - 3) + "..." : flat;
}

/** GitHub's `message` in an error body, on one line. */
export function messageOf(body: unknown): string | undefined {
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
async function githubRequest(opts: GithubRequestOptions, method: "GET" | "POST" | "DELETE", path: string, json?: unknown): Promise<GithubAnswer> {
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
