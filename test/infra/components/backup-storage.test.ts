/** The backup storage component built alone from its own arguments: defaults when left out, immutability only when asked for. */
import * as assert from "node:assert/strict";
import { DEFAULT_BACKUP_CONTAINER, DEFAULT_SOFT_DELETE_DAYS, DEFAULT_STORAGE_REPLICATION } from "../../../infra/config";
import { BackupStorage } from "../../../infra/backup-storage";
import { buildAlone, declared, namesOf } from "../alone";
import { PULUMI_TYPES } from "../../../infra/types";

describe("component alone: BackupStorage", () => {
  it("only the account's name given: the documented defaults, no immutability policy, nothing protected", async () => {
    const e = await buildAlone(() => {
      const b = new BackupStorage("b", { resourceGroupName: "alone-rg", storageAccountName: "aloneaccount" });
      return { accountName: b.accountName, containerName: b.containerName };
    });
    const account = declared(e, PULUMI_TYPES.storageAccount, "b-account");
    assert.deepEqual(account.inputs.sku, { name: DEFAULT_STORAGE_REPLICATION });
    assert.equal(account.options.protect, false);
    assert.deepEqual(declared(e, PULUMI_TYPES.blobService, "b-blob-service").inputs.deleteRetentionPolicy, { enabled: true, days: DEFAULT_SOFT_DELETE_DAYS });
    assert.deepEqual(namesOf(e, PULUMI_TYPES.immutability), []);
    assert.deepEqual(e.outputs, { accountName: "aloneaccount", containerName: DEFAULT_BACKUP_CONTAINER });
  });

  it("immutability and protection given: a protected policy of that many days on the named container", async () => {
    const e = await buildAlone(() => {
      new BackupStorage("b", { resourceGroupName: "alone-rg", storageAccountName: "aloneaccount", containerName: "dumps", immutabilityDays: 3, protect: true });
      return {};
    });
    const policy = declared(e, PULUMI_TYPES.immutability, "b-immutability");
    assert.equal(policy.inputs.immutabilityPeriodSinceCreationInDays, 3);
    assert.equal(policy.inputs.containerName, "dumps");
    assert.equal(policy.options.protect, true);
    assert.equal(declared(e, PULUMI_TYPES.storageAccount, "b-account").options.protect, true);
  });
});
