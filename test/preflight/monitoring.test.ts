/**
 * Pre-flight's and status's monitoring checks: what the stack declares (StatusCake checks of every
 * health URL, paused as maintenance says; the backup heartbeat; the action group; the delete
 * locks) against a local StatusCake stand-in (node:http) and the simulated Azure. Each check a
 * line with its fix; StatusCake's errors (no token, bad token, rate limit, timeout) a clear line
 * each, never the token.
 */
import { strict as assert } from "node:assert";
import type { Settings } from "../../infra/config";
import { StatusCakeClient } from "../../infra/statuscake/api";
import { backupHeartbeatName } from "../../infra/statuscake/names";
import { FakeAzure } from "../helpers/azure/port";
import { loadStackSettings } from "../../recovery/config/stackfile";
import {
  type MonitoringExpectation,
  type PreflightProbes,
  STATUSCAKE_API_URL_ENV,
  deleteLockName,
  expectedUptimeChecks,
  monitoringChecks,
  monitoringExpectation,
  monitoringStatusLines,
  preflightTable,
  readMonitoring,
  runPreflight,
  stackProbes,
  stackTarget,
} from "../../recovery/preflight";
import { StatusCakeStandin } from "../helpers/statuscake-standin";
import { PULUMI_TYPES } from "../../infra/types";

const SUB = "00000000-0000-4000-8000-0000000000aa";
const NOW = new Date();
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const EMAILS = `monitoring.actionGroup.emailAddresses=["dr@example.org","ops@example.org"]`;

function production(sets: string[] = []): Settings {
  return loadStackSettings("production", [EMAILS, ...sets]);
}

/** StatusCake and Azure holding exactly what the stack declares; the heartbeat pinged 3 h ago. */
function seedAsDeclared(sc: StatusCakeStandin, azure: FakeAzure, s: Settings): void {
  for (const c of expectedUptimeChecks(s)) sc.addUptime({ name: `${s.environment} ${c.service} ${c.host}`, websiteUrl: c.url, paused: c.paused });
  sc.addHeartbeat({ name: backupHeartbeatName(s.environment), periodSeconds: s.monitoring.statusCake.heartbeatHours * 3600, lastPingAt: hoursAgo(3) });
  azure.seed(PULUMI_TYPES.actionGroup, "/x/actionGroup", {
    resourceGroupName: s.resourceGroupName,
    actionGroupName: s.monitoring.actionGroup.name,
    enabled: true,
    emailReceivers: s.monitoring.actionGroup.emailAddresses.map((emailAddress, i) => ({ name: `email-${i + 1}`, emailAddress })),
  });
  const e = monitoringExpectation("production", s, SUB);
  for (const l of e.locks ?? []) azure.seed(PULUMI_TYPES.lock, `${l.resourceId}/providers/Microsoft.Authorization/locks/${l.lockName}`, { scope: l.resourceId, lockName: l.lockName, level: "CanNotDelete" });
}

