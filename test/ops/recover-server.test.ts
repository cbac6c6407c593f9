/**
 * Revive and rebuild through the strict fake engine and the simulated Azure: the phases the real
 * engine accepts, the stale diagnostic setting in every state Azure may leave it, the real server
 * converged, the app's credentials kept, every up bound to its plan, and a crash after each phase.
 */
import { strict as assert } from "node:assert";
import { RecoveredNotNormalError, ToolError, UsageError } from "../../recovery/errors";
import type { OrphanSettingRead } from "../helpers/azure/state";
import { runOperation } from "../../recovery/ops/run-operation";
import { serverDifferences } from "../../recovery/ops/verify-server";
import { credentialsFromDatabaseUrl } from "../../recovery/platforms/azure/credentials";
import { APP_LOGIN, APP_PASSWORD, AT, DELETED_AT, harness, Harness } from "./recover-harness";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AzurePlatform } from "../../recovery/platforms/azure/platform";
import { fakePipelineFreeze } from "../helpers/fake-pipeline-stack";
import { runScenario } from "../../recovery/runbook/runner";
import { FakeData } from "../runbook/fakes";
import type { DatabaseConnection } from "../../recovery/runbook/ports";
import { PULUMI_TYPES } from "../../infra/types";

const revive = { kind: "revive", restorePointUTC: AT } as const;
const rebuild = { kind: "rebuild" } as const;

/** What a finished recovery must leave, whatever the path: server back as declared, config clean, setting there once. */
async function assertRecovered(h: Harness, how: "ReviveDropped" | "Default"): Promise<void> {
  const s = h.port.settings();
  assert.equal(s.recovery.mode, "normal");
  assert.deepEqual([s.recovery.restorePointUTC, s.recovery.adopt, s.recovery.adminLogin, s.recovery.adminPassword], [undefined, undefined, undefined, undefined]);
  assert.deepEqual(h.azure.serverCreates, [`${how} ${h.live}`], "the server is created exactly once");
  const server = await h.azure.getServer(s.resourceGroupName, h.live);
  assert.ok(server);
  assert.equal(server.highAvailability, s.database.highAvailability, "HA as declared");
  const { differences } = await serverDifferences(h.azure, s);
  assert.deepEqual(differences, [], "the real server matches the stack");
  // the database is in Azure and in state
  assert.ok(await h.azure.getDatabase(s.resourceGroupName, h.live, s.database.databaseName));
  const state = await h.port.resourceUrns();
  assert.equal(state.filter((r) => r.type === PULUMI_TYPES.database).length, 1);
  if (s.monitoring.enabled) {
    const settings = [...h.azure.settings.values()].filter((x) => x.name === s.monitoring.diagnosticSettingName);
    assert.equal(settings.length, 1, "the diagnostic setting is there once");
    const inState = state.filter((r) => r.type === PULUMI_TYPES.diagnosticSetting);
    assert.equal(inState.length, 1);
    assert.equal(inState[0].id.toLowerCase(), settings[0].id.toLowerCase());
  }
  // the delete lock, gone with the deleted server, is back on the new one
  if (s.locks.enabled) assert.equal(h.azure.locksOn(server.id).length, 1, "the server's delete lock is back");
  // never an import-replacement: it would end by deleting what was just adopted
  assert.ok(!h.port.history.some((x) => /replace/.test(x)), h.port.history.join("\n"));
  // the gate bound every up
  assert.ok(h.port.upPlans.length > 0 && h.port.upPlans.every((p) => typeof p === "string"), "every up ran with the plan its preview saved");
  // the stack is ordinary again: nothing left to do
  const after = await h.port.preview();
  assert.deepEqual(after.steps.filter((x) => x.op !== "same").map((x) => `${x.op} ${x.name}`), []);
}

