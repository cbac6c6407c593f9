/**
 * The root schema of an environment stack's `aytq` namespace: every section, and the checks that
 * span sections (a key only read in one recovery mode, the copies' names against the live server's).
 */
import { z } from "zod";
import { DEFAULT_LOCATION } from "./defaults";
import { boolish } from "./fields";
import { PIPELINE_STACK, STACK_NAMES } from "./stacks";
import { appSchema } from "./sections/app";
import { backupSchema } from "./sections/backup";
import { databaseSchema } from "./sections/database";
import { monitoringSchema } from "./sections/monitoring";
import { networkSchema } from "./sections/network";
import { recoverySchema } from "./sections/recovery";

/** An environment stack's whole namespace, before the defaults that depend on other keys. */
export const rootSchema = z
  .object({
    environment: z.enum(STACK_NAMES, { error: `must be one of ${STACK_NAMES.join(", ")}` }),
    shortCode: z.enum(["ts", "pp", "pd"], { error: "must be one of ts, pp, pd" }),
    /** @default DEFAULT_LOCATION */
    location: z.string().min(1).default(DEFAULT_LOCATION),
    resourceGroupName: z.string().min(1),
    /** Subscription that holds every resource. @default the provider's current subscription */
    subscriptionId: z.string().uuid({ error: "must be a subscription GUID" }).optional(),
    /** Protect the live server, storage account and immutability policy from deletion. @default true in production */
    protectStateful: boolish.optional(),
    database: databaseSchema,
    network: networkSchema,
    backup: backupSchema,
    monitoring: monitoringSchema.prefault({}),
    /** `CanNotDelete` management locks on the live server and the backup storage account (`protect` stops Pulumi, a lock stops everyone). */
    locks: z
      .object({
        /** @default true in production, false elsewhere */
        enabled: boolish.optional(),
      })
      .strict()
      .prefault({}),
    app: appSchema,
    /** Moved to Pulumi.pipeline.yaml: only read here to say so (see PIPELINE_STACK). */
    pipeline: z.unknown().optional(),
    recovery: recoverySchema.default({ mode: "normal", ptrCopies: [] }),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.pipeline !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["pipeline"],
        message: `moved to Pulumi.${PIPELINE_STACK}.yaml: the ${PIPELINE_STACK} stack alone declares main's branch protection; delete this section from the environment's stack file`,
      });
    }
    if (s.recovery.adopt !== undefined && s.recovery.mode !== "normal") {
      ctx.addIssue({
        code: "custom",
        path: ["recovery", "adopt"],
        message: `is only read when recovery.mode is normal (a mode that creates the server must not import: the preview would read what does not exist yet)`,
      });
    }
    for (const k of ["adminLogin", "adminPassword"] as const) {
      if (s.recovery[k] !== undefined && s.recovery.mode !== "rebuild") {
        ctx.addIssue({ code: "custom", path: ["recovery", k], message: "is only read when recovery.mode is rebuild; remove it" });
      }
    }
    if ((s.recovery.adminLogin === undefined) !== (s.recovery.adminPassword === undefined)) {
      ctx.addIssue({ code: "custom", path: ["recovery", s.recovery.adminLogin === undefined ? "adminLogin" : "adminPassword"], message: "is required with the other of recovery.adminLogin / recovery.adminPassword" });
    }
    if (s.recovery.mode === "reviveDropped" && s.recovery.restorePointUTC === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["recovery", "restorePointUTC"],
        message: "is required when recovery.mode is reviveDropped (an ISO 8601 UTC time after the deletion)",
      });
    }
    const seen = new Set<string>([s.database.serverName]);
    s.recovery.ptrCopies.forEach((copy, i) => {
      if (seen.has(copy.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["recovery", "ptrCopies", i, "name"],
          message: `"${copy.name}" is used twice (or is the live server's name); every copy needs its own name`,
        });
      }
      seen.add(copy.name);
    });
  });
