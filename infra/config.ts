/**
 * The config model: the contract between the Pulumi program and the recovery driver.
 *
 * Every key lives in the `aytq` namespace of a stack's config. Top-level keys are objects
 * (`aytq:database`, `aytq:app`, ...) so that the driver can change one field with a path
 * (`app.stopped`, `recovery.mode`) and nothing else. This module validates the raw config
 * into a typed {@link Settings} object, once, reporting every problem at once with its path.
 * The program only reads Settings; the driver only changes keys described here.
 */
import { z } from "zod";
import { isIsoUtc } from "./time";

export const CONFIG_NAMESPACE = "aytq";

export const STACK_NAMES = ["test", "preproduction", "production"] as const;
export type StackName = (typeof STACK_NAMES)[number];

/**
 * The stack that alone declares main's branch protection (Pulumi.pipeline.yaml). Not an environment:
 * its program declares only the GitHub provider and the rule, so freezing main needs GITHUB_TOKEN
 * and the state backend, never an environment's Azure credentials. Every environment's freeze goes
 * through it (recovery/ops/pipeline-holds.ts).
 */
export const PIPELINE_STACK = "pipeline";
export type PipelineStackName = typeof PIPELINE_STACK;

export const RECOVERY_MODES = ["normal", "reviveDropped", "rebuild"] as const;
export type RecoveryMode = (typeof RECOVERY_MODES)[number];

/** Defaults, named so that tests compare against the same constants. */
export const DEFAULT_LOCATION = "uksouth";
export const DEFAULT_POSTGRES_VERSION = "16";
export const DEFAULT_STORAGE_SIZE_GB = 32;
export const DEFAULT_BACKUP_RETENTION_DAYS = 7;
export const DEFAULT_ADMIN_LOGIN = "aytqadmin";
export const DEFAULT_SERVER_PARAMETERS: Readonly<Record<string, string>> = {
  max_connections: "856",
  "connection_throttle.enable": "on",
};
export const DEFAULT_BACKUP_CONTAINER = "database-backup";
export const DEFAULT_STORAGE_REPLICATION = "Standard_GRS";
export const DEFAULT_BLOB_RETENTION_DAYS = 7;
export const DEFAULT_SOFT_DELETE_DAYS = 7;
/** 0 means no immutability policy. Production sets 14. */
export const DEFAULT_IMMUTABILITY_DAYS = 0;
export const DEFAULT_ALERT_THRESHOLD_PERCENT = 80;
export const DEFAULT_STORAGE_CRITICAL_PERCENT = 90;
/** StatusCake's check rates, in seconds. */
export const STATUSCAKE_CHECK_RATES = [30, 60, 300, 900, 1800, 3600, 86400] as const;
export const DEFAULT_CHECK_RATE_SECONDS = 300;
export const DEFAULT_CONFIRMATION_SERVERS = 2;
/** The nightly backup runs every 24 h; 2 h of slack before its heartbeat alerts. */
export const DEFAULT_HEARTBEAT_HOURS = 26;
/**
 * StatusCake refuses a heartbeat period over 172,800 s, 48 h (statuscake-go v1.3.0 api_heartbeat.go:
 * "period must be less than 172800"; infra/statuscake/api.ts HEARTBEAT_PERIOD_MAX_SECONDS).
 */
export const STATUSCAKE_HEARTBEAT_MAX_HOURS = 48;
export const DEFAULT_REPOSITORY = "DFE-Digital/access-your-teaching-qualifications";
export const DEFAULT_BRANCH = "main";
/** GitHub's maximum number of required approving reviews. */
export const MAX_REQUIRED_APPROVALS = 6;
export const DEFAULT_FROZEN_APPROVALS = 6;
export const DEFAULT_NORMAL_APPROVALS = 1;
/**
 * The rest of main's branch protection rule. The GitHub provider manages the rule whole: a flag not
 * declared is sent as false and an absent status-check or push-restriction block switches that
 * feature off, so every flag is a setting. Today's live values are not recorded anywhere we can
 * read; these are safe values for a GOV.UK service repository: nothing reaches main without the
 * test job ("Rspec", the job of the app's test workflow) passing on an up-to-date branch, admins
 * are held to the rule, approvals go stale on new commits, no force pushes or deletions; the
 * workflow preferences GitHub leaves off (linear history, signed commits, conversation
 * resolution, code owners: the repository has no CODEOWNERS file) stay off. `aytq-dr preflight`
 * compares them with the live rule, so a wrong default is caught before the first `pulumi up`.
 */
