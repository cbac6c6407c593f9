/**
 * `aytq-dr freeze` / `unfreeze` in-process: holds on main through the pipeline stack (a fake GitHub
 * over loopback that answers refs as GitHub does, the fake pipeline stack), never an environment
 * stack's config; the guards (--yes or a terminal, production's --confirm-production for a
 * production hold) come before anything is created or deleted; --dry-run says what would be held
 * and whether main would change.
 */
import { strict as assert } from "node:assert";
import { DEFAULT_FROZEN_APPROVALS, DEFAULT_NORMAL_APPROVALS } from "../../infra/config";
import { githubRefs } from "../../recovery/github/client";
import { holdFreeze, listHolds } from "../../recovery/ops/pipeline-holds";
import { startFakeGithub, type FakeGithub } from "../ci/github-api";
import { RecordingIO, runMain, STACK_TRACE } from "../helpers/cli-io";
import { readMainFreeze, statusLines } from "../../recovery/cli/commands/status";
import { pipelineStackEnv } from "../../recovery/platforms/azure/pipeline-freeze";
import { FakePipelinePort, PipelineBackend } from "../helpers/fake-pipeline-stack";

const REPO = "DFE-Digital/access-your-teaching-qualifications";
const TOKEN = "ghp_freezecommandtoken0123456789";

