/**
 * The Azure drill end to end with fakes at our seams: AzurePlatform over FakeStackPort (the strict
 * fake engine and its simulated Azure), a throwaway PostgreSQL as the live database reached through
 * connect(), fake data tools; the incident's DELETE goes through the real Azure SDK client to a
 * local https stand-in for Azure Resource Manager (test/helpers/azure/arm-http.ts).
 */
import { fakePipelineFreeze } from "../helpers/fake-pipeline-stack";
import { NO_WAIT_POLL } from "../helpers/azure/port";
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readStackConfig } from "../../recovery/config/stackfile";
import { ToolError } from "../../recovery/errors";
import { ArmAzureIncidents, DRILL_SCRATCH_TABLE, liveServerId, runAzureDrill } from "../../recovery/drill";
import type { RecoveryContext } from "../../recovery/ops/run-operation";
import { PgCluster, startThrowawayCluster } from "../../recovery/pg/cluster";
import { psqlValue } from "../../recovery/pg/psql";
import { AzurePlatform, AzurePlatformOptions } from "../../recovery/platforms/azure/platform";
import type { DatabaseConnection, DatabaseRef } from "../../recovery/runbook/ports";
import { FakeStackPort } from "../helpers/fake-stack";
import { ArmStandin } from "../helpers/azure/arm-http";
import { PG_API_VERSION } from "../helpers/azure/arm-wire";
import { FakeData } from "../runbook/fakes";

const LIVE = "s189t01-aytq-ts-pg";
const SUB = "00000000-0000-4000-8000-000000000000";