export const DEFAULT_BRANCH_PROTECTION = {
  requiredStatusChecks: { enabled: true, strict: true, contexts: ["Rspec"] as readonly string[] },
  enforceAdmins: true,
  dismissStaleReviews: true,
  requireCodeOwnerReviews: false,
  requireLastPushApproval: false,
  restrictDismissals: false,
  requireConversationResolution: false,
  requiredLinearHistory: false,
  requireSignedCommits: false,
  allowsForcePushes: false,
  allowsDeletions: false,
  lockBranch: false,
  /** Only read with push restrictions: they also stop anyone else creating a matching branch. */
  blocksCreations: true,
} as const;
/** A GitHub actor as the provider names it: `/login` (user), `org/team-slug` (team), or a node ID. */
export const GITHUB_ACTOR = /^(?:\/[A-Za-z0-9][A-Za-z0-9-]{0,38}|[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+|[A-Z]{1,4}_[A-Za-z0-9_-]+|MD[A-Za-z0-9+]+={0,2})$/;
export const DEFAULT_INGRESS_CLASS = "nginx";
export const DEFAULT_APP_SERVICE_PORT = 80;
export const DEFAULT_HEALTH_PATH = "/health/all.json";
export const DEFAULT_MAINTENANCE_IMAGE = "nginx:1.27-alpine";
/** Azure keeps point-in-time restore data for the backup retention period; the newest restorable point is about 5 minutes old. */
export const PITR_NEWEST_MINUTES = 5;
/** A dropped flexible server can be revived for 5 days after deletion. */
export const REVIVE_WINDOW_DAYS = 5;
/** The runbook: a revive point at least 10 minutes after the deletion. */
export const REVIVE_MIN_MINUTES_AFTER_DELETE = 10;

/** Flexible-server log categories sent to Log Analytics (FACTS: every category). */
export const POSTGRES_LOG_CATEGORIES = [
  "PostgreSQLLogs",
  "PostgreSQLFlexSessions",
  "PostgreSQLFlexQueryStoreRuntime",
  "PostgreSQLFlexQueryStoreWaitStats",
  "PostgreSQLFlexTableStats",
  "PostgreSQLFlexDatabaseXacts",
] as const;

// ---------------------------------------------------------------------------
// Field schemas. Config set from the CLI arrives as strings ("true", "2"), from a
// stack file as YAML values: both are accepted.

const boolish = z.preprocess(
  (v) => (v === "true" ? true : v === "false" ? false : v),
  z.boolean({ error: "must be true or false" }),
);

const intish = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
    z
      .number({ error: "must be a whole number" })
      .int({ error: "must be a whole number" })
      .min(min, { error: `must be between ${min} and ${max}` })
      .max(max, { error: `must be between ${min} and ${max}` }),
  );

/** Azure flexible server names: 3-63 characters, lowercase letters, digits and hyphens, not starting or ending with a hyphen. */
export const AZURE_SERVER_NAME = /^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/;
/** Azure blob container names: 3-63 characters, lowercase letters, digits and single hyphens, starting and ending with a letter or digit. */
export const AZURE_CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
const serverName = z
  .string({ error: "must be a server name" })
  .regex(AZURE_SERVER_NAME, {
    error: "must be a valid Azure server name: 3-63 characters, lowercase letters, digits and hyphens, not starting or ending with a hyphen",
  });

/** One reading of ISO times for the config model and the recovery command (infra/time.ts). */
export { isIsoUtc } from "./time";

const isoUtc = z
  .string({ error: "must be an ISO 8601 time in UTC" })
  .refine(isIsoUtc, { error: "must be an ISO 8601 time in UTC ending in Z, e.g. 2024-07-24T06:00:00Z" });

