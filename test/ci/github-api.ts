/**
 * A local stand-in for the part of GitHub's REST API that aytq-dr asks, answering in GitHub's
 * documented shapes (docs.github.com/rest, API version 2022-11-28):
 * - GET /repos/{owner}/{repo}                               (Get a repository: id, full_name, default_branch)
 * - GET /repos/{owner}/{repo}/actions/artifacts?name=...    (List artifacts for a repository; workflow_run per artifact)
 * - GET /repos/{owner}/{repo}/actions/runs/{run_id}         (Get a workflow run: event, path, head_branch, head_repository)
 * - GET /repos/{owner}/{repo}/actions/workflows/{file}      (Get a workflow: state)
 * - GET /repos/{owner}/{repo}/git/ref/heads/{branch}        (Get a reference: 404 when absent)
 * - POST /repos/{owner}/{repo}/git/refs                     (Create a reference: 201; 422 "Reference already exists")
 * - DELETE /repos/{owner}/{repo}/git/refs/{ref}             (Delete a reference: 204; 422 "Reference does not exist")
 * - GET /repos/{owner}/{repo}/git/matching-refs/{prefix}    (List matching references: 200, [] when none)
 * Every request needs the token as a bearer header; plain http on 127.0.0.1 (what aytq-dr allows besides https).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ArtifactListing } from "../../recovery/ci/journal-artifact";

/** The repository's id in the stand-in (GitHub's ids are numbers). */
const REPO_ID = 801_234_567;

/** A workflow run as the stand-in keeps it; served with the rest of GitHub's fields. */
interface StandInRun {
  id: number;
  event: string;
  /** The workflow file, e.g. `.github/workflows/recover.yml` (GitHub's docs also show `...@main`). */
  path: string;
  head_branch: string | null;
  /** `owner/name` of the head repository (a fork's for a pull request from a fork); null: GitHub gave none. */
  headRepository: { id: number; full_name: string } | null;
  /** @default the stand-in's repository */
  repository?: { id: number; full_name: string };
  created_at?: string;
}

export interface FakeGithub {
  url: string;
  /** The one token the stand-in accepts. */
  token: string;
  /** Requests received: method, path with query, authorization header. */
  requests: { method?: string; path: string; authorization?: string }[];
  /** Git references by full name (`refs/heads/main`, `refs/aytq-dr/freeze/test-run`) to the sha they point at. */
  refs: Map<string, string>;
  /** Called before a request is answered (after it is recorded): a test interleaves another runner's calls here. */
  beforeAnswer?: (method: string, path: string) => Promise<void> | void;
  /** The repository as Get a repository answers it. */
  repo: { id: number; full_name: string; default_branch: string };
  artifacts: ArtifactListing[];
  runs: Map<number, StandInRun>;
  /** Workflows by file name (`backup.yml`): their `state` (active, disabled_inactivity, disabled_manually, ...). */
  workflows: Map<string, { name: string; state: string }>;
  /** Environment variables by `<environment>/<NAME>` (Get an environment variable). */
  variables: Map<string, string>;
  /** Answer every request with this status instead. */
  failWith?: number;
  /** Answer requests whose path starts with a key with that status instead. */
  failPaths: Map<string, number>;
  /**
   * A journal artifact `name` uploaded by workflow run `runId`, with that run. Defaults: a run of
   * recover.yml started by workflow_dispatch on the default branch of this repository (trusted).
   */
  upload(o: { artifactId: number; runId: number; createdAt: string; name: string; expired?: boolean } & Partial<Omit<StandInRun, "id">>): void;
  close(): Promise<void>;
}

function repoLite(id: number, fullName: string, base: string): Record<string, unknown> {
  const [owner, name] = fullName.split("/");
  return {
    id,
    node_id: `R_kgDO${id}`,
    name,
    full_name: fullName,
    private: false,
    owner: { login: owner, id: id + 1, type: "Organization" },
    html_url: `https://github.com/${fullName}`,
    description: null,
    fork: false,
    url: `${base}/repos/${fullName}`,
  };
}

