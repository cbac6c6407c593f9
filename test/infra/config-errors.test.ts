/** Config errors stop the program before any resource is declared, with a message naming the key. */
import * as assert from "node:assert/strict";
import { ConfigError, parseSettings } from "../../infra/config";
import { applyOverrides, readStackConfig } from "../../recovery/config/stackfile";
import { T, build, resource } from "./harness";

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
  it("refuses 7 frozen approvals (GitHub's maximum is 6)", () => refuse(["pipeline.frozenApprovals=7"], "aytq:pipeline.frozenApprovals", /between 0 and 6/));
  it("refuses -1 normal approvals", () => refuse(["pipeline.normalApprovals=-1"], "aytq:pipeline.normalApprovals", /between 0 and 6/));
  it("accepts the boundaries 0 and 6 approvals", () => {
    const s = parseSettings(applyOverrides(readStackConfig("test"), ["pipeline.frozenApprovals=6", "pipeline.normalApprovals=0"]));
    assert.equal(s.pipeline.frozenApprovals, 6);
    assert.equal(s.pipeline.normalApprovals, 0);
  });
  it("reports every problem at once", () => {
    assert.throws(
      () => parseSettings(applyOverrides(readStackConfig("test"), ["recovery.mode=x", "app.webReplicas=-1", "pipeline.frozenApprovals=9"])),
      (err: unknown) => err instanceof ConfigError && err.problems.length === 3,
    );
  });
});

describe("recovery adoption details", () => {
  it("rebuild adopts the leftover diagnostic setting by recovery.staleDiagnosticSettingId when set", async () => {
    const id = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/x/providers/Microsoft.DBforPostgreSQL/flexibleServers/s189t01-aytq-ts-pg/providers/Microsoft.Insights/diagnosticSettings/old";
    const e = await build("test", ["recovery.mode=rebuild", "monitoring.enabled=true", `recovery.staleDiagnosticSettingId=${id}`]);
    assert.equal(resource(e, T.diagnostic, "aytq-monitoring-diagnostics").options.import, id);
  });
  it("protectStateful=false in production leaves the live server, account and immutability policy unprotected", async () => {
    const e = await build("production", ["protectStateful=false"]);
    assert.equal(resource(e, T.server, "aytq-database-server").options.protect, false);
    assert.equal(resource(e, T.account, "aytq-backup-account").options.protect, false);
    assert.equal(resource(e, T.immutability, "aytq-backup-immutability").options.protect, false);
  });
  it("a PTR copy records createdAtUTC as its dr-created-at tag", async () => {
    const e = await build("test", [
      `recovery.ptrCopies=[{"name":"s189t01-aytq-ts-pg-ptr-2","restorePointUTC":"2024-07-24T06:00:00Z","createdAtUTC":"2024-07-24T09:15:00Z"}]`,
    ]);
    const copy = resource(e, T.server, "aytq-ptr-s189t01-aytq-ts-pg-ptr-2");
    assert.equal((copy.inputs.tags as Record<string, string>)["dr-created-at"], "2024-07-24T09:15:00Z");
  });
});
