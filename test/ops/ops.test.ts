import { strict as assert } from "node:assert";
import { fakePipelineFreeze } from "../helpers/fake-pipeline-stack";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readStackConfig } from "../../recovery/config/stackfile";
import { defaultCopyName } from "../../recovery/config/copy-name";
import { configPatchFor, Operation } from "../../recovery/ops/operations";
import { checkChange, checkPreview } from "../../recovery/ops/gate";
import { converge } from "../../recovery/ops/converge";
import { runOperation } from "../../recovery/ops/run-operation";
import { AT, DELETED_AT, harness } from "./recover-harness";
import { checkGuards } from "../../recovery/ops/guard";
import { FakeStackPort } from "../helpers/fake-stack";
import { EXIT, LockedError, RecoveredNotNormalError, RefusedError, ToolError } from "../../recovery/errors";
import { AzurePlatform } from "../../recovery/platforms/azure/platform";
import { runScenario } from "../../recovery/runbook/runner";
import { Journal } from "../../recovery/runbook/journal";
import { SCENARIO_STEPS } from "../../recovery/runbook/scenarios";
import { FakeData } from "../runbook/fakes";
import type { PreviewStep } from "../../recovery/stack/port";
import { PULUMI_TYPES } from "../../infra/types";

const LIVE = "s189t01-aytq-ts-pg";
const fakeStack = (stack: "test" | "production" = "test") => new FakeStackPort(stack, readStackConfig(stack));
const opts = (port: FakeStackPort, extra = {}) => ({ port, liveServerName: port.settings().database.serverName, log: () => undefined, ...extra });
const step = (op: PreviewStep["op"], type: string, name: string, isProtected = false): PreviewStep => ({ op, type, name, urn: `urn:pulumi:test::aytq::${type}::${name}`, protected: isProtected });

describe("config patches", () => {
  const copy = { name: "c1", restorePointUTC: "2024-07-24T06:00:00Z", createdAtUTC: "2024-07-24T08:00:00Z" };
  const table: [Operation, Record<string, unknown>][] = [
    [{ kind: "freeze" }, { "pipeline.frozen": true }],
    [{ kind: "unfreeze" }, { "pipeline.frozen": false }],
    [{ kind: "stop" }, { "app.stopped": true }],
    [{ kind: "start" }, { "app.stopped": false }],
    [{ kind: "maintenance", on: true }, { "app.maintenance": true }],
    [{ kind: "maintenance", on: false }, { "app.maintenance": false }],
    [{ kind: "revive", restorePointUTC: "2024-07-24T06:10:00Z" }, { "recovery.mode": "reviveDropped", "recovery.restorePointUTC": "2024-07-24T06:10:00Z" }],
    [{ kind: "rebuild" }, { "recovery.mode": "rebuild", "recovery.restorePointUTC": undefined, "recovery.adopt": undefined }],
    [
      { kind: "adopt", ids: { databaseId: "/subscriptions/x/db" } },
      { "recovery.mode": "normal", "recovery.restorePointUTC": undefined, "recovery.adminLogin": undefined, "recovery.adminPassword": undefined, "recovery.adopt": { databaseId: "/subscriptions/x/db" } },
    ],
    [{ kind: "adopt", ids: {} }, { "recovery.mode": "normal", "recovery.restorePointUTC": undefined, "recovery.adminLogin": undefined, "recovery.adminPassword": undefined, "recovery.adopt": undefined }],
    [{ kind: "normal" }, { "recovery.mode": "normal", "recovery.restorePointUTC": undefined, "recovery.adminLogin": undefined, "recovery.adminPassword": undefined, "recovery.adopt": undefined }],
    [{ kind: "ptr", copy, existing: [{ name: "c0", restorePointUTC: "2024-07-23T00:00:00Z" }] }, { "recovery.ptrCopies": [{ name: "c0", restorePointUTC: "2024-07-23T00:00:00Z" }, copy] }],
    [{ kind: "tidy", names: ["c0"], existing: [{ name: "c0", restorePointUTC: "2024-07-23T00:00:00Z" }, copy] }, { "recovery.ptrCopies": [copy] }],
  ];
  for (const [op, patch] of table) {
    it(`${op.kind}${"on" in op ? ` ${op.on}` : ""} sets ${Object.keys(patch).join(", ")}`, () => assert.deepEqual(configPatchFor(op), patch));
  }
  it("names a default copy after the live server and the run time, unique per minute", () => {
    assert.equal(defaultCopyName(LIVE, new Date("2024-07-24T08:05:59Z")), `${LIVE}-ptr-202407240805`);
  });
});