const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/, { error: "must be a DNS host name" });

const url = z.string().url({ error: "must be a URL" });

const armResourceId = z.string().startsWith("/subscriptions/", { error: "must be an Azure resource id starting /subscriptions/" });

/**
 * A Pulumi custom timeout: a Go duration (`6h`, `90m`, `2h30m`); the engine refuses `1d`.
 * At least an hour: azure-native's own default is 2 hours, and a restore of a large server can take longer.
 */
export const GO_DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
export function durationSeconds(text: string): number | undefined {
  const m = GO_DURATION.exec(text);
  if (!m || text === "") return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
export const DEFAULT_SERVER_TIMEOUT = "6h";
const serverTimeout = z
  .string()
  .refine((t) => (durationSeconds(t) ?? 0) >= 3600, { error: "must be a duration of at least 1h in hours and minutes, e.g. 6h or 7h30m (Pulumi reads Go durations: no days)" });

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
export type PtrCopy = z.infer<typeof ptrCopy>;

const databaseSchema = z
  .object({
    /** The live server's exact Azure name. */
    serverName,
    /** The application's database. */
    databaseName: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a PostgreSQL identifier (lowercase, digits, underscores)" }),
    /** @default DEFAULT_ADMIN_LOGIN */
    adminLogin: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).default(DEFAULT_ADMIN_LOGIN),
    /** @default DEFAULT_POSTGRES_VERSION */
    postgresVersion: z.enum(["14", "15", "16", "17"]).default(DEFAULT_POSTGRES_VERSION),
    /** @default DEFAULT_STORAGE_SIZE_GB */
    storageSizeGB: intish(32, 32768).default(DEFAULT_STORAGE_SIZE_GB),
    skuName: z.string().min(1),
    skuTier: z.enum(["Burstable", "GeneralPurpose", "MemoryOptimized"]),
    /** @default "Disabled" */
    highAvailability: z.enum(["Disabled", "SameZone", "ZoneRedundant"]).default("Disabled"),
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

const networkSchema = z
  .object({
    /** Resource group of the cluster's virtual network. */
    vnetResourceGroupName: z.string().min(1),
    vnetName: z.string().min(1),
    /** @default "postgres-snet" */
    subnetName: z.string().min(1).default("postgres-snet"),
    privateDnsZoneName: z.string().min(1),
    privateDnsZoneResourceGroupName: z.string().min(1),
  })
  .strict();

const backupSchema = z
  .object({
    storageAccountName: z.string().regex(/^[a-z0-9]{3,24}$/, { error: "must be 3-24 lowercase letters and digits" }),
    /** @default DEFAULT_BACKUP_CONTAINER */
    containerName: z
      .string()
      .regex(AZURE_CONTAINER_NAME, { error: "must be a blob container name: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit" })
      .default(DEFAULT_BACKUP_CONTAINER),
    /** @default DEFAULT_STORAGE_REPLICATION */
    replication: z.enum(["Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS"]).default(DEFAULT_STORAGE_REPLICATION),
    /** Blobs are deleted this many days after their last modification. @default DEFAULT_BLOB_RETENTION_DAYS */
    blobRetentionDays: intish(1, 3650).default(DEFAULT_BLOB_RETENTION_DAYS),
    /** Blob and container soft delete. @default DEFAULT_SOFT_DELETE_DAYS */
    softDeleteDays: intish(1, 365).default(DEFAULT_SOFT_DELETE_DAYS),
    /** Locked time-based immutability on the container; 0 for none. @default DEFAULT_IMMUTABILITY_DAYS */
    immutabilityDays: intish(0, 146000).default(DEFAULT_IMMUTABILITY_DAYS),
  })
  .strict();

const monitoringSchema = z
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

const servicePair = z.object({ aytq: hostname, ctr: hostname }).strict();

const appSchema = z
  .object({
    namespace: z.string().min(1),
    webDeployment: z.string().min(1),
    workerDeployment: z.string().min(1),
    webReplicas: intish(0, 100),
    workerReplicas: intish(0, 100),
    /** Replicas are 0 while true. @default false */
    stopped: boolish.default(false),
    /** The maintenance page serves the public hosts while true. @default false */
    maintenance: boolish.default(false),
    /** Public hosts of the two services. */
    hosts: servicePair,
    /** Temporary hosts that reach the app during maintenance. */
    temporaryHosts: servicePair,
    /** Whether DfE Sign-in knows the temporary hosts (the DR test's lesson). @default false */
    dsiTemporaryUrlsRegistered: boolish.default(false),
    /** Names of the app's existing ingresses for each service. @default `<webDeployment>-aytq` and `<webDeployment>-ctr` */
    ingressNames: z.object({ aytq: z.string().min(1), ctr: z.string().min(1) }).strict().optional(),
    /** The app's Service (same name as the web deployment) port. @default DEFAULT_APP_SERVICE_PORT */
    servicePort: intish(1, 65535).default(DEFAULT_APP_SERVICE_PORT),
    /** @default DEFAULT_INGRESS_CLASS */
    ingressClassName: z.string().min(1).default(DEFAULT_INGRESS_CLASS),
    /** Kubernetes Secret holding the app's DATABASE_URL. @default `<webDeployment>-secret` */
    databaseSecretName: z.string().min(1).optional(),
    /** @default DEFAULT_HEALTH_PATH */
    healthPath: z.string().startsWith("/").default(DEFAULT_HEALTH_PATH),
    /** @default DEFAULT_MAINTENANCE_IMAGE */
    maintenanceImage: z.string().min(1).default(DEFAULT_MAINTENANCE_IMAGE),
  })
  .strict();

const actor = z.string().regex(GITHUB_ACTOR, { error: "must be a GitHub actor: /user, org/team or a node ID" });
const actors = z.array(actor, { error: 'must be a list of GitHub actors, e.g. ["/octocat", "DFE-Digital/some-team"]' }).default([]);

const pipelineSchema = z
  .object({
    /** `owner/name`. @default DEFAULT_REPOSITORY */
    repository: z.string().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, { error: "must be owner/name" }).default(DEFAULT_REPOSITORY),
    /** @default DEFAULT_BRANCH */
    branch: z.string().min(1).default(DEFAULT_BRANCH),
    /** Merges need frozenApprovals reviews while true. @default false */
    frozen: boolish.default(false),
    /** @default DEFAULT_FROZEN_APPROVALS */
    frozenApprovals: intish(0, MAX_REQUIRED_APPROVALS).default(DEFAULT_FROZEN_APPROVALS),
    /** @default DEFAULT_NORMAL_APPROVALS */
    normalApprovals: intish(0, MAX_REQUIRED_APPROVALS).default(DEFAULT_NORMAL_APPROVALS),
    /** Checks that must pass before merging. @default DEFAULT_BRANCH_PROTECTION.requiredStatusChecks */
    requiredStatusChecks: z
      .object({
        /** false: no required status checks at all. @default true */
        enabled: boolish.default(DEFAULT_BRANCH_PROTECTION.requiredStatusChecks.enabled),
        /** The branch must be up to date with main before merging. @default true */
        strict: boolish.default(DEFAULT_BRANCH_PROTECTION.requiredStatusChecks.strict),
        /** Names of the checks (GitHub Actions job names). @default ["Rspec"] */
        contexts: z.array(z.string().min(1, { error: "must be a check name" }), { error: 'must be a list of check names, e.g. ["Rspec"]' }).default([...DEFAULT_BRANCH_PROTECTION.requiredStatusChecks.contexts]),
      })
      .strict()
      .prefault({}),
    /** The rule binds admins too; always true while frozen. @default true */
    enforceAdmins: boolish.default(DEFAULT_BRANCH_PROTECTION.enforceAdmins),
    /** A new commit dismisses earlier approvals. @default true */
    dismissStaleReviews: boolish.default(DEFAULT_BRANCH_PROTECTION.dismissStaleReviews),
    /** @default false */
    requireCodeOwnerReviews: boolish.default(DEFAULT_BRANCH_PROTECTION.requireCodeOwnerReviews),
    /** The last push must be approved by someone other than its pusher. @default false */
    requireLastPushApproval: boolish.default(DEFAULT_BRANCH_PROTECTION.requireLastPushApproval),
    /** Only admins (and dismissalRestrictions) may dismiss reviews. @default false */
    restrictDismissals: boolish.default(DEFAULT_BRANCH_PROTECTION.restrictDismissals),
    /** Actors who may dismiss reviews; needs restrictDismissals. @default [] */
    dismissalRestrictions: actors,
    /** Actors who may merge without the review requirements; empty while frozen. @default [] */
    pullRequestBypassers: actors,
    /** @default false */
    requireConversationResolution: boolish.default(DEFAULT_BRANCH_PROTECTION.requireConversationResolution),
    /** @default false */
    requiredLinearHistory: boolish.default(DEFAULT_BRANCH_PROTECTION.requiredLinearHistory),
    /** @default false */
    requireSignedCommits: boolish.default(DEFAULT_BRANCH_PROTECTION.requireSignedCommits),
    /** Everyone may force-push. @default false */
    allowsForcePushes: boolish.default(DEFAULT_BRANCH_PROTECTION.allowsForcePushes),
    /** Actors who alone may force-push (GitHub's REST API does not show them, so preflight cannot compare them). @default [] */
    forcePushBypassers: actors,
    /** @default false */
    allowsDeletions: boolish.default(DEFAULT_BRANCH_PROTECTION.allowsDeletions),
    /** Actors who alone may push to main; empty: no push restriction. @default [] */
    pushRestrictions: actors,
    /** With push restrictions, nobody else may create a matching branch. @default true */
    blocksCreations: boolish.default(DEFAULT_BRANCH_PROTECTION.blocksCreations),
    /** main is read-only: nothing can be merged or pushed. @default false */
    lockBranch: boolish.default(DEFAULT_BRANCH_PROTECTION.lockBranch),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.dismissalRestrictions.length > 0 && !p.restrictDismissals) {
      ctx.addIssue({ code: "custom", path: ["dismissalRestrictions"], message: "only applies with pipeline.restrictDismissals: true (GitHub would restrict dismissals anyway); set both or remove the list" });
    }
    if (p.forcePushBypassers.length > 0 && p.allowsForcePushes) {
      ctx.addIssue({ code: "custom", path: ["forcePushBypassers"], message: "lists who alone may force-push, but pipeline.allowsForcePushes: true lets everyone; keep one of the two" });
    }
  });

