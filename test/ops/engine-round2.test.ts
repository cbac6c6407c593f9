/**
 * Issue 16: what the real engine and azure-native do on a first real recovery, through the strict
 * fake engine (which diffs by the spec's replace keys and imports Azure's whole GET):
 * - adopting the leftover diagnostic setting or a server Azure created is never a replace;
 * - a create cut off after Azure accepted it is finished by `normal`, never created twice;
 * - static parameters are applied by one restart, and verify says "matches" only once they are;
 * - a server that is restarting or updating is waited for, never sent a change it refuses.
 */
import { strict as assert } from "node:assert";
import { RecoveredNotNormalError, ToolError } from "../../recovery/errors";
import type { ReportedIdCase } from "../helpers/azure/state";
import { runOperation } from "../../recovery/ops/run-operation";
import { serverDifferences } from "../../recovery/ops/verify-server";
import { readServer, serverStatusLine } from "../../recovery/preflight/server";
import type { ResourceUriSlash } from "../../infra/replace-keys";
import { AT, DELETED_AT, harness, Harness } from "./recover-harness";
import { PULUMI_TYPES } from "../../infra/types";

const revive = { kind: "revive", restorePointUTC: AT } as const;
const rebuild = { kind: "rebuild" } as const;
const opOf = (kind: "revive" | "rebuild") => (kind === "revive" ? revive : rebuild);

/** Nothing the engine did to the live server or the setting was a replace, and the stack is quiet afterwards. */
async function assertNoReplace(h: Harness): Promise<void> {
  assert.ok(!h.port.history.some((x) => /replace/.test(x)), h.port.history.join("\n"));
  assert.deepEqual(h.port.warnings, [], "no engine warning in the last preview");
  const after = await h.port.preview();
  assert.deepEqual(after.steps.filter((x) => x.op !== "same").map((x) => `${x.op} ${x.name}`), [], "nothing left to change");
}

describe("issue 16: adopting is never a replace", () => {
  for (const kind of ["revive", "rebuild"] as const) {
    for (const slash of ["dropped", "kept"] as ResourceUriSlash[]) {
      for (const idCase of ["lower", "as-sent"] as ReportedIdCase[]) {
        it(`${kind} on production: the leftover diagnostic setting is adopted once and the server never replaced (resourceUri's slash ${slash}, ids ${idCase})`, async () => {
          const h = harness("production", { reportedIdCase: idCase }, { resourceUriSlash: slash });
          const s = h.port.settings();
          assert.ok(s.monitoring.enabled && s.locks.enabled, "production has monitoring and locks");
          await h.port.deleteServerInAzure(undefined, DELETED_AT);
          await runOperation(opOf(kind), h.opts());
          // the setting was imported by Azure's own (lower-cased) id, not created again
          assert.ok(h.port.history.includes(`import ${PULUMI_TYPES.diagnosticSetting} ${s.monitoring.diagnosticSettingName}`), h.port.history.join("\n"));
          assert.equal([...h.azure.settings.values()].filter((x) => x.name === s.monitoring.diagnosticSettingName).length, 1);
          assert.deepEqual(h.azure.serverCreates, [`${kind === "revive" ? "ReviveDropped" : "Default"} ${h.live}`]);
          await assertNoReplace(h);
        });
      }
    }
  }

  it("the engine refuses to replace what it imports: a warning in preview, an error in up (step_generator.go)", async () => {
    const h = harness("production");
    await h.port.ready();
    const db = [...h.port.state.values()].find((r) => r.type === PULUMI_TYPES.database)!;
    await h.port.forget([db.urn]);
    // Azure resolves ids without case, but serverName is a path parameter compared with case
    const shouted = db.id.replace(h.live, h.live.toUpperCase());
    h.port.config = { ...h.port.config, recovery: { ...(h.port.config.recovery as object), adopt: { databaseId: shouted } } };
    const preview = await h.port.preview();
    assert.ok(preview.steps.some((x) => x.op === "replace" && x.type === PULUMI_TYPES.database));
    assert.match(preview.diffText, /previously-imported resources that still specify an ID may not be replaced[^]*serverName: "S189P01-AYTQ-PD-PG" => "s189p01-aytq-pd-pg"/);
    await assert.rejects(h.port.up(), /previously-imported resources that still specify an ID may not be replaced/);
    assert.ok(!h.port.history.some((x) => x.includes(PULUMI_TYPES.database)), "nothing was applied");
  });

  it("an undeclared create-only property the import reads is a change (availabilityZone): the server ignores it", async () => {
    const h = harness("production");
    await h.port.ready();
    const server = [...h.port.state.values()].find((r) => r.type === PULUMI_TYPES.server && r.name === h.live)!;
    assert.equal(h.azure.read(PULUMI_TYPES.server, server.id)?.availabilityZone, "1", "Azure chose a zone the program never declared");
    await h.port.forget([server.urn]);
    h.port.config = { ...h.port.config, recovery: { ...(h.port.config.recovery as object), adopt: { serverId: server.id } } };
    const steps = (await h.port.preview()).steps.filter((x) => x.op !== "same").map((x) => `${x.op} ${x.type.split(":").pop()}`);
    assert.ok(steps.includes("import Server") && !steps.some((x) => x.startsWith("replace")), steps.join("\n"));
  });
});

