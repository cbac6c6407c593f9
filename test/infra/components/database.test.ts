/** The live server's component built alone from its own arguments: what it declares comes from DatabaseArgs, nothing else. */
import * as assert from "node:assert/strict";
import { DEFAULT_ADMIN_LOGIN, DEFAULT_LOCATION, DEFAULT_POSTGRES_VERSION } from "../../../infra/config";
import { Database, type DatabaseArgs } from "../../../infra/database";
import { buildAlone, declared, namesOf } from "../alone";
import { PULUMI_TYPES } from "../../../infra/types";

const SUB = "/subscriptions/11111111-2222-3333-4444-555555555555";
const ARGS: DatabaseArgs = {
  shape: {
    resourceGroupName: "alone-rg",
    skuName: "GP_Standard_D2ds_v4",
    skuTier: "GeneralPurpose",
    delegatedSubnetId: `${SUB}/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pg`,
    privateDnsZoneId: `${SUB}/resourceGroups/dns-rg/providers/Microsoft.Network/privateDnsZones/zone`,
    operationTimeout: "7h30m",
  },
  serverName: "alone-pg",
  serverId: `${SUB}/resourceGroups/alone-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/alone-pg`,
  databaseName: "alone_db",
  parameters: { work_mem: "8MB" },
  protect: true,
  plan: { createMode: "Default", adminCredentials: { kind: "generated" }, declaresDatabase: true, declaresDiagnosticSetting: true, adopt: {} },
};

describe("component alone: Database", () => {
  it("declares the server, its database and only the given parameters from DatabaseArgs, defaults filled in", async () => {
    const e = await buildAlone(() => {
      const d = new Database("d", ARGS);
      return { serverId: d.serverId, databaseName: d.databaseName };
    });
    const server = declared(e, PULUMI_TYPES.server, "d-server");
    assert.equal(server.inputs.serverName, "alone-pg");
    assert.equal(server.inputs.resourceGroupName, "alone-rg");
    assert.equal(server.inputs.location, DEFAULT_LOCATION);
    assert.equal(server.inputs.version, DEFAULT_POSTGRES_VERSION);
    assert.equal(server.inputs.administratorLogin, DEFAULT_ADMIN_LOGIN);
    assert.deepEqual(server.inputs.sku, { name: "GP_Standard_D2ds_v4", tier: "GeneralPurpose" });
    assert.equal(server.options.protect, true);
    assert.deepEqual(server.options.customTimeouts, { create: "7h30m", update: "7h30m", delete: "7h30m" });
    assert.equal(declared(e, PULUMI_TYPES.database, "d-database").inputs.databaseName, "alone_db");
    assert.deepEqual(namesOf(e, PULUMI_TYPES.configuration), ["d-param-work_mem"]);
    assert.deepEqual(e.outputs, { serverId: ARGS.serverId, databaseName: "alone_db" });
  });

  it("reviving: the server revives from serverId with no credentials, and no database is declared", async () => {
    const plan: DatabaseArgs["plan"] = {
      createMode: "ReviveDropped",
      sourceServerResourceId: ARGS.serverId,
      pointInTimeUTC: "2024-07-24T06:00:00Z",
      adminCredentials: { kind: "none" },
      declaresDatabase: false,
      declaresDiagnosticSetting: false,
      adopt: {},
    };
    const e = await buildAlone(() => ({ databaseName: new Database("d", { ...ARGS, plan, protect: undefined }).databaseName }));
    const server = declared(e, PULUMI_TYPES.server, "d-server");
    assert.equal(server.inputs.createMode, "ReviveDropped");
    assert.equal(server.inputs.sourceServerResourceId, ARGS.serverId);
    assert.equal(server.inputs.administratorLogin, undefined);
    assert.equal(server.options.protect, false);
    assert.deepEqual(namesOf(e, PULUMI_TYPES.database), []);
    assert.equal(e.outputs.databaseName, "alone_db");
  });
});
