/** Config errors stop the program before any resource is declared, with a message naming the key. */
import * as assert from "node:assert/strict";
import { ConfigError, parseSettings } from "../../infra/config";
import { applyOverrides, readStackConfig } from "../../recovery/config/stackfile";
import { build, resource } from "./harness";
import { SECRET_PLACEHOLDER } from "../../recovery/plan/evaluate";
import { PULUMI_TYPES } from "../../infra/types";

function refuse(sets: string[], key: string, pattern: RegExp): void {
  assert.throws(
    () => parseSettings(applyOverrides(readStackConfig("test"), sets)),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
      const problem = err.problems.find((p) => p.key === key);
      assert.ok(problem, `expected a problem for ${key}; got ${err.message}`);
      assert.match(problem.message, pattern);
      return true;
    },
  );
}

describe("config errors", () => {
  it("refuses an unknown recovery.mode", () => refuse(["recovery.mode=revive"], "aytq:recovery.mode", /must be one of normal, reviveDropped, rebuild/));
  it("refuses reviveDropped without restorePointUTC", () =>
    refuse(["recovery.mode=reviveDropped"], "aytq:recovery.restorePointUTC", /required when recovery.mode is reviveDropped/));
  it("refuses a restore point without the Z (local time)", () =>
    refuse(["recovery.mode=reviveDropped", "recovery.restorePointUTC=2024-07-24T07:00:00"], "aytq:recovery.restorePointUTC", /UTC ending in Z/));
  it("refuses a restore point with an offset instead of Z", () =>
    refuse(["recovery.mode=reviveDropped", "recovery.restorePointUTC=2024-07-24T07:00:00+01:00"], "aytq:recovery.restorePointUTC", /UTC ending in Z/));
  it("refuses a restore point that is not a real time", () =>
    refuse(["recovery.mode=reviveDropped", "recovery.restorePointUTC=2024-02-30T06:00:00Z"], "aytq:recovery.restorePointUTC", /UTC/));
  it("refuses a PTR copy restore point without Z", () =>
    refuse([`recovery.ptrCopies=[{"name":"s189t01-aytq-ts-pg-ptr-1","restorePointUTC":"2024-07-24 06:00"}]`], "aytq:recovery.ptrCopies[0].restorePointUTC", /UTC/));
  for (const bad of ["Upper-Case", "ab", "a".repeat(64), "-leading", "trailing-", "under_score"]) {
    it(`refuses the PTR copy name ${JSON.stringify(bad)}`, () =>
      refuse([`recovery.ptrCopies=[{"name":"${bad}","restorePointUTC":"2024-07-24T06:00:00Z"}]`], "aytq:recovery.ptrCopies[0].name", /valid Azure server name/));
  }
  it("accepts a PTR copy name of exactly 3 and 63 characters", () => {
    parseSettings(applyOverrides(readStackConfig("test"), [`recovery.ptrCopies=[{"name":"abc","restorePointUTC":"2024-07-24T06:00:00Z"},{"name":"${"a".repeat(63)}","restorePointUTC":"2024-07-24T06:00:00Z"}]`]));
  });
  it("refuses a duplicate PTR copy name", () =>
    refuse(
      [`recovery.ptrCopies=[{"name":"s189t01-aytq-ts-pg-ptr-1","restorePointUTC":"2024-07-24T06:00:00Z"},{"name":"s189t01-aytq-ts-pg-ptr-1","restorePointUTC":"2024-07-24T07:00:00Z"}]`],
      "aytq:recovery.ptrCopies[1].name",
      /used twice/,
    ));
  it("refuses a PTR copy named like the live server", () =>
    refuse([`recovery.ptrCopies=[{"name":"s189t01-aytq-ts-pg","restorePointUTC":"2024-07-24T06:00:00Z"}]`], "aytq:recovery.ptrCopies[0].name", /live server/));
  it("refuses negative web replicas", () => refuse(["app.webReplicas=-1"], "aytq:app.webReplicas", /between 0 and 100/));
  it("refuses negative worker replicas", () => refuse(["app.workerReplicas=-1"], "aytq:app.workerReplicas", /between 0 and 100/));
  it("reports every problem at once", () => {
    assert.throws(
      () => parseSettings(applyOverrides(readStackConfig("test"), ["recovery.mode=x", "app.webReplicas=-1", "app.workerReplicas=-1"])),
      (err: unknown) => err instanceof ConfigError && err.problems.length === 3,
    );
  });
});