describe("issue 16: a create cut off after Azure accepted it", () => {
  for (const kind of ["revive", "rebuild"] as const) {
    it(`${kind}: the runner dies after Azure created the server; aytq-dr normal adopts it, no replace, no second create`, async () => {
      const h = harness("production");
      await h.port.deleteServerInAzure(undefined, DELETED_AT);
      h.port.cutOffNextCreate(PULUMI_TYPES.server, "process-killed");
      // a killed process runs nothing after the up: not even the config rollback
      h.port.onCall = () => {
        if (h.port.pendingOperations.length > 0) throw new Error("process killed");
      };
      await assert.rejects(runOperation(opOf(kind), h.opts()), /killed/);
      h.port.onCall = undefined;
      assert.ok(h.azure.servers.size > 0 && ![...h.port.state.values()].some((r) => r.type === PULUMI_TYPES.server && r.name === h.live), "in Azure, not in state");
      assert.deepEqual(h.port.pendingOperations.map((p) => p.op), ["creating"]);
      assert.equal(h.port.settings().recovery.mode, kind === "revive" ? "reviveDropped" : "rebuild", "the dead process left the recovery config");
      await runOperation({ kind: "normal" }, h.opts());
      assert.ok(h.port.history.includes(`import ${PULUMI_TYPES.server} ${h.live}`), h.port.history.join("\n"));
      assert.equal(h.azure.serverCreates.length, 1, "created once");
      assert.equal(h.port.settings().recovery.mode, "normal");
      await assertNoReplace(h);
    });

    it(`${kind}: azure-native reports the create failed after Azure accepted it; the re-run updates it and finishes`, async () => {
      const h = harness("production");
      await h.port.deleteServerInAzure(undefined, DELETED_AT);
      h.port.cutOffNextCreate(PULUMI_TYPES.server, "init-failed");
      await assert.rejects(runOperation(opOf(kind), h.opts()), /partially created/);
      assert.ok([...h.port.state.values()].some((r) => r.type === PULUMI_TYPES.server && r.initErrors), "kept in state with its init errors");
      await runOperation(opOf(kind), h.opts());
      assert.equal(h.azure.serverCreates.length, 1, "created once");
      assert.ok(h.port.history.includes(`update ${PULUMI_TYPES.server} ${h.live}`), h.port.history.join("\n"));
      await assertNoReplace(h);
    });
  }
});