describe("aytq-dr freeze / unfreeze: holds on main through the pipeline stack", function () {
  this.timeout(60_000);
  let gh: FakeGithub;
  let backend: PipelineBackend;
  let port: FakePipelinePort;

  const terminal = (answers?: string[], env: NodeJS.ProcessEnv = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url }) =>
    new RecordingIO(port, { isTTY: answers !== undefined, answers, env });
  const holds = () => listHolds(githubRefs(REPO, { token: TOKEN, baseUrl: gh.url }));
  /** Another runner (a production recovery) holds main. */
  const productionRunHolds = () =>
    holdFreeze("production-run", {
      refs: githubRefs(REPO, { token: TOKEN, baseUrl: gh.url }),
      branch: "main",
      openPort: async () => new FakePipelinePort(backend, "production-runner"),
      log: () => undefined,
      sleep: async () => undefined,
    });

  beforeEach(async () => {
    gh = await startFakeGithub(REPO, TOKEN);
    backend = await PipelineBackend.deployed();
    port = new FakePipelinePort(backend, "operator");
  });
  afterEach(() => gh.close());

  it("freeze --stack test --yes holds main as test-manual and converges the pipeline stack frozen", async () => {
    const io = terminal();
    assert.equal(await runMain(["freeze", "--stack", "test", "--yes"], io), 0, io.text);
    assert.deepEqual(await holds(), ["test-manual"]);
    assert.equal(backend.approvals(), DEFAULT_FROZEN_APPROVALS);
    assert.deepEqual(io.opened.map((o) => o.stack), ["pipeline"]);
    assert.match(io.outText, /freeze: main frozen; held by test manual\n {2}main: FROZEN\n {2}holds: test-manual/);
    assert.ok(!io.text.includes(TOKEN));
  });

  it("unfreeze --stack test while a production recovery holds main: releases test-manual only, main stays frozen", async () => {
    await productionRunHolds();
    assert.equal(await runMain(["freeze", "--stack", "test", "--yes"], terminal()), 0);
    const io = terminal();
    assert.equal(await runMain(["unfreeze", "--stack", "test", "--yes"], io), 0, io.text);
    assert.deepEqual(await holds(), ["production-run"]);
    assert.equal(backend.approvals(), DEFAULT_FROZEN_APPROVALS, "a test unfreeze must not lift production's freeze");
    assert.match(io.outText, /unfreeze: main stays frozen: held by production run/);
  });

  it("unfreeze --release production-run (a run that died) needs --confirm-production; with it, main is unfrozen", async () => {
    await productionRunHolds();
    const refused = terminal();
    assert.equal(await runMain(["unfreeze", "--release", "production-run", "--yes"], refused), 3);
    assert.match(refused.errText, /--confirm-production/);
    assert.deepEqual(refused.opened, []);
    assert.deepEqual(await holds(), ["production-run"]);

    const io = terminal();
    assert.equal(await runMain(["unfreeze", "--release", "production-run", "--confirm-production", "--yes"], io), 0, io.text);
    assert.deepEqual(await holds(), []);
    assert.equal(backend.approvals(), DEFAULT_NORMAL_APPROVALS);
    assert.match(io.outText, /unfreeze: main unfrozen: no holds remain/);
  });

  it("unfreeze --all releases every hold; a production hold among them needs --confirm-production", async () => {
    await productionRunHolds();
    assert.equal(await runMain(["freeze", "--stack", "test", "--yes"], terminal()), 0);
    const refused = terminal();
    assert.equal(await runMain(["unfreeze", "--all", "--yes"], refused), 3);
    assert.deepEqual(await holds(), ["production-run", "test-manual"]);
    const io = terminal();
    assert.equal(await runMain(["unfreeze", "--all", "--confirm-production", "--yes"], io), 0, io.text);
    assert.deepEqual(await holds(), []);
    assert.equal(backend.approvals(), DEFAULT_NORMAL_APPROVALS);
  });

  it("a terminal's N declines: nothing is created and the pipeline stack is not opened", async () => {
    const io = terminal(["n"]);
    assert.equal(await runMain(["freeze", "--stack", "test"], io), 3);
    assert.match(io.asked[0], /Hold main frozen as test-manual .*\[y\/N\]/);
    assert.match(io.errText, /declined, nothing was changed/);
    assert.deepEqual(await holds(), []);
    assert.deepEqual(io.opened, []);
  });

  it("freeze --dry-run and preview freeze: say what would be held and that main would change; nothing created, nothing applied", async () => {
    for (const argv of [["freeze", "--stack", "production", "--dry-run"], ["preview", "freeze", "--stack", "production"]]) {
      const before = structuredClone(port.config);
      const io = terminal();
      assert.equal(await runMain(argv, io), 0, io.text);
      assert.match(io.outText, /dry run: freeze would hold production-manual; main now: open \(no holds\); after: frozen, held by production manual; main's rule would change; nothing created or applied/);
      assert.deepEqual(await holds(), []);
      assert.ok(!port.calls.includes("up"));
      assert.deepEqual(port.config, before, "the pipeline stack's config is put back");
      assert.equal(backend.approvals(), DEFAULT_NORMAL_APPROVALS);
    }
  });

  it("unfreeze --dry-run while another hold remains: main's rule would not change", async () => {
    await productionRunHolds();
    assert.equal(await runMain(["freeze", "--stack", "test", "--yes"], terminal()), 0);
    const io = terminal();
    assert.equal(await runMain(["unfreeze", "--stack", "test", "--dry-run"], io), 0, io.text);
    assert.match(io.outText, /unfreeze would release test-manual; main now: held by production run, test manual; after: frozen, held by production run; main's rule would not change/);
    assert.deepEqual(await holds(), ["production-run", "test-manual"]);
  });

  it("bad input is one line and a fix, exit 2, nothing touched: a hold that is not <environment>-<holder>, --release with --all", async () => {
    for (const argv of [["unfreeze", "--release", "main", "--yes"], ["unfreeze", "--release", "test-run", "--all", "--yes"], ["freeze", "--yes"]]) {
      const io = terminal();
      assert.equal(await runMain(argv, io), 2, io.text);
      assert.doesNotMatch(io.text, STACK_TRACE);
      assert.match(io.errText, /fix: /);
      assert.deepEqual(io.opened, []);
    }
    assert.deepEqual(
      gh.requests.filter((r) => r.method !== "GET"),
      [],
    );
  });

  it("no GITHUB_TOKEN: says so with the fix, never a stack trace, nothing changed", async () => {
    const io = terminal(undefined, {});
    const code = await runMain(["freeze", "--stack", "test", "--yes"], io);
    assert.notEqual(code, 0);
    assert.notEqual(code, 70);
    assert.match(io.errText, /GITHUB_TOKEN is not set\n {2}fix: export GITHUB_TOKEN=/);
    assert.deepEqual(io.opened, []);
  });

  it("status shows main's freeze from the holds: FROZEN and who holds it, open once none remain, unknown (why) without a token", async () => {
    const env = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url };
    const pipelineLine = async (e: NodeJS.ProcessEnv) => statusLines("test", {}, new Date(), await readMainFreeze(e)).find((l) => l.startsWith("pipeline:"));
    assert.equal(await pipelineLine(env), "pipeline:     main: open (no holds)");
    await productionRunHolds();
    assert.equal(await runMain(["freeze", "--stack", "test", "--yes"], terminal()), 0);
    assert.equal(await pipelineLine(env), "pipeline:     main: FROZEN, held by production-run, test-manual");
    assert.match((await pipelineLine({})) ?? "", /^pipeline: +main: unknown \(GITHUB_TOKEN is not set; the holds are refs\/aytq-dr\/freeze\/\* of the app repository\)$/);
  });

  it("the pipeline stack's CLI gets its one state backend from AYTQ_DR_PIPELINE_BACKEND_URL, not the environment's login", () => {
    assert.deepEqual(pipelineStackEnv({ AYTQ_DR_PIPELINE_BACKEND_URL: "azblob://pulumi-state-pipeline", PULUMI_BACKEND_URL: "azblob://pulumi-state" }), { PULUMI_BACKEND_URL: "azblob://pulumi-state-pipeline" });
    assert.deepEqual(pipelineStackEnv({ AYTQ_DR_PIPELINE_BACKEND_URL: "" }), {}, "unset or empty (a workflow variable not set): the current login");
  });
});
