/**
 * AzureSdkServerApi: the real Azure SDK clients (@azure/arm-postgresql-flexible 9, @azure/arm-monitor 7,
 * their pipelines and pollers) against a local stand-in for Azure Resource Manager that speaks
 * ARM's shapes over https (test/helpers/azure/arm-http.ts), a front end over the simulated Azure
 * the in-process port serves too.
 */
import { strict as assert } from "node:assert";
import * as net from "node:net";
import { diagnosticSettingId } from "../../infra/ids";
import { ArmError } from "../../recovery/azure/arm-error";
import { AzureSdkServerApi } from "../../recovery/azure/sdk";
import { serverFacts, serverPatchBody } from "../../recovery/azure/sdk-facts";
import { ToolError } from "../../recovery/errors";
import { actionAllowed, LOCK_WRITE } from "../../recovery/azure/permissions";
import { ArmStandin } from "../helpers/azure/arm-http";
import { PG_API_VERSION } from "../helpers/azure/arm-wire";
import { reportedSettingId } from "../helpers/azure/state";

const SUB = "00000000-0000-4000-8000-000000000000";
const RG = "s189t01-aytq-ts-rg";
const SERVER = "s189t01-aytq-ts-pg";

/** The rejection of `p`, which must be an ArmError. */
async function armError(p: Promise<unknown>): Promise<ArmError> {
  const err = await p.then(
    () => assert.fail("expected a rejection"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ArmError, `an ArmError, got ${String(err)}`);
  assert.ok(err instanceof ToolError);
  return err;
}

describe("AzureSdkServerApi: the real Azure SDK clients against a local ARM stand-in", function () {
  this.timeout(30_000);
  let arm: ArmStandin;
  let serverId: string;
  let api: AzureSdkServerApi;
  let logs: string[];

  beforeEach(async () => {
    arm = await ArmStandin.start();
    serverId = arm.addServer(SUB, { resourceGroupName: RG, name: SERVER, highAvailability: "ZoneRedundant", skuName: "Standard_D4ds_v5", skuTier: "GeneralPurpose", storageSizeGB: 256, version: "16" });
    logs = [];
    api = new AzureSdkServerApi(SUB, arm.clientOptions({ log: (l) => logs.push(l) }));
  });
  afterEach(() => arm.close());

  describe("reads", () => {
    it("getPermissions: Microsoft.Authorization/permissions of the resource group, every page; Contributor may not write locks, with User Access Administrator it may", async () => {
      assert.equal(actionAllowed(await api.getPermissions(RG), LOCK_WRITE), false, "Contributor alone");
      assert.ok(arm.requests.some((r) => r.method === "GET" && r.path === `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Authorization/permissions`));
      arm.permissions.push({ actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"], notActions: [] });
      const both = await api.getPermissions(RG);
      assert.equal(both.length, 2, "the second page (nextLink) is read too");
      assert.equal(actionAllowed(both, LOCK_WRITE), true);
      arm.faults.push({ status: 403, code: "AuthorizationFailed", path: /permissions$/ });
      const err = await armError(api.getPermissions(RG));
      assert.match(err.message, /Azure refused to read the permissions of the signed-in identity on resource group .*HTTP 403/);
    });

    it("getServer: HA mode, SKU name and tier, storage, version and state as Azure reports them, the id exactly as Azure sent it", async () => {
      // Azure keeps the case it was created with; we ask in lower case and must get its spelling back.
      const upper = arm.addServer(SUB, { resourceGroupName: "S189T01-AYTQ-TS-RG", name: "Other-PG", highAvailability: "SameZone", skuName: "Standard_B2s", skuTier: "Burstable", storageSizeGB: 32, version: "15", state: "Stopped" });
      assert.deepEqual(await api.getServer(RG, SERVER), {
        id: serverId,
        name: SERVER,
        state: "Ready",
        version: "16",
        skuName: "Standard_D4ds_v5",
        skuTier: "GeneralPurpose",
        storageSizeGB: 256,
        highAvailability: "ZoneRedundant",
      });
      const other = await api.getServer("s189t01-aytq-ts-rg", "other-pg");
      assert.equal(other?.id, upper);
      assert.match(upper, /resourceGroups\/S189T01-AYTQ-TS-RG\/.*\/Other-PG$/);
      assert.deepEqual([other?.highAvailability, other?.skuName, other?.skuTier, other?.storageSizeGB, other?.version, other?.state], ["SameZone", "Standard_B2s", "Burstable", 32, "15", "Stopped"]);
      assert.deepEqual(arm.calls.slice(0, 1), [`GET /subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${SERVER}`]);
      assert.ok(arm.requests.every((r) => r.url.endsWith(`api-version=${PG_API_VERSION}`)));
    });

    it("getServer: a server with no highAvailability block is Disabled; HA mode Disabled stays Disabled", async () => {
      arm.azure.serverAt(serverId)!.highAvailability = undefined;
      assert.equal((await api.getServer(RG, SERVER))?.highAvailability, "Disabled");
      arm.addServer(SUB, { resourceGroupName: RG, name: "single", highAvailability: "Disabled" });
      assert.equal((await api.getServer(RG, "single"))?.highAvailability, "Disabled");
    });

    it("getDatabase and getConfiguration: Azure's ids, the parameter's value and source", async () => {
      const dbId = arm.addDatabase(serverId, "aytq_test");
      const cfgId = arm.addConfiguration(serverId, "max_connections", "859", "user-override");
      assert.deepEqual(await api.getDatabase(RG, SERVER, "aytq_test"), { id: dbId, name: "aytq_test" });
      assert.deepEqual(await api.getConfiguration(RG, SERVER, "max_connections"), { id: cfgId, name: "max_connections", value: "859", source: "user-override", pendingRestart: false });
    });

    it("a get of something missing resolves undefined: server, database, parameter, parameter of a missing server, diagnostic setting", async () => {
      assert.equal(await api.getServer(RG, "no-such-server"), undefined);
      assert.equal(await api.getDatabase(RG, SERVER, "no_such_db"), undefined);
      assert.equal(await api.getConfiguration(RG, SERVER, "no_such_parameter"), undefined);
      assert.equal(await api.getConfiguration(RG, "no-such-server", "max_connections"), undefined);
      assert.equal(await api.getDatabase(RG, "no-such-server", "aytq_test"), undefined);
      assert.equal(await api.getDiagnosticSetting(serverId, "no-such-setting"), undefined);
      assert.equal(arm.requests.length, 6, "one request each: a 404 is an answer, not retried");
    });

    it("getDiagnosticSetting: the partly lower-cased id Azure reports, not the id we build", async () => {
      arm.addDiagnosticSetting(serverId, "aytq-ts-pg-diagnostics");
      const s = await api.getDiagnosticSetting(serverId, "aytq-ts-pg-diagnostics");
      assert.deepEqual(s, { id: reportedSettingId(serverId, "aytq-ts-pg-diagnostics"), name: "aytq-ts-pg-diagnostics" });
      assert.equal(s?.id, `/subscriptions/${SUB}/resourcegroups/${RG}/providers/microsoft.dbforpostgresql/flexibleservers/${SERVER}/providers/microsoft.insights/diagnosticSettings/aytq-ts-pg-diagnostics`);
      assert.notEqual(s?.id, diagnosticSettingId(serverId, "aytq-ts-pg-diagnostics"));
      assert.equal(s?.id.toLowerCase(), diagnosticSettingId(serverId, "aytq-ts-pg-diagnostics").toLowerCase());
      // arm-monitor puts its own slash before the resource id: one slash on the wire, not two
      assert.equal(arm.calls[0], `GET ${serverId}/providers/Microsoft.Insights/diagnosticSettings/aytq-ts-pg-diagnostics`);
    });

    it("a diagnostic setting kept after its server was deleted: GET answers found, undefined or a ToolError as Azure is switched (undocumented)", async () => {
      const id = arm.addDiagnosticSetting(serverId, "diag");
      await api.deleteServer(RG, SERVER);
      assert.equal(arm.settings.size, 1, "Azure keeps the setting when the server goes");
      arm.orphanSettingRead = "found";
      assert.deepEqual(await api.getDiagnosticSetting(serverId, "diag"), { id, name: "diag" });
      arm.orphanSettingRead = "not-found";
      assert.equal(await api.getDiagnosticSetting(serverId, "diag"), undefined);
      arm.orphanSettingRead = "error";
      const err = await armError(api.getDiagnosticSetting(serverId, "diag"));
      assert.equal(err.kind, "refused");
      assert.match(err.message, /^Azure refused to read diagnostic setting diag of .*: HTTP 409 ResourceNotReady: The resource .* is being deleted/);
      assert.match(err.hint ?? "", /az monitor diagnostic-settings show --resource .* --name diag/);
    });
  });

  describe("long-running operations through the SDK's pollers", () => {
    it("putConfiguration: PUT value with source user-override, Azure-AsyncOperation polled from InProgress to Succeeded, then the parameter read back (static: pending a restart)", async () => {
      arm.addConfiguration(serverId, "max_connections", "100");
      arm.scripts.push({ inProgressPolls: 2 });
      await api.putConfiguration(RG, SERVER, "max_connections", "859");
      const put = arm.requests.find((r) => r.method === "PUT");
      assert.equal(put?.path, `${serverId}/configurations/max_connections`);
      assert.deepEqual(put?.body, { properties: { value: "859", source: "user-override" } });
      assert.equal(arm.polls.filter((p) => /azureAsyncOperation/.test(p.path)).length, 3, "InProgress, InProgress, Succeeded");
      assert.deepEqual(logs, [`set parameter max_connections of server ${RG}/${SERVER}: InProgress`, `set parameter max_connections of server ${RG}/${SERVER}: InProgress`]);
      // max_connections is static: Azure sets it, and it takes effect at the next restart (ENGINE.md §12)
      assert.deepEqual(await api.getConfiguration(RG, SERVER, "max_connections"), { id: `${serverId}/configurations/max_connections`, name: "max_connections", value: "859", source: "user-override", pendingRestart: true });
    });

    it("restartServer: POSTs restart, follows the operation to the end, and a parameter pending a restart then reads applied", async () => {
      arm.addConfiguration(serverId, "max_connections", "859", "user-override");
      arm.azure.serverAt(serverId)!.pendingRestart.add("max_connections");
      assert.equal((await api.getConfiguration(RG, SERVER, "max_connections"))?.pendingRestart, true, "isConfigPendingRestart is read");
      arm.scripts.push({ inProgressPolls: 2 });
      await api.restartServer(RG, SERVER);
      assert.ok(arm.requests.some((r) => r.method === "POST" && r.path === `${serverId}/restart`));
      assert.equal((await api.getConfiguration(RG, SERVER, "max_connections"))?.pendingRestart, false);
      assert.equal((await api.getServer(RG, SERVER))?.state, "Ready");
    });

    it("putConfiguration of a parameter Azure has not listed yet is an upsert", async () => {
      await api.putConfiguration(RG, SERVER, "azure.extensions", "PG_TRGM");
      assert.equal((await api.getConfiguration(RG, SERVER, "azure.extensions"))?.value, "PG_TRGM");
    });

    it("updateServer: PATCHes only what the patch names, waits for Azure, and the server then reads back changed", async () => {
      await api.updateServer(RG, SERVER, { highAvailability: "Disabled" });
      await api.updateServer(RG, SERVER, { skuName: "Standard_D8ds_v5", skuTier: "MemoryOptimized", storageSizeGB: 512 });
      const patches = arm.requests.filter((r) => r.method === "PATCH");
      assert.deepEqual(
        patches.map((p) => p.body),
        [{ properties: { highAvailability: { mode: "Disabled" } } }, { sku: { name: "Standard_D8ds_v5", tier: "MemoryOptimized" }, properties: { storage: { storageSizeGB: 512 } } }],
      );
      const s = await api.getServer(RG, SERVER);
      assert.deepEqual([s?.highAvailability, s?.skuName, s?.skuTier, s?.storageSizeGB, s?.state], ["Disabled", "Standard_D8ds_v5", "MemoryOptimized", 512, "Ready"]);
    });

    it("updateServer with an empty patch sends nothing", async () => {
      await api.updateServer(RG, SERVER, {});
      assert.equal(arm.requests.length, 0);
    });

    it("deleteServer: DELETE, followed through Azure-AsyncOperation until Succeeded; the server and its children are gone, its diagnostic setting stays", async () => {
      arm.addDatabase(serverId, "aytq_test");
      arm.addDiagnosticSetting(serverId, "diag");
      arm.scripts.push({ inProgressPolls: 2 });
      let stateWhileDeleting: unknown;
      arm.onAccept = () => void (stateWhileDeleting = (arm.server(serverId)?.properties as Record<string, unknown>).state);
      await api.deleteServer(RG, SERVER);
      assert.equal(stateWhileDeleting, "Dropping");
      assert.deepEqual(arm.calls, [`DELETE ${serverId}`]);
      assert.equal(arm.polls.length, 3);
      assert.ok(arm.polls.every((p) => /\/locations\/uksouth\/azureAsyncOperation\//.test(p.path)));
      assert.equal(await api.getServer(RG, SERVER), undefined);
      assert.equal(await api.getDatabase(RG, SERVER, "aytq_test"), undefined);
      assert.equal(arm.settings.size, 1);
      assert.deepEqual(logs, [`delete server ${RG}/${SERVER}: InProgress`, `delete server ${RG}/${SERVER}: InProgress`]);
    });

    it("deleteServer follows a Location header alone (202 until done) as well", async () => {
      arm.scripts.push({ headers: "location", inProgressPolls: 2 });
      await api.deleteServer(RG, SERVER);
      assert.equal(arm.polls.filter((p) => /operationResults/.test(p.path)).length, 3);
      assert.equal(arm.server(serverId), undefined);
    });

    it("deleteServer of a server that is not there: Azure answers 204, nothing to follow", async () => {
      await api.deleteServer(RG, "gone-already");
      assert.equal(arm.polls.length, 0);
    });

    it("deleteDiagnosticSetting deletes it; one that is not there is no error", async () => {
      arm.addDiagnosticSetting(serverId, "diag");
      await api.deleteDiagnosticSetting(serverId, "diag");
      assert.equal(arm.settings.size, 0);
      await api.deleteDiagnosticSetting(serverId, "diag");
      assert.deepEqual(arm.calls.map((c) => c.split(" ")[0]), ["DELETE", "DELETE"]);
    });

    it("an operation that fails is a ToolError naming Azure's error code and message, with a fix; the server is unchanged", async () => {
      arm.scripts.push({ status: "Failed", error: { code: "ServerHaNotSupportedInRegion", message: "Zone redundant HA is not supported in this region." } });
      const err = await armError(api.updateServer(RG, SERVER, { highAvailability: "SameZone" }));
      assert.equal(err.kind, "operation-failed");
      assert.equal(err.message, `Azure reports the operation to update server ${RG}/${SERVER} Failed: ServerHaNotSupportedInRegion: Zone redundant HA is not supported in this region.`);
      assert.deepEqual(err.detail, { code: "ServerHaNotSupportedInRegion", azureMessage: "Zone redundant HA is not supported in this region.", operationStatus: "Failed" });
      assert.match(err.hint ?? "", new RegExp(`az postgres flexible-server show -g ${RG} -n ${SERVER}`));
      assert.equal((await api.getServer(RG, SERVER))?.highAvailability, "ZoneRedundant");
    });

    it("an operation Azure cancels is a ToolError saying Canceled", async () => {
      arm.scripts.push({ status: "Canceled", error: { code: "OperationCanceled", message: "The operation was canceled." } });
      const err = await armError(api.putConfiguration(RG, SERVER, "max_connections", "10"));
      assert.equal(err.kind, "operation-failed");
      assert.match(err.message, /^Azure reports the operation to set parameter max_connections of server .* Canceled: OperationCanceled: The operation was canceled\.$/);
    });

    it("a Location-only operation that fails: the failing poll's HTTP status and Azure's error", async () => {
      arm.scripts.push({ headers: "location", status: "Failed", error: { code: "InternalServerError", message: "boom" } });
      const err = await armError(api.deleteServer(RG, SERVER));
      assert.equal(err.kind, "poll-failed");
      assert.match(err.message, /^following the operation to delete server .*: HTTP 500 InternalServerError: boom$/);
    });

    it("a poll that fails after ARM accepted is told apart from a refusal (Azure may have started)", async () => {
      arm.faults.push({ method: "GET", path: /azureAsyncOperation/, status: 500, code: "InternalServerError", message: "poll broke", times: 10 });
      const err = await armError(new AzureSdkServerApi(SUB, arm.clientOptions({ maxRetries: 1 })).deleteServer(RG, SERVER));
      assert.equal(err.kind, "poll-failed");
      assert.equal(err.detail.statusCode, 500);
      assert.match(err.message, /^following the operation to delete server .* failed: HTTP 500 InternalServerError: poll broke$/);
      assert.equal(arm.polls.length, 2, "the SDK retried the 5xx once (maxRetries 1)");
    });

    it("a 202 with nothing to follow is not taken as done", async () => {
      arm.scripts.push({ headers: "none" });
      const err = await armError(api.deleteServer(RG, SERVER));
      assert.equal(err.kind, "untracked");
      assert.match(err.message, /gave no Azure-AsyncOperation or Location header to follow/);
    });

    it("an operation that outlasts operationTimeoutMs stops waiting with a ToolError (Azure carries on)", async () => {
      arm.scripts.push({ inProgressPolls: 100_000 });
      const quick = new AzureSdkServerApi(SUB, arm.clientOptions({ operationTimeoutMs: 300, updateIntervalInMs: 20 }));
      const started = Date.now();
      const err = await armError(quick.updateServer(RG, SERVER, { storageSizeGB: 1024 }));
      assert.equal(err.kind, "timeout");
      assert.equal(err.message, `the operation to update server ${RG}/${SERVER} did not finish in 0.3 s`);
      assert.ok(Date.now() - started < 3000, "stopped at the deadline, not after the next poll");
    });

    it("Retry-After on the polls sets the wait between them", async () => {
      arm.scripts.push({ inProgressPolls: 2, retryAfterSeconds: 1 });
      const started = Date.now();
      await api.putConfiguration(RG, SERVER, "work_mem", "8192");
      // begin polls once straight away, pollUntilDone once more, then waits Retry-After before the next
      assert.ok(Date.now() - started >= 900, `waited ${Date.now() - started} ms`);
    });
  });

  describe("access, throttling and tokens", () => {
    it("401: ARM refused the token; a ToolError with the az login fix", async () => {
      const wrong = new AzureSdkServerApi(SUB, arm.clientOptions({ credential: arm.credential("expired-token-value") }));
      const err = await armError(wrong.getServer(RG, SERVER));
      assert.equal(err.kind, "refused");
      assert.equal(err.message, `Azure refused to read server ${RG}/${SERVER}: HTTP 401 InvalidAuthenticationToken: The access token is invalid.`);
      assert.match(err.hint ?? "", /az login/);
    });

    it("403: names the action Azure refused and gives the role-assignment fix on the resource group", async () => {
      arm.denied.add("Microsoft.DBforPostgreSQL/flexibleServers/delete");
      const err = await armError(api.deleteServer(RG, SERVER));
      assert.equal(err.kind, "refused");
      assert.match(err.message, /^Azure refused to delete server .*: HTTP 403 AuthorizationFailed: The client .* does not have authorization to perform action 'Microsoft\.DBforPostgreSQL\/flexibleServers\/delete'/);
      assert.match(err.hint ?? "", new RegExp(`az role assignment create --assignee .* --role Contributor --scope /subscriptions/${SUB}/resourceGroups/${RG}`));
      assert.ok(arm.server(serverId), "nothing was deleted");
    });

    it("no token from the credential: a ToolError with the az login / AZURE_* fix, and nothing sent to ARM", async () => {
      const noLogin = new AzureSdkServerApi(SUB, {
        ...arm.clientOptions(),
        credential: {
          getToken: async () => {
            throw new Error("DefaultAzureCredential failed to retrieve a token from the included credentials.\nAzureCliCredential: Please run 'az login'");
          },
        },
      });
      const err = await armError(noLogin.getServer(RG, SERVER));
      assert.equal(err.kind, "credential");
      assert.equal(err.message, "no Azure token for ARM: DefaultAzureCredential failed to retrieve a token from the included credentials.");
      assert.match(err.hint ?? "", /az login, or set AZURE_CLIENT_ID \/ AZURE_TENANT_ID \/ AZURE_CLIENT_SECRET/);
      assert.equal(arm.requests.length, 0);
    });

    it("the token's scope is the endpoint's /.default (ARM's by default)", async () => {
      const credential = arm.credential();
      await new AzureSdkServerApi(SUB, arm.clientOptions({ credential })).getServer(RG, SERVER);
      assert.deepEqual([...new Set(credential.scopes)], [`${arm.endpoint}/.default`]);
    });

    it("429 with Retry-After: the SDK waits as asked and retries; still throttled after the retries is a ToolError saying to wait", async () => {
      arm.faults.push({ method: "GET", status: 429, code: "TooManyRequests", message: "Number of read requests for subscription exceeded the limit.", headers: { "Retry-After": "1" } });
      const started = Date.now();
      assert.equal((await api.getServer(RG, SERVER))?.id, serverId);
      assert.ok(Date.now() - started >= 900, `retried after Retry-After (${Date.now() - started} ms)`);
      assert.equal(arm.requests.length, 2);

      arm.faults.push({ method: "GET", status: 429, code: "TooManyRequests", message: "Number of read requests for subscription exceeded the limit.", headers: { "Retry-After": "1" }, times: 5 });
      const err = await armError(new AzureSdkServerApi(SUB, arm.clientOptions({ maxRetries: 1 })).getServer(RG, SERVER));
      assert.equal(err.kind, "refused");
      assert.match(err.message, /HTTP 429 TooManyRequests: Number of read requests/);
      assert.match(err.hint ?? "", /throttling .* wait a minute/);
    });

    it("ARM unreachable: a ToolError naming the endpoint", async () => {
      const port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      const nowhere = new AzureSdkServerApi(SUB, arm.clientOptions({ endpoint: `https://127.0.0.1:${port}`, maxRetries: 0 }));
      const err = await armError(nowhere.getServer(RG, SERVER));
      assert.equal(err.kind, "unreachable");
      assert.match(err.message, new RegExp(`could not reach Azure Resource Manager \\(https://127\\.0\\.0\\.1:${port}\\) to read server`));
    });

    it("the token never appears in a message, hint, stack or field, even when Azure's error text quotes the Authorization header", async () => {
      const errors: ArmError[] = [];
      arm.faults.push({ method: "PATCH", status: 400, code: "InvalidRequestContent", message: (req) => `The request is invalid. Headers: Authorization: ${req.authorization}; token=${arm.token}` });
      errors.push(await armError(api.updateServer(RG, SERVER, { storageSizeGB: 64 })));
      arm.scripts.push({ status: "Failed", error: { code: "InternalServerError", message: `failed for caller with ${arm.token}` } });
      errors.push(await armError(api.deleteServer(RG, SERVER)));
      arm.denied.add("Microsoft.DBforPostgreSQL/flexibleServers/read");
      errors.push(await armError(api.getServer(RG, SERVER)));
      assert.match(errors[0].message, /Authorization: Bearer \*\*\*; token=\*\*\*/);
      for (const err of errors) {
        for (const text of [err.message, err.hint, err.stack, String(err), JSON.stringify(err), JSON.stringify(err.detail)]) {
          assert.ok(!String(text).includes(arm.token), `the token leaked into: ${text}`);
        }
      }
    });
  });

  describe("mapping", () => {
    it("serverPatchBody sends only the fields a patch names", () => {
      assert.deepEqual(serverPatchBody({}), {});
      assert.deepEqual(serverPatchBody({ highAvailability: "ZoneRedundant" }), { highAvailability: { mode: "ZoneRedundant" } });
      assert.deepEqual(serverPatchBody({ skuName: "Standard_D2ds_v5" }), { sku: { name: "Standard_D2ds_v5", tier: undefined } });
      assert.deepEqual(serverPatchBody({ storageSizeGB: 0 }), { storage: { storageSizeGB: 0 } });
    });

    it("serverFacts refuses an HA mode it does not know, and a server without sku, rather than guessing", () => {
      const base = { id: "/x", name: "x", location: "uksouth", version: "16", sku: { name: "Standard_D2ds_v5", tier: "GeneralPurpose" }, storage: { storageSizeGB: 32 } };
      assert.throws(() => serverFacts({ ...base, highAvailability: { mode: "CrossRegion" } }, "server rg/x"), (e: ToolError) => /high availability "CrossRegion" for server rg\/x/.test(e.message));
      assert.throws(() => serverFacts({ ...base, sku: undefined }, "server rg/x"), /has no sku\.name/);
      assert.equal(serverFacts(base, "server rg/x").highAvailability, "Disabled");
    });
  });
});
