/**
 * What every server of the stack shares, the live server and its point-in-time copies alike: place,
 * network, size, SKU and timeouts. One shape, so a copy is always the live server's twin.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import {
  DEFAULT_BACKUP_RETENTION_DAYS,
  DEFAULT_LOCATION,
  DEFAULT_POSTGRES_VERSION,
  DEFAULT_SERVER_TIMEOUT,
  DEFAULT_STORAGE_SIZE_GB,
  type HighAvailabilityMode,
  type PostgresVersion,
  type SkuTier,
} from "./config";

/** The shared arguments of a flexible server, as the components take them. */
export interface ServerShape {
  resourceGroupName: string;
  /** @default DEFAULT_LOCATION */
  location?: string;
  /** @default DEFAULT_POSTGRES_VERSION */
  postgresVersion?: PostgresVersion;
  skuName: string;
  skuTier: SkuTier;
  /** @default DEFAULT_STORAGE_SIZE_GB */
  storageSizeGB?: number;
  /** @default DEFAULT_BACKUP_RETENTION_DAYS */
  backupRetentionDays?: number;
  /** @default false */
  geoRedundantBackup?: boolean;
  /** @default "Disabled" */
  highAvailability?: HighAvailabilityMode;
  /** The cluster's delegated Postgres subnet (infra/ids.ts). */
  delegatedSubnetId: string;
  /** The private DNS zone the servers register in (infra/ids.ts). */
  privateDnsZoneId: string;
  /** Create, update and delete timeout, a Go duration. @default DEFAULT_SERVER_TIMEOUT (azure-native alone gives up after 2 hours) */
  operationTimeout?: string;
}

/** Create, update and delete timeouts of a server (live or copy): a restore can outlast azure-native's 2-hour default. */
export function serverTimeouts(shape: ServerShape): pulumi.CustomTimeouts {
  const t = shape.operationTimeout ?? DEFAULT_SERVER_TIMEOUT;
  return { create: t, update: t, delete: t };
}

/** The server arguments every server of the stack is declared with: no public access, only the cluster's network. */
export function serverShapeArgs(shape: ServerShape): dbforpostgresql.ServerArgs {
  return {
    resourceGroupName: shape.resourceGroupName,
    location: shape.location ?? DEFAULT_LOCATION,
    version: shape.postgresVersion ?? DEFAULT_POSTGRES_VERSION,
    sku: { name: shape.skuName, tier: shape.skuTier },
    storage: { storageSizeGB: shape.storageSizeGB ?? DEFAULT_STORAGE_SIZE_GB },
    backup: {
      backupRetentionDays: shape.backupRetentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS,
      geoRedundantBackup: shape.geoRedundantBackup === true ? "Enabled" : "Disabled",
    },
    highAvailability: { mode: shape.highAvailability ?? "Disabled" },
    network: {
      delegatedSubnetResourceId: shape.delegatedSubnetId,
      privateDnsZoneArmResourceId: shape.privateDnsZoneId,
      publicNetworkAccess: "Disabled",
    },
  };
}
