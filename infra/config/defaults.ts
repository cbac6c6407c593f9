/**
 * The config model's defaults and the fixed limits its checks use, named so that the schema, the
 * components' documented defaults and the tests all read the same constants.
 */

export const DEFAULT_LOCATION = "uksouth";
export const DEFAULT_POSTGRES_VERSION = "16";
export const DEFAULT_STORAGE_SIZE_GB = 32;
export const DEFAULT_BACKUP_RETENTION_DAYS = 7;
export const DEFAULT_ADMIN_LOGIN = "aytqadmin";
export const DEFAULT_SERVER_PARAMETERS: Readonly<Record<string, string>> = {
  max_connections: "856",
  "connection_throttle.enable": "on",
};
/** Create, update and delete timeout of a server: azure-native alone gives up after 2 hours, a restore of a large server can take longer. */
export const DEFAULT_SERVER_TIMEOUT = "6h";
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
export const DEFAULT_INGRESS_CLASS = "nginx";
export const DEFAULT_APP_SERVICE_PORT = 80;
export const DEFAULT_HEALTH_PATH = "/health/all.json";
export const DEFAULT_MAINTENANCE_IMAGE = "nginx:1.27-alpine";

/** Flexible-server log categories sent to Log Analytics (FACTS: every category). */
export const POSTGRES_LOG_CATEGORIES = [
  "PostgreSQLLogs",
  "PostgreSQLFlexSessions",
  "PostgreSQLFlexQueryStoreRuntime",
  "PostgreSQLFlexQueryStoreWaitStats",
  "PostgreSQLFlexTableStats",
  "PostgreSQLFlexDatabaseXacts",
] as const;
