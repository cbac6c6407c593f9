/**
 * Freezes held until the last holder releases them: the holds are git refs in the app repository
 * (a fake GitHub that answers as GitHub does: 422 on a ref that exists, 422 on deleting one that
 * does not), the rule belongs to the pipeline stack (one state backend, a checkout per runner).
 */
import { strict as assert } from "node:assert";
import { githubRefs, type GitRefsApi } from "../../recovery/github/client";
import { holdFreeze, holdName, listHolds, releaseHolds, type PipelineFreezeContext } from "../../recovery/ops/pipeline-holds";
import { LockedError, ToolError, UsageError } from "../../recovery/errors";
import { startFakeGithub, type FakeGithub } from "../ci/github-api";
import { FakePipelinePort, PipelineBackend } from "../helpers/fake-pipeline-stack";
import { DEFAULT_FROZEN_APPROVALS, DEFAULT_NORMAL_APPROVALS } from "../../infra/config";

const REPO = "DFE-Digital/access-your-teaching-qualifications";
const TOKEN = "ghp_pipelineholdstoken0123456789";

describe("pipeline holds: a freeze is held until the last holder releases it", function () {
  this.timeout(60_000);
  let gh: FakeGithub;
  let refs: GitRefsApi;
  let backend: PipelineBackend;
  let logs: string[];
  const ctx = (port: FakePipelinePort, extra: Partial<PipelineFreezeContext> = {}): PipelineFreezeContext => ({
    refs,
    branch: "main",
    openPort: async () => port,
    log: (t) => logs.push(`${port.checkout}: ${t}`),
    sleep: async () => undefined,
    ...extra,
  });

  beforeEach(async () => {
    gh = await startFakeGithub(REPO, TOKEN);
    refs = githubRefs(REPO, { token: TOKEN, baseUrl: gh.url });
    backend = await PipelineBackend.deployed();
    logs = [];
  });
  afterEach(() => gh.close());

  it("the refs calls answer as GitHub does: a second create is 'exists', deleting a missing ref is 'absent'", async () => {
    const sha = await refs.branchSha("main");
    assert.equal(await refs.createRef("aytq-dr/freeze/test-run", sha), "created");
    assert.equal(await refs.createRef("aytq-dr/freeze/test-run", sha), "exists");
    assert.deepEqual(await refs.listRefs("aytq-dr/freeze/"), ["refs/aytq-dr/freeze/test-run"]);
    assert.equal(await refs.deleteRef("aytq-dr/freeze/test-run"), "deleted");
    assert.equal(await refs.deleteRef("aytq-dr/freeze/test-run"), "absent");
    assert.deepEqual(await refs.listRefs("aytq-dr/freeze/"), []);
    assert.ok(gh.requests.every((r) => r.authorization === `Bearer ${TOKEN}`));
  });

  it("production recovery freezes; a test drill freezes and unfreezes; main stays frozen; production unfreezes; main unfrozen", async () => {
    const production = ctx(new FakePipelinePort(backend, "production-runner"));
    const drill = ctx(new FakePipelinePort(backend, "test-runner"));
    assert.equal(backend.approvals(), DEFAULT_NORMAL_APPROVALS);

    assert.equal((await holdFreeze(holdName("production", "run"), production)).frozen, true);
    assert.equal(backend.approvals(), DEFAULT_FROZEN_APPROVALS);
    await holdFreeze(holdName("test", "run"), drill);
    assert.deepEqual(await listHolds(refs), ["production-run", "test-run"]);

    const drillDone = await releaseHolds([holdName("test", "run")], drill);
    assert.equal(drillDone.frozen, true);
    assert.equal(drillDone.summary, "main stays frozen: held by production run");
    assert.equal(backend.approvals(), DEFAULT_FROZEN_APPROVALS, "a test drill's unfreeze must not lift production's freeze");

    const recoveryDone = await releaseHolds([holdName("production", "run")], production);
    assert.equal(recoveryDone.frozen, false);
    assert.equal(recoveryDone.summary, "main unfrozen: no holds remain");
    assert.equal(backend.approvals(), DEFAULT_NORMAL_APPROVALS);
  });

  it("a freeze whose up lands before an unfreezer's up: the unfreezer reads the holds again after its up and freezes main again", async () => {
    const drillPort = new FakePipelinePort(backend, "test-runner");
    const production = ctx(new FakePipelinePort(backend, "production-runner"));
    await holdFreeze("test-run", ctx(drillPort));
    let interleaved = false;
    drillPort.beforeUp = async () => {
      if (interleaved) return;
      interleaved = true;
      // the drill listed no holds and previewed unfrozen; production freezes completely before the drill's up
      await holdFreeze("production-run", production);
    };
    const r = await releaseHolds(["test-run"], ctx(drillPort));
    assert.deepEqual(backend.ups.slice(-3), ["production-runner frozen", "test-runner unfrozen", "test-runner frozen"]);
    assert.equal(r.frozen, true);
    assert.equal(backend.approvals(), DEFAULT_FROZEN_APPROVALS);
    assert.ok(logs.some((l) => /test-runner: pipeline: the holds changed while converging \(now production-run\); converging main frozen again/.test(l)), logs.join("\n"));
  });

  it("holds that keep changing: gives up after the bounded number of converges, naming the holds", async () => {
    const drillPort = new FakePipelinePort(backend, "test-runner");
    await holdFreeze("test-run", ctx(drillPort));
    drillPort.beforeUp = async () => {
      const sha = await refs.branchSha("main");
      if ((await listHolds(refs)).length === 0) await refs.createRef("aytq-dr/freeze/production-run", sha);
      else await refs.deleteRef("aytq-dr/freeze/production-run");
    };
    await assert.rejects(releaseHolds(["test-run"], ctx(drillPort, { maxRounds: 3 })), (e: unknown) => e instanceof ToolError && /did not settle: the freeze holds kept changing over 3 converges/.test(e.message));
  });

  it("a pipeline stack locked by the other runner's update is waited for, then converged", async () => {
    const drillPort = new FakePipelinePort(backend, "test-runner");
    await holdFreeze("test-run", ctx(drillPort));
    let sleeps = 0;
    const production = ctx(new FakePipelinePort(backend, "production-runner"), { sleep: () => new Promise<void>((r) => setTimeout(() => { sleeps++; r(); }, 5)) });
    let pending: Promise<unknown> | undefined;
    backend.duringUp = async (checkout) => {
      if (checkout !== "test-runner" || pending) return;
      pending = holdFreeze("production-run", production);
      while (sleeps === 0) await new Promise((r) => setTimeout(r, 5));
    };
    await releaseHolds(["test-run"], ctx(drillPort));
    await pending;
    assert.ok(sleeps >= 1);
    assert.ok(logs.some((l) => /production-runner: pipeline: the pipeline stack is locked by another update; trying again in 5 s/.test(l)), logs.join("\n"));
    assert.equal(backend.approvals(), DEFAULT_FROZEN_APPROVALS);
    assert.deepEqual(await listHolds(refs), ["production-run"]);
  });

  it("a stack locked for longer than the wait: a LockedError that says the hold is in place and what to run", async () => {
    backend.lockedBy = "someone-else";
    await assert.rejects(holdFreeze("test-run", ctx(new FakePipelinePort(backend, "test-runner"), { lockWaitMs: 1 })), (e: unknown) => e instanceof LockedError && /stayed locked .* so main was not frozen; the hold is in place/.test(e.message));
    assert.deepEqual(await listHolds(refs), ["test-run"]);
  });

  it("a stale hold (a run that died) is released by hand, and main is unfrozen", async () => {
    await holdFreeze("production-run", ctx(new FakePipelinePort(backend, "dead-runner")));
    const r = await releaseHolds(["production-run"], ctx(new FakePipelinePort(backend, "operator")));
    assert.equal(r.frozen, false);
    assert.equal(backend.approvals(), DEFAULT_NORMAL_APPROVALS);
  });

  it("refuses a holder that is not a ref-safe name, and never sends the token anywhere but the header", async () => {
    assert.throws(() => holdName("test", "../heads/main"), UsageError);
    gh.failPaths.set(`/repos/${REPO}/git/refs`, 403);
    await assert.rejects(holdFreeze("test-run", ctx(new FakePipelinePort(backend, "t"))), (e: unknown) => e instanceof ToolError && !e.message.includes(TOKEN) && /Contents read and write/.test(e.hint ?? ""));
  });
});
