/**
 * The Azure drill end to end with fakes at our seams: AzurePlatform over FakeStackPort, a throwaway
 * PostgreSQL as the live database reached through connect(), fake data tools, and a local HTTP
 * server standing in for Azure Resource Manager.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { readStackConfig } from "../../recovery/config/stackfile";
import type { ToolError } from "../../recovery/errors";
import { ArmAzureIncidents, DRILL_SCRATCH_TABLE, liveServerId, runAzureDrill } from "../../recovery/drill";
import { PgCluster, startThrowawayCluster } from "../../recovery/pg/cluster";
import { psqlValue } from "../../recovery/pg/psql";
import { AzurePlatform, AzurePlatformOptions } from "../../recovery/platforms/azure/platform";
import type { DatabaseConnection, DatabaseRef } from "../../recovery/runbook/ports";
import { FakeStackPort } from "../../recovery/stack/fake";
import { FakeData } from "../runbook/fakes";

const LIVE = "s189t01-aytq-ts-pg";
const SUB = "00000000-0000-4000-8000-000000000000";

/** The live server is the throwaway cluster: deleting it stops it, reviving starts it again with its data. */
class ClusterAzurePlatform extends AzurePlatform {
  constructor(o: AzurePlatformOptions, private readonly cluster: PgCluster) {
    super(o);
  }
  override async connect(db: DatabaseRef): Promise<DatabaseConnection> {
    assert.equal(db.kind, "live");
    return { url: this.cluster.url(), label: `${LIVE} (throwaway)`, serverName: LIVE, release: async () => undefined };
  }
  override async reviveServer(at: string) {
    const r = await super.reviveServer(at);
    await this.cluster.start();
    return r;
  }
}

describe("drill on Azure (fakes at the seams: stack, ARM, live database)", function () {
  this.timeout(60_000);

  it("server-lost-revive: deletes the server through ARM (bearer token, polling), revives through the runbook, measures RPO from the heartbeat table", async () => {
    const pg = await startThrowawayCluster();
    const stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-azure-drill-"));
    const port = new FakeStackPort("test", readStackConfig("test"));
    const seen: { method: string; path: string; auth: string }[] = [];
    let polls = 0;
    const arm = http.createServer((req, res) => {
      seen.push({ method: req.method ?? "", path: req.url ?? "", auth: String(req.headers.authorization) });
      const base = `http://127.0.0.1:${(arm.address() as AddressInfo).port}`;
      if (req.method === "DELETE") {
        port.deletedInCloud.add(LIVE);
        void pg.cluster.stop("immediate").then(() => res.writeHead(202, { "Azure-AsyncOperation": `${base}/operations/op1` }).end());
        return;
      }
      polls++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: polls < 2 ? "InProgress" : "Succeeded" }));
    });
    await new Promise<void>((r) => arm.listen(0, "127.0.0.1", r));
    try {
      const settings = { ...port.settings(), subscriptionId: SUB };
      const serverId = liveServerId(settings, {});
      const data = new FakeData();
      const logs: string[] = [];
      const report = await runAzureDrill("server-lost-revive", {
        platform: new ClusterAzurePlatform({ port, settings: port.settings(), log: () => undefined }, pg.cluster),
        port,
        data,
        incidents: new ArmAzureIncidents({ serverId, armBaseUrl: `http://127.0.0.1:${(arm.address() as AddressInfo).port}`, credential: { getToken: async () => ({ token: "tok-123" }) }, pollIntervalMs: 50 }),
        stateDir,
        log: (l) => logs.push(l),
        reviveDelayMs: 500,
      });
      assert.equal(seen[0].method, "DELETE");
      assert.equal(seen[0].path, `/subscriptions/${SUB}/resourceGroups/s189t01-aytq-ts-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/${LIVE}?api-version=2024-08-01`);
      assert.ok(seen.every((s) => s.auth === "Bearer tok-123"), "every ARM call carries the bearer token");
      assert.equal(seen.filter((s) => s.path === "/operations/op1").length, 2, "polled until Succeeded");
      assert.equal(report.green, true, JSON.stringify(report.checks, null, 2) + logs.join("\n"));
      assert.equal(report.platform, "azure");
      assert.equal(report.stack, "test");
      assert.ok(report.rpoSeconds !== null && report.rpoSeconds >= 0 && report.rpoSeconds < 2, `RPO ${report.rpoSeconds}`);
      assert.equal(report.rowsLost, 0, "a stopped server keeps every committed row");
      assert.ok(report.rtoSeconds !== null && report.rtoSeconds > 0);
      assert.ok(report.checks.some((c) => c.name === "data equal to the restore point" && c.status === "pass" && c.detail.includes(DRILL_SCRATCH_TABLE)));
      const s = port.settings();
      assert.deepEqual([s.app.stopped, s.app.maintenance, s.pipeline.frozen, s.recovery.mode], [false, false, false, "normal"]);
      assert.equal(await psqlValue(pg.cluster.url(), `select to_regclass('${DRILL_SCRATCH_TABLE}') is null`), "t", "the drill's table is dropped at teardown");
    } finally {
      await new Promise<void>((r) => arm.close(() => r()));
      rmSync(stateDir, { recursive: true, force: true });
      await pg.dispose();
    }
  });

  it("refuses without a subscription, naming both places to set it", () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    assert.throws(() => liveServerId({ ...port.settings(), subscriptionId: undefined }, {}), /neither aytq:subscriptionId nor AZURE_SUBSCRIPTION_ID/);
    assert.match(liveServerId(port.settings(), { AZURE_SUBSCRIPTION_ID: SUB }), new RegExp(`^/subscriptions/${SUB}/`));
  });

  it("a delete ARM accepted but that then fails says how to look at the server and how to recover it", async () => {
    const serverId = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/${LIVE}`;
    const answers: Record<string, () => Response> = {
      accepted: () => new Response(null, { status: 202, headers: { "azure-asyncoperation": "http://arm.test/op" } }),
      failed: () => new Response(JSON.stringify({ status: "Failed", error: { code: "InternalServerError", message: "boom" } }), { status: 200 }),
      pollError: () => new Response("{}", { status: 500 }),
      noHeader: () => new Response(null, { status: 202 }),
    };
    for (const [poll, message] of [["failed", /Azure reports the deletion Failed: InternalServerError: boom/], ["pollError", /polling the deletion failed: HTTP 500/], [undefined, /gave no Azure-AsyncOperation/]] as const) {
      const fakeFetch = (async (_url: string | URL | Request, init?: RequestInit) => (init?.method === "DELETE" ? (poll ? answers.accepted() : answers.noHeader()) : answers[poll ?? "failed"]())) as typeof fetch;
      const incidents = new ArmAzureIncidents({ serverId, fetch: fakeFetch, credential: { getToken: async () => ({ token: "t" }) }, pollIntervalMs: 1 });
      await assert.rejects(incidents.deleteServer(), (err: ToolError) => {
        assert.match(err.message, message);
        assert.match(err.hint ?? "", new RegExp(`az postgres flexible-server show --ids ${serverId}.*aytq-dr run server-lost-revive`));
        return true;
      });
    }
  });
});