/** The live server is the throwaway cluster: deleting it stops it, reviving starts it again with its data. */
class ClusterAzurePlatform extends AzurePlatform {
  constructor(o: AzurePlatformOptions, private readonly cluster: PgCluster) {
    super({ pipeline: fakePipelineFreeze(), ...o });
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

/** The app's credentials as its DATABASE_URL Secret would give them (revive does not use them; rebuild would). */
const APP = { login: "aytqapp", password: "app-pw-not-printed" };

describe("drill on Azure (fakes at the seams: stack, ARM, live database)", function () {
  this.timeout(60_000);

  it("server-lost-revive: deletes the server through the Azure SDK (bearer token, poller to Succeeded), revives through the runbook, measures RPO from the heartbeat table", async () => {
    const pg = await startThrowawayCluster();
    const arm = await ArmStandin.start();
    const stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-azure-drill-"));
    const port = new FakeStackPort("test", readStackConfig("test"));
    try {
      const settings = { ...port.settings(), subscriptionId: SUB };
      const serverId = liveServerId(settings, {});
      arm.addServer(SUB, { resourceGroupName: settings.resourceGroupName, name: LIVE });
      arm.scripts.push({ inProgressPolls: 1 });
      // Azure deletes the server: the engine's Azure loses it and the live database stops. It takes
      // longer than the drill's revive delay (as it can under load): the revive point still lies after
      // the deletion, since the drill counts from when the DELETE finished
      await port.ready();
      arm.onAccept = async () => {
        await new Promise((r) => setTimeout(r, 800));
        await port.deleteServerInAzure(undefined, new Date());
        await pg.cluster.stop("immediate");
      };
      const recovery: RecoveryContext = { azure: port.azure, settings: port.settings(), subscriptionId: port.subscriptionId, readyPoll: NO_WAIT_POLL, appCredentials: async () => APP };
      const data = new FakeData();
      const logs: string[] = [];
      const armLogs: string[] = [];
      const report = await runAzureDrill("server-lost-revive", {
        platform: new ClusterAzurePlatform({ port, settings: port.settings(), log: () => undefined, recovery }, pg.cluster),
        port,
        data,
        incidents: new ArmAzureIncidents({ serverId, sdk: arm.clientOptions(), log: (l) => armLogs.push(l) }),
        stateDir,
        log: (l) => logs.push(l),
        reviveDelayMs: 500,
      });
      assert.deepEqual(arm.calls, [`DELETE /subscriptions/${SUB}/resourceGroups/s189t01-aytq-ts-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/${LIVE}`]);
      assert.equal(arm.requests[0].url.split("?")[1], `api-version=${PG_API_VERSION}`);
      assert.ok(arm.requests.every((r) => r.authorization === `Bearer ${arm.token}`), "every ARM call carries the bearer token");
      assert.equal(arm.polls.length, 2, "polled InProgress, then Succeeded");
      assert.ok(arm.polls.every((p) => /\/azureAsyncOperation\//.test(p.path)));
      assert.equal(arm.server(serverId), undefined, "Azure deleted it");
      assert.deepEqual(armLogs, [`delete server s189t01-aytq-ts-rg/${LIVE}: InProgress`]);
      assert.equal(report.green, true, JSON.stringify(report.checks, null, 2) + logs.join("\n"));
      assert.equal(report.platform, "azure");
      assert.equal(report.stack, "test");
      assert.ok(report.rpoSeconds !== null && report.rpoSeconds >= 0 && report.rpoSeconds < 2, `RPO ${report.rpoSeconds}`);
      assert.equal(report.rowsLost, 0, "a stopped server keeps every committed row");
      assert.ok(report.rtoSeconds !== null && report.rtoSeconds > 0);
      assert.ok(report.checks.some((c) => c.name === "data equal to the restore point" && c.status === "pass" && c.detail.includes(DRILL_SCRATCH_TABLE)));
      const s = port.settings();
      assert.deepEqual([s.app.stopped, s.app.maintenance, s.recovery.mode], [false, false, "normal"]);
      assert.equal(await psqlValue(pg.cluster.url(), `select to_regclass('${DRILL_SCRATCH_TABLE}') is null`), "t", "the drill's table is dropped at teardown");
    } finally {
      await arm.close();
      rmSync(stateDir, { recursive: true, force: true });
      await pg.dispose();
    }
  });

  it("refuses without a subscription, naming both places to set it", () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    assert.throws(() => liveServerId({ ...port.settings(), subscriptionId: undefined }, {}), /neither aytq:subscriptionId nor AZURE_SUBSCRIPTION_ID/);
    assert.match(liveServerId(port.settings(), { AZURE_SUBSCRIPTION_ID: SUB }), new RegExp(`^/subscriptions/${SUB}/`));
  });

  describe("the delete's failures, in the drill's words", () => {
    const RG = "rg";
    const serverId = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${LIVE}`;
    let arm: ArmStandin;
    beforeEach(async () => {
      arm = await ArmStandin.start();
      arm.addServer(SUB, { resourceGroupName: RG, name: LIVE });
    });
    afterEach(() => arm.close());

    /** The delete's rejection, checked to be a ToolError that shows no token. */
    async function deleteFails(incidents: ArmAzureIncidents): Promise<ToolError> {
      const err = await incidents.deleteServer().then(
        () => assert.fail("the delete should fail"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ToolError, String(err));
      for (const text of [err.message, err.hint, err.stack, JSON.stringify(err)]) assert.ok(!String(text).includes(arm.token), `token in ${text}`);
      return err;
    }

    it("a delete ARM accepted but that then fails, is canceled, cannot be followed or outlasts the timeout says how to look at the server and how to recover it", async () => {
      const cases: [string, () => void, RegExp, number?][] = [
        ["Failed", () => arm.scripts.push({ status: "Failed", error: { code: "InternalServerError", message: "boom" } }), /^Azure reports the deletion Failed: InternalServerError: boom$/],
        ["Canceled", () => arm.scripts.push({ status: "Canceled", error: { code: "OperationCanceled", message: "canceled by the platform" } }), /^Azure reports the deletion Canceled: OperationCanceled: canceled by the platform$/],
        ["poll 500", () => arm.faults.push({ method: "GET", path: /azureAsyncOperation/, status: 500, code: "InternalServerError", message: "poll broke" }), /^polling the deletion failed: HTTP 500 InternalServerError: poll broke$/],
        ["no header", () => arm.scripts.push({ headers: "none" }), /^ARM accepted the delete but gave no Azure-AsyncOperation or Location header to follow$/],
        ["timeout", () => arm.scripts.push({ inProgressPolls: 100_000 }), new RegExp(`^the deletion of ${serverId} did not finish in time$`), 1500],
      ];
      // the deadline covers the DELETE itself too: long enough that a loaded machine still sends it, polled slowly so the wait costs no CPU
      for (const [name, arrange, message, timeoutMs] of cases) {
        arrange();
        const incidents = new ArmAzureIncidents({ serverId, sdk: arm.clientOptions({ maxRetries: 0, ...(timeoutMs ? { operationTimeoutMs: timeoutMs, updateIntervalInMs: 250 } : {}) }) });
        const err = await deleteFails(incidents);
        assert.match(err.message, message, name);
        assert.match(err.hint ?? "", new RegExp(`az postgres flexible-server show --ids ${serverId}.*aytq-dr run server-lost-revive`), name);
      }
      assert.equal(arm.calls.filter((c) => c.startsWith("DELETE")).length, cases.length, "one DELETE per case, each accepted");
    });

    it("a delete ARM refuses changes nothing and says why: 403 with the role-assignment fix, 401 with az login, 404 with the Contributor check", async () => {
      arm.denied.add("Microsoft.DBforPostgreSQL/flexibleServers/delete");
      const denied = await deleteFails(new ArmAzureIncidents({ serverId, sdk: arm.clientOptions() }));
      assert.match(denied.message, new RegExp(`^ARM refused to delete ${serverId}: HTTP 403 AuthorizationFailed: The client .* does not have authorization to perform action 'Microsoft.DBforPostgreSQL/flexibleServers/delete'`));
      assert.match(denied.hint ?? "", /az role assignment create .* --role Contributor --scope \/subscriptions\/.*\/resourceGroups\/rg/);
      assert.doesNotMatch(denied.hint ?? "", /aytq-dr run server-lost-revive/, "nothing was deleted, so no revive");
      arm.denied.clear();

      const expired = await deleteFails(new ArmAzureIncidents({ serverId, sdk: arm.clientOptions({ credential: arm.credential("an-expired-token") }) }));
      assert.match(expired.message, /^ARM refused to delete .*: HTTP 401 InvalidAuthenticationToken: The access token is invalid\.$/);
      assert.match(expired.hint ?? "", /az login/);

      arm.faults.push({ method: "DELETE", status: 404, code: "ResourceGroupNotFound", message: "Resource group 'rg' could not be found." });
      const missing = await deleteFails(new ArmAzureIncidents({ serverId, sdk: arm.clientOptions() }));
      assert.match(missing.message, /^ARM refused to delete .*: HTTP 404 ResourceGroupNotFound: Resource group 'rg' could not be found\.$/);
      assert.equal(missing.hint, "check the drill identity has Contributor on the resource group and the server exists");
      assert.ok(arm.server(serverId), "the server is still there");
      assert.equal(arm.polls.length, 0);
    });

    it("no Azure token: the credential's error with the az login fix, before anything is sent", async () => {
      const incidents = new ArmAzureIncidents({
        serverId,
        sdk: {
          ...arm.clientOptions(),
          credential: {
            getToken: async () => {
              throw new Error("AzureCliCredential: Please run 'az login' to set up an account");
            },
          },
        },
      });
      const err = await deleteFails(incidents);
      assert.equal(err.message, "no Azure token for ARM: AzureCliCredential: Please run 'az login' to set up an account");
      assert.match(err.hint ?? "", /az login, or set AZURE_CLIENT_ID/);
      assert.equal(arm.requests.length, 0);
    });

    it("refuses a server id that is not a flexible server's", () => {
      assert.throws(() => new ArmAzureIncidents({ serverId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Sql/servers/y" }), /not a flexible server id/);
    });
  });
});
