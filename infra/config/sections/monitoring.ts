/**
 * `aytq:monitoring`: Azure Monitor's alerts and action group, Log Analytics, the URLs pre-flight
 * checks, and StatusCake's uptime checks and the nightly backup's heartbeat.
 */
import { z } from "zod";
import {
  DEFAULT_ALERT_THRESHOLD_PERCENT,
  DEFAULT_CHECK_RATE_SECONDS,
  DEFAULT_CONFIRMATION_SERVERS,
  DEFAULT_HEARTBEAT_HOURS,
  DEFAULT_STORAGE_CRITICAL_PERCENT,
  STATUSCAKE_CHECK_RATES,
  STATUSCAKE_HEARTBEAT_MAX_HOURS,
} from "../defaults";
import { boolish, intish, url } from "../fields";

/** The section as the stack file writes it; the defaults that depend on other keys are filled in by parseSettings. */
export const monitoringSchema = z
  .object({
    /** @default true in production, false elsewhere */
    enabled: boolish.optional(),
    /** @default `<server>-log` */
    workspaceName: z.string().min(1).optional(),
    /** Name of the diagnostic setting on the live server. @default `<server>-diagnostics` */
    diagnosticSettingName: z.string().min(1).optional(),
    /** CPU, memory and storage alerts above this. @default DEFAULT_ALERT_THRESHOLD_PERCENT */
    alertThresholdPercent: intish(1, 100).default(DEFAULT_ALERT_THRESHOLD_PERCENT),
    /** The critical storage alert (severity 1) above this. @default DEFAULT_STORAGE_CRITICAL_PERCENT */
    storageCriticalPercent: intish(1, 100).default(DEFAULT_STORAGE_CRITICAL_PERCENT),
    /** Who every metric alert notifies: an Azure Monitor action group per environment. */
    actionGroup: z
      .object({
        /** @default `<server>-alerts` */
        name: z.string().min(1).optional(),
        /** Up to 12 characters, shown in the messages. @default `aytq-<shortCode>` */
        shortName: z.string().min(1).max(12, { error: "must be at most 12 characters (Azure's limit for a short name)" }).optional(),
        /** @default [] */
        emailAddresses: z.array(z.email({ error: "must be an email address" })).default([]),
        /** Webhooks (Slack, Teams, an incident tool). @default [] */
        webhookUrls: z.array(url).default([]),
      })
      .strict()
      .prefault({}),
    /** Public status page (checked by pre-flight). */
    statusPageUrl: url.optional(),
    /** More URLs pre-flight checks answer (beyond the StatusCake checks declared below). @default [] */
    uptimeCheckUrls: z.array(url).default([]),
    /** StatusCake uptime checks of the health URLs, a contact group and the nightly backup's heartbeat; the token comes from STATUSCAKE_API_TOKEN, never from config. */
    statusCake: z
      .object({
        /** @default true */
        enabled: boolish.default(true),
        /** Seconds between checks: one of StatusCake's rates. @default DEFAULT_CHECK_RATE_SECONDS */
        checkRateSeconds: z.preprocess((v) => (typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v), z.union(STATUSCAKE_CHECK_RATES.map((r) => z.literal(r)) as [z.ZodLiteral<number>, ...z.ZodLiteral<number>[]], { error: `must be one of ${STATUSCAKE_CHECK_RATES.join(", ")}` })).default(DEFAULT_CHECK_RATE_SECONDS),
        /** Servers that must confirm a failure before an alert. @default DEFAULT_CONFIRMATION_SERVERS */
        confirmationServers: intish(0, 3).default(DEFAULT_CONFIRMATION_SERVERS),
        /** Regions the checks run from. @default StatusCake's choice */
        regions: z.array(z.string().min(1)).optional(),
        /** The contact group every check alerts. */
        contactGroup: z
          .object({
            /** @default `AYTQ and CTR <environment>` */
            name: z.string().min(1).optional(),
            /** @default [] */
            emailAddresses: z.array(z.email({ error: "must be an email address" })).default([]),
          })
          .strict()
          .prefault({}),
        /**
         * The heartbeat alerts when no ping came for this long (the nightly backup pings it): the
         * check's `period`, in hours, 1 to STATUSCAKE_HEARTBEAT_MAX_HOURS. @default DEFAULT_HEARTBEAT_HOURS
         */
        heartbeatHours: z
          .preprocess(
            (v) => (typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
            z
              .number({ error: "must be a whole number" })
              .int({ error: "must be a whole number" })
              .min(1, { error: `must be between 1 and ${STATUSCAKE_HEARTBEAT_MAX_HOURS}` })
              .max(STATUSCAKE_HEARTBEAT_MAX_HOURS, {
                error: `must be at most ${STATUSCAKE_HEARTBEAT_MAX_HOURS}: StatusCake refuses a heartbeat period over 172,800 s (${STATUSCAKE_HEARTBEAT_MAX_HOURS} h) at preview; set monitoring.statusCake.heartbeatHours to ${STATUSCAKE_HEARTBEAT_MAX_HOURS} or less (the nightly backup pings every 24 h)`,
              }),
          )
          .default(DEFAULT_HEARTBEAT_HOURS),
      })
      .strict()
      .prefault({}),
  })
  .strict();
