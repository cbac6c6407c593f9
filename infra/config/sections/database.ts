/** `aytq:database`: the live PostgreSQL flexible server and its database. */
import { z } from "zod";
import {
  DEFAULT_ADMIN_LOGIN,
  DEFAULT_BACKUP_RETENTION_DAYS,
  DEFAULT_POSTGRES_VERSION,
  DEFAULT_SERVER_PARAMETERS,
  DEFAULT_SERVER_TIMEOUT,
  DEFAULT_STORAGE_SIZE_GB,
} from "../defaults";
import { boolish, intish, serverName, serverTimeout } from "../fields";

const postgresVersion = z.enum(["14", "15", "16", "17"]);
/** A PostgreSQL major version Azure's flexible server offers. */
export type PostgresVersion = z.output<typeof postgresVersion>;

const skuTier = z.enum(["Burstable", "GeneralPurpose", "MemoryOptimized"]);
/** A flexible server's pricing tier (its SKU name must belong to it). */
export type SkuTier = z.output<typeof skuTier>;

const highAvailability = z.enum(["Disabled", "SameZone", "ZoneRedundant"]);
/** A flexible server's high-availability mode. */
export type HighAvailabilityMode = z.output<typeof highAvailability>;

/** The section as the stack file writes it; defaults filled in. */
export const databaseSchema = z
  .object({
    /** The live server's exact Azure name. */
    serverName,
    /** The application's database. */
    databaseName: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a PostgreSQL identifier (lowercase, digits, underscores)" }),
    /** @default DEFAULT_ADMIN_LOGIN */
    adminLogin: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).default(DEFAULT_ADMIN_LOGIN),
    /** @default DEFAULT_POSTGRES_VERSION */
    postgresVersion: postgresVersion.default(DEFAULT_POSTGRES_VERSION),
    /** @default DEFAULT_STORAGE_SIZE_GB */
    storageSizeGB: intish(32, 32768).default(DEFAULT_STORAGE_SIZE_GB),
    skuName: z.string().min(1),
    skuTier,
    /** @default "Disabled" */
    highAvailability: highAvailability.default("Disabled"),
    /** @default DEFAULT_BACKUP_RETENTION_DAYS */
    backupRetentionDays: intish(7, 35).default(DEFAULT_BACKUP_RETENTION_DAYS),
    /** @default false */
    geoRedundantBackup: boolish.default(false),
    /**
     * Create, update and delete timeout of the live server and the PTR copies (`customTimeouts`).
     * @default DEFAULT_SERVER_TIMEOUT (azure-native alone gives up after 2 hours)
     */
    operationTimeout: serverTimeout.default(DEFAULT_SERVER_TIMEOUT),
    /** Server parameters. @default DEFAULT_SERVER_PARAMETERS */
    parameters: z.record(z.string(), z.string()).default({ ...DEFAULT_SERVER_PARAMETERS }),
  })
  .strict();