/** The pipeline stack's settings: `aytq:pipeline` of Pulumi.pipeline.yaml, validated. */
export type PipelineSettings = z.output<typeof pipelineSchema>;

/** Pulumi.pipeline.yaml's `aytq` namespace: the pipeline section and nothing else. */
const pipelineStackSchema = z.object({ pipeline: pipelineSchema.prefault({}) }).strict();

/**
 * The branch protection rule the program declares for these settings, as plain data: the program
 * maps it onto the provider's inputs, pre-flight compares it with the live rule. Frozen, it also
 * enforces admins and drops the review bypassers, so nobody merges round the freeze.
 */
export interface BranchProtectionRule {
  pattern: string;
  requiredApprovingReviewCount: number;
  dismissStaleReviews: boolean;
  requireCodeOwnerReviews: boolean;
  requireLastPushApproval: boolean;
  restrictDismissals: boolean;
  dismissalRestrictions: string[];
  pullRequestBypassers: string[];
  /** undefined: no required status checks. */
  requiredStatusChecks: { strict: boolean; contexts: string[] } | undefined;
  enforceAdmins: boolean;
  requireConversationResolution: boolean;
  requiredLinearHistory: boolean;
  requireSignedCommits: boolean;
  allowsForcePushes: boolean;
  forcePushBypassers: string[];
  allowsDeletions: boolean;
  /** undefined: no push restriction. */
  restrictPushes: { pushAllowances: string[]; blocksCreations: boolean } | undefined;
  lockBranch: boolean;
}