describe("revive in phases, through the strict fake engine", () => {
  it("no preview imports or reads what does not exist: the server comes back, then its database and setting are adopted by Azure's ids", async () => {
    const h = harness("production");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    const r = await runOperation(revive, h.opts());
    assert.ok("phases" in r);
    assert.deepEqual(r.phases.map((p) => p.phase), ["look", "refresh", "create", "adopt", "finish", "verify"]);
    await assertRecovered(h, "ReviveDropped");
    // the create phase declared no import at all
    const createUp = h.port.history.filter((x) => x.includes(PULUMI_TYPES.server));
    assert.deepEqual(createUp, [`create ${PULUMI_TYPES.server} ${h.live}`]);
    assert.ok(h.port.history.includes(`import ${PULUMI_TYPES.database} ${h.port.settings().database.databaseName}`));
  });

  it("turns zone-redundant HA back on and re-applies parameters that Azure did not restore (azure-native shows no diff for either)", async () => {
    const h = harness("production");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    await runOperation(revive, h.opts());
    assert.ok(h.azure.armCalls.some((c) => c.startsWith("updateServer") && c.includes('"highAvailability":"ZoneRedundant"')), h.azure.armCalls.join("\n"));
    const s = h.port.settings();
    for (const [name, value] of Object.entries(s.database.parameters)) {
      assert.equal((await h.azure.getConfiguration(s.resourceGroupName, h.live, name))?.value, value);
    }
  });

  it("a parameter reset behind the engine's back is put back by verify, not left at Azure's default", async () => {
    const h = harness("production");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    // the configurations stay in state as applied, so the engine re-applies nothing: only ARM knows
    h.port.onCall = (call) => {
      if (call === "resourceUrns" && h.azure.servers.size > 0) h.azure.servers.get([...h.azure.servers.keys()].find((k) => k.endsWith(h.live))!)?.parameters.clear();
    };
    await runOperation(revive, h.opts());
    h.port.onCall = undefined;
    assert.ok(h.azure.armCalls.some((c) => c.startsWith("putConfiguration")), h.azure.armCalls.join("\n"));
    assert.deepEqual((await serverDifferences(h.azure, h.port.settings())).differences, []);
  });

  it("a version that differs is reported as a warning, never 'fixed'", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    const gone = [...h.azure.dropped.values()][0];
    gone.server.version = "15";
    const r = await runOperation(revive, h.opts());
    assert.ok("warnings" in r);
    assert.match(r.warnings.join("\n"), /PostgreSQL version: declared 16, actual 15 \(cannot be changed in place/);
  });

  const settingCases: { read: OrphanSettingRead; reattaches: boolean }[] = [];
  for (const read of ["not-found", "found", "error"] as const) for (const reattaches of [true, false]) settingCases.push({ read, reattaches });
  for (const { read, reattaches } of settingCases) {
    it(`the stale diagnostic setting ends there once, under Azure's id (GET while the server is gone: ${read}; kept setting re-attached: ${reattaches})`, async () => {
      const h = harness("production", { orphanSettingRead: read, staleSettingReattaches: reattaches });
      await h.port.deleteServerInAzure(undefined, DELETED_AT);
      await runOperation(revive, h.opts());
      await assertRecovered(h, "ReviveDropped");
      const adopted = h.port.history.some((x) => x.startsWith(`import ${PULUMI_TYPES.diagnosticSetting}`));
      const created = h.port.history.some((x) => x.startsWith(`create ${PULUMI_TYPES.diagnosticSetting}`));
      assert.equal(adopted, reattaches, "adopted when Azure kept it on the new server");
      assert.equal(created, !reattaches, "created when Azure dropped it");
    });
  }

  it("the setting only in Azure (state lost it): adopted, not created twice", async () => {
    const h = harness("production");
    await h.port.ready();
    const urn = [...h.port.state.values()].find((r) => r.type === PULUMI_TYPES.diagnosticSetting)!.urn;
    await h.port.forget([urn]);
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    await runOperation(revive, h.opts());
    await assertRecovered(h, "ReviveDropped");
  });

  it("the setting gone from Azure and state: created", async () => {
    const h = harness("production");
    await h.port.ready();
    const setting = [...h.port.state.values()].find((r) => r.type === PULUMI_TYPES.diagnosticSetting)!;
    await h.port.forget([setting.urn]);
    h.azure.delete(PULUMI_TYPES.diagnosticSetting, setting.id);
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    await runOperation(revive, h.opts());
    await assertRecovered(h, "ReviveDropped");
    assert.ok(h.port.history.some((x) => x.startsWith(`create ${PULUMI_TYPES.diagnosticSetting}`)));
  });

  it("a revive Azure refuses fails loudly with Azure's reason and puts the config back", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    const err = await runOperation({ kind: "revive", restorePointUTC: "2024-07-24T05:50:00Z" }, h.opts()).then(
      () => assert.fail("resolved"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ToolError, String(err));
    assert.match(err.message, /not after the deletion/);
    assert.equal(h.port.settings().recovery.mode, "normal");
    assert.equal(h.port.settings().recovery.restorePointUTC, undefined);
  });

  it("without Azure, revive refuses before changing anything", async () => {
    const h = harness("test");
    await assert.rejects(runOperation(revive, { ...h.opts(), recovery: undefined }), UsageError);
    assert.deepEqual(h.port.calls, []);
  });
});

