/** The real server against the stack, in pre-flight and status: read through the simulated Azure the fake engine shares. */
import { strict as assert } from "node:assert";
import { readStackConfig } from "../../recovery/config/stackfile";
import { FakeAzure } from "../helpers/azure/port";
import { readServer, serverCheck, serverStatusLine, SERVER_CHECK } from "../../recovery/preflight/server";
import { PLAN_SUBSCRIPTION_ID } from "../../recovery/plan/mocks";
import { FakeStackPort } from "../helpers/fake-stack";

async function deployed(stack: "test" | "production"): Promise<{ port: FakeStackPort; azure: FakeAzure }> {
  const azure = new FakeAzure({ subscriptionId: PLAN_SUBSCRIPTION_ID });
  const port = new FakeStackPort(stack, readStackConfig(stack), { azure });
  await port.ready();
  return { port, azure };
}

describe("the real server against the stack (pre-flight and status)", () => {
  it("passes when Azure reports what the stack declares", async () => {
    const { port, azure } = await deployed("production");
    // as deployed, the parameters were applied by the engine's Configuration upserts
    const r = serverCheck("production", await readServer(azure, port.settings()));
    assert.equal(r.status, "pass", r.detail);
    assert.match(r.detail, /HA ZoneRedundant, GP_Standard_D2ds_v4, 32 GB, PostgreSQL 16/);
  });

  it("fails naming HA and each parameter a restore lost, with the command that converges them", async () => {
    const { port, azure } = await deployed("production");
    const s = port.settings();
    await azure.updateServer(s.resourceGroupName, s.database.serverName, { highAvailability: "Disabled" });
    [...azure.servers.values()][0].parameters.delete("max_connections");
    const reading = await readServer(azure, s);
    const r = serverCheck("production", reading);
    assert.equal(r.status, "fail");
    assert.match(r.detail, /high availability: declared ZoneRedundant, actual Disabled/);
    assert.match(r.detail, /parameter max_connections: declared 856, actual \(system default\)/);
    assert.match(r.fix ?? "", /aytq-dr normal --stack production --confirm-production converges/);
    assert.match(serverStatusLine(reading), /^real server: +DIFFERS from the stack: high availability: declared ZoneRedundant, actual Disabled/);
  });

  it("a version difference cannot be converged in place, and says so", async () => {
    const { port, azure } = await deployed("test");
    [...azure.servers.values()][0].version = "15";
    const r = serverCheck("test", await readServer(azure, port.settings()));
    assert.equal(r.status, "fail");
    assert.match(r.detail, /PostgreSQL version: declared 16, actual 15/);
    assert.doesNotMatch(r.fix ?? "", /aytq-dr normal/);
    assert.match(r.fix ?? "", /cannot change in place/);
  });

  it("fails when the server is not in Azure, pointing at the recoveries", async () => {
    const { port, azure } = await deployed("test");
    await port.deleteServerInAzure();
    const r = serverCheck("test", await readServer(azure, port.settings()));
    assert.equal(r.status, "fail");
    assert.match(r.detail, /not in Azure/);
    assert.match(r.fix ?? "", /server-lost-revive/);
  });

  it("warns when Azure cannot be asked (no subscription), fails on an ARM error with the az login fix", () => {
    assert.equal(serverCheck("test", undefined).status, "warn");
    assert.match(serverCheck("test", undefined).fix ?? "", /AZURE_SUBSCRIPTION_ID/);
    const e = serverCheck("test", undefined, "ARM refused the token (HTTP 401)");
    assert.deepEqual([e.name, e.status], [SERVER_CHECK, "fail"]);
    assert.match(e.fix ?? "", /az login/);
  });
});
