import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Notifier, SLACK_ENV, TEAMS_ENV, messageFor, webhooksFrom, withoutRowValues } from "../../recovery/notify/webhooks";
import type { RunEvent } from "../../recovery/runbook/run-model";

interface Received {
  path: string;
  body: Record<string, unknown>;
}

async function receiver(status: (path: string) => number): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let data = "";
    req.on("data", (d: Buffer) => (data += d.toString()));
    req.on("end", () => {
      received.push({ path: req.url ?? "", body: JSON.parse(data) as Record<string, unknown> });
      res.writeHead(status(req.url ?? "")).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}

const EVENTS: RunEvent[] = [
  { type: "run-start", runId: "r1", scenario: "data-loss", stack: "test", at: "2026-07-24T06:00:00Z" },
  { type: "step-start", runId: "r1", step: "stop", at: "2026-07-24T06:00:01Z" },
  { type: "step-end", runId: "r1", record: { step: "stop", status: "done", startedAt: "a", endedAt: "b" } },
  { type: "decision", runId: "r1", question: "How should the copy come back into live?", answer: "undelete", by: "flag", at: "2026-07-24T06:05:00Z" },
  { type: "step-end", runId: "r1", record: { step: "restore-live", status: "failed", startedAt: "a", endedAt: "b", error: "psql: ERROR: boom" } },
  { type: "run-end", runId: "r1", outcome: "failed", at: "2026-07-24T06:06:00Z" },
];

describe("Slack and Teams notifications", () => {
  it("posts start, decision, failure and end to both webhooks, in their formats", async () => {
    const rx = await receiver(() => 200);
    const logs: string[] = [];
    try {
      const n = new Notifier({ slackWebhook: `${rx.url}/slack/T000/B000/secret`, teamsWebhook: `${rx.url}/teams/secret`, log: (l) => logs.push(l), label: "drill" });
      for (const e of EVENTS) n.onEvent(e);
      await n.flush();
      const slack = rx.received.filter((r) => r.path.startsWith("/slack"));
      const teams = rx.received.filter((r) => r.path.startsWith("/teams"));
      assert.equal(slack.length, 4, "start, decision, failure, end; nothing for steps that went well");
      assert.equal(teams.length, 4);
      const texts = slack.map((s) => String(s.body.text));
      assert.match(texts.join("\n"), /data-loss started on test/);
      assert.match(texts.join("\n"), /How should the copy come back into live\?" answered "undelete"/);
      assert.match(texts.join("\n"), /restore-live failed[\s\S]*boom/);
      assert.match(texts.join("\n"), /run failed/);
      const card = teams[0].body as { type: string; attachments: { contentType: string; content: { type: string; body: { text: string }[] } }[] };
      assert.equal(card.type, "message");
      assert.equal(card.attachments[0].contentType, "application/vnd.microsoft.card.adaptive");
      assert.equal(card.attachments[0].content.type, "AdaptiveCard");
      assert.match(card.attachments[0].content.body[0].text, /started/);
      assert.deepEqual(logs, []);
    } finally {
      await rx.close();
    }
  });

  it("a failing webhook is logged without its URL and never throws; the other still gets the message", async () => {
    const rx = await receiver((p) => (p.startsWith("/slack") ? 500 : 200));
    const logs: string[] = [];
    try {
      const n = new Notifier({ slackWebhook: `${rx.url}/slack/very-secret-token`, teamsWebhook: `${rx.url}/teams/x`, log: (l) => logs.push(l) });
      n.onEvent(EVENTS[0]);
      n.send({ title: "t", text: "x", tone: "info" });
      await n.flush();
      assert.equal(n.failures, 2);
      assert.equal(rx.received.filter((r) => r.path.startsWith("/teams")).length, 2);
      assert.equal(logs.length, 2);
      assert.match(logs[0], /Slack webhook failed \(HTTP 500\)/);
      assert.ok(logs.every((l) => !l.includes("very-secret-token") && !l.includes(rx.url)));
      // unreachable webhook
      const dead = new Notifier({ teamsWebhook: "http://127.0.0.1:1/hook-secret", log: (l) => logs.push(l), timeoutMs: 2000 });
      dead.onEvent(EVENTS[5]);
      await dead.flush();
      assert.equal(dead.failures, 1);
      assert.ok(!logs[2].includes("hook-secret"));
    } finally {
      await rx.close();
    }
  });

  it("a webhook that never answers is given up after its limit: a warning, the run goes on", async () => {
    const sockets = new Set<import("node:net").Socket>();
    const server = http.createServer(() => undefined); // reads the request, never answers
    server.on("connection", (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const logs: string[] = [];
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/silent-secret`;
      const n = new Notifier({ slackWebhook: url, log: (l) => logs.push(l), timeoutMs: 300 });
      n.onEvent(EVENTS[0]);
      await n.flush(); // without the limit this would wait for ever (the test's own timeout)
      assert.equal(n.failures, 1);
      assert.deepEqual(logs, ["warning: the Slack webhook failed (no answer in time); the recovery goes on"]);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it("a connection dropped before any answer is tried once more (a keep-alive socket closed as the message went out); twice dropped is one warning", async () => {
    let requests = 0;
    let drop = 1;
    const bodies: string[] = [];
    const server = http.createServer((req, res) => {
      requests++;
      let data = "";
      req.on("data", (d: Buffer) => (data += d.toString()));
      req.on("end", () => {
        if (drop-- > 0) return req.socket.destroy(); // no answer: the connection just ends
        bodies.push(data);
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const logs: string[] = [];
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/retry-secret`;
      const n = new Notifier({ slackWebhook: url, log: (l) => logs.push(l) });
      n.onEvent(EVENTS[0]);
      await n.flush();
      assert.equal(requests, 2);
      assert.equal(bodies.length, 1);
      assert.equal(n.failures, 0);
      assert.equal(logs.length, 0, logs.join("\n"));
      drop = 2;
      requests = 0;
      n.onEvent(EVENTS[5]);
      await n.flush();
      assert.equal(requests, 2, "tried twice, no more");
      assert.equal(n.failures, 1);
      assert.equal(logs.length, 1);
      assert.match(logs[0], /^warning: the Slack webhook failed \(.+\); the recovery goes on$/);
      assert.ok(!logs[0].includes("retry-secret"));
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("takes URLs from flags first, then the environment; none configured means no messages", () => {
    assert.deepEqual(webhooksFrom({}, { [SLACK_ENV]: "https://s", [TEAMS_ENV]: "https://t" }), { slackWebhook: "https://s", teamsWebhook: "https://t" });
    assert.deepEqual(webhooksFrom({ slackWebhook: "https://flag" }, { [SLACK_ENV]: "https://s" }), { slackWebhook: "https://flag", teamsWebhook: undefined });
    assert.deepEqual(new Notifier({ log: () => undefined }).enabled, []);
    assert.equal(messageFor(EVENTS[1], "x"), undefined);
  });
});

describe("notifications: no row values from PostgreSQL's DETAIL", () => {
  const failed = (error: string): RunEvent => ({ type: "step-end", runId: "r1", record: { step: "restore-live", status: "failed", startedAt: "a", endedAt: "b", error } });

  it("keeps the constraint and the key's columns, drops the values (a TRN, a whole failing row)", () => {
    const error =
      'undelete into live refused by the database: insert or update on table "qualifications" violates foreign key constraint "qualifications_teacher_id_fkey" ' +
      'DETAIL: Key (teacher_id, trn)=(7, (1234567)) is not present in table "teachers".; nothing was written (rolled back)';
    const text = messageFor(failed(error), "test")!.text;
    assert.match(text, /qualifications_teacher_id_fkey/);
    assert.match(text, /Key \(teacher_id, trn\)=\(…\) is not present in table "teachers"/);
    assert.doesNotMatch(text, /1234567/);
    const check = messageFor(failed('new row violates check constraint "c" DETAIL: Failing row contains (9, Ada (Lovelace), 1815-12-10).'), "test")!.text;
    assert.match(check, /Failing row contains \(…\)/);
    assert.doesNotMatch(check, /Lovelace|1815/);
    assert.equal(withoutRowValues("Key (trn)=(42) already exists."), "Key (trn)=(…) already exists.");
  });

  it("leaves other failures as they are", () => {
    assert.equal(withoutRowValues("psql: ERROR: boom (exit 3)"), "psql: ERROR: boom (exit 3)");
  });
});
