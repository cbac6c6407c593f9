/**
 * Issue 20: health checks and webhooks never follow a redirect (a 307 to another host reported
 * that host's health as ours; a webhook's message was re-posted to the redirect target), and no
 * URL's path, query or credentials reach the output. A real HTTP server on 127.0.0.1 answers.
 */
import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { validateHealth, formatHealth } from "../../recovery/data/validate";
import { UsageError } from "../../recovery/errors";
import { Notifier, webhooksFrom } from "../../recovery/notify/webhooks";
import { elideUrl, elideUrls } from "../../recovery/util/urls";
import { RecordingIO, runMain, STACK_TRACE } from "../helpers/cli-io";

interface Server {
  base: string;
  hits: { method: string; path: string }[];
  close: () => Promise<void>;
}

/** `/redirect/<status>` answers that status pointing at `target`; `/ok` answers 200. */
async function serve(target: () => string): Promise<Server> {
  const hits: Server["hits"] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      hits.push({ method: req.method ?? "", path: req.url ?? "" });
      const m = /^\/redirect\/(\d{3})/.exec(req.url ?? "");
      if (m) res.writeHead(Number(m[1]), { location: target() }).end();
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe("redirects are never followed", () => {
  let origin: Server;
  let other: Server;
  before(async () => {
    other = await serve(() => "/ok");
    origin = await serve(() => `${other.base}/ok/SECRET-PATH?token=SECRET-QUERY`);
  });
  after(async () => {
    await origin.close();
    await other.close();
  });
  beforeEach(() => {
    origin.hits.length = 0;
    other.hits.length = 0;
  });

  for (const status of [301, 302, 303, 307, 308]) {
    it(`a health URL answering ${status} to another host fails, naming that host only, and the other host is never asked`, async () => {
      const [r] = await validateHealth([{ service: "aytq", url: `${origin.base}/redirect/${status}` }], { attempts: 3, backoffMs: 1, deadlineMs: 3000 });
      assert.equal(r.ok, false);
      assert.equal(r.status, status);
      assert.equal(r.error, `HTTP ${status} redirect to ${other.base}/… (not followed: give the final URL)`);
      assert.deepEqual(other.hits, []);
      assert.equal(origin.hits.length, 1, "a redirect is not retried");
      assert.doesNotMatch(formatHealth([r]) + JSON.stringify(r), /SECRET/);
    });

    it(`a webhook answering ${status} is a logged failure and its message is not re-posted`, async () => {
      const logs: string[] = [];
      const n = new Notifier({ slackWebhook: `${origin.base}/redirect/${status}/T000/SECRET-KEY`, log: (l) => logs.push(l) });
      n.send({ title: "t", text: "x", tone: "info" });
      await n.flush();
      assert.deepEqual(other.hits, []);
      assert.equal(n.failures, 1);
      assert.equal(logs.length, 1);
      assert.match(logs[0], new RegExp(`the Slack webhook failed \\(HTTP ${status} redirect to http://127\\.0\\.0\\.1:\\d+/… \\(not followed`));
      assert.doesNotMatch(logs[0], /SECRET/);
    });
  }

  it("aytq-dr validate --url with a ?token= query prints neither the token nor the path", async () => {
    const io = new RecordingIO(undefined);
    const code = await runMain(["validate", "--url", `${origin.base}/ok/SECRET-PATH?token=SECRET-QUERY`, "--url", `${origin.base}/redirect/307?token=SECRET-2`, "--attempts", "1"], io);
    assert.equal(code, 1, io.text);
    assert.doesNotMatch(io.text, /SECRET/);
    assert.match(io.outText, new RegExp(`${origin.base.replace(/\./g, "\\.")}/…\\s+ok`));
    assert.match(io.outText, /FAILED: HTTP 307 redirect to http:\/\/127\.0\.0\.1:\d+\/…/);
  });
});

describe("URLs with credentials are refused; URLs are shown as scheme://host/…", () => {
  it("validate --url with user:password@ exits 2 before calling anything, never quoting it", async () => {
    const server = await serve(() => "/ok");
    try {
      const io = new RecordingIO(undefined);
      const code = await runMain(["validate", "--url", `http://ops:Pw-SECRET@${server.base.slice(7)}/health`], io);
      assert.equal(code, 2, io.text);
      assert.match(io.errText, /--url holds a user name or password/);
      assert.match(io.errText, /fix: remove the user:password@ part/);
      assert.doesNotMatch(io.text, /SECRET|ops:/);
      assert.doesNotMatch(io.errText, STACK_TRACE);
      assert.deepEqual(server.hits, []);
    } finally {
      await server.close();
    }
  });

  it("validateHealth refuses a target with credentials before calling any", async () => {
    await assert.rejects(validateHealth([{ service: "a", url: "http://127.0.0.1:1/ok" }, { service: "b", url: "https://u:p@example.invalid/h" }], { attempts: 1 }), (e: unknown) => e instanceof UsageError && /health URL of b \(URL 2\) holds a user name or password/.test(e.message) && !e.message.includes("u:p"));
  });

  for (const [flag, env] of [["slackWebhook", "AYTQ_DR_SLACK_WEBHOOK"], ["teamsWebhook", "AYTQ_DR_TEAMS_WEBHOOK"]] as const) {
    it(`a ${flag} with user:password@ is refused, from a flag or ${env}`, () => {
      const url = "https://hook:Pw-SECRET@hooks.example.invalid/services/T0/B0/KEY";
      assert.throws(() => webhooksFrom({ [flag]: url }, {}), (e: unknown) => e instanceof UsageError && /holds a user name or password/.test(e.message) && !/SECRET|KEY/.test(e.message));
      assert.throws(() => webhooksFrom({}, { [env]: url }), (e: unknown) => e instanceof UsageError && e.message.startsWith(env));
    });
  }

  const shown: [string, string][] = [
    ["https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com/…"],
    ["https://host/health?token=abc", "https://host/…"],
    ["https://host/", "https://host/"],
    ["https://host", "https://host/"],
    ["http://u:p@[::1]:8080/x#frag", "http://[::1]:8080/…"],
    ["https://host/#token", "https://host/…"],
    ["not a url", "(a URL that cannot be read)"],
  ];
  for (const [url, expected] of shown) it(`shows ${url} as ${expected}`, () => assert.equal(elideUrl(url), expected));

  it("elides every URL in free text, with its path, query and credentials", () => {
    assert.equal(elideUrls("fetch failed: https://u:pw@h.example/T/B/KEY?x=1 refused, see http://a/b"), "fetch failed: https://h.example/… refused, see http://a/…");
  });
});