export async function startFakeGithub(repository: string, token: string): Promise<FakeGithub> {
  const fake: FakeGithub = {
    url: "",
    token,
    requests: [],
    repo: { id: REPO_ID, full_name: repository, default_branch: "main" },
    artifacts: [],
    runs: new Map(),
    workflows: new Map(),
    variables: new Map(),
    failPaths: new Map(),
    refs: new Map([["refs/heads/main", "009b8a3a9ccbb128af87f9b1c0f4c62e8a304f6d"]]),
    upload: (o) => {
      fake.artifacts.push({
        id: o.artifactId,
        name: o.name,
        expired: o.expired ?? false,
        created_at: o.createdAt,
        workflow_run: {
          id: o.runId,
          repository_id: (o.repository ?? fake.repo).id,
          head_repository_id: o.headRepository === undefined ? fake.repo.id : (o.headRepository?.id ?? null),
          head_branch: o.head_branch === undefined ? fake.repo.default_branch : o.head_branch,
        },
      });
      fake.runs.set(o.runId, {
        id: o.runId,
        event: o.event ?? "workflow_dispatch",
        path: o.path ?? ".github/workflows/recover.yml",
        head_branch: o.head_branch === undefined ? fake.repo.default_branch : o.head_branch,
        headRepository: o.headRepository === undefined ? { id: fake.repo.id, full_name: fake.repo.full_name } : o.headRepository,
        repository: o.repository,
        created_at: o.createdAt,
      });
    },
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://x");
      fake.requests.push({ method: req.method, path: u.pathname + u.search, authorization: req.headers.authorization });
      void Promise.resolve(fake.beforeAnswer?.(req.method ?? "GET", u.pathname)).then(() => answer(req.method ?? "GET", u, Buffer.concat(chunks).toString("utf8"), req.headers.authorization, res));
    });
  });
  const answer = (method: string, u: URL, text: string, authorization: string | undefined, res: import("node:http").ServerResponse): void => {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", "x-github-api-version-selected": "2022-11-28" });
      res.end(JSON.stringify(body));
    };
    const notFound = () => reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" });
    if (fake.failWith) return reply(fake.failWith, { message: "Resource not accessible by integration" });
    for (const [prefix, status] of fake.failPaths) if (u.pathname.startsWith(prefix)) return reply(status, { message: "Resource not accessible by integration" });
    if (authorization !== `Bearer ${token}`) return reply(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
    const base = fake.url;
    const repoPath = `/repos/${repository}`;
    const refJson = (ref: string, sha: string) => ({ ref, node_id: `REF_${Buffer.from(ref).toString("base64")}`, url: `${base}${repoPath}/git/${ref}`, object: { sha, type: "commit", url: `${base}${repoPath}/git/commits/${sha}` } });
    if (u.pathname.startsWith(`${repoPath}/git/`)) {
      const rest = decodeURIComponent(u.pathname.slice(`${repoPath}/git/`.length));
      if (method === "GET" && rest.startsWith("ref/")) {
        const ref = `refs/${rest.slice("ref/".length)}`;
        const sha = fake.refs.get(ref);
        return sha === undefined ? notFound() : reply(200, refJson(ref, sha));
      }
      if (method === "POST" && rest === "refs") {
        let body: { ref?: unknown; sha?: unknown } = {};
        try {
          body = JSON.parse(text) as typeof body;
        } catch {
          return reply(400, { message: "Problems parsing JSON" });
        }
        if (typeof body.ref !== "string" || !/^refs\/[^/]+\/.+/.test(body.ref) || typeof body.sha !== "string") return reply(422, { message: "Reference name invalid", status: "422" });
        if (![...fake.refs.values()].includes(body.sha)) return reply(422, { message: "Object does not exist", status: "422" });
        if (fake.refs.has(body.ref)) return reply(422, { message: "Reference already exists", status: "422" });
        fake.refs.set(body.ref, body.sha);
        return reply(201, refJson(body.ref, body.sha));
      }
      if (method === "DELETE" && rest.startsWith("refs/")) {
        if (!fake.refs.delete(rest)) return reply(422, { message: "Reference does not exist", status: "422" });
        res.writeHead(204);
        res.end();
        return;
      }
      if (method === "GET" && rest.startsWith("matching-refs/")) {
        const prefix = `refs/${rest.slice("matching-refs/".length)}`;
        return reply(200, [...fake.refs].filter(([ref]) => ref.startsWith(prefix)).map(([ref, sha]) => refJson(ref, sha)));
      }
      return notFound();
    }
    const variable = new RegExp(`^${repoPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/environments/([^/]+)/variables/([^/]+)$`).exec(u.pathname);
    if (variable) {
      const key = `${decodeURIComponent(variable[1])}/${decodeURIComponent(variable[2])}`;
      const value = fake.variables.get(key);
      if (value === undefined) return notFound();
      return reply(200, { name: decodeURIComponent(variable[2]), value, created_at: "2026-01-10T10:00:00Z", updated_at: "2026-01-10T10:00:00Z" });
    }
    if (u.pathname === repoPath) {
      return reply(200, { ...repoLite(fake.repo.id, fake.repo.full_name, base), default_branch: fake.repo.default_branch, visibility: "public", archived: false, disabled: false });
    }
    if (u.pathname === `${repoPath}/actions/artifacts`) {
      const name = u.searchParams.get("name");
      const perPage = Number(u.searchParams.get("per_page") ?? 30);
      const page = Number(u.searchParams.get("page") ?? 1);
      const all = fake.artifacts.filter((a) => name === null || a.name === name);
      const list = all.slice((page - 1) * perPage, page * perPage).map((a) => ({
        node_id: `MDg6QXJ0aWZhY3Q${a.id}`,
        size_in_bytes: 2048,
        url: `${base}${repoPath}/actions/artifacts/${a.id}`,
        archive_download_url: `${base}${repoPath}/actions/artifacts/${a.id}/zip`,
        expires_at: "2099-01-01T00:00:00Z",
        updated_at: a.created_at,
        digest: null,
        ...a,
        workflow_run: a.workflow_run && { head_sha: "009b8a3a9ccbb128af87f9b1c0f4c62e8a304f6d", ...a.workflow_run },
      }));
      return reply(200, { total_count: all.length, artifacts: list });
    }
    const run = /^\/repos\/[^/]+\/[^/]+\/actions\/runs\/(\d+)$/.exec(u.pathname);
    if (run && u.pathname.startsWith(repoPath + "/")) {
      const r = fake.runs.get(Number(run[1]));
      if (!r) return notFound();
      const repo = r.repository ?? { id: fake.repo.id, full_name: fake.repo.full_name };
      return reply(200, {
        id: r.id,
        name: "Recover",
        node_id: `WFR_kwLO${r.id}`,
        check_suite_id: r.id + 7,
        head_branch: r.head_branch,
        head_sha: "009b8a3a9ccbb128af87f9b1c0f4c62e8a304f6d",
        path: r.path,
        display_title: "recover test",
        run_number: 17,
        event: r.event,
        status: "completed",
        conclusion: "failure",
        workflow_id: 159038,
        url: `${base}${repoPath}/actions/runs/${r.id}`,
        html_url: `https://github.com/${repository}/actions/runs/${r.id}`,
        pull_requests: [],
        created_at: r.created_at ?? "2024-07-24T06:00:00Z",
        updated_at: r.created_at ?? "2024-07-24T06:00:00Z",
        run_attempt: 1,
        run_started_at: r.created_at ?? "2024-07-24T06:00:00Z",
        actor: { login: "octocat", id: 1 },
        triggering_actor: { login: "octocat", id: 1 },
        jobs_url: `${base}${repoPath}/actions/runs/${r.id}/jobs`,
        artifacts_url: `${base}${repoPath}/actions/runs/${r.id}/artifacts`,
        workflow_url: `${base}${repoPath}/actions/workflows/159038`,
        repository: repoLite(repo.id, repo.full_name, base),
        head_repository: r.headRepository && repoLite(r.headRepository.id, r.headRepository.full_name, base),
      });
    }
    const workflow = /^\/repos\/[^/]+\/[^/]+\/actions\/workflows\/([^/]+)$/.exec(u.pathname);
    if (workflow && u.pathname.startsWith(repoPath + "/")) {
      const file = decodeURIComponent(workflow[1]);
      const w = fake.workflows.get(file);
      if (!w) return notFound();
      return reply(200, {
        id: 161335,
        node_id: "MDg6V29ya2Zsb3cxNjEzMzU=",
        name: w.name,
        path: `.github/workflows/${file}`,
        state: w.state,
        created_at: "2024-07-01T10:00:00.000Z",
        updated_at: "2024-07-01T10:00:00.000Z",
        url: `${base}${repoPath}/actions/workflows/161335`,
        html_url: `https://github.com/${repository}/blob/main/.github/workflows/${file}`,
        badge_url: `https://github.com/${repository}/workflows/${encodeURIComponent(w.name)}/badge.svg`,
      });
    }
    notFound();
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
