/**
 * The resume path across workflow runs, end to end with the strict fake engine: run 1 stops after
 * three steps; its journal folder is "uploaded" as the workflow does; the next workflow run finds
 * the artifact through GitHub's API (a local stand-in), "downloads" it, imports it into a fresh
 * state dir and a fresh checkout, and `aytq-dr run --resume` continues after the last completed
 * step. Without the stack config carried in the journal, the same resume is refused by the gate.
 */
import { PROVIDER_TOKENS } from "../helpers/cli-io";
import { fakePipelineFreeze } from "../helpers/fake-pipeline-stack";
import { strict as assert } from "node:assert";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { CONFIG_NAMESPACE } from "../../infra/config";
import { importJournal } from "../../recovery/ci/journal-import";
import { githubRunReporter } from "../../recovery/ci/run-report";
import { runAction } from "../../recovery/cli/commands/run-action";
import { main } from "../../recovery/cli/main";
import type { CliIO } from "../../recovery/cli/io";
import { readStackConfig } from "../../recovery/config/stackfile";
import { EXIT } from "../../recovery/errors";
import { AzurePlatform, type AzurePlatformOptions } from "../../recovery/platforms/azure/platform";
import { Journal } from "../../recovery/runbook/journal";
import type { DatabaseConnection, DatabaseRef } from "../../recovery/runbook/ports";
import type { DecideFn } from "../../recovery/runbook/run-model";
import { runScenario } from "../../recovery/runbook/runner";
import { FakeStackPort } from "../helpers/fake-stack";
import { FakeData } from "../runbook/fakes";
import { startFakeGithub, type FakeGithub } from "./github-api";

const REPO = path.join(__dirname, "..", "..");

/** No Kubernetes: FakeData never uses the connections. */
class NoTunnelAzurePlatform extends AzurePlatform {
  constructor(o: AzurePlatformOptions) {
    super({ pipeline: fakePipelineFreeze(), ...o });
  }
  override async connect(db: DatabaseRef): Promise<DatabaseConnection> {
    const name = db.kind === "live" ? this.liveServerName : db.name;
    return { url: "postgres://u:pw@127.0.0.1:1/db", label: name, serverName: name, release: async () => undefined };
  }
}