describe("rebuild in phases", () => {
  it("creates the server with the app's own credentials, passed as secret config and removed afterwards; never printed", async () => {
    const h = harness("production");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    await runOperation(rebuild, h.opts());
    await assertRecovered(h, "Default");
    const server = [...h.azure.servers.values()].find((x) => x.name === h.live)!;
    assert.equal(server.adminLogin, APP_LOGIN);
    assert.equal(server.adminPassword, APP_PASSWORD, "the app and the restore log in with no change");
    assert.ok(h.port.calls.some((c) => c === "setConfig recovery.adminLogin=[secret] recovery.adminPassword=[secret]"), h.port.calls.join("\n"));
    const everything = [...h.port.calls, ...h.lines, ...h.port.history].join("\n");
    assert.ok(!everything.includes(APP_PASSWORD), "the password never appears");
    assert.ok(!everything.includes(encodeURIComponent(APP_PASSWORD)));
    assert.equal(h.port.secretKeys.size, 0, "no secret left in config");
  });

  it("an empty server: no database came back, so it is created (never imported)", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    await runOperation(rebuild, h.opts());
    assert.ok(h.port.history.includes(`create ${PULUMI_TYPES.database} ${h.port.settings().database.databaseName}`));
    assert.ok(!h.port.history.some((x) => x.startsWith("import")));
  });

  it("a Secret that cannot be read stops the rebuild before anything changes", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    const recovery = { ...h.recovery, appCredentials: async () => credentialsFromDatabaseUrl("postgres://nobody@host/db", "secret tra-test/x") };
    await assert.rejects(runOperation(rebuild, { ...h.opts(), recovery }), (e: unknown) => e instanceof ToolError && /has no password/.test(e.message));
    assert.deepEqual(h.port.calls, []);
    assert.deepEqual(h.azure.serverCreates, []);
  });

  it("a failed way back puts the app's credentials back as secrets, never as plain config, never printed", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    let ups = 0;
    h.port.onCall = (call) => {
      if (call === "up" && ++ups === 2) throw new ToolError("pulumi failed during up: network");
    };
    await assert.rejects(runOperation(rebuild, h.opts()), RecoveredNotNormalError);
    const s = h.port.settings();
    assert.equal(s.recovery.mode, "rebuild");
    assert.equal(s.recovery.adminPassword, APP_PASSWORD, "put back, so that a re-run still has them");
    assert.deepEqual([...h.port.secretKeys].sort(), ["recovery.adminLogin", "recovery.adminPassword"]);
    assert.ok(![...h.port.calls, ...h.lines].join("\n").includes(APP_PASSWORD));
    h.port.onCall = undefined;
    await runOperation({ kind: "normal" }, h.opts());
    assert.equal(h.port.settings().recovery.adminPassword, undefined);
    assert.equal(h.port.secretKeys.size, 0);
  });

  it("a failed create puts the config back, the secrets included", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    h.port.failNext("up", new ToolError("pulumi failed during up: Conflict"));
    await assert.rejects(runOperation(rebuild, h.opts()), ToolError);
    const s = h.port.settings();
    assert.deepEqual([s.recovery.mode, s.recovery.adminLogin, s.recovery.adminPassword], ["normal", undefined, undefined]);
    assert.equal(h.port.secretKeys.size, 0);
  });
});

