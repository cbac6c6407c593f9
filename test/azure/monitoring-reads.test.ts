/**
 * The ARM reads pre-flight and status make of the monitoring: an action group (@azure/arm-monitor's
 * actionGroups.get) and a management lock (@azure/arm-locks' managementLocks.getAtResourceLevel),
 * through the real SDK clients against the https ARM stand-in, and the simulated Azure's answers
 * from the resources the program declared.
 */
import { strict as assert } from "node:assert";
import { ArmError } from "../../recovery/azure/arm-error";
import { AzureSdkServerApi } from "../../recovery/azure/sdk";
import { parseResourceId } from "../../recovery/azure/sdk-facts";
import { FakeAzure } from "../helpers/azure/port";
import { ToolError } from "../../recovery/errors";
import { ArmStandin } from "../helpers/azure/arm-http";
import { PULUMI_TYPES } from "../../infra/types";

const SUB = "00000000-0000-4000-8000-000000000000";
const RG = "s189p01-aytq-pd-rg";
const SERVER = "s189p01-aytq-pd-pg";
const ACCOUNT = "s189p01aytqdbbkpd";
const serverId = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${SERVER}`;
const accountId = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}`;

describe("ARM reads of the monitoring: action groups and delete locks", function () {
  this.timeout(30_000);

  describe("AzureSdkServerApi against the ARM stand-in", () => {
    let arm: ArmStandin;
    let api: AzureSdkServerApi;
    beforeEach(async () => {
      arm = await ArmStandin.start();
      api = new AzureSdkServerApi(SUB, arm.clientOptions());
    });
    afterEach(() => arm.close());

    it("getActionGroup: enabled, receivers counted by kind, the email addresses; webhook URLs are never read out", async () => {
      const hook = "https://hooks.slack.com/services/T000/B000/SECRETxyz";
      const id = arm.addActionGroup(SUB, RG, `${SERVER}-alerts`, { emails: ["dr@example.org", "ops@example.org"], webhooks: [hook] });
      const g = await api.getActionGroup(RG, `${SERVER}-alerts`);
      assert.deepEqual(g, { id, name: `${SERVER}-alerts`, enabled: true, emailAddresses: ["dr@example.org", "ops@example.org"], receivers: { email: 2, webhook: 1 } });
      assert.ok(!JSON.stringify(g).includes("SECRETxyz"));
      assert.deepEqual(arm.calls, [`GET /subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Insights/actionGroups/${SERVER}-alerts`]);
    });

    it("getActionGroup: a disabled group with no receivers reads as such; a missing one is undefined", async () => {
      arm.addActionGroup(SUB, RG, "empty", { enabled: false });
      assert.deepEqual(await api.getActionGroup(RG, "empty"), { id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Insights/actionGroups/empty`, name: "empty", enabled: false, emailAddresses: [], receivers: {} });
      assert.equal(await api.getActionGroup(RG, "no-such-group"), undefined);
    });

    it("getLock: getAtResourceLevel on the server and on the storage account, with no empty path segment; missing is undefined", async () => {
      const serverLock = arm.addLock(serverId, `${SERVER}-no-delete`);
      arm.addLock(accountId, `${ACCOUNT}-no-delete`, "ReadOnly");
      assert.deepEqual(await api.getLock(serverId, `${SERVER}-no-delete`), { id: serverLock, name: `${SERVER}-no-delete`, level: "CanNotDelete" });
      assert.equal((await api.getLock(accountId, `${ACCOUNT}-no-delete`))?.level, "ReadOnly");
      assert.equal(await api.getLock(serverId, "other-lock"), undefined);
      assert.deepEqual(arm.calls.slice(0, 2), [
        `GET /subscriptions/${SUB}/resourcegroups/${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${SERVER}/providers/Microsoft.Authorization/locks/${SERVER}-no-delete`,
        `GET /subscriptions/${SUB}/resourcegroups/${RG}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}/providers/Microsoft.Authorization/locks/${ACCOUNT}-no-delete`,
      ]);
      assert.ok(arm.requests.every((r) => r.url.includes("api-version=2020-05-01")));
    });

    it("a role without Microsoft.Authorization/locks/read: an ArmError with Azure's message and the role fix", async () => {
      arm.denied.add("Microsoft.Authorization/locks/read");
      const err = await api.getLock(serverId, `${SERVER}-no-delete`).then(
        () => assert.fail("expected a refusal"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ArmError && err instanceof ToolError);
      assert.match(err.message, new RegExp(`Azure refused to read lock ${SERVER}-no-delete on .*: HTTP 403 AuthorizationFailed`));
      assert.match(err.hint ?? "", /az role assignment create/);
    });

    it("401: the az login fix, and the token in no message", async () => {
      const refused = new AzureSdkServerApi(SUB, arm.clientOptions({ credential: arm.credential("some-other-token-abcdef") }));
      const err = await refused.getActionGroup(RG, "x").then(
        () => assert.fail("expected a refusal"),
        (e: unknown) => e as ArmError,
      );
      assert.match(err.message, /HTTP 401 InvalidAuthenticationToken/);
      assert.match(err.hint ?? "", /az login again/);
      assert.ok(!`${err.message} ${err.hint} ${err.stack}`.includes("some-other-token-abcdef"));
    });
  });

  describe("parseResourceId (what getAtResourceLevel takes)", () => {
    it("splits a top-level resource (no parent path) and a nested one", () => {
      assert.deepEqual(parseResourceId(serverId), { resourceGroupName: RG, providerNamespace: "Microsoft.DBforPostgreSQL", parentResourcePath: "", resourceType: "flexibleServers", resourceName: SERVER });
      assert.deepEqual(parseResourceId(`${serverId}/databases/aytq`), { resourceGroupName: RG, providerNamespace: "Microsoft.DBforPostgreSQL", parentResourcePath: `flexibleServers/${SERVER}`, resourceType: "databases", resourceName: "aytq" });
    });
    it("refuses what is not a resource id in a resource group", () => {
      for (const bad of [`/subscriptions/${SUB}`, `/subscriptions/${SUB}/resourceGroups/${RG}`, `${serverId}/databases`, "flexibleServers/x"]) {
        assert.throws(() => parseResourceId(bad), ToolError, bad);
      }
    });
  });

  describe("the simulated Azure answers from what the program declared", () => {
    it("getActionGroup reads the declared ActionGroup's inputs; getLock the declared lock by scope and name", async () => {
      const azure = new FakeAzure({ subscriptionId: SUB });
      azure.seed(PULUMI_TYPES.actionGroup, `/subscriptions/${SUB}/resourceGroups/${RG}/providers/azure-native:monitor:ActionGroup/aytq-monitoring-action-group`, {
        resourceGroupName: RG,
        actionGroupName: `${SERVER}-alerts`,
        enabled: true,
        emailReceivers: [{ name: "email-1", emailAddress: "dr@example.org" }],
        webhookReceivers: [{ name: "webhook-1", serviceUri: "https://hooks.example.org/secret" }],
      });
      azure.seed(PULUMI_TYPES.lock, `${serverId}/providers/Microsoft.Authorization/locks/${SERVER}-no-delete`, { scope: serverId, lockName: `${SERVER}-no-delete`, level: "CanNotDelete" });
      assert.deepEqual(await azure.getActionGroup(RG, `${SERVER}-alerts`), {
        id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Insights/actionGroups/${SERVER}-alerts`,
        name: `${SERVER}-alerts`,
        enabled: true,
        emailAddresses: ["dr@example.org"],
        receivers: { email: 1, webhook: 1 },
      });
      assert.equal(await azure.getActionGroup(RG, "other"), undefined);
      assert.deepEqual(await azure.getLock(serverId.toLowerCase(), `${SERVER}-no-delete`), { id: `${serverId}/providers/Microsoft.Authorization/locks/${SERVER}-no-delete`, name: `${SERVER}-no-delete`, level: "CanNotDelete" });
      assert.equal(await azure.getLock(accountId, `${ACCOUNT}-no-delete`), undefined);
      assert.deepEqual(azure.armCalls.slice(-2), [`getLock ${serverId.toLowerCase()}/${SERVER}-no-delete`, `getLock ${accountId}/${ACCOUNT}-no-delete`]);
    });
  });
});