describe("the gate", () => {
  const ctx = { liveServerName: LIVE };
  it("passes freeze when only the branch protection updates", () => {
    assert.ok(checkPreview({ kind: "freeze" }, [step("update", PULUMI_TYPES.branchProtection, "main"), step("same", PULUMI_TYPES.server, LIVE, true)], ctx).ok);
  });
  it("a provider's own update (a rotated GITHUB_TOKEN, a preview without one) is no change: freeze passes, a resource the provider touches is still judged", () => {
    const provider = step("update", PULUMI_TYPES.githubProvider, "aytq-pipeline-github");
    assert.ok(checkPreview({ kind: "freeze" }, [provider, step("update", PULUMI_TYPES.branchProtection, "main")], ctx).ok);
    assert.deepEqual(checkChange([provider], ctx).changes, [], "a pull request's preview reports no change");
    const r = checkPreview({ kind: "freeze" }, [provider, step("replace", PULUMI_TYPES.branchProtection, "main")], ctx);
    assert.equal(r.ok, false, "a replace of what the provider manages is still refused");
    assert.equal(checkPreview({ kind: "freeze" }, [step("delete", PULUMI_TYPES.githubProvider, "old")], ctx).ok, false, "a provider's delete is not ignored");
  });
  it("refuses freeze when a deployment would change too", () => {
    const r = checkPreview({ kind: "freeze" }, [step("update", PULUMI_TYPES.branchProtection, "main"), step("update", PULUMI_TYPES.deploymentPatch, "web")], ctx);
    assert.deepEqual(r.offences.map((o) => o.step.name), ["web"]);
  });
  for (const [type, name] of [[PULUMI_TYPES.server, LIVE], [PULUMI_TYPES.storageAccount, "acct"], [PULUMI_TYPES.immutability, "default"]] as const) {
    for (const op of ["delete", "replace"] as const) {
      it(`refuses to ${op} ${type.split(":").pop()} even when the operation touches servers`, () => {
        const r = checkPreview({ kind: "tidy", names: [LIVE, "acct"], existing: [] }, [step(op, type, name)], ctx);
        assert.equal(r.ok, false);
        assert.match(r.offences[0].reason, /protected/);
      });
    }
  }
  it("refuses deleting anything marked protect", () => {
    assert.equal(checkPreview({ kind: "maintenance", on: false }, [step("delete", PULUMI_TYPES.deployment, "maintenance", true)], ctx).ok, false);
  });

  it("refuses a Kubernetes Secret in a revive or rebuild diff: the program declares none", () => {
    const secret = step("update", "kubernetes:core/v1:Secret", "app-secret");
    const serverBack = step("create", PULUMI_TYPES.server, LIVE);
    for (const op of [{ kind: "revive", restorePointUTC: "2024-07-24T06:10:00Z" }, { kind: "rebuild" }] as const) {
      assert.equal(checkPreview(op, [serverBack], ctx).ok, true, `${op.kind} with only the server`);
      const r = checkPreview(op, [serverBack, secret], ctx);
      assert.equal(r.ok, false, `${op.kind} let a Secret through`);
      assert.ok(r.offences.some((o) => o.step.name === "app-secret"));
    }
  });
  it("ptr expects exactly one server create with the copy's name", () => {
    const op: Operation = { kind: "ptr", copy: { name: "c1", restorePointUTC: "2024-07-24T06:00:00Z" }, existing: [] };
    assert.ok(checkPreview(op, [step("create", PULUMI_TYPES.server, "c1")], ctx).ok);
    assert.equal(checkPreview(op, [step("create", PULUMI_TYPES.server, "c1"), step("create", PULUMI_TYPES.server, "c2")], ctx).ok, false);
    assert.equal(checkPreview(op, [step("create", PULUMI_TYPES.server, "other")], ctx).ok, false);
  });
  it("revive expects the live server's create and its parameters, nothing imported, nothing else", () => {
    const op: Operation = { kind: "revive", restorePointUTC: "2024-07-24T06:10:00Z" };
    assert.ok(checkPreview(op, [step("create", PULUMI_TYPES.server, LIVE, true), step("create", PULUMI_TYPES.configuration, "max_connections")], ctx).ok);
    for (const extra of [step("import", PULUMI_TYPES.database, "aytq_test"), step("import", PULUMI_TYPES.diagnosticSetting, "d"), step("create", PULUMI_TYPES.database, "aytq_test"), step("update", PULUMI_TYPES.branchProtection, "main")]) {
      assert.equal(checkPreview(op, [step("create", PULUMI_TYPES.server, LIVE), extra], ctx).ok, false, `${extra.op} ${extra.type}`);
    }
  });
  it("adopt expects imports and creates of what comes back with the server, never a delete or a replace", () => {
    const op: Operation = { kind: "adopt", ids: { databaseId: "x" } };
    assert.ok(checkPreview(op, [step("import", PULUMI_TYPES.database, "aytq_test"), step("update", PULUMI_TYPES.database, "aytq_test"), step("create", PULUMI_TYPES.diagnosticSetting, "d")], ctx).ok);
    assert.equal(checkPreview(op, [step("import-replacement", PULUMI_TYPES.diagnosticSetting, "d")], ctx).ok, false);
    assert.equal(checkPreview(op, [step("delete", PULUMI_TYPES.database, "aytq_test")], ctx).ok, false);
  });
  it("tidy deletes only the named copies", () => {
    const op: Operation = { kind: "tidy", names: ["c1"], existing: [] };
    assert.ok(checkPreview(op, [step("delete", PULUMI_TYPES.server, "c1")], ctx).ok);
    assert.equal(checkPreview(op, [step("delete", PULUMI_TYPES.server, "c2")], ctx).ok, false);
  });
});