describe("pre-flight and status: the monitoring is real", function () {
  this.timeout(30_000);
  let sc: StatusCakeStandin;
  let azure: FakeAzure;
  let client: StatusCakeClient;

  beforeEach(async () => {
    sc = await StatusCakeStandin.start();
    azure = new FakeAzure({ subscriptionId: SUB });
    client = new StatusCakeClient({ token: sc.token, baseUrl: sc.apiUrl, timeoutMs: 2_000 });
  });
  afterEach(() => sc.close());

  async function check(s: Settings, sources = { statusCake: client as StatusCakeClient | undefined, azure: azure as FakeAzure | undefined }, stack = s.environment) {
    const expect = monitoringExpectation(stack, s, SUB);
    const reading = await readMonitoring(expect, sources);
    return { expect, reading, rows: monitoringChecks(expect, reading, NOW), lines: monitoringStatusLines(expect, reading, NOW) };
  }

  it("production as declared: the four checks (public running and up, temporary paused), the heartbeat, the action group and both locks pass", async () => {
    const s = production();
    seedAsDeclared(sc, azure, s);
    const { rows, lines } = await check(s);
    const hb = [...sc.heartbeats.values()][0];
    assert.deepEqual(
      rows.map((r) => [r.status, r.name]),
      [
        ["pass", "StatusCake check of https://access-your-teaching-qualifications.education.gov.uk/health/all.json (running and up)"],
        ["pass", "StatusCake check of https://check-a-teachers-record.education.gov.uk/health/all.json (running and up)"],
        ["pass", "StatusCake check of https://access-your-teaching-qualifications-production-temp.teacherservices.cloud/health/all.json (paused outside maintenance)"],
        ["pass", "StatusCake check of https://check-a-teachers-record-production-temp.teacherservices.cloud/health/all.json (paused outside maintenance)"],
        ["pass", `nightly backup heartbeat pinged in the last 26 h ("production AYTQ and CTR nightly backup")`],
        ["pass", `action group ${s.monitoring.actionGroup.name} has receivers (every alert notifies it)`],
        ["pass", `delete lock ${deleteLockName(s.database.serverName)} on the live server ${s.database.serverName}`],
        ["pass", `delete lock ${deleteLockName(s.backup.storageAccountName)} on the backup storage account ${s.backup.storageAccountName}`],
      ],
    );
    assert.match(rows[4].detail, /^last ping 3\.0 h ago/);
    assert.equal(rows[5].detail, "2 email (dr@example.org, ops@example.org)");
    assert.deepEqual(sc.calls, ["GET /v1/uptime", "GET /v1/heartbeat", `GET /v1/heartbeat/${String(hb.id)}`]);
    assert.deepEqual(lines, [
      "uptime:       AYTQ public up, CTR public up, AYTQ temporary paused, CTR temporary paused",
      "heartbeat:    last ping 3.0 h ago (" + hoursAgo(3).toISOString() + "), alerts after 26 h",
      `action group: ${s.monitoring.actionGroup.name}: 2 email`,
      "delete locks: live server locked (CanNotDelete), backup storage account locked (CanNotDelete)",
    ]);
  });

  it("maintenance on: the public checks must be paused and the temporary ones running", async () => {
    const s = production(["app.maintenance=true"]);
    seedAsDeclared(sc, azure, s);
    const { rows } = await check(s);
    assert.deepEqual(rows.slice(0, 4).map((r) => [r.status, r.name.replace(/.*\((.*)\)$/, "$1")]), [
      ["pass", "paused during maintenance"],
      ["pass", "paused during maintenance"],
      ["pass", "running and up"],
      ["pass", "running and up"],
    ]);
  });

  it("each way an uptime check can be wrong: missing, paused when it should run, running when it should pause, down", async () => {
    const s = production();
    const [aytq, ctr, tempAytq] = expectedUptimeChecks(s);
    sc.addUptime({ name: "aytq", websiteUrl: aytq.url, paused: true });
    sc.addUptime({ name: "ctr", websiteUrl: `${ctr.url}/`, status: "down" }); // StatusCake may keep a trailing slash
    sc.addUptime({ name: "temp aytq", websiteUrl: tempAytq.url.toUpperCase().replace("/HEALTH/ALL.JSON", "/health/all.json"), paused: false });
    const { rows } = await check(s);
    const [a, c, t, missing] = rows;
    assert.equal(a.status, "fail");
    assert.match(a.detail, /is paused: an outage of .* would go unnoticed/);
    assert.match(a.fix ?? "", /pulumi up --stack production .*; aytq-dr maintenance off --stack production resumes the public checks/);
    assert.equal(c.status, "fail");
    assert.match(c.detail, /says DOWN/);
    assert.match(c.fix ?? "", /aytq-dr validate --stack production/);
    assert.equal(t.status, "warn");
    assert.match(t.detail, /is running, but maintenance is off: it will raise false alarms/);
    assert.equal(missing.status, "fail");
    assert.match(missing.detail, /^StatusCake has no check of https:\/\/check-a-teachers-record-production-temp/);
    assert.match(missing.fix ?? "", /^pulumi up --stack production \(with STATUSCAKE_API_TOKEN set\)/);
  });

  it("the heartbeat: late past heartbeatHours, never pinged, paused, missing; 25.9 h passes and 26.1 h fails", async () => {
    const s = production();
    const name = backupHeartbeatName("production");
    const verdict = async () => (await check(s)).rows.find((r) => r.name.startsWith("nightly backup heartbeat"))!;
    const id = sc.addHeartbeat({ name, lastPingAt: hoursAgo(25.9) });
    assert.equal((await verdict()).status, "pass");
    sc.heartbeats.get(id)!.last_tested_at = hoursAgo(26.1).toISOString();
    const late = await verdict();
    assert.equal(late.status, "fail");
    assert.match(late.detail, /^last ping 26\.1 h ago .*: the nightly backup has not pinged for more than 26 h$/);
    assert.match(late.fix ?? "", /aytq-dr backup --stack production --nightly pings it/);
    delete sc.heartbeats.get(id)!.last_tested_at;
    assert.match((await verdict()).detail, /has never been pinged/);
    sc.heartbeats.get(id)!.paused = true;
    assert.match((await verdict()).detail, /is paused: a backup that did not run would go unnoticed/);
    sc.heartbeats.clear();
    const missing = await verdict();
    assert.equal(missing.detail, `StatusCake has no heartbeat check named "${name}"`);
    assert.match(missing.fix ?? "", /pulumi up --stack production/);
  });

  it("the action group: missing, without receivers (the alerts reach nobody), disabled", async () => {
    const bare = loadStackSettings("production");
    const verdict = async (s: Settings) => (await check(s)).rows.find((r) => r.name.startsWith("action group"))!;
    const missing = await verdict(bare);
    assert.equal(missing.status, "fail");
    assert.match(missing.detail, /no action group .* in Azure: the alerts notify nobody/);
    azure.seed(PULUMI_TYPES.actionGroup, "/ag", { resourceGroupName: bare.resourceGroupName, actionGroupName: bare.monitoring.actionGroup.name, enabled: true, emailReceivers: [] });
    const empty = await verdict(bare);
    assert.equal(empty.status, "fail");
    assert.match(empty.detail, /has no receivers: the alerts reach nobody/);
    assert.equal(empty.fix, "set monitoring.actionGroup.emailAddresses (and webhookUrls) in Pulumi.production.yaml, then pulumi up --stack production");
    azure.update(PULUMI_TYPES.actionGroup, "/ag", { resourceGroupName: bare.resourceGroupName, actionGroupName: bare.monitoring.actionGroup.name, enabled: false, webhookReceivers: [{ name: "w", serviceUri: "https://hooks.example.org/x" }] });
    assert.match((await verdict(bare)).detail, /is disabled: its 1 webhook receive nothing/);
  });

  it("the locks: one missing fails; none declared is n/a on test and a warning in production", async () => {
    const s = production();
    seedAsDeclared(sc, azure, s);
    azure.generic.delete(`${monitoringExpectation("production", s, SUB).locks![1].resourceId}/providers/Microsoft.Authorization/locks/${deleteLockName(s.backup.storageAccountName)}`.toLowerCase());
    const rows = (await check(s)).rows.filter((r) => r.name.startsWith("delete lock"));
    assert.deepEqual(rows.map((r) => r.status), ["pass", "fail"]);
    assert.match(rows[1].detail, /no lock .*-no-delete on .*storageAccounts.*: anyone with the rights can delete it/);
    const test = (await check(loadStackSettings("test"))).rows.filter((r) => r.name.startsWith("delete locks"));
    assert.deepEqual(test.map((r) => r.status), ["n/a"]);
    const off = (await check(production(["locks.enabled=false"]))).rows.filter((r) => r.name.startsWith("delete locks"));
    assert.equal(off[0].status, "warn");
    assert.match(off[0].fix ?? "", /remove locks.enabled: false/);
  });

  it("no STATUSCAKE_API_TOKEN: every StatusCake check fails saying to set it, and nothing is sent", async () => {
    const s = production();
    const probes = stackProbes(s, {}, azure);
    const expect = stackTarget("production", s, SUB).monitoring!;
    const rows = monitoringChecks(expect, await probes.readMonitoring!(expect), NOW);
    const statusCakeRows = rows.slice(0, 5);
    assert.ok(statusCakeRows.every((r) => r.status === "fail" && r.detail === "not read: STATUSCAKE_API_TOKEN is not set"), preflightTable(rows));
    assert.ok(statusCakeRows.every((r) => r.fix?.startsWith("export STATUSCAKE_API_TOKEN=")));
    assert.equal(sc.requests.length, 0);
    const lines = monitoringStatusLines(expect, await probes.readMonitoring!(expect), NOW);
    assert.equal(lines[0], "uptime:       not read (STATUSCAKE_API_TOKEN is not set)");
    assert.equal(lines[1], "heartbeat:    not read (STATUSCAKE_API_TOKEN is not set)");
  });

  it("a bad token, a rate limit and a timeout: a clear line each on every StatusCake check, never the token", async () => {
    const s = production();
    const wrong = "sc-wrong-token-abcdef0123456789";
    const env = { STATUSCAKE_API_TOKEN: wrong, [STATUSCAKE_API_URL_ENV]: sc.apiUrl };
    const viaEnv = async () => {
      const expect = stackTarget("production", s, SUB).monitoring!;
      return monitoringChecks(expect, await stackProbes(s, env, azure).readMonitoring!(expect), NOW);
    };
    const bad = await viaEnv();
    assert.equal(bad[0].detail, "StatusCake refused the API token (HTTP 401: Unauthorized, GET /uptime)");
    assert.match(bad[0].fix ?? "", /make one in StatusCake's account panel and export it as STATUSCAKE_API_TOKEN/);
    assert.ok(!preflightTable(bad).includes(wrong));

    sc.faults.push({ status: 429, body: { message: "Too Many Requests" }, headers: { "x-ratelimit-reset": "45" } });
    const limited = (await check(s)).rows;
    assert.equal(limited[0].detail, "StatusCake is rate-limiting this account (HTTP 429: Too Many Requests, GET /uptime); its limit resets in 45 s");
    assert.match(limited[4].fix ?? "", /^wait 45 s and run the command again/);

    sc.faults.push({ hang: true });
    const quick = new StatusCakeClient({ token: sc.token, baseUrl: sc.apiUrl, timeoutMs: 300 });
    const slow = (await check(s, { statusCake: quick, azure })).rows;
    assert.match(slow[0].detail, /^StatusCake \(127\.0\.0\.1:\d+\) did not answer GET \/uptime within 0\.3 s$/);
    for (const rows of [limited, slow]) assert.ok(!preflightTable(rows).includes(sc.token));
  });

  it("without the stack's subscription the action group and the locks are warnings, not read; status says why", async () => {
    const s = production();
    seedAsDeclared(sc, azure, s);
    const { rows, lines } = await check(s, { statusCake: client, azure: undefined });
    const azureRows = rows.filter((r) => r.name.startsWith("action group") || r.name.startsWith("delete lock"));
    assert.deepEqual(azureRows.map((r) => [r.status, r.detail]), [
      ["warn", "not read: the stack's subscription is unknown"],
      ["warn", "not read: the stack's subscription is unknown"],
      ["warn", "not read: the stack's subscription is unknown"],
    ]);
    assert.match(azureRows[0].fix ?? "", /aytq:subscriptionId .* AZURE_SUBSCRIPTION_ID/);
    assert.deepEqual(lines.slice(2), ["action group: not read (the stack's subscription is unknown)", "delete locks: not read (the stack's subscription is unknown)"]);
  });

  it("runPreflight lists the monitoring checks with their fixes; declared StatusCake checks replace the old 'uptime checks configured' failure", async () => {
    const s = production();
    seedAsDeclared(sc, azure, s);
    sc.heartbeats.clear();
    const real = stackProbes(s, { STATUSCAKE_API_TOKEN: sc.token, [STATUSCAKE_API_URL_ENV]: sc.apiUrl }, azure);
    const probes: PreflightProbes = {
      now: () => NOW,
      listBackups: async () => [{ name: "aytq_pd_2026-07-24.sql.gz", createdAt: hoursAgo(2), verified: true }],
      toolMajor: async () => 16,
      probeUrl: async () => ({ ok: true, detail: "HTTP 200" }),
      listPtrCopies: async () => [],
      readMonitoring: real.readMonitoring,
    };
    const results = await runPreflight(stackTarget("production", s, SUB), probes);
    const table = preflightTable(results);
    assert.ok(!results.some((r) => r.name === "uptime checks configured"), table);
    const hb = results.find((r) => r.name.startsWith("nightly backup heartbeat"))!;
    assert.equal(hb.status, "fail");
    assert.match(table, /FAIL  nightly backup heartbeat pinged in the last 26 h .*\n {6}fix: pulumi up --stack production/);
    assert.equal(results.filter((r) => r.name.startsWith("StatusCake check of")).length, 4);
  });

  it("StatusCake off for a stack: one n/a row, StatusCake is never asked", async () => {
    const s = production(["monitoring.statusCake.enabled=false"]);
    const { rows, expect } = await check(s);
    assert.equal((expect as MonitoringExpectation).statusCake, undefined);
    assert.deepEqual(rows[0], { name: "StatusCake checks and heartbeat", status: "n/a", detail: "monitoring.statusCake.enabled is false for this stack" });
    assert.equal(sc.requests.length, 0);
  });
});