export function branchProtectionRule(p: PipelineSettings): BranchProtectionRule {
  return {
    pattern: p.branch,
    requiredApprovingReviewCount: requiredApprovals(p),
    dismissStaleReviews: p.dismissStaleReviews,
    requireCodeOwnerReviews: p.requireCodeOwnerReviews,
    requireLastPushApproval: p.requireLastPushApproval,
    restrictDismissals: p.restrictDismissals,
    dismissalRestrictions: [...p.dismissalRestrictions],
    pullRequestBypassers: p.frozen ? [] : [...p.pullRequestBypassers],
    requiredStatusChecks: p.requiredStatusChecks.enabled ? { strict: p.requiredStatusChecks.strict, contexts: [...p.requiredStatusChecks.contexts] } : undefined,
    enforceAdmins: p.frozen || p.enforceAdmins,
    requireConversationResolution: p.requireConversationResolution,
    requiredLinearHistory: p.requiredLinearHistory,
    requireSignedCommits: p.requireSignedCommits,
    allowsForcePushes: p.allowsForcePushes,
    forcePushBypassers: [...p.forcePushBypassers],
    allowsDeletions: p.allowsDeletions,
    restrictPushes: p.pushRestrictions.length > 0 ? { pushAllowances: [...p.pushRestrictions], blocksCreations: p.blocksCreations } : undefined,
    lockBranch: p.lockBranch,
  };
}