describe("converge against the fake stack", () => {
  it("stop: sets app.stopped, previews, applies; replicas go to 0", async () => {
    const port = fakeStack();
    const r = await runOperation({ kind: "stop" }, opts(port));
    assert.equal(r.status, "applied");
    assert.deepEqual(r.gate.changes.map((s) => `${s.op} ${s.type}`), [`update ${PULUMI_TYPES.deploymentPatch}`, `update ${PULUMI_TYPES.deploymentPatch}`]);
    assert.equal(r.outputs?.webReplicas, 0);
    assert.deepEqual(port.calls.filter((c) => !c.startsWith("getConfig")), ["setConfig app.stopped=true", "preview", "up"]);
  });

  it("is idempotent: a second stop changes nothing and does not run up", async () => {
    const port = fakeStack();
    await runOperation({ kind: "stop" }, opts(port));
    port.calls.length = 0;
    const r = await runOperation({ kind: "stop" }, opts(port));
    assert.equal(r.status, "unchanged");
    assert.ok(!port.calls.includes("up"));
  });

  it("rolls the config back when the gate refuses, and names the offending resource", async () => {
    const port = fakeStack();
    port.extraSteps = [step("delete", PULUMI_TYPES.server, LIVE)];
    await assert.rejects(runOperation({ kind: "stop" }, opts(port)), (e: unknown) => e instanceof RefusedError && e.message.includes(LIVE) && /protected/.test(e.message));
    assert.equal(port.settings().app.stopped, false);
    assert.ok(!port.calls.includes("up"));
  });

  it("rolls the config back when up fails", async () => {
    const port = fakeStack();
    port.failNext("up", new ToolError("pulumi failed during up"));
    await assert.rejects(runOperation({ kind: "maintenance", on: true }, opts(port)), ToolError);
    assert.equal(port.settings().app.maintenance, false);
  });

  it("leaves config as it was when the stack is locked", async () => {
    const port = fakeStack();
    port.failNext("preview", new LockedError("locked"));
    await assert.rejects(runOperation({ kind: "stop" }, opts(port)), LockedError);
    assert.equal(port.settings().app.stopped, false);
    assert.equal(port.calls.filter((c) => c === "preview").length, 1);
  });

  it("dry run stops after the preview and puts config back", async () => {
    const port = fakeStack();
    const r = await runOperation({ kind: "stop" }, opts(port, { dryRun: true }));
    assert.equal(r.status, "dry-run");
    assert.equal(port.settings().app.stopped, false);
    assert.ok(!port.calls.includes("up"));
  });

  it("a declined confirmation applies nothing and puts config back", async () => {
    const port = fakeStack();
    await assert.rejects(runOperation({ kind: "stop" }, opts(port, { confirm: async () => false })), RefusedError);
    assert.equal(port.settings().app.stopped, false);
  });

  it("revive: refreshes the server first, creates it, then returns to normal", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    const r = await runOperation({ kind: "revive", restorePointUTC: AT }, h.opts());
    assert.ok(h.port.calls.findIndex((c) => c.startsWith("refresh")) < h.port.calls.indexOf("preview"));
    assert.deepEqual(r.preview.steps.filter((x) => x.op !== "same").map((x) => `${x.op} ${x.name}`).slice(0, 1), [`create ${h.live}`]);
    assert.equal(h.port.settings().recovery.mode, "normal");
    assert.equal(h.port.settings().recovery.restorePointUTC, undefined);
  });

  it("revive without the refresh would plan nothing: the deleted server is still in state", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    // state still holds the server (nothing to create) and its database (not declared while reviving: a delete)
    await assert.rejects(converge({ kind: "revive", restorePointUTC: AT }, h.opts()), (e: unknown) => e instanceof RefusedError && /delete .*Database/.test(e.message));
    assert.deepEqual(h.azure.serverCreates, [], "the server was not created");
  });

  it("a config change that changes no resource still goes up, so the outputs say what the config says", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    await runOperation({ kind: "revive", restorePointUTC: AT }, h.opts());
    // the return to normal changes no resource (the server's restore inputs are ignoreChanges) but recoveryMode is an output
    assert.equal((await h.port.outputs()).recoveryMode, "normal");
  });
});