function outputs(file: string): Record<string, string> {
  return Object.fromEntries(readFileSync(file, "utf8").trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

function cliIO(env: NodeJS.ProcessEnv): CliIO & { lines: string[] } {
  const lines: string[] = [];
  return { out: (t) => lines.push(t), err: (t) => lines.push(t), isTTY: false, env: { ...PROVIDER_TOKENS, ...env }, lines };
}

/** What the Automation API does on every config change: the checkout's stack file holds the stack's config. */
function writeStackFile(root: string, port: FakeStackPort): void {
  const file = path.join(root, "Pulumi.test.yaml");
  const doc = parseDocument(readFileSync(file, "utf8"));
  for (const [key, value] of Object.entries(port.config)) doc.setIn(["config", `${CONFIG_NAMESPACE}:${key}`], doc.createNode(value));
  writeFileSync(file, doc.toString());
}

function checkout(dir: string): string {
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(REPO, "Pulumi.test.yaml"), path.join(dir, "Pulumi.test.yaml"));
  return dir;
}

interface FirstRun {
  tmp: string;
  port: FakeStackPort;
  data: FakeData;
  runId: string;
  /** The journal artifact after "download", and the checkout and state dir of the next workflow run. */
  download: string;
  root2: string;
  state2: string;
  gh: FakeGithub;
}

/** Workflow run 1: the recovery stops at safety-backup (storage unreachable); its journal is uploaded; workflow run 2 finds and downloads it. */
async function firstWorkflowRun(): Promise<FirstRun> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "aytq-ci-resume-"));
  const root1 = checkout(path.join(tmp, "run1", "checkout"));
  const state1 = path.join(tmp, "run1", "state");
  const env1 = { GITHUB_STEP_SUMMARY: path.join(tmp, "run1", "summary.md"), GITHUB_OUTPUT: path.join(tmp, "run1", "out") };
  const port = new FakeStackPort("test", readStackConfig("test"));
  const data = new FakeData();
  data.failOnce.set("backup", new Error("storage unreachable"));
  const decide: DecideFn = async () => "whole";
  decide.answersBy = "flag";
  const reporter = githubRunReporter(env1, { stateDir: state1, stack: "test", root: root1, resumeCommand: (id) => `aytq-dr run --resume ${id} --stack test` });
  assert.ok(reporter);
  const outcome = await runScenario({
    scenario: "data-loss",
    platform: new NoTunnelAzurePlatform({ port, settings: port.settings(), log: () => undefined }),
    data,
    inputs: { restorePointUTC: new Date(Date.now() - 60 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z") },
    stateDir: state1,
    decide,
    onEvent: (e) => {
      writeStackFile(root1, port);
      reporter(e);
    },
  });
  assert.equal(outcome.outcome, "failed");
  assert.deepEqual(
    outcome.steps.map((s) => `${s.step}:${s.status}`),
    ["maintenance-on:done", "stop:done", "freeze:done", "safety-backup:failed"],
  );
  // upload-artifact with the step's outputs: the run's folder, under the run's artifact name
  const out = outputs(env1.GITHUB_OUTPUT);
  const store = path.join(tmp, "artifacts", "workflow-run-41", out["journal-artifact"]);
  cpSync(out["journal-dir"], store, { recursive: true });

  // workflow run 2, job "journal": find the newest artifact of that name, download it
  const gh = await startFakeGithub("DFE-Digital/aytq-dr", "ghs_token");
  // both uploaded by Recover, dispatched on main (what find-journal trusts); a fork's pull request uploaded a newer one
  gh.upload({ artifactId: 7, runId: 7, name: out["journal-artifact"], expired: true, createdAt: "2024-07-20T00:00:00Z" });
  gh.upload({ artifactId: 41, runId: 41, name: out["journal-artifact"], createdAt: new Date(Date.now() - 60_000).toISOString() });
  gh.upload({ artifactId: 66, runId: 66, name: out["journal-artifact"], createdAt: new Date().toISOString(), event: "pull_request", path: ".github/workflows/preview.yml", head_branch: "main", headRepository: { id: 999_001, full_name: "attacker/aytq-dr" } });
  const findEnv = { GITHUB_TOKEN: "ghs_token", GITHUB_REPOSITORY: "DFE-Digital/aytq-dr", GITHUB_API_URL: gh.url, GITHUB_OUTPUT: path.join(tmp, "run2", "find-out") };
  mkdirSync(path.join(tmp, "run2"), { recursive: true });
  const findIO = cliIO(findEnv);
  assert.equal(await main(["node", "aytq-dr", "ci", "find-journal", "--stack", "test", "--run-id", out["run-id"]], findIO), 0, findIO.lines.join("\n"));
  const found = outputs(findEnv.GITHUB_OUTPUT);
  assert.equal(found["workflow-run-id"], "41", "the fork's newer artifact must be set aside");
  const download = path.join(tmp, "run2", "journal-download");
  cpSync(path.join(tmp, "artifacts", `workflow-run-${found["workflow-run-id"]}`, found["artifact-name"]), download, { recursive: true });
  return { tmp, port, data, runId: out["run-id"], download, root2: checkout(path.join(tmp, "run2", "checkout")), state2: path.join(tmp, "run2", "state"), gh };
}

describe("ci: the resume path across workflow runs (strict fake engine)", function () {
  this.timeout(300_000);
  let first: FirstRun;
  beforeEach(async () => (first = await firstWorkflowRun()));
  afterEach(async () => {
    await first.gh.close();
    rmSync(first.tmp, { recursive: true, force: true });
  });

  const resume = (f: FirstRun) => {
    const io = cliIO({ AYTQ_DR_STATE_DIR: f.state2 });
    const deps = { openPort: async () => f.port, data: f.data, platform: (o: AzurePlatformOptions) => new NoTunnelAzurePlatform(o) };
    return { io, done: runAction("data-loss", { stack: "test", resume: f.runId, restoreCopy: "whole", yes: true }, io, deps) };
  };

  it("the next workflow run imports the journal and run --resume finishes after the last completed step", async () => {
    const imported = importJournal({ from: first.download, stateDir: first.state2, stack: "test", runId: first.runId, root: first.root2 });
    assert.equal(imported.next, "safety-backup");
    assert.deepEqual(imported.restored.map((r) => r.key).sort(), ["app.maintenance", "app.stopped"]);
    // the same Pulumi state (the backend), the config of the new checkout
    first.port.config = readStackConfig("test", first.root2);
    const { io, done } = resume(first);
    assert.equal(await done, EXIT.ok, io.lines.join("\n"));
    const records = new Journal(first.state2, "test", first.runId).records();
    assert.deepEqual(
      records.map((r) => r.step),
      ["maintenance-on", "stop", "freeze", "safety-backup", "safety-backup", "ptr", "compare", "copy-into-live", "start", "validate", "maintenance-off", "unfreeze", "tidy"],
      "the resumed run must start at safety-backup, not at maintenance-on",
    );
  });

  it("without the carried stack config, the resumed run is refused by the gate at its first converge (why the journal carries it)", async () => {
    // a journal without its config: the new checkout keeps the committed values
    rmSync(path.join(first.download, "stack-config.json"));
    importJournal({ from: first.download, stateDir: first.state2, stack: "test", runId: first.runId, root: first.root2 });
    first.port.config = readStackConfig("test", first.root2);
    const { io, done } = resume(first);
    assert.equal(await done, EXIT.refused, io.lines.join("\n"));
    assert.match(io.lines.join("\n"), /not expected by ptr/);
  });
});

describe("ci: aytq-dr run writes its GitHub Actions outputs and summary (the wiring in run.ts)", function () {
  this.timeout(300_000);
  it("names the run and its artifacts in GITHUB_OUTPUT and adds each step to GITHUB_STEP_SUMMARY", async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), "aytq-ci-wiring-"));
    try {
      const env = { ...PROVIDER_TOKENS, AYTQ_DR_STATE_DIR: path.join(tmp, "state"), GITHUB_OUTPUT: path.join(tmp, "out"), GITHUB_STEP_SUMMARY: path.join(tmp, "summary.md") };
      const port = new FakeStackPort("test", readStackConfig("test"));
      const data = new FakeData();
      data.failOnce.set("backup", new Error("storage unreachable"));
      const io = cliIO(env);
      const code = await runAction("data-loss", { stack: "test", at: new Date(Date.now() - 3600_000).toISOString(), restoreCopy: "no", yes: true }, io, {
        openPort: async () => port,
        data,
        platform: (o) => new NoTunnelAzurePlatform(o),
      });
      assert.notEqual(code, EXIT.ok);
      const out = outputs(env.GITHUB_OUTPUT);
      assert.match(out["run-id"], /^\d{8}T\d{6}Z-data-loss-[0-9a-f]{4}$/);
      assert.equal(out["journal-dir"], path.join(env.AYTQ_DR_STATE_DIR, "test", out["run-id"]));
      const summary = readFileSync(env.GITHUB_STEP_SUMMARY, "utf8");
      assert.match(summary, /\| stop \| ✅ done \|/);
      assert.match(summary, /\| safety-backup \| ❌ failed \|/);
      assert.match(summary, /To resume/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
