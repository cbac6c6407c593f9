/** A local stand-in for the part of GitHub's REST API the resume path asks: list a repository's artifacts by name. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ArtifactListing } from "../../recovery/ci/journal-artifact";

export interface FakeGithub {
  url: string;
  /** Requests received: path with query, authorization header. */
  requests: { path: string; authorization?: string }[];
  artifacts: ArtifactListing[];
  /** Answer every request with this status instead. */
  failWith?: number;
  close(): Promise<void>;
}

export async function startFakeGithub(repository: string, token: string): Promise<FakeGithub> {
  const fake: FakeGithub = { url: "", requests: [], artifacts: [], close: async () => undefined };
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    fake.requests.push({ path: u.pathname + u.search, authorization: req.headers.authorization });
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (fake.failWith) return reply(fake.failWith, { message: "Resource not accessible by integration" });
    if (req.headers.authorization !== `Bearer ${token}`) return reply(401, { message: "Bad credentials" });
    if (u.pathname !== `/repos/${repository}/actions/artifacts`) return reply(404, { message: "Not Found" });
    const name = u.searchParams.get("name");
    const list = fake.artifacts.filter((a) => name === null || a.name === name);
    reply(200, { total_count: list.length, artifacts: list });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}