describe("back to normal after revive/rebuild does not finish", () => {
  /** After the server is created, a change the adopt phase does not expect: its gate refuses. */
  const refuseAfterCreate = (h: ReturnType<typeof harness>) => {
    let previews = 0;
    h.port.onCall = (call) => {
      if (call === "preview" && ++previews === 2) h.port.extraSteps = [step("create", PULUMI_TYPES.branchProtection, "stray")];
    };
  };

  it("the gate refuses the way back: says the server IS recovered, where config stands and the exact fix; exit 6, never success", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    refuseAfterCreate(h);
    const err = await runOperation({ kind: "revive", restorePointUTC: AT }, h.opts()).then(
      () => assert.fail("resolved"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof RecoveredNotNormalError, String(err));
    assert.equal(err.exitCode, EXIT.recoveredNotNormal);
    assert.ok(err.reason instanceof RefusedError);
    assert.match(err.message, new RegExp(`the live server ${LIVE} IS recovered`));
    assert.match(err.message, /the gate refused return to recovery\.mode=normal/);
    assert.match(err.message, /the stack config says recovery\.mode=reviveDropped/);
    assert.match(err.hint ?? "", /aytq-dr preview normal --stack test/);
    assert.match(err.hint ?? "", /aytq-dr normal --stack test/);
    assert.match(err.hint ?? "", new RegExp(`re-run aytq-dr revive --stack test --at ${AT} `));
    // the server is there; the config was put back to the revive mode
    assert.deepEqual(h.azure.serverCreates, [`ReviveDropped ${LIVE}`]);
    assert.ok([...h.port.state.values()].some((r) => r.name === LIVE));
    assert.equal(h.port.settings().recovery.mode, "reviveDropped");
  });

  it("when the way back cannot put its config back either, it never advises going back to reviveDropped", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    let writes = 0;
    let previews = 0;
    h.port.onCall = (call) => {
      if (call === "preview" && ++previews === 2) h.port.extraSteps = [step("create", PULUMI_TYPES.branchProtection, "stray")];
      // 1: revive's patch, 2: adopt's patch, 3: adopt's rollback (fails), then the state is read back
      if (call.startsWith("setConfig") && ++writes === 3) throw new Error("disk full");
    };
    const err = await runOperation({ kind: "revive", restorePointUTC: AT }, h.opts()).then(
      () => assert.fail("resolved"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof RecoveredNotNormalError, String(err));
    assert.doesNotMatch(err.message, /put these keys back by hand/);
    assert.doesNotMatch(`${err.message}\n${err.hint ?? ""}`, /recovery\.mode reviveDropped/);
    assert.match(err.message, /the config could not be put back either/);
    assert.match(err.message, /the stack config says recovery\.mode=normal/);
  });

  it("re-running revive in that state sees the server there and only finishes", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    refuseAfterCreate(h);
    await assert.rejects(runOperation({ kind: "revive", restorePointUTC: AT }, h.opts()), RecoveredNotNormalError);
    h.port.onCall = undefined;
    h.port.extraSteps = [];
    const r = await runOperation({ kind: "revive", restorePointUTC: AT }, h.opts());
    assert.ok("phases" in r);
    assert.deepEqual(r.phases.map((p) => p.phase), ["look", "adopt", "finish", "verify"]);
    assert.deepEqual(h.azure.serverCreates, [`ReviveDropped ${LIVE}`], "revived once");
    assert.equal(h.port.settings().recovery.mode, "normal");
    assert.equal(h.port.settings().recovery.restorePointUTC, undefined);
    assert.equal((await h.port.outputs()).recoveryMode, "normal");
  });

  it("rebuild: a failed up on the way back is exit 6 too, with the rebuild re-run and the server recovered (empty)", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    let ups = 0;
    h.port.onCall = (call) => {
      if (call === "up" && ++ups === 2) throw new ToolError("pulumi up failed: network");
    };
    const err = await runOperation({ kind: "rebuild" }, h.opts()).then(
      () => assert.fail("resolved"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof RecoveredNotNormalError, String(err));
    assert.equal(err.exitCode, 6);
    assert.match(err.message, /IS recovered \(empty: restore the latest backup into it next\)/);
    assert.match(err.message, /pulumi up failed: network/);
    assert.match(err.message, /recovery\.mode=rebuild/);
    assert.match(err.hint ?? "", /re-run aytq-dr rebuild --stack test /);
    h.port.onCall = undefined;
    await runOperation({ kind: "rebuild" }, h.opts());
    assert.equal(h.port.settings().recovery.mode, "normal");
    assert.deepEqual(h.azure.serverCreates, [`Default ${LIVE}`]);
  });

  it("a lock on the way back keeps the locked stack's own message inside", async () => {
    const h = harness("production");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    let previews = 0;
    h.port.onCall = (call) => {
      if (call === "preview" && ++previews === 2) throw new LockedError("the stack is locked by another update", "wait for it");
    };
    const err = await runOperation({ kind: "revive", restorePointUTC: AT }, h.opts()).then(
      () => assert.fail("resolved"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof RecoveredNotNormalError);
    assert.match(err.message, /locked by another update\n +fix: wait for it/);
    assert.match(err.hint ?? "", /aytq-dr normal --stack production --confirm-production/);
  });
});

