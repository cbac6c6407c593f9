/**
 * The StatusCake API client against a local HTTP server standing in for api.statuscake.com:
 * the requests it sends (bearer token, form bodies, pages), what it reads back, and every way a
 * call fails as one line with its fix, never with the token.
 */
import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { StatusCakeClient, StatusCakeError, STATUSCAKE_TOKEN_ENV, heartbeatForm } from "../../infra/statuscake/api";
import { StatusCakeStandin } from "../helpers/statuscake-standin";

async function failure(p: Promise<unknown>): Promise<StatusCakeError> {
  const err = await p.then(
    () => assert.fail("expected a rejection"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StatusCakeError, `a StatusCakeError, got ${String(err)}`);
  return err;
}

/** One line, a fix, and no token anywhere in it. */
function assertClear(err: StatusCakeError, token: string): void {
  assert.equal(err.message.split("\n").length, 1, err.message);
  assert.ok(err.fix.length > 10, "has a fix");
  assert.match(err.message, /; fix: /);
  for (const text of [err.message, err.what, err.fix, err.stack ?? "", JSON.stringify(err)]) assert.ok(!text.includes(token), `token leaked: ${text}`);
}

describe("StatusCake API client against a local StatusCake stand-in", function () {
  this.timeout(20_000);
  let sc: StatusCakeStandin;
  let client: StatusCakeClient;

  beforeEach(async () => {
    sc = await StatusCakeStandin.start();
    client = new StatusCakeClient({ token: sc.token, baseUrl: sc.apiUrl, timeoutMs: 2_000 });
  });
  afterEach(() => sc.close());

  describe("reads and writes", () => {
    it("lists every uptime check across pages (limit 100), with website_url, paused and status", async () => {
      for (let i = 0; i < 230; i++) sc.addUptime({ name: `check ${i}`, websiteUrl: `https://host${i}.example.org/health/all`, paused: i % 2 === 0, status: i % 3 === 0 ? "down" : "up" });
      const all = await client.listUptimeChecks();
      assert.equal(all.length, 230);
      assert.deepEqual(sc.calls, ["GET /v1/uptime", "GET /v1/uptime", "GET /v1/uptime"]);
      assert.deepEqual(sc.requests.map((r) => new URL(r.url, sc.origin).searchParams.toString()), ["page=1&limit=100", "page=2&limit=100", "page=3&limit=100"]);
      assert.deepEqual(all[3], { id: all[3].id, name: "check 3", websiteUrl: "https://host3.example.org/health/all", paused: false, status: "down", checkRateSeconds: 300, tags: [] });
      assert.ok(sc.requests.every((r) => r.authorization === `Bearer ${sc.token}`));
    });

    it("an empty account lists nothing in one request", async () => {
      assert.deepEqual(await client.listUptimeChecks(), []);
      assert.deepEqual(await client.listHeartbeatChecks(), []);
      assert.equal(sc.calls.length, 2);
    });

    it("creates a heartbeat check with StatusCake's form (arrays as field[]), then reads its push URL and last ping", async () => {
      const id = await client.createHeartbeatCheck({ name: "test nightly backup", periodSeconds: 93_600, contactGroupIds: ["11", "12"], tags: ["aytq-dr", "test"], paused: false });
      const post = sc.requests.find((r) => r.method === "POST")!;
      assert.equal(post.path, "/v1/heartbeat");
      assert.deepEqual([...post.form!.entries()], [["name", "test nightly backup"], ["period", "93600"], ["contact_groups[]", "11"], ["contact_groups[]", "12"], ["tags[]", "aytq-dr"], ["tags[]", "test"], ["paused", "false"]]);
      const got = await client.getHeartbeatCheck(id);
      assert.equal(got?.pushUrl, sc.pushUrl(id));
      assert.deepEqual([got?.name, got?.periodSeconds, got?.contactGroupIds, got?.tags, got?.paused, got?.lastPingAt], ["test nightly backup", 93_600, ["11", "12"], ["aytq-dr", "test"], false, undefined]);
      await fetch(sc.pushUrl(id));
      const pinged = await client.getHeartbeatCheck(id);
      assert.ok(pinged?.lastPingAt instanceof Date && Date.now() - pinged.lastPingAt.getTime() < 10_000);
    });

    it("an empty list is sent as one empty field[] (it clears the field), as StatusCake's own client does", () => {
      assert.equal(heartbeatForm({ name: "n", periodSeconds: 60, contactGroupIds: [], tags: [], paused: true }).toString(), "name=n&period=60&contact_groups%5B%5D=&tags%5B%5D=&paused=true");
    });

    it("updates with PUT (every field), deletes with DELETE; a get or delete of a check that is gone is undefined / false", async () => {
      const id = sc.addHeartbeat({ name: "old", periodSeconds: 3600 });
      await client.updateHeartbeatCheck(id, { name: "new", periodSeconds: 7200, contactGroupIds: ["5"], tags: [], paused: true });
      assert.deepEqual(sc.calls, [`PUT /v1/heartbeat/${id}`]);
      const h = sc.heartbeats.get(id)!;
      assert.deepEqual([h.name, h.period, h.contact_groups, h.tags, h.paused], ["new", 7200, ["5"], [], true]);
      assert.equal(await client.deleteHeartbeatCheck(id), true);
      assert.equal(await client.deleteHeartbeatCheck(id), false);
      assert.equal(await client.getHeartbeatCheck(id), undefined);
    });

    it("lists heartbeat checks without their last ping (only a get of one has it)", async () => {
      sc.addHeartbeat({ name: "a", lastPingAt: new Date() });
      const [h] = await client.listHeartbeatChecks();
      assert.equal(h.name, "a");
      assert.equal(h.lastPingAt, undefined);
      assert.equal(h.pushUrl, sc.pushUrl(h.id));
    });
  });

  describe("failures: one line and its fix, never the token", () => {
    it("no token: says to set STATUSCAKE_API_TOKEN and sends nothing", async () => {
      const err = await failure(new StatusCakeClient({ token: "", baseUrl: sc.apiUrl }).listUptimeChecks());
      assert.equal(err.kind, "no-token");
      assert.match(err.message, new RegExp(`${STATUSCAKE_TOKEN_ENV} is not set`));
      assert.equal(sc.requests.length, 0);
    });

    it("bad token (401): StatusCake refused the API token; make one and export it", async () => {
      const wrong = "sc-wrong-token-0123456789";
      const err = await failure(new StatusCakeClient({ token: wrong, baseUrl: sc.apiUrl }).listUptimeChecks());
      assert.equal(err.kind, "token");
      assert.equal(err.status, 401);
      assert.match(err.what, /StatusCake refused the API token \(HTTP 401: Unauthorized, GET \/uptime\)/);
      assert.match(err.fix, /export it as STATUSCAKE_API_TOKEN/);
      assertClear(err, wrong);
    });

    it("an error body that quotes the token is masked", async () => {
      sc.faults.push({ status: 401, body: { message: `token ${sc.token} is not valid` } });
      const err = await failure(client.listUptimeChecks());
      assert.match(err.what, /token \*\*\* is not valid/);
      assertClear(err, sc.token);
    });

    it("rate limit (429) that resets soon is waited out once, then the call succeeds", async () => {
      sc.faults.push({ status: 429, body: { message: "Too Many Requests" }, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" } });
      sc.addUptime({ name: "a", websiteUrl: "https://a.example.org" });
      const started = Date.now();
      assert.equal((await client.listUptimeChecks()).length, 1);
      assert.ok(Date.now() - started >= 900, "waited for the window");
      assert.equal(sc.calls.length, 2);
    });

    it("rate limit (429) that resets later: says when to retry, with the seconds StatusCake gave", async () => {
      sc.faults.push({ status: 429, body: { message: "Too Many Requests" }, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "40" } });
      const err = await failure(client.listUptimeChecks());
      assert.equal(err.kind, "rate-limit");
      assert.equal(err.retryAfterSeconds, 40);
      assert.match(err.what, /StatusCake is rate-limiting this account \(HTTP 429: Too Many Requests, GET \/uptime\); its limit resets in 40 s/);
      assert.match(err.fix, /^wait 40 s and run the command again/);
      assertClear(err, sc.token);
      assert.equal(sc.calls.length, 1, "not retried");
    });

    it("a second 429 after the wait is an error too (waited out once only)", async () => {
      sc.faults.push({ status: 429, headers: { "x-ratelimit-reset": "0" }, times: 2 });
      const err = await failure(client.listUptimeChecks());
      assert.equal(err.kind, "rate-limit");
      assert.equal(sc.calls.length, 2);
    });

    it("timeout: no answer within the timeout is one line naming the call and the host", async () => {
      sc.faults.push({ hang: true });
      const quick = new StatusCakeClient({ token: sc.token, baseUrl: sc.apiUrl, timeoutMs: 300 });
      const started = Date.now();
      const err = await failure(quick.listUptimeChecks());
      assert.ok(Date.now() - started < 5_000);
      assert.equal(err.kind, "timeout");
      assert.match(err.what, /^StatusCake \(127\.0\.0\.1:\d+\) did not answer GET \/uptime within 0\.3 s$/);
      assertClear(err, sc.token);
    });

    it("unreachable: names the host, never the token", async () => {
      const dead = http.createServer();
      await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
      const port = (dead.address() as AddressInfo).port;
      await new Promise<void>((r) => dead.close(() => r()));
      const err = await failure(new StatusCakeClient({ token: sc.token, baseUrl: `http://127.0.0.1:${port}/v1` }).listHeartbeatChecks());
      assert.equal(err.kind, "unreachable");
      assert.match(err.what, new RegExp(`could not reach StatusCake \\(127\\.0\\.0\\.1:${port}\\) for GET /heartbeat`));
      assertClear(err, sc.token);
    });

    it("a refused write names the field StatusCake objects to", async () => {
      const err = await failure(client.createHeartbeatCheck({ name: "n", periodSeconds: 5, contactGroupIds: [], tags: [], paused: false }));
      assert.equal(err.kind, "refused");
      assert.match(err.what, /StatusCake refused POST \/heartbeat \(HTTP 400: .*period: Period must be between 30 and 172800\)/);
      assertClear(err, sc.token);
    });

    it("not found, 5xx and an answer that is not JSON each say so", async () => {
      const id = "999999";
      const nf = await failure(client.updateHeartbeatCheck(id, { name: "n", periodSeconds: 60, contactGroupIds: [], tags: [], paused: false }));
      assert.equal(nf.kind, "not-found");
      assert.match(nf.fix, /pulumi refresh/);
      sc.faults.push({ status: 503, body: { message: "Service Unavailable" } });
      const down = await failure(client.listUptimeChecks());
      assert.match(down.what, /StatusCake answered HTTP 503: Service Unavailable to GET \/uptime/);
      assert.match(down.fix, /run the command again in a few minutes/);
      sc.faults.push({ status: 200, body: "<html>proxy login</html>" });
      const odd = await failure(client.listUptimeChecks());
      assert.equal(odd.kind, "bad-answer");
      for (const e of [nf, down, odd]) assertClear(e, sc.token);
    });
  });
});
