/**
 * One simulated Azure, two front ends: what the fake engine deployed, read and changed in-process
 * (FakeAzure) and over HTTP by the real SDK clients (the ARM stand-in over the same state), must
 * answer alike, and a change through either is seen by the other under the same rules.
 */
import { strict as assert } from "node:assert";
import { PULUMI_TYPES } from "../../infra/types";
import type { AzureServerApi } from "../../recovery/azure/arm";
import { AzureSdkServerApi } from "../../recovery/azure/sdk";
import { ArmStandin } from "../helpers/azure/arm-http";
import { FakeAzure } from "../helpers/azure/port";
import { lockId } from "../helpers/azure/state";

const SUB = "00000000-0000-4000-8000-000000000000";
const RG = "s189t01-aytq-ts-rg";
const SERVER = "s189t01-aytq-ts-pg";

describe("one simulated Azure: the in-process port and the ARM stand-in over the same state", function () {
  this.timeout(30_000);
  let azure: FakeAzure;
  let arm: ArmStandin;
  let api: AzureSdkServerApi;
  let serverId: string;

  beforeEach(async () => {
    azure = new FakeAzure({ subscriptionId: SUB, busyPolls: 0 });
    arm = await ArmStandin.start(azure);
    api = new AzureSdkServerApi(SUB, arm.clientOptions());
    // deployed by the fake engine, as a stack's first up does
    serverId = azure.serverId(RG, SERVER);
    azure.seed(PULUMI_TYPES.server, serverId, { serverName: SERVER, resourceGroupName: RG, sku: { name: "Standard_D4ds_v5", tier: "GeneralPurpose" }, storage: { storageSizeGB: 256 }, version: "16", highAvailability: { mode: "ZoneRedundant" } });
    azure.seed(PULUMI_TYPES.database, `${serverId}/databases/aytq`, { databaseName: "aytq" });
    azure.seed(PULUMI_TYPES.configuration, `${serverId}/configurations/max_connections`, { configurationName: "max_connections", value: "856" });
    azure.seed(PULUMI_TYPES.diagnosticSetting, `${serverId}/providers/Microsoft.Insights/diagnosticSettings/diag`, { resourceUri: serverId, name: "diag", workspaceId: "/w", logs: [{ category: "PostgreSQLLogs", enabled: true }] });
    azure.seed(PULUMI_TYPES.lock, lockId(serverId, `${SERVER}-no-delete`), { scope: serverId, lockName: `${SERVER}-no-delete`, level: "CanNotDelete" });
    azure.seed(PULUMI_TYPES.actionGroup, `/subscriptions/${SUB}/resourceGroups/${RG}/providers/${PULUMI_TYPES.actionGroup}/alerts`, {
      resourceGroupName: RG,
      actionGroupName: `${SERVER}-alerts`,
      enabled: true,
      emailReceivers: [{ name: "email-1", emailAddress: "dr@example.org" }],
      webhookReceivers: [{ name: "webhook-1", serviceUri: "https://hooks.example.org/secret" }],
    });
  });
  afterEach(() => arm.close());

  it("every question recovery asks gets the same answer in-process and over HTTP", async () => {
    const questions: [string, (a: AzureServerApi) => Promise<unknown>][] = [
      ["server", (a) => a.getServer(RG, SERVER)],
      ["server, asked in another case", (a) => a.getServer(RG.toUpperCase(), SERVER.toUpperCase())],
      ["missing server", (a) => a.getServer(RG, "other")],
      ["database", (a) => a.getDatabase(RG, SERVER, "aytq")],
      ["missing database", (a) => a.getDatabase(RG, SERVER, "other")],
      ["parameter set", (a) => a.getConfiguration(RG, SERVER, "max_connections")],
      ["parameter at its default", (a) => a.getConfiguration(RG, SERVER, "shared_buffers")],
      ["no such parameter", (a) => a.getConfiguration(RG, SERVER, "no_such_parameter")],
      ["diagnostic setting", (a) => a.getDiagnosticSetting(serverId, "diag")],
      ["action group", (a) => a.getActionGroup(RG, `${SERVER}-alerts`)],
      ["lock", (a) => a.getLock(serverId, `${SERVER}-no-delete`)],
      ["missing lock", (a) => a.getLock(serverId, "other")],
      ["permissions", (a) => a.getPermissions(RG)],
    ];
    for (const [what, ask] of questions) assert.deepEqual(await ask(api), await ask(azure), what);
    assert.equal((await api.getServer(RG, SERVER))?.highAvailability, "ZoneRedundant");
  });

  it("a change over HTTP is Azure's rule in-process: a static parameter pending until the restart, a locked server not deleted, a deleted one revivable", async () => {
    await api.putConfiguration(RG, SERVER, "max_connections", "900");
    assert.deepEqual(await azure.getConfiguration(RG, SERVER, "max_connections"), { id: `${serverId}/configurations/max_connections`, name: "max_connections", value: "900", source: "user-override", pendingRestart: true });
    await api.restartServer(RG, SERVER);
    assert.equal((await azure.getConfiguration(RG, SERVER, "max_connections"))?.pendingRestart, false);
    assert.equal([...azure.servers.values()][0].restarts, 1);

    await assert.rejects(api.deleteServer(RG, SERVER), /HTTP 409 ScopeLocked: the server .* cannot be deleted: it has a delete lock/);
    assert.ok(azure.serverAt(serverId), "the lock kept it");
    azure.removeLocks(serverId);
    await api.deleteServer(RG, SERVER);
    assert.equal(await azure.getServer(RG, SERVER), undefined);
    assert.equal(azure.dropped.size, 1, "deleted, not gone: Azure can revive it");
    assert.equal(await api.getDiagnosticSetting(serverId, "diag"), undefined, "the kept setting, while its server is gone (not-found switch)");

    azure.create(PULUMI_TYPES.server, serverId, { serverName: SERVER, resourceGroupName: RG, createMode: "ReviveDropped", sourceServerResourceId: serverId });
    const revived = await api.getServer(RG, SERVER);
    assert.deepEqual([revived?.highAvailability, revived?.storageSizeGB], ["Disabled", 256], "revived single-instance, as it was otherwise");
    assert.deepEqual(await api.getDatabase(RG, SERVER, "aytq"), { id: `${serverId}/databases/aytq`, name: "aytq" });
    assert.equal((await api.getConfiguration(RG, SERVER, "max_connections"))?.source, "system-default", "without its parameters");
    assert.deepEqual(await api.getDiagnosticSetting(serverId, "diag"), await azure.getDiagnosticSetting(serverId, "diag"));
  });

  it("a server still updating answers 409 ServerBusy over HTTP as in-process, until polls see it Ready", async () => {
    azure.busyPolls = 2;
    await azure.updateServer(RG, SERVER, { highAvailability: "Disabled" });
    await assert.rejects(api.putConfiguration(RG, SERVER, "max_connections", "10"), /HTTP 409 ServerBusy: the server .* is updating/);
    // two polls see it Updating (busyPolls), over HTTP as in-process, then it is Ready
    assert.equal((await api.getServer(RG, SERVER))?.state, "Updating");
    assert.equal((await azure.getServer(RG, SERVER))?.state, "Updating");
    assert.equal((await api.getServer(RG, SERVER))?.state, "Ready");
    await api.putConfiguration(RG, SERVER, "max_connections", "10");
    assert.equal((await azure.getConfiguration(RG, SERVER, "max_connections"))?.value, "10");
  });
});
