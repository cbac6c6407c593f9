/**
 * Storage for database dumps: a storage account with soft delete, a private container, a
 * lifecycle rule that deletes old dumps and, where `backup.immutabilityDays` > 0, a time-based
 * immutability policy on the container.
 *
 * Locking: azure-native has no input for an immutability policy's lock state (Azure creates
 * policies unlocked; locking is a separate, irreversible POST with the policy's ETag). The policy
 * is declared and protected here; docs/infra.md gives the one-time lock command. Once locked, Azure
 * itself refuses to shorten or delete it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as storage from "@pulumi/azure-native/storage";
import { Settings } from "./config";

/** Name of the lifecycle rule that deletes dumps. */
export const BACKUP_LIFECYCLE_RULE = "delete-old-backups";

export interface BackupStorageArgs {
  settings: Settings;
}

export class BackupStorage extends pulumi.ComponentResource {
  public readonly accountName: pulumi.Output<string>;
  public readonly containerName: pulumi.Output<string>;
  /** The account itself, so that its delete lock can wait for it. */
  public readonly account: storage.StorageAccount;

  constructor(name: string, args: BackupStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aytq:backup:BackupStorage", name, {}, opts);
    const s = args.settings;
    const b = s.backup;

    const account = new storage.StorageAccount(
      `${name}-account`,
      {
        resourceGroupName: s.resourceGroupName,
        location: s.location,
        accountName: b.storageAccountName,
        kind: "StorageV2",
        sku: { name: b.replication },
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: "TLS1_2",
        allowBlobPublicAccess: false,
      },
      { parent: this, protect: s.protectStateful },
    );

    const blobService = new storage.BlobServiceProperties(
      `${name}-blob-service`,
      {
        resourceGroupName: s.resourceGroupName,
        accountName: account.name,
        blobServicesName: "default",
        deleteRetentionPolicy: { enabled: true, days: b.softDeleteDays },
        containerDeleteRetentionPolicy: { enabled: true, days: b.softDeleteDays },
      },
      { parent: this },
    );

    const container = new storage.BlobContainer(
      `${name}-container`,
      {
        resourceGroupName: s.resourceGroupName,
        accountName: account.name,
        containerName: b.containerName,
        publicAccess: "None",
      },
      { parent: this, dependsOn: [blobService] },
    );

    new storage.ManagementPolicy(
      `${name}-lifecycle`,
      {
        resourceGroupName: s.resourceGroupName,
        accountName: account.name,
        managementPolicyName: "default",
        policy: {
          rules: [
            {
              name: BACKUP_LIFECYCLE_RULE,
              enabled: true,
              type: "Lifecycle",
              definition: {
                actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: b.blobRetentionDays } } },
                filters: { blobTypes: ["blockBlob"], prefixMatch: [`${b.containerName}/`] },
              },
            },
          ],
        },
      },
      { parent: this },
    );

    if (b.immutabilityDays > 0) {
      new storage.BlobContainerImmutabilityPolicy(
        `${name}-immutability`,
        {
          resourceGroupName: s.resourceGroupName,
          accountName: account.name,
          containerName: container.name,
          immutabilityPolicyName: "default",
          immutabilityPeriodSinceCreationInDays: b.immutabilityDays,
          allowProtectedAppendWrites: false,
        },
        { parent: this, protect: s.protectStateful },
      );
    }

    this.account = account;
    this.accountName = account.name;
    this.containerName = container.name;
    this.registerOutputs({ accountName: this.accountName, containerName: this.containerName });
  }
}
