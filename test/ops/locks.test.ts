/**
 * Issue 16: a production recovery and the delete lock. Creating a lock needs
 * Microsoft.Authorization/locks/write (Owner or User Access Administrator; Contributor is refused):
 * the recovery asks Azure what its identity may do, re-creates the lock when it may, and otherwise
 * recovers everything else and ends with the one command that creates it, which status shows too.
 */
import { strict as assert } from "node:assert";
import { ToolError } from "../../recovery/errors";
import { actionAllowed, BUILT_IN_ROLES, LOCK_WRITE } from "../../recovery/azure/permissions";
import { runOperation } from "../../recovery/ops/run-operation";
import { lockName } from "../../infra/monitoring-plan";
import { monitoringExpectation, monitoringVerdicts, readMonitoring } from "../../recovery/preflight/monitoring";
import { runPreflight, stackTarget } from "../../recovery/preflight";
import type { PreflightProbes } from "../../recovery/preflight";
import { AT, DELETED_AT, harness } from "./recover-harness";

const revive = { kind: "revive", restorePointUTC: AT } as const;

describe("issue 16: what an identity may do (Microsoft.Authorization/permissions)", () => {
  it("only Owner and User Access Administrator may write locks; Contributor's notActions exclude it, whatever the case", () => {
    assert.equal(actionAllowed([BUILT_IN_ROLES.Owner], LOCK_WRITE), true);
    assert.equal(actionAllowed([BUILT_IN_ROLES["User Access Administrator"]], LOCK_WRITE), true);
    assert.equal(actionAllowed([BUILT_IN_ROLES.Contributor], LOCK_WRITE), false);
    assert.equal(actionAllowed([BUILT_IN_ROLES.Reader], LOCK_WRITE), false);
    assert.equal(actionAllowed([BUILT_IN_ROLES.Contributor, BUILT_IN_ROLES["User Access Administrator"]], LOCK_WRITE), true, "any one assignment that allows it is enough");
    assert.equal(actionAllowed([BUILT_IN_ROLES.Contributor], "microsoft.dbforpostgresql/flexibleservers/write"), true);
    assert.equal(actionAllowed([{ actions: ["Microsoft.Authorization/locks/*"], notActions: [] }], "microsoft.authorization/LOCKS/write"), true);
    assert.equal(actionAllowed([{ actions: ["Microsoft.Authorization/locks/read"], notActions: [] }], LOCK_WRITE), false);
  });
});

