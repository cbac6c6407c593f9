/**
 * `aytq:recovery`: what the driver writes while it recovers (the mode, the restore point, what it
 * adopts, the rebuild's credentials) and the point-in-time copies. `normal` with no copies is a
 * stack at rest.
 */
import { z } from "zod";
import { RECOVERY_MODES } from "../stacks";
import { armResourceId, boolish, isoUtc, serverName } from "../fields";

const ptrCopy = z
  .object({
    /** Name of the copy server (becomes its Azure name). */
    name: serverName,
    /** The point in time the copy restores to, UTC. */
    restorePointUTC: isoUtc,
    /** When the driver asked for the copy, UTC; recorded as a tag. @default the restore point */
    createdAtUTC: isoUtc.optional(),
  })
  .strict();
/** One point-in-time copy as the driver asks for it (`recovery.ptrCopies`). */
export type PtrCopy = z.infer<typeof ptrCopy>;

/** The section as the driver writes it; which keys a mode reads is checked across sections (schema.ts). */
export const recoverySchema = z
  .object({
    /** @default "normal" */
    mode: z
      .enum(RECOVERY_MODES, { error: `must be one of ${RECOVERY_MODES.join(", ")}` })
      .default("normal"),
    /** Point in time a revived server returns to, UTC. Required when mode is reviveDropped. */
    restorePointUTC: isoUtc.optional(),
    /**
     * Resources a recovery found in Azure after the server came back, adopted (the `import` option)
     * by the exact id Azure reported. Read only when mode is normal: the modes that create the
     * server declare no import, since no preview may read what does not exist yet. Written and
     * removed by the driver. @default none
     */
    adopt: z
      .object({
        /** The live server, when it exists in Azure but not in state (a revive interrupted after Azure created it). */
        serverId: armResourceId.optional(),
        /** The application's database (comes back with a revived server). */
        databaseId: armResourceId.optional(),
        /** A diagnostic setting of the live server's name that Azure kept or re-attached. */
        diagnosticSettingId: armResourceId.optional(),
      })
      .strict()
      .optional(),
    /** Rebuild only: the admin login the app already uses (from its DATABASE_URL Secret). Written and removed by the driver. */
    adminLogin: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { error: "must be a PostgreSQL role name" }).optional(),
    /** Rebuild only, a secret config value: the password the app already uses. Written and removed by the driver. */
    adminPassword: z.string().min(8, { error: "must be at least 8 characters" }).optional(),
    /** Point-in-time copies of the live server. Removing one deletes it. @default [] */
    ptrCopies: z.array(ptrCopy).default([]),
    /**
     * The live server's delete lock is left out (where locks are enabled): the identity that ran a
     * revive or rebuild may not write locks (Owner or User Access Administrator), so creating it
     * would have failed the recovery's last update. Written by the driver; `aytq-dr lock`, run by
     * someone with one of those roles, removes it and creates the lock. @default false
     */
    serverLockDeferred: boolish.optional(),
  })
  .strict();