describe("issue 16: static parameters take effect", () => {
  for (const kind of ["revive", "rebuild"] as const) {
    it(`${kind}: max_connections is applied by one restart, and verify reads it applied`, async () => {
      const h = harness("production");
      const s = h.port.settings();
      assert.ok("max_connections" in s.database.parameters);
      await h.port.deleteServerInAzure(undefined, DELETED_AT);
      const r = await runOperation(opOf(kind), h.opts());
      const server = [...h.azure.servers.values()].find((x) => x.name === h.live)!;
      assert.equal(server.restarts, 1, "restarted exactly once");
      const p = await h.azure.getConfiguration(s.resourceGroupName, h.live, "max_connections");
      assert.deepEqual([p?.value, p?.pendingRestart], [s.database.parameters.max_connections, false]);
      assert.ok("phases" in r);
      assert.match(r.phases.find((x) => x.phase === "verify")?.summary ?? "", /max_connections/);
      assert.ok(h.lines.some((l) => /restarting s189p01-aytq-pd-pg so that max_connections takes effect/.test(l)), h.lines.join("\n"));
    });
  }

  it("a restart Azure refuses fails the step and says the server runs on the old value; normal then finishes it", async () => {
    const h = harness("production");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    h.azure.failNext("restartServer", new ToolError("Azure refused to restart server: HTTP 500 InternalServerError"));
    const err = await runOperation(rebuild, h.opts()).then(
      () => assert.fail("resolved"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof RecoveredNotNormalError, String(err));
    assert.match(err.message, /restarting s189p01-aytq-pd-pg to apply max_connections failed: .*HTTP 500.*the server runs on the old values/);
    const s = h.port.settings();
    assert.equal((await h.azure.getConfiguration(s.resourceGroupName, h.live, "max_connections"))?.pendingRestart, true, "still pending");
    await runOperation({ kind: "normal" }, h.opts());
    assert.equal((await h.azure.getConfiguration(s.resourceGroupName, h.live, "max_connections"))?.pendingRestart, false);
  });

  it("a parameter set but pending a restart is a difference, shown by preflight and status, never 'matches'", async () => {
    const h = harness("production");
    await h.port.ready();
    const s = h.port.settings();
    // someone changed it and changed it back: set, but the server still runs on what it started with
    await h.azure.putConfiguration(s.resourceGroupName, h.live, "max_connections", "100");
    await h.azure.putConfiguration(s.resourceGroupName, h.live, "max_connections", s.database.parameters.max_connections);
    const { differences } = await serverDifferences(h.azure, s);
    assert.deepEqual(
      differences.map((d) => `${d.what}: ${d.actual}`),
      [`parameter max_connections: ${s.database.parameters.max_connections} (pending a restart: not in effect yet)`],
    );
    const line = serverStatusLine(await readServer(h.azure, s));
    assert.match(line, /max_connections.*pending a restart/);
  });

  it("a server still restarting or updating answers 409 ServerBusy; verify waits until it is Ready", async () => {
    const h = harness("production", { busyPolls: 4 });
    await h.port.ready();
    const s = h.port.settings();
    await h.azure.restartServer(s.resourceGroupName, h.live);
    await assert.rejects(h.azure.putConfiguration(s.resourceGroupName, h.live, "max_connections", "100"), /409 ServerBusy/);
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    await runOperation(revive, h.opts());
    assert.deepEqual((await serverDifferences(h.azure, s)).differences, []);
    assert.ok(h.lines.some((l) => /waiting for s189p01-aytq-pd-pg to be Ready \(it is (Updating|Restarting)/.test(l)), h.lines.join("\n"));
  });
});

describe("issue 16: a server Azure will not make Ready by itself", () => {
  it("verify stops at once on a Stopped server, saying how to start it, instead of waiting out its time-out", async () => {
    const h = harness("production");
    await h.port.ready();
    const s = h.port.settings();
    const server = [...h.azure.servers.values()].find((x) => x.name === h.live)!;
    (server as { state: string }).state = "Stopped";
    const opts = { ...h.opts(), recovery: { ...h.recovery, readyPoll: { firstIntervalMs: 1, maxIntervalMs: 1, timeoutMs: 600_000 } } };
    await assert.rejects(runOperation({ kind: "normal" }, opts), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, /is Stopped, so it cannot be converged/);
      return true;
    });
    assert.equal(s.database.serverName, h.live);
  });
});