describe("issue 16: a production recovery and its delete lock", () => {
  it("with Contributor and User Access Administrator (README set-up): the lock is re-created by the recovery itself", async () => {
    const h = harness("production");
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    const r = await runOperation(revive, h.opts());
    const server = await h.azure.getServer(h.port.settings().resourceGroupName, h.live);
    assert.equal(h.azure.locksOn(server!.id).length, 1);
    assert.equal(h.port.settings().recovery.serverLockDeferred, undefined);
    assert.ok("warnings" in r && !r.warnings.some((w) => /delete lock/.test(w)));
  });

  for (const kind of ["revive", "rebuild"] as const) {
    it(`${kind} with Contributor only: recovers everything else, never a failed up, and ends with the one command that creates the lock`, async () => {
      const h = harness("production", { roles: ["Contributor"] });
      const s = h.port.settings();
      await h.port.deleteServerInAzure(undefined, DELETED_AT);
      const r = await runOperation(kind === "revive" ? revive : { kind: "rebuild" }, h.opts());
      assert.ok("phases" in r);
      assert.deepEqual(r.phases.map((p) => p.phase), ["look", "refresh", "create", "adopt", "finish", "verify"]);
      const server = await h.azure.getServer(s.resourceGroupName, h.live);
      assert.equal(h.azure.locksOn(server!.id).length, 0, "no lock: this identity could not make one");
      assert.equal(h.port.settings().recovery.serverLockDeferred, true, "the stack says the lock is left out");
      assert.equal(h.port.settings().recovery.mode, "normal");
      const warning = r.warnings.find((w) => /NO delete lock/.test(w));
      assert.ok(warning, r.warnings.join("\n"));
      assert.match(warning, /Owner or User Access Administrator on s189p01-aytq-pd-rg runs: aytq-dr lock --stack production --confirm-production$/);
      // the stack is quiet: nothing declared that the identity cannot do
      assert.deepEqual((await h.port.preview()).steps.filter((x) => x.op !== "same").map((x) => `${x.op} ${x.name}`), []);
      // status and preflight show it, with the same command
      const expect = monitoringExpectation("production", h.port.settings(), h.port.subscriptionId);
      const verdicts = monitoringVerdicts(expect, await readMonitoring(expect, { azure: h.azure }), new Date());
      const lock = verdicts.find((v) => v.name.includes(lockName(h.live)));
      assert.equal(lock?.status, "fail");
      assert.match(lock?.fix ?? "", /aytq-dr lock --stack production --confirm-production/);
      assert.match(lock?.short ?? "", /NOT LOCKED \(left out by the recovery/);

      // the same command by the same identity fails as Azure refuses it, and changes nothing
      await assert.rejects(runOperation({ kind: "lock" }, h.opts()), /AuthorizationFailed/);
      assert.equal(h.port.settings().recovery.serverLockDeferred, true, "config put back");
      // someone with User Access Administrator runs it: the lock is back and the key gone
      h.azure.roles = ["Contributor", "User Access Administrator"];
      await runOperation({ kind: "lock" }, h.opts());
      assert.equal(h.azure.locksOn(server!.id).length, 1);
      assert.equal(h.port.settings().recovery.serverLockDeferred, undefined);
    });
  }

  it("aytq-dr normal run later by an identity that may write locks creates the lock an earlier run left out", async () => {
    const h = harness("production", { roles: ["Contributor"] });
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    await runOperation(revive, h.opts());
    assert.equal(h.port.settings().recovery.serverLockDeferred, true);
    h.azure.roles = ["Owner"];
    const r = await runOperation({ kind: "normal" }, h.opts());
    assert.ok("warnings" in r && !r.warnings.some((w) => /delete lock/.test(w)), JSON.stringify(r));
    assert.equal(h.port.settings().recovery.serverLockDeferred, undefined);
    const server = await h.azure.getServer(h.port.settings().resourceGroupName, h.live);
    assert.equal(h.azure.locksOn(server!.id).length, 1);
  });

  it("a lock Azure cannot say whether it may write (the permissions read fails) is left out too, never a failed up", async () => {
    const h = harness("production", { roles: ["Contributor"] });
    await h.port.deleteServerInAzure(undefined, DELETED_AT);
    h.azure.onArm = (call) => {
      if (call.startsWith("getPermissions")) throw new ToolError("Azure refused to read the permissions of the signed-in identity on resource group s189p01-aytq-pd-rg: HTTP 503 ServiceUnavailable");
    };
    const r = await runOperation(revive, h.opts());
    assert.ok("warnings" in r && r.warnings.some((w) => /NO delete lock/.test(w)));
    assert.ok(h.lines.some((l) => /could not read what this identity may do on s189p01-aytq-pd-rg \(Azure refused .*HTTP 503/.test(l)), h.lines.join("\n"));
  });

  it("preflight fails, naming the role to grant, when production's recovery identity may not write locks", async () => {
    for (const [roles, status] of [
      [["Contributor"], "fail"],
      [["Contributor", "User Access Administrator"], "pass"],
      [["Owner"], "pass"],
    ] as const) {
      const h = harness("production", { roles: [...roles] });
      await h.port.ready();
      const s = h.port.settings();
      const t = stackTarget("production", s, h.port.subscriptionId);
      const probes: PreflightProbes = {
        now: () => new Date(),
        listBackups: async () => [],
        toolMajor: async () => 16,
        probeUrl: async () => ({ ok: true, detail: "200" }),
        listPtrCopies: async () => [],
        mayWriteLocks: async () => actionAllowed(await h.azure.getPermissions(s.resourceGroupName), LOCK_WRITE),
      };
      const row = (await runPreflight(t, probes)).find((x) => x.name === "this identity may re-create the server's delete lock");
      assert.equal(row?.status, status, roles.join("+"));
      if (status === "fail") assert.match(row?.fix ?? "", /User Access Administrator/);
    }
  });
});
