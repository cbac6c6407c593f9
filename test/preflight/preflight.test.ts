import { strict as assert } from "node:assert";
import {
  MAX_BACKUP_AGE_HOURS,
  PreflightProbes,
  PreflightTarget,
  REQUIRED_PITR_DAYS,
  STALE_COPY_HOURS,
  preflightFailed,
  preflightTable,
  runPreflight,
} from "../../recovery/preflight";
import { main } from "../../recovery/cli/main";
import { branchProtectionRule } from "../../infra/config";
import { loadPipelineSettings } from "../../recovery/config/stackfile";
import type { LiveBranchProtection } from "../../recovery/preflight";

const NOW = new Date("2026-07-24T06:00:00Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const RULE = branchProtectionRule(loadPipelineSettings());
/** GitHub holding exactly the declared rule. */
const LIVE: LiveBranchProtection = {
  reviews: {
    requiredApprovingReviewCount: RULE.requiredApprovingReviewCount,
    dismissStaleReviews: RULE.dismissStaleReviews,
    requireCodeOwnerReviews: RULE.requireCodeOwnerReviews,
    requireLastPushApproval: RULE.requireLastPushApproval,
    restrictDismissals: RULE.restrictDismissals,
    dismissalRestrictions: [],
    pullRequestBypassers: [],
  },
  requiredStatusChecks: RULE.requiredStatusChecks,
  enforceAdmins: RULE.enforceAdmins,
  requireConversationResolution: RULE.requireConversationResolution,
  requiredLinearHistory: RULE.requiredLinearHistory,
  requireSignedCommits: RULE.requireSignedCommits,
  allowsForcePushes: RULE.allowsForcePushes,
  allowsDeletions: RULE.allowsDeletions,
  lockBranch: RULE.lockBranch,
  restrictPushes: undefined,
};

function target(over: Partial<PreflightTarget> = {}): PreflightTarget {
  return {
    name: "test",
    serverMajor: 16,
    requiredPitrDays: REQUIRED_PITR_DAYS,
    retentionDays: 7,
    namespace: "tra-test",
    pipeline: { repository: "DFE-Digital/access-your-teaching-qualifications", frozen: false, rule: RULE },
    temporaryHosts: { aytq: "a.example.org", ctr: "c.example.org" },
    dsiTemporaryUrlsRegistered: true,
    statusPageUrl: "https://status.example.org",
    uptimeCheckUrls: ["https://uptime.example.org/1"],
    ...over,
  };
}

function probes(over: Partial<PreflightProbes> = {}): PreflightProbes {
  return {
    now: () => NOW,
    listBackups: async () => [{ name: "aytq_ts_2026-07-24.sql.gz", createdAt: hoursAgo(2), verified: true }],
    toolMajor: async () => 17,
    kubernetesAccess: async () => ({ ok: true, detail: "yes" }),
    githubBranchProtection: async () => ({ ok: true, admin: true, live: LIVE }),
    probeUrl: async () => ({ ok: true, detail: "HTTP 200" }),
    listPtrCopies: async () => [{ name: "live-ptr-1", restorePointUTC: hoursAgo(3).toISOString(), createdAtUTC: hoursAgo(2).toISOString() }],
    readServer: async () => ({ present: true, summary: "HA Disabled, B_Standard_B1ms, 32 GB, PostgreSQL 16, 2 parameters", differences: [] }),
    backupWorkflow: async () => backupWorkflowIs("active"),
    ...over,
  };
}

/** GitHub's answer for the backup workflow in a given state. */
function backupWorkflowIs(state: string) {
  return { ok: true as const, repository: "DFE-Digital/aytq-dr", file: "backup.yml", name: "Backup", state };
}

async function statusOf(name: RegExp, t: PreflightTarget, p: PreflightProbes): Promise<string[]> {
  const results = await runPreflight(t, p);
  return results.filter((r) => name.test(r.name)).map((r) => r.status);
}

describe("preflight", () => {
  it("passes when everything is in place", async () => {
    const results = await runPreflight(target(), probes());
    assert.equal(preflightFailed(results), false, preflightTable(results));
    assert.ok(results.every((r) => r.status === "pass"));
  });

  const failing: [string, RegExp, Partial<PreflightTarget>, Partial<PreflightProbes>][] = [
    ["no backup at all", /latest backup exists/, {}, { listBackups: async () => [] }],
    ["backup storage unreachable", /latest backup exists/, {}, { listBackups: async () => Promise.reject(new Error("403")) }],
    [`a backup older than ${MAX_BACKUP_AGE_HOURS} h`, /younger than/, {}, { listBackups: async () => [{ name: "old", createdAt: hoursAgo(MAX_BACKUP_AGE_HOURS + 0.1), verified: true }] }],
    ["a retention shorter than 7 days", /PITR window/, { retentionDays: 5 }, {}],
    ["an earliest restore point 6 days back", /PITR window/, {}, { earliestRestorePoint: async () => hoursAgo(6 * 24) }],
    ["pg_dump missing", /pg_dump present/, {}, { toolMajor: async (t) => (t === "pg_dump" ? undefined : 17) }],
    ["psql older than the server", /psql present/, {}, { toolMajor: async (t) => (t === "psql" ? 15 : 17) }],
    ["no Kubernetes access", /Kubernetes/, {}, { kubernetesAccess: async () => ({ ok: false, detail: "no" }) }],
    ["a GitHub token without admin", /GitHub token/, {}, { githubBranchProtection: async () => ({ ok: true, admin: false, live: LIVE }) }],
    ["GitHub not readable", /GitHub/, {}, { githubBranchProtection: async () => ({ ok: false, detail: "GitHub refused GITHUB_TOKEN (HTTP 401)", fix: "new token" }) }],
    ["a live branch protection rule that differs", /GitHub branch protection/, {}, { githubBranchProtection: async () => ({ ok: true, admin: true, live: { ...LIVE, enforceAdmins: false } }) }],
    ["an unprotected main", /GitHub branch protection/, {}, { githubBranchProtection: async () => ({ ok: true, admin: true, live: undefined }) }],
    ["a backup workflow GitHub disabled for inactivity", /nightly backup workflow enabled/, {}, { backupWorkflow: async () => backupWorkflowIs("disabled_inactivity") }],
    ["a backup workflow disabled by hand", /nightly backup workflow enabled/, {}, { backupWorkflow: async () => backupWorkflowIs("disabled_manually") }],
    ["a deleted backup workflow", /nightly backup workflow enabled/, {}, { backupWorkflow: async () => backupWorkflowIs("deleted") }],
    [
      "a live server that came back single-instance",
      /live server as the stack declares/,
      {},
      { readServer: async () => ({ present: true, summary: "", differences: [{ what: "high availability", declared: "ZoneRedundant", actual: "Disabled", fix: { patch: { highAvailability: "ZoneRedundant" } } }] }) },
    ],
    ["no live server in Azure", /live server as the stack declares/, {}, { readServer: async () => ({ present: false }) }],
    ["ARM not readable", /live server as the stack declares/, {}, { readServer: async () => Promise.reject(new Error("ARM refused the token (HTTP 401)")) }],
    ["DSI not told about the temporary URLs", /DfE Sign-in/, { dsiTemporaryUrlsRegistered: false }, {}],
    ["no status page configured", /status page configured/, { statusPageUrl: undefined }, {}],
    ["no uptime checks configured", /uptime checks configured/, { uptimeCheckUrls: [] }, {}],
    ["a monitor that does not answer", /monitoring answers: https:\/\/uptime/, {}, { probeUrl: async (u) => ({ ok: !u.includes("uptime"), detail: "x" }) }],
    [`a PTR copy older than ${STALE_COPY_HOURS} h`, /stale PTR/, {}, { listPtrCopies: async () => [{ name: "old-copy", restorePointUTC: hoursAgo(30).toISOString(), createdAtUTC: hoursAgo(STALE_COPY_HOURS + 1).toISOString() }] }],
  ];
  for (const [what, name, t, p] of failing) {
    it(`fails on ${what}`, async () => {
      const results = await runPreflight(target(t), probes(p));
      const matching = results.filter((r) => name.test(r.name));
      assert.ok(matching.length > 0, `no check named ${name}`);
      assert.ok(matching.some((r) => r.status === "fail" && r.fix), preflightTable(matching));
      assert.equal(preflightFailed(results), true);
      // only that check fails
      assert.deepEqual(results.filter((r) => r.status === "fail").map((r) => r.name), matching.filter((r) => r.status === "fail").map((r) => r.name));
    });
  }

  it("the backup workflow: active passes; disabled fails with gh workflow enable; unreadable or a probe that throws warns with the reason", async () => {
    assert.deepEqual(await statusOf(/nightly backup workflow enabled/, target(), probes()), ["pass"]);
    const inactive = (await runPreflight(target(), probes({ backupWorkflow: async () => backupWorkflowIs("disabled_inactivity") }))).find((r) => /nightly backup workflow/.test(r.name));
    assert.match(inactive?.fix ?? "", /gh workflow enable backup\.yml .*Actions > Backup > Enable workflow.*any commit .*starts the 60 days afresh/);
    const manual = (await runPreflight(target(), probes({ backupWorkflow: async () => backupWorkflowIs("disabled_manually") }))).find((r) => /nightly backup workflow/.test(r.name));
    assert.match(manual?.fix ?? "", /gh workflow enable backup\.yml/);
    const unread = await runPreflight(target(), probes({ backupWorkflow: async () => ({ ok: false, repository: "DFE-Digital/aytq-dr", file: "backup.yml", detail: "GitHub refused access (HTTP 403)", fix: "give the token Actions read" }) }));
    assert.deepEqual(unread.filter((r) => /nightly backup workflow/.test(r.name)).map((r) => [r.status, r.detail, r.fix]), [["warn", "not read: GitHub refused access (HTTP 403)", "give the token Actions read"]]);
    assert.equal(preflightFailed(unread), false);
    const threw = await runPreflight(target(), probes({ backupWorkflow: async () => Promise.reject(new Error("boom")) }));
    assert.deepEqual(threw.filter((r) => /nightly backup workflow/.test(r.name)).map((r) => r.status), ["warn"]);
    // no probe (a platform without GitHub workflows): no row at all
    assert.deepEqual(await statusOf(/nightly backup workflow enabled/, target(), probes({ backupWorkflow: undefined })), []);
  });

  it("warns (does not fail) when the stack's subscription is unknown, so the real server cannot be read", async () => {
    assert.deepEqual(await statusOf(/live server as the stack declares/, target(), probes({ readServer: undefined })), ["warn"]);
  });

  it("warns (does not fail) on an unverified backup, and passes a backup exactly at the age limit", async () => {
    assert.deepEqual(await statusOf(/verified/, target(), probes({ listBackups: async () => [{ name: "b", createdAt: hoursAgo(1), verified: false }] })), ["warn"]);
    assert.deepEqual(await statusOf(/younger than/, target(), probes({ listBackups: async () => [{ name: "b", createdAt: hoursAgo(MAX_BACKUP_AGE_HOURS), verified: true }] })), ["pass"]);
  });

  it("marks Azure-only checks not applicable when the platform has no such thing", async () => {
    const results = await runPreflight(
      target({ namespace: undefined, pipeline: undefined, temporaryHosts: undefined, statusPageUrl: undefined, uptimeCheckUrls: undefined }),
      probes({ kubernetesAccess: undefined, githubBranchProtection: undefined }),
    );
    assert.deepEqual(results.filter((r) => r.status === "n/a").length, 5);
    assert.equal(preflightFailed(results), false);
  });
});

describe("aytq-dr preflight", () => {
  it("--platform local prints the table and exits 0 on this machine (the drill's own pre-flight); a bad platform is refused", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), isTTY: false, env: {} };
    assert.equal(await main(["node", "aytq-dr", "preflight", "--platform", "local"], io), 0, out.join("\n"));
    assert.match(out.join("\n"), /PASS {2}PostgreSQL server binaries/);
    assert.match(out.join("\n"), /N\/A {3}Kubernetes access/);
    assert.equal(await main(["node", "aytq-dr", "preflight", "--platform", "mars"], io), 2);
    assert.match(err.join("\n"), /unknown platform "mars"/);
  });
});
