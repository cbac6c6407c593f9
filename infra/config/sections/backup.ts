/** `aytq:backup`: the storage account and container that hold the database dumps. */
import { z } from "zod";
import {
  DEFAULT_BACKUP_CONTAINER,
  DEFAULT_BLOB_RETENTION_DAYS,
  DEFAULT_IMMUTABILITY_DAYS,
  DEFAULT_SOFT_DELETE_DAYS,
  DEFAULT_STORAGE_REPLICATION,
} from "../defaults";
import { AZURE_CONTAINER_NAME, intish } from "../fields";

const replication = z.enum(["Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS"]);
/** How Azure replicates the backup account. */
export type StorageReplication = z.output<typeof replication>;

/** The section as the stack file writes it; defaults filled in. */
export const backupSchema = z
  .object({
    storageAccountName: z.string().regex(/^[a-z0-9]{3,24}$/, { error: "must be 3-24 lowercase letters and digits" }),
    /** @default DEFAULT_BACKUP_CONTAINER */
    containerName: z
      .string()
      .regex(AZURE_CONTAINER_NAME, { error: "must be a blob container name: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit" })
      .default(DEFAULT_BACKUP_CONTAINER),
    /** @default DEFAULT_STORAGE_REPLICATION */
    replication: replication.default(DEFAULT_STORAGE_REPLICATION),
    /** Blobs are deleted this many days after their last modification. @default DEFAULT_BLOB_RETENTION_DAYS */
    blobRetentionDays: intish(1, 3650).default(DEFAULT_BLOB_RETENTION_DAYS),
    /** Blob and container soft delete. @default DEFAULT_SOFT_DELETE_DAYS */
    softDeleteDays: intish(1, 365).default(DEFAULT_SOFT_DELETE_DAYS),
    /** Locked time-based immutability on the container; 0 for none. @default DEFAULT_IMMUTABILITY_DAYS */
    immutabilityDays: intish(0, 146000).default(DEFAULT_IMMUTABILITY_DAYS),
  })
  .strict();
