/** An empty (or blank) environment variable counts as unset, everywhere aytq-dr reads one. */
import { PROVIDER_TOKENS } from "../helpers/cli-io";
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runAction } from "../../recovery/cli/commands/run-action";
import { stateDir } from "../../recovery/cli/commands/driver-common";
import { storageFor } from "../../recovery/cli/commands/data-common";
import type { CliIO } from "../../recovery/cli/io";
import { PROJECT_ROOT, loadStackSettings, readStackConfig } from "../../recovery/config/stackfile";
import { FakeStackPort } from "../helpers/fake-stack";
import { webhooksFrom } from "../../recovery/notify/webhooks";
import { subscriptionOf } from "../../recovery/platforms/azure/recovery-context";
import { liveServerId } from "../../recovery/drill/azure/confirm";
import { githubOptionsFromEnv } from "../../recovery/github/client";
import { envValue } from "../../recovery/util/env";
import { FakeData, FakePlatform } from "../runbook/fakes";

const MIN = 60_000;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");
const io = (env: NodeJS.ProcessEnv): CliIO & { lines: string[] } => {
  const lines: string[] = [];
  return { out: (t) => lines.push(t), err: (t) => lines.push(t), isTTY: false, env, lines };
};

describe("environment variables: empty counts as unset", () => {
  it("envValue: unset, empty and blank are undefined; anything else is the value", () => {
    assert.equal(envValue({}, "X"), undefined);
    assert.equal(envValue({ X: "" }, "X"), undefined);
    assert.equal(envValue({ X: "  \t" }, "X"), undefined);
    assert.equal(envValue({ X: "/var/aytq" }, "X"), "/var/aytq");
  });

  it("AYTQ_DR_STATE_DIR= is the default folder, never the current one", () => {
    const fallback = path.join(PROJECT_ROOT, ".aytq-dr");
    assert.equal(stateDir(io({ AYTQ_DR_STATE_DIR: "" })), fallback);
    assert.equal(stateDir(io({ AYTQ_DR_STATE_DIR: " " })), fallback);
    assert.equal(stateDir(io({ AYTQ_DR_STATE_DIR: "/tmp/runs" })), "/tmp/runs");
  });

  it("the other variables: subscription, webhooks, GitHub, storage", () => {
    const settings = loadStackSettings("test");
    assert.equal(subscriptionOf({ ...settings, subscriptionId: undefined }, { AZURE_SUBSCRIPTION_ID: " " }), undefined);
    assert.throws(() => liveServerId({ ...settings, subscriptionId: undefined }, { AZURE_SUBSCRIPTION_ID: "" }), /neither aytq:subscriptionId nor AZURE_SUBSCRIPTION_ID is set/);
    assert.deepEqual(webhooksFrom({}, { AYTQ_DR_SLACK_WEBHOOK: " ", AYTQ_DR_TEAMS_WEBHOOK: "" }), { slackWebhook: undefined, teamsWebhook: undefined });
    assert.deepEqual(githubOptionsFromEnv({ GITHUB_TOKEN: "", GITHUB_API_URL: " " }), { token: undefined, baseUrl: undefined });
    assert.throws(() => storageFor({}, undefined, io({ AZURE_STORAGE_CONNECTION_STRING: " " })), /no storage given/);
  });

  describe("a run with AYTQ_DR_STATE_DIR= set empty", () => {
    let cwd: string;
    let runId: string | undefined;
    const home = process.cwd();
    before(() => {
      cwd = mkdtempSync(path.join(os.tmpdir(), "aytq-empty-env-"));
      process.chdir(cwd);
    });
    after(() => {
      process.chdir(home);
      rmSync(cwd, { recursive: true, force: true });
      if (runId) rmSync(path.join(PROJECT_ROOT, ".aytq-dr", "test", runId), { recursive: true, force: true });
    });

    it("journals into the default folder, not the current one", async () => {
      const terminal = io({ ...PROVIDER_TOKENS, AYTQ_DR_STATE_DIR: "" });
      const code = await runAction("server-lost-revive", { stack: "test", at: iso(60 * MIN), yes: true }, terminal, { platform: () => new FakePlatform(), data: new FakeData(), openPort: async () => new FakeStackPort("test", readStackConfig("test")) });
      assert.equal(code, 0, terminal.lines.join("\n"));
      runId = /run (\S+): completed/.exec(terminal.lines.join("\n"))?.[1];
      assert.ok(runId, terminal.lines.join("\n"));
      assert.deepEqual(readdirSync(cwd), [], "the journal went into the current folder");
      assert.ok(existsSync(path.join(PROJECT_ROOT, ".aytq-dr", "test", runId, "journal.jsonl")));
    });
  });
});