describe("a crash after each phase, then the same command again", () => {
  /** Where the recovery dies: right after the last engine call of each phase (finish: when verify first asks Azure). */
  const crashes: { phase: string; after?: string; nth?: number }[] = [
    { phase: "refresh", after: "forget", nth: 1 },
    { phase: "create", after: "up", nth: 1 },
    { phase: "adopt", after: "up", nth: 2 },
    { phase: "finish" },
  ];
  for (const kind of ["revive", "rebuild"] as const) {
    for (const c of crashes) {
      it(`${kind}: dies after ${c.phase}; the re-run never creates the server twice nor imports anything twice`, async () => {
        const h = harness("production");
        await h.port.deleteServerInAzure(undefined, DELETED_AT);
        let seen = 0;
        let armed = true;
        let servers = 0;
        if (c.after === undefined) {
          h.azure.onArm = (call) => {
            // look, adopt, then verify's read of the server
            if (call.startsWith("getServer") && ++servers === 3) throw new Error("process killed");
          };
        }
        h.port.onCall = (call) => {
          if (c.after === undefined) return;
          // the crash: the first call after the phase's last one
          if (armed && seen === c.nth) {
            armed = false;
            throw new Error("process killed");
          }
          if (call === c.after || call.startsWith(`${c.after} `)) seen++;
        };
        await assert.rejects(runOperation(kind === "revive" ? revive : rebuild, h.opts()), /process killed/);
        h.port.onCall = undefined;
        h.azure.onArm = undefined;
        await runOperation(kind === "revive" ? revive : rebuild, h.opts());
        await assertRecovered(h, kind === "revive" ? "ReviveDropped" : "Default");
        const imports = h.port.history.filter((x) => x.startsWith("import"));
        assert.equal(new Set(imports).size, imports.length, `imported twice: ${imports.join(", ")}`);
      });
    }
  }

  it("Azure created the server but the engine never recorded it: the re-run adopts the server by Azure's id", async () => {
    const h = harness("test");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    await h.port.ready();
    // the revive's PUT went through, then the process died before the state was written
    const s = h.port.settings();
    const id = h.azure.serverId(s.resourceGroupName, h.live);
    await h.port.refresh([...h.port.state.values()].filter((r) => r.type === PULUMI_TYPES.server && r.name === h.live).map((r) => r.urn));
    h.azure.create(PULUMI_TYPES.server, id, { serverName: h.live, resourceGroupName: s.resourceGroupName, createMode: "ReviveDropped", sourceServerResourceId: id, pointInTimeUTC: AT });
    assert.ok(![...h.port.state.values()].some((r) => r.type === PULUMI_TYPES.server && r.name === h.live));
    const r = await runOperation(revive, h.opts());
    assert.ok("phases" in r);
    assert.ok(!r.phases.some((p) => p.phase === "create"));
    assert.ok(h.port.history.includes(`import ${PULUMI_TYPES.server} ${h.live}`));
    await assertRecovered(h, "ReviveDropped");
  });

  it("a later phase failing is exit 6: the server IS recovered, and `normal` finishes it", async () => {
    const h = harness("production");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    h.azure.failNext("updateServer", new ToolError("Azure: OperationNotAllowed"));
    const err = await runOperation(revive, h.opts()).then(
      () => assert.fail("resolved"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof RecoveredNotNormalError, String(err));
    assert.match(err.message, /IS recovered; phases done: look, refresh, create, adopt, finish/);
    assert.match(err.hint ?? "", /aytq-dr normal --stack production --confirm-production/);
    await runOperation({ kind: "normal" }, h.opts());
    await assertRecovered(h, "ReviveDropped");
  });
});

describe("the gate binds up", () => {
  it("a change between the approved preview and the up fails the up instead of going through", async () => {
    const h = harness("test");
    h.port.onCall = (call) => {
      // someone changes the stack while the operator reads the diff
      if (call === "up") h.port.config = { ...h.port.config, app: { ...(h.port.config.app as object), webReplicas: 7 } };
    };
    await assert.rejects(runOperation({ kind: "maintenance", on: true }, h.opts()), (e: unknown) => e instanceof ToolError && /not allowed by the plan/.test(e.message));
  });
});

describe("issue 8's done-when: the scenarios end to end on production through the strict fake engine", () => {
  let stateDir: string;
  beforeEach(() => (stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-recover-"))));
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  for (const scenario of ["server-lost-revive", "server-lost-rebuild"] as const) {
    it(`${scenario}: the server back, HA and parameters as declared, the diagnostic setting there once, the app's credentials unchanged, every up bound to its plan`, async () => {
      const h = harness("production");
      await h.port.deleteServerInAzure(undefined, DELETED_AT);
      // connections that need no cluster: FakeData never uses them
      const platform = new (class extends AzurePlatform {
        override async connect(): Promise<DatabaseConnection> {
          return { url: "postgres://u:pw@127.0.0.1:1/db", label: h.live, serverName: h.live, release: async () => undefined };
        }
      })({ port: h.port, settings: h.port.settings(), log: (l) => h.lines.push(l), recovery: h.recovery, pipeline: fakePipelineFreeze() });
      const data = Object.assign(new FakeData(), { blobs: ["aytq_pd_2024-07-24.sql.gz"] });
      const out = await runScenario({ scenario, platform, data, inputs: { restorePointUTC: AT, deletedAtUTC: DELETED_AT.toISOString() }, stateDir, decide: async () => "whole" });
      assert.equal(out.outcome, "completed", JSON.stringify(out.steps, null, 2));
      await assertRecovered(h, scenario === "server-lost-revive" ? "ReviveDropped" : "Default");
      const s = h.port.settings();
      assert.deepEqual([s.app.stopped, s.app.maintenance], [false, false]);
      if (scenario === "server-lost-rebuild") {
        const server = [...h.azure.servers.values()].find((x) => x.name === h.live)!;
        assert.deepEqual([server.adminLogin, server.adminPassword === APP_PASSWORD], [APP_LOGIN, true], "the app and the restore log in with no change");
      }
      assert.ok(!JSON.stringify(out.steps).includes(APP_PASSWORD), "the journal never holds the password");
    });
  }
});
