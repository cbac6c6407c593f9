/** `aytq-dr run` notifies Slack and Teams: the run command's action over a fake stack, fake data tools and a local receiver. */
import { PROVIDER_TOKENS } from "../helpers/cli-io";
import { fakePipelineFreeze } from "../helpers/fake-pipeline-stack";
import { strict as assert } from "node:assert";
import * as http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { runAction } from "../../recovery/cli/commands/run-action";
import type { CliIO } from "../../recovery/cli/io";
import { readStackConfig } from "../../recovery/config/stackfile";
import { EXIT } from "../../recovery/errors";
import { AzurePlatform, AzurePlatformOptions } from "../../recovery/platforms/azure/platform";
import type { DatabaseConnection, DatabaseRef } from "../../recovery/runbook/ports";
import { FakeStackPort } from "../helpers/fake-stack";
import { PLAN_SUBSCRIPTION_ID } from "../../recovery/plan/mocks";
import { APP_URL } from "../ops/recover-harness";
import { FakeData } from "../runbook/fakes";

interface Received {
  path: string;
  text: string;
}

async function receiver(): Promise<{ base: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const parsed = JSON.parse(body) as { text?: string; attachments?: { content: { body: { text: string }[] } }[] };
      const text = parsed.text ?? parsed.attachments?.[0]?.content.body.map((b) => b.text).join("\n") ?? "";
      received.push({ path: req.url ?? "", text });
      // Teams is down: its webhook answers 500
      res.writeHead(req.url?.startsWith("/teams") ? 500 : 200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}

/** A terminal whose Azure is the fake engine's simulated one, and whose cluster holds the app's Secret. */
function testIO(env: NodeJS.ProcessEnv, port: FakeStackPort): CliIO & { all: () => string } {
  const lines: string[] = [];
  return {
    out: (t) => lines.push(t),
    err: (t) => lines.push(t),
    isTTY: false,
    env: { AZURE_SUBSCRIPTION_ID: PLAN_SUBSCRIPTION_ID, ...PROVIDER_TOKENS, ...env },
    openAzure: () => port.azure,
    readSecret: async () => APP_URL(port.settings().database.serverName, port.settings().database.databaseName),
    all: () => lines.join("\n"),
  };
}

/** The Azure platform over the fake stack, with connections that need no Kubernetes (FakeData never uses them). */
class NoTunnelAzurePlatform extends AzurePlatform {
  constructor(o: AzurePlatformOptions) {
    super({ pipeline: fakePipelineFreeze(), ...o });
  }
  override async connect(db: DatabaseRef): Promise<DatabaseConnection> {
    const name = db.kind === "live" ? this.liveServerName : db.name;
    return { url: "postgres://u:pw@127.0.0.1:1/db", label: name, serverName: name, release: async () => undefined };
  }
}
// The receiver answers from this test's own event loop, which the fake engine keeps busy: on a machine loaded to ~6 a
// message once took longer than the real 5 s limit and was lost. The limit itself is tested in test/notify.
const deps = (port: FakeStackPort, data: FakeData) => ({ openPort: async () => port, data, platform: (o: AzurePlatformOptions) => new NoTunnelAzurePlatform(o), webhookTimeoutMs: 30_000 });

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("run: Slack and Teams notifications for real recoveries", () => {
  let stateDir: string;
  let rx: Awaited<ReturnType<typeof receiver>>;
  beforeEach(async () => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-run-notify-"));
    rx = await receiver();
  });
  afterEach(async () => {
    await rx.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("posts start, the decision and the end of a data-loss run to Slack (flag) and Teams (env); a failing Teams webhook does not fail the run and no URL is printed", async () => {
    const slack = `${rx.base}/slack/T000/B000/slack-secret`;
    const teams = `${rx.base}/teams/teams-secret`;
    const port = new FakeStackPort("test", readStackConfig("test"));
    const io = testIO({ AYTQ_DR_STATE_DIR: stateDir, AYTQ_DR_TEAMS_WEBHOOK: teams }, port);
    const data = new FakeData();
    const code = await runAction("data-loss", { stack: "test", at: iso(3_600_000), restoreCopy: "whole", yes: true, slackWebhook: slack }, io, deps(port, data));
    assert.equal(code, EXIT.ok, io.all());
    const slackTexts = rx.received.filter((r) => r.path.startsWith("/slack")).map((r) => r.text);
    assert.equal(slackTexts.length, 3, slackTexts.join("\n---\n"));
    assert.match(slackTexts[0], /DR recovery: data-loss started on test/);
    assert.match(slackTexts[1], /How should the copy .* come back into the live database\?" answered "whole" by a flag/);
    assert.match(slackTexts[2], /run completed/);
    assert.equal(rx.received.filter((r) => r.path.startsWith("/teams")).length, 3, "Teams gets the same three messages, from AYTQ_DR_TEAMS_WEBHOOK");
    const out = io.all();
    assert.match(out, /notifications: slack and teams/);
    assert.match(out, /warning: the Teams webhook failed \(HTTP 500\); the recovery goes on/);
    assert.match(out, /\[unfreeze\] done/, "the progress printer still prints");
    assert.ok(!out.includes("secret") && !out.includes(rx.base), `a webhook URL was printed:\n${out}`);
  });

  it("posts the failed step and the failed end; exit 4", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const io = testIO({ AYTQ_DR_STATE_DIR: stateDir, AYTQ_DR_SLACK_WEBHOOK: `${rx.base}/slack/x` }, port);
    const data = new FakeData();
    data.healthy = false;
    const code = await runAction("server-lost-rebuild", { stack: "test", yes: true }, io, deps(port, Object.assign(data, { blobs: ["aytq_test_nightly.sql.gz"] })));
    assert.equal(code, EXIT.failed, io.all());
    const texts = rx.received.map((r) => r.text);
    assert.equal(texts.length, 3, texts.join("\n---\n"));
    assert.match(texts[1], /step validate failed[\s\S]*health checks failed/);
    assert.match(texts[2], /run failed/);
  });

  it("sends nothing and says nothing about notifications when no webhook is configured", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const io = testIO({ AYTQ_DR_STATE_DIR: stateDir, AYTQ_DR_SLACK_WEBHOOK: "" }, port);
    const code = await runAction("server-lost-rebuild", { stack: "test", yes: true }, io, deps(port, Object.assign(new FakeData(), { blobs: ["b.sql.gz"] })));
    assert.equal(code, EXIT.ok, io.all());
    assert.equal(rx.received.length, 0);
    assert.ok(!/notifications:/.test(io.all()));
  });
});
