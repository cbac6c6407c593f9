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
import {
  DEFAULT_BACKUP_CONTAINER,
  DEFAULT_BLOB_RETENTION_DAYS,
  DEFAULT_IMMUTABILITY_DAYS,
  DEFAULT_LOCATION,
  DEFAULT_SOFT_DELETE_DAYS,
  DEFAULT_STORAGE_REPLICATION,
  type StorageReplication,
} from "./config";
import { PULUMI_TYPES } from "./types";

/** Name of the lifecycle rule that deletes dumps. */
export const BACKUP_LIFECYCLE_RULE = "delete-old-backups";

/** What the dumps' storage is declared from: exactly what the component reads. */
export interface BackupStorageArgs {
  resourceGroupName: string;
  /** @default DEFAULT_LOCATION */
  location?: string;
  /** 3-24 lowercase letters and digits, globally unique. */
  storageAccountName: string;
  /** @default DEFAULT_BACKUP_CONTAINER */
  containerName?: string;
  /** @default DEFAULT_STORAGE_REPLICATION */
  replication?: StorageReplication;
  /** Dumps are deleted this many days after their last modification. @default DEFAULT_BLOB_RETENTION_DAYS */
  blobRetentionDays?: number;
  /** Blob and container soft delete. @default DEFAULT_SOFT_DELETE_DAYS */
  softDeleteDays?: number;
  /** Time-based immutability on the container; 0 for none. @default DEFAULT_IMMUTABILITY_DAYS */
  immutabilityDays?: number;
  /** Pulumi refuses to delete the account and the immutability policy (`protectStateful`). @default false */
  protect?: boolean;
}

/** Where the dumps live: an account that keeps them safe from mistakes (soft delete) and, where set, from anyone (immutability). */

export class BackupStorage extends pulumi.ComponentResource {
  public readonly accountName: pulumi.Output<string>;
  public readonly containerName: pulumi.Output<string>;
  /** The account itself, so that its delete lock can wait for it. */
  public readonly account: storage.StorageAccount;

  constructor(name: string, args: BackupStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PULUMI_TYPES.backupStorageComponent, name, {}, opts);
    const resourceGroupName = args.resourceGroupName;
    const containerName = args.containerName ?? DEFAULT_BACKUP_CONTAINER;
    const softDeleteDays = args.softDeleteDays ?? DEFAULT_SOFT_DELETE_DAYS;
    const immutabilityDays = args.immutabilityDays ?? DEFAULT_IMMUTABILITY_DAYS;
    const protect = args.protect === true;

    const account = new storage.StorageAccount(
      `${name}-account`,
      {
        resourceGroupName,
        location: args.location ?? DEFAULT_LOCATION,
        accountName: args.storageAccountName,
        kind: "StorageV2",
        sku: { name: args.replication ?? DEFAULT_STORAGE_REPLICATION },
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: "TLS1_2",
        allowBlobPublicAccess: false,
      },
      { parent: this, protect },
    );

    const blobService = new storage.BlobServiceProperties(
      `${name}-blob-service`,
      {
        resourceGroupName: resourceGroupName,
        accountName: account.name,
        blobServicesName: "default",
        deleteRetentionPolicy: { enabled: true, days: softDeleteDays },
        containerDeleteRetentionPolicy: { enabled: true, days: softDeleteDays },
      },
      { parent: this },
    );

    const container = new storage.BlobContainer(
      `${name}-container`,
      {
        resourceGroupName: resourceGroupName,
        accountName: account.name,
        containerName,
        publicAccess: "None",
      },
      { parent: this, dependsOn: [blobService] },
    );

    new storage.ManagementPolicy(
      `${name}-lifecycle`,
      {
        resourceGroupName: resourceGroupName,
        accountName: account.name,
        managementPolicyName: "default",
        policy: {
          rules: [
            {
              name: BACKUP_LIFECYCLE_RULE,
              enabled: true,
              type: "Lifecycle",
              definition: {
                actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: args.blobRetentionDays ?? DEFAULT_BLOB_RETENTION_DAYS } } },
                filters: { blobTypes: ["blockBlob"], prefixMatch: [`${containerName}/`] },
              },
            },
          ],
        },
      },
      { parent: this },
    );

    if (immutabilityDays > 0) {
      new storage.BlobContainerImmutabilityPolicy(
        `${name}-immutability`,
        {
          resourceGroupName: resourceGroupName,
          accountName: account.name,
          containerName: container.name,
          immutabilityPolicyName: "default",
          immutabilityPeriodSinceCreationInDays: immutabilityDays,
          allowProtectedAppendWrites: false,
        },
        { parent: this, protect },
      );
    }

    this.account = account;
    this.accountName = account.name;
    this.containerName = container.name;
    this.registerOutputs({ accountName: this.accountName, containerName: this.containerName });
  }
}
