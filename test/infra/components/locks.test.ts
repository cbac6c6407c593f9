/** The delete locks' component built alone from its own arguments: named after the resources, each waiting for its resource. */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Locks, type LocksArgs } from "../../../infra/locks";
import { buildAlone, declared, namesOf } from "../alone";
import { PULUMI_TYPES } from "../../../infra/types";

const LOCK = PULUMI_TYPES.lock;

/** The server and the account the locks wait for: any resource will do, the component only orders after it. */
function lockArgs(): LocksArgs {
  return {
    serverName: "alone-pg",
    serverId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/alone-pg",
    server: new pulumi.ComponentResource("test:alone:Server", "live-server"),
    storageAccountName: "aloneaccount",
    storageAccountId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/aloneaccount",
    storageAccount: new pulumi.ComponentResource("test:alone:Account", "backup-account"),
  };
}

describe("component alone: Locks", () => {
  it("a CanNotDelete lock on the server and one on the account, on the given ids, each after its resource", async () => {
    const e = await buildAlone(() => {
      new Locks("l", lockArgs());
      return {};
    });
    const server = declared(e, LOCK, "l-server");
    assert.equal(server.inputs.scope, "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/alone-pg");
    assert.equal(server.inputs.lockName, "alone-pg-no-delete");
    assert.equal(server.inputs.level, "CanNotDelete");
    assert.deepEqual(server.dependsOn, ["live-server"]);
    const account = declared(e, LOCK, "l-backup-account");
    assert.equal(account.inputs.lockName, "aloneaccount-no-delete");
    assert.deepEqual(account.dependsOn, ["backup-account"]);
  });

  it("the server's lock deferred: only the account's", async () => {
    const e = await buildAlone(() => {
      new Locks("l", { ...lockArgs(), declaresServerLock: false });
      return {};
    });
    assert.deepEqual(namesOf(e, LOCK), ["l-backup-account"]);
  });
});