const recoverySchema = z
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

const rootSchema = z
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

type RawSettings = z.output<typeof rootSchema>;

/** The validated, typed settings the program reads. Derived defaults are filled in. */
type RawMonitoring = RawSettings["monitoring"];
export type Settings = Omit<RawSettings, "protectStateful" | "monitoring" | "locks" | "pipeline"> & {
  protectStateful: boolean;
  monitoring: Omit<RawMonitoring, "enabled" | "workspaceName" | "diagnosticSettingName" | "actionGroup" | "statusCake"> & {
    enabled: boolean;
    workspaceName: string;
    diagnosticSettingName: string;
    actionGroup: RawMonitoring["actionGroup"] & { name: string; shortName: string };
    statusCake: RawMonitoring["statusCake"] & { contactGroup: { name: string; emailAddresses: string[] } };
  };
  locks: { enabled: boolean };
  app: RawSettings["app"] & { ingressNames: { aytq: string; ctr: string }; databaseSecretName: string };
};

/** One config problem: the key as an operator types it (`aytq:recovery.mode`) and what is wrong. */
export interface ConfigProblem {
  key: string;
  message: string;
}

/** Config that cannot be used. Lists every problem at once. */
export class ConfigError extends Error {
  constructor(public readonly problems: ConfigProblem[]) {
    super(
      problems.length === 1
        ? `invalid config: ${problems[0].key}: ${problems[0].message}`
        : `invalid config (${problems.length} problems):\n` + problems.map((p) => `  ${p.key}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** The raw config of the namespace: top-level key (without `aytq:`) to value (object, scalar or JSON text). */
export type RawConfig = Record<string, unknown>;

/** Operator input in a message is cut to 200 characters (a 100 KB key must not become a 100 KB error). */
function clipText(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}... (${text.length - 200} more characters)` : text;
}

function keyOf(path: ReadonlyArray<PropertyKey>): string {
  let key = CONFIG_NAMESPACE + ":";
  path.forEach((part, i) => {
    if (typeof part === "number") key += `[${part}]`;
    else key += (i === 0 ? "" : ".") + String(part);
  });
  return clipText(key);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  // JSON has no Infinity or NaN (a stack file's 1e999): never shown as null
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = raw;
  for (const part of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[part];
  }
  return v;
}

/** Top-level values may arrive as JSON text (pulumi.Config, Automation API); parse those. */
function normalise(raw: RawConfig): RawConfig {
  const out: RawConfig = {};
  for (const [key, value] of Object.entries(raw)) {
    const bare = key.startsWith(CONFIG_NAMESPACE + ":") ? key.slice(CONFIG_NAMESPACE.length + 1) : key;
    if (typeof value === "string" && /^\s*[[{]/.test(value)) {
      try {
        out[bare] = JSON.parse(value);
        continue;
      } catch {
        // left as text: the schema then reports the key as the wrong type
      }
    }
    out[bare] = value;
  }
  return out;
}

/** Every issue of a failed parse as one ConfigError, each with its key as an operator types it. */
function configErrorOf(error: z.ZodError, input: RawConfig): ConfigError {
  const problems = error.issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === "unrecognized_keys") {
      // each unknown key by its own full name (`aytq:foo`, `aytq:app.foo`), never the bare namespace
      return issue.keys.map((k) => ({ key: keyOf([...issue.path, k]), message: "is not a config key; check the spelling against the README's config table" }));
    }
    // a secret value is never echoed back, even when it is wrong
    const secret = issue.path[issue.path.length - 1] === "adminPassword";
    const got = secret ? "[secret]" : valueAt(input, issue.path);
    const missing = got === undefined;
    return [
      {
        key: keyOf(issue.path),
        message: missing && issue.code !== "custom" ? "is required" : `${issue.message}${issue.code === "custom" ? "" : ` (got ${describe(got)})`}`,
      },
    ];
  });
  return new ConfigError(problems);
}

/**
 * Validate Pulumi.pipeline.yaml's config into the pipeline settings. Throws {@link ConfigError}
 * naming every bad key, as {@link parseSettings} does for an environment.
 */
export function parsePipelineSettings(raw: RawConfig): PipelineSettings {
  const input = normalise(raw);
  const result = pipelineStackSchema.safeParse(input);
  if (!result.success) throw configErrorOf(result.error, input);
  return result.data.pipeline;
}

/**
 * Validate raw config into Settings. Throws {@link ConfigError} naming every bad key.
 * Pure: no Pulumi runtime needed, so the driver and `plan` use the same rules as the program.
 */
export function parseSettings(raw: RawConfig): Settings {
  const input = normalise(raw);
  const result = rootSchema.safeParse(input);
  if (!result.success) throw configErrorOf(result.error, input);
  // refused above when set: an environment's settings have no pipeline section
  const { pipeline: _moved, ...s } = result.data;
  const production = s.environment === "production";
  return {
    ...s,
    protectStateful: s.protectStateful ?? production,
    monitoring: {
      ...s.monitoring,
      enabled: s.monitoring.enabled ?? production,
      workspaceName: s.monitoring.workspaceName ?? `${s.database.serverName}-log`,
      diagnosticSettingName: s.monitoring.diagnosticSettingName ?? `${s.database.serverName}-diagnostics`,
      actionGroup: {
        ...s.monitoring.actionGroup,
        name: s.monitoring.actionGroup.name ?? `${s.database.serverName}-alerts`,
        shortName: s.monitoring.actionGroup.shortName ?? `aytq-${s.shortCode}`,
      },
      statusCake: {
        ...s.monitoring.statusCake,
        contactGroup: { ...s.monitoring.statusCake.contactGroup, name: s.monitoring.statusCake.contactGroup.name ?? `AYTQ and CTR ${s.environment}` },
      },
    },
    locks: { enabled: s.locks.enabled ?? production },
    app: {
      ...s.app,
      ingressNames: s.app.ingressNames ?? { aytq: `${s.app.webDeployment}-aytq`, ctr: `${s.app.webDeployment}-ctr` },
      databaseSecretName: s.app.databaseSecretName ?? `${s.app.webDeployment}-secret`,
    },
  };
}

/** Keys that reach an object's prototype when written through: never config keys. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** The first forbidden key anywhere inside a parsed value (JSON.parse keeps `__proto__` as an own key). */
function forbiddenKeyIn(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(k)) return k;
    const inner = forbiddenKeyIn(v);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/**
 * Set one dotted path (`recovery.mode`, `app.stopped`) in raw config, returning a new object.
 * A value that reads as JSON (true, 2, [...], {...}) is parsed; anything else stays text.
 * Unknown keys are not rejected here: {@link parseSettings} does that, with the same message as the program.
 */
export function setConfigPath(raw: RawConfig, path: string, value: string | unknown): RawConfig {
  const parts = path.replace(new RegExp(`^${CONFIG_NAMESPACE}:`), "").split(".");
  const shown = clipText(path);
  if (parts.some((p) => p.length === 0)) {
    throw new ConfigError([{ key: `${CONFIG_NAMESPACE}:${shown}`, message: "is not a valid key path; use dotted names like recovery.mode" }]);
  }
  const forbidden = parts.find((p) => FORBIDDEN_KEYS.has(p));
  if (forbidden !== undefined) {
    // `node["__proto__"]` is Object.prototype: writing through it would change every object in the process
    throw new ConfigError([{ key: `${CONFIG_NAMESPACE}:${shown}`, message: `"${forbidden}" is not a config key (no key of the model is named __proto__, constructor or prototype)` }]);
  }
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = value;
    }
    // a number JSON cannot hold as typed (1e999 is Infinity, 99999999999999999999 loses digits) stays text,
    // so a refusal echoes what was typed, never `null` or another number
    if (typeof parsed === "number" && !(Number.isFinite(parsed) && (Number.isSafeInteger(parsed) || !Number.isInteger(parsed)))) parsed = value;
  }
  const inValue = forbiddenKeyIn(parsed);
  if (inValue !== undefined) {
    throw new ConfigError([{ key: `${CONFIG_NAMESPACE}:${shown}`, message: `its value has a key "${inValue}", which is not a config key (no key of the model is named __proto__, constructor or prototype)` }]);
  }
  const root = structuredClone(normalise(raw));
  let node: Record<string, unknown> = root;
  parts.slice(0, -1).forEach((part) => {
    const next = node[part];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  });
  node[parts[parts.length - 1]] = parsed;
  return root;
}