describe("production guard", () => {
  const base = { stack: "production", confirmProduction: false, yes: true, dryRun: false, isTTY: false };
  it("refuses production without --confirm-production", async () => {
    await assert.rejects(checkGuards(base), (e: unknown) => e instanceof RefusedError && /--confirm-production/.test(e.message));
  });
  it("on a terminal, needs the stack name typed", async () => {
    await assert.rejects(checkGuards({ ...base, confirmProduction: true, isTTY: true, prompt: async () => "prod" }), RefusedError);
    await checkGuards({ ...base, confirmProduction: true, isTTY: true, prompt: async () => "production" });
  });
  it("a dry run (preview) of production needs neither --confirm-production nor the typed name: it applies nothing", async () => {
    await checkGuards({ ...base, yes: false, dryRun: true, isTTY: true, prompt: async (q) => assert.fail(`asked ${q}`) });
    await checkGuards({ ...base, yes: false, dryRun: true });
  });
  it("without a terminal, a change needs --yes; a dry run does not", async () => {
    await assert.rejects(checkGuards({ ...base, stack: "test", yes: false }), (e: unknown) => e instanceof RefusedError && /--yes/.test(e.hint ?? ""));
    await checkGuards({ ...base, stack: "test", yes: false, dryRun: true });
  });
});