describe("recovery adoption details", () => {
  const SERVER_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/s189p01-aytq-pd-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/s189p01-aytq-pd-pg";
  const AZURE_SETTING_ID = `${SERVER_ID.toLowerCase()}/providers/microsoft.insights/diagnosticSettings/s189p01-aytq-pd-pg-diagnostics`;
  it("normal mode adopts by recovery.adopt.* exactly as Azure reported the ids (case kept), and nothing else", async () => {
    const e = await build("production", [`recovery.adopt.databaseId=${SERVER_ID}/databases/aytq_production`, `recovery.adopt.diagnosticSettingId=${AZURE_SETTING_ID}`]);
    assert.equal(resource(e, PULUMI_TYPES.database, "aytq-database-database").options.import, `${SERVER_ID}/databases/aytq_production`);
    assert.equal(resource(e, PULUMI_TYPES.diagnosticSetting, "aytq-monitoring-diagnostics").options.import, AZURE_SETTING_ID);
    assert.equal(resource(e, PULUMI_TYPES.server, "aytq-database-server").options.import, undefined);
    assert.deepEqual(e.resources.filter((r) => r.options.import !== undefined).length, 2);
  });
  it("normal mode adopts the live server itself by recovery.adopt.serverId (Azure created it, the engine never recorded it)", async () => {
    const e = await build("production", [`recovery.adopt.serverId=${SERVER_ID}`]);
    assert.equal(resource(e, PULUMI_TYPES.server, "aytq-database-server").options.import, SERVER_ID);
  });
  it("refuses recovery.adopt in a mode that creates the server: its preview would read what does not exist", () => {
    assert.throws(
      () => parseSettings(applyOverrides(readStackConfig("production"), ["recovery.mode=rebuild", `recovery.adopt.databaseId=${SERVER_ID}/databases/x`])),
      (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.key === "aytq:recovery.adopt" && /only read when recovery.mode is normal/.test(p.message)),
    );
  });
  it("rebuild creates the server with the app's credentials when given, as a secret, and never echoes a bad password", async () => {
    const e = await build("test", ["recovery.mode=rebuild", "recovery.adminLogin=aytqapp", "recovery.adminPassword=app-password-123"]);
    const server = resource(e, PULUMI_TYPES.server, "aytq-database-server");
    assert.equal(server.inputs.administratorLogin, "aytqapp");
    assert.equal(server.inputs.administratorLoginPassword, SECRET_PLACEHOLDER);
    assert.ok(server.options.ignoreChanges.includes("administratorLoginPassword"));
    let message = "";
    try {
      parseSettings(applyOverrides(readStackConfig("test"), ["recovery.mode=rebuild", "recovery.adminLogin=aytqapp", "recovery.adminPassword=short1"]));
    } catch (err) {
      message = (err as Error).message;
    }
    assert.match(message, /recovery.adminPassword: must be at least 8 characters/);
    assert.ok(!message.includes("short1"), message);
    assert.throws(() => parseSettings(applyOverrides(readStackConfig("test"), ["recovery.adminLogin=aytqapp", "recovery.adminPassword=app-password-123"])), /only read when recovery.mode is rebuild/);
  });
  it("sets customTimeouts on the live server and every PTR copy (default 6h; a Go duration; days refused)", async () => {
    const copy = `recovery.ptrCopies=[{"name":"s189t01-aytq-ts-pg-ptr-2","restorePointUTC":"2024-07-24T06:00:00Z"}]`;
    const e = await build("test", [copy]);
    for (const name of ["aytq-database-server", "aytq-ptr-s189t01-aytq-ts-pg-ptr-2"]) {
      assert.deepEqual(resource(e, PULUMI_TYPES.server, name).options.customTimeouts, { create: "6h", update: "6h", delete: "6h" }, name);
    }
    const longer = await build("test", ["database.operationTimeout=9h30m"]);
    assert.deepEqual(resource(longer, PULUMI_TYPES.server, "aytq-database-server").options.customTimeouts, { create: "9h30m", update: "9h30m", delete: "9h30m" });
    for (const bad of ["1d", "30m", "6 hours", ""]) {
      assert.throws(() => parseSettings(applyOverrides(readStackConfig("test"), [`database.operationTimeout=${bad}`])), ConfigError, bad);
    }
  });
  it("protectStateful=false in production leaves the live server, account and immutability policy unprotected", async () => {
    const e = await build("production", ["protectStateful=false"]);
    assert.equal(resource(e, PULUMI_TYPES.server, "aytq-database-server").options.protect, false);
    assert.equal(resource(e, PULUMI_TYPES.storageAccount, "aytq-backup-account").options.protect, false);
    assert.equal(resource(e, PULUMI_TYPES.immutability, "aytq-backup-immutability").options.protect, false);
  });
  it("a PTR copy records createdAtUTC as its dr-created-at tag", async () => {
    const e = await build("test", [
      `recovery.ptrCopies=[{"name":"s189t01-aytq-ts-pg-ptr-2","restorePointUTC":"2024-07-24T06:00:00Z","createdAtUTC":"2024-07-24T09:15:00Z"}]`,
    ]);
    const copy = resource(e, PULUMI_TYPES.server, "aytq-ptr-s189t01-aytq-ts-pg-ptr-2");
    assert.equal((copy.inputs.tags as Record<string, string>)["dr-created-at"], "2024-07-24T09:15:00Z");
  });
});