/** Remove one dotted path from raw config (no-op when absent), returning a new object. */
export function removeConfigPath(raw: RawConfig, path: string): RawConfig {
  const parts = path.replace(new RegExp(`^${CONFIG_NAMESPACE}:`), "").split(".");
  const root = structuredClone(normalise(raw));
  let node: unknown = root;
  for (const part of parts.slice(0, -1)) {
    if (node === null || typeof node !== "object") return root;
    node = (node as Record<string, unknown>)[part];
  }
  if (node !== null && typeof node === "object") delete (node as Record<string, unknown>)[parts[parts.length - 1]];
  return root;
}

// ---------------------------------------------------------------------------
// Derived values both sides need.

/** Health URLs, AYTQ then CTR. */
export function healthUrls(s: Settings): { service: "AYTQ" | "CTR"; url: string }[] {
  return [
    { service: "AYTQ", url: `https://${s.app.hosts.aytq}${s.app.healthPath}` },
    { service: "CTR", url: `https://${s.app.hosts.ctr}${s.app.healthPath}` },
  ];
}

/** Temporary URLs that reach the app during maintenance. */
export function temporaryUrls(s: Settings): { service: "AYTQ" | "CTR"; url: string }[] {
  return [
    { service: "AYTQ", url: `https://${s.app.temporaryHosts.aytq}` },
    { service: "CTR", url: `https://${s.app.temporaryHosts.ctr}` },
  ];
}

/** Required approving reviews for the current freeze state. */
export function requiredApprovals(p: PipelineSettings): number {
  return p.frozen ? p.frozenApprovals : p.normalApprovals;
}

/** Replica counts for the current stopped state. */
export function desiredReplicas(s: Settings): { web: number; worker: number } {
  return s.app.stopped ? { web: 0, worker: 0 } : { web: s.app.webReplicas, worker: s.app.workerReplicas };
}

/** Azure resource id of a flexible server in the stack's resource group. */
export function flexibleServerId(subscriptionId: string, resourceGroupName: string, serverName: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${serverName}`;
}

/** Id of a diagnostic setting on a resource (Azure keeps these after the resource is deleted). */
export function diagnosticSettingId(resourceId: string, settingName: string): string {
  return `${resourceId}/providers/Microsoft.Insights/diagnosticSettings/${settingName}`;
}