describe("Azure platform over the fake stack", () => {
  let stateDir: string;
  beforeEach(() => (stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-az-"))));
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it("runs server-lost-revive end to end: config ends back at normal, app running, unfrozen", async () => {
    const h = harness("test");
    const port = h.port;
    await port.deleteServerInAzure(undefined, DELETED_AT);
    const platform = new AzurePlatform({ port, settings: port.settings(), log: () => undefined, recovery: h.recovery, pipeline: fakePipelineFreeze() });
    const data = new FakeData();
    const out = await runScenario({ scenario: "server-lost-revive", platform, data, inputs: { restorePointUTC: "2024-07-24T06:10:00Z" }, stateDir, decide: async () => "whole" });
    assert.equal(out.outcome, "completed", JSON.stringify(out.steps));
    assert.deepEqual(out.steps.map((s) => s.step), SCENARIO_STEPS["server-lost-revive"]);
    const s = port.settings();
    assert.deepEqual([s.app.stopped, s.app.maintenance, s.recovery.mode], [false, false, "normal"]);
    assert.deepEqual(h.azure.serverCreates, [`ReviveDropped ${LIVE}`]);
    // each phase of the revive step was journalled as it completed
    const phases = new Journal(stateDir, "test", out.runId).phases();
    assert.deepEqual(phases.map((p) => `${p.step} ${p.phase}`), ["revive look", "revive refresh", "revive create", "revive adopt", "revive finish", "revive verify"]);
    // validate ran against the temporary hosts, while maintenance was on
    assert.match(data.calls.find((c) => c.startsWith("validate")) ?? "", /temp/);
  });

  it("a run that dies in the middle of revive keeps the phases it reached; the resumed run only finishes", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    const platform = new AzurePlatform({ port: h.port, settings: h.port.settings(), log: () => undefined, recovery: h.recovery, pipeline: fakePipelineFreeze() });
    let ups = 0;
    h.port.onCall = (call) => {
      // stop, maintenance-on, then revive's create (the freeze converges the pipeline stack, not this one); the adopt's up dies
      if (call === "up" && ++ups === 4) throw new Error("process killed");
    };
    const first = await runScenario({ scenario: "server-lost-revive", platform, data: new FakeData(), inputs: { restorePointUTC: AT }, stateDir, decide: async () => "whole" });
    assert.equal(first.outcome, "failed");
    const journal = new Journal(stateDir, "test", first.runId);
    assert.deepEqual(journal.phases().map((p) => p.phase), ["look", "refresh", "create"]);
    h.port.onCall = undefined;
    const resumed = await runScenario({ scenario: "server-lost-revive", platform, data: new FakeData(), inputs: {}, stateDir, decide: async () => "whole", resumeRunId: first.runId });
    assert.equal(resumed.outcome, "completed", JSON.stringify(resumed.steps));
    assert.deepEqual(journal.phases().map((p) => p.phase).slice(3), ["look", "adopt", "finish", "verify"]);
    assert.deepEqual(h.azure.serverCreates, [`ReviveDropped ${LIVE}`], "revived once");
  });

  it("ptr then tidy: the copy is created with createdAtUTC and removed again", async () => {
    const port = fakeStack();
    const platform = new AzurePlatform({ port, settings: port.settings(), log: () => undefined, now: () => new Date("2024-07-24T08:00:00Z") });
    await platform.createPtrCopy("copy-one", "2024-07-24T06:00:00Z");
    assert.deepEqual(port.settings().recovery.ptrCopies, [{ name: "copy-one", restorePointUTC: "2024-07-24T06:00:00Z", createdAtUTC: "2024-07-24T08:00:00Z" }]);
    const again = await platform.createPtrCopy("copy-one", "2024-07-24T06:00:00Z");
    assert.equal(again.status, "unchanged");
    await assert.rejects(platform.createPtrCopy("copy-one", "2024-07-24T05:00:00Z"), /already exists/);
    await platform.removePtrCopies(["copy-one"]);
    assert.deepEqual(port.settings().recovery.ptrCopies, []);
    assert.ok(![...port.state.values()].some((r) => r.name === "copy-one"));
  });

  it("storage and health targets come from the stack's settings", async () => {
    const port = fakeStack();
    const platform = new AzurePlatform({ port, settings: port.settings(), log: () => undefined });
    assert.deepEqual(await platform.storage(), { kind: "account", accountUrl: "https://s189t01aytqdbbkptssa.blob.core.windows.net", container: "database-backup" });
    assert.match(platform.healthTargets()[0].url, /^https:\/\/test\.access-your-teaching-qualifications/);
    await platform.setMaintenance(true);
    assert.match(platform.healthTargets()[0].url, /temp.*\/health/);
  });
});
