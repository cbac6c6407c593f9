/**
 * Pre-flight: before a drill or an incident, is everything the runbook needs in place? Each check
 * reads the world through one small probe, so tests can make each one fail; the checks themselves
 * are plain decisions over what the probes say.
 */
import { LOCK_WRITE } from "../azure/permissions";
import type { PtrCopyInfo } from "../runbook/ports";
import type { PreflightResult } from "./result";
export type { PreflightResult } from "./result";
import { serverCheck, type ServerReading } from "./server";
import { PIPELINE_STACK } from "../../infra/config";
import { GITHUB_EDIT_CHECK, HOLDS_CHECK, type GithubBranchProtectionAnswer, type PipelineTarget, githubResults, holdsLine, ruleCheckName, withHolds } from "./branch-protection";
import { type MonitoringExpectation, type MonitoringReading, monitoringChecks } from "./monitoring";
import type { GithubVariableAnswer, GithubWorkflowAnswer } from "./github";



/** A backup as pre-flight needs it. */
interface BackupSummary {
  name: string;
  createdAt: Date;
  verified: boolean;
}

export interface ProbeAnswer {
  ok: boolean;
  detail: string;
}

/** Everything pre-flight asks the world. `undefined` from an optional probe means not applicable here. */
export interface PreflightProbes {
  now(): Date;
  /** Backups, newest first. */
  listBackups(): Promise<BackupSummary[]>;
  /** The oldest restorable point, when the platform knows it; undefined: derive from the retention setting. */
  earliestRestorePoint?(): Promise<Date | undefined>;
  /** Major version of a client tool, or undefined when it is missing. */
  toolMajor(tool: "pg_dump" | "pg_restore" | "psql"): Promise<number | undefined>;
  kubernetesAccess?(namespace: string): Promise<ProbeAnswer>;
  /** The freeze holds on main (`production-run`), from the app repository's refs (recovery/ops/pipeline-holds.ts). */
  freezeHolds?(repository: string): Promise<string[]>;
  /** Whether the token may edit branch protection of the repository, and the branch's live rule. */
  githubBranchProtection?(repository: string, branch: string): Promise<GithubBranchProtectionAnswer>;
  /** GET a URL; ok for a 2xx/3xx answer. */
  probeUrl(url: string): Promise<ProbeAnswer>;
  listPtrCopies(): Promise<PtrCopyInfo[]>;
  /** The real live server against the declaration; undefined when Azure cannot be asked (no subscription). */
  readServer?(): Promise<ServerReading>;
  /** StatusCake's checks and heartbeat, the action group and the locks the stack declares, as they are (never throws). */
  readMonitoring?(expect: MonitoringExpectation): Promise<MonitoringReading>;
  /** Whether the identity running this may write management locks on the stack's resource group; undefined: Azure cannot be asked. */
  mayWriteLocks?(): Promise<boolean>;
  /** The nightly backup workflow (BACKUP_WORKFLOW_FILE) as GitHub has it: its state, or why it could not be read (never throws). */
  backupWorkflow?(): Promise<GithubWorkflowAnswer>;
  /** AZURE_CLIENT_ID of the stack's recovery environment and of its preview environment, as GitHub has them. */
  environmentIdentities?(): Promise<{ recovery: GithubVariableAnswer; preview: GithubVariableAnswer }>;
}

/** What pre-flight reads from settings (a stack's or the local platform's). */
export interface PreflightTarget {
  name: string;
  /** Major version of the server the tools must handle. */
  serverMajor: number;
  /** Days of point-in-time restore the runbook relies on. */
  requiredPitrDays: number;
  /** Retention the server is configured with. */
  retentionDays: number;
  namespace?: string;
  /** The repository the freeze edits and the rule the stack declares for it. */
  pipeline?: PipelineTarget;
  /** Temporary hosts, when the platform has them. */
  temporaryHosts?: { aytq: string; ctr: string };
  dsiTemporaryUrlsRegistered?: boolean;
  statusPageUrl?: string;
  uptimeCheckUrls?: readonly string[];
  /** The monitoring the stack declares (StatusCake, action group, locks). */
  monitoring?: MonitoringExpectation;
}

/** The nightly backup runs every 24 h; 2 h of slack. */
export const MAX_BACKUP_AGE_HOURS = 26;
export const REQUIRED_PITR_DAYS = 7;
/** A PTR copy older than this is forgotten, costs money and confuses the next recovery. */
export const STALE_COPY_HOURS = 24;

const HOUR = 3_600_000;

async function safely<T>(what: string, probe: () => Promise<T>): Promise<{ value?: T; error?: string }> {
  try {
    return { value: await probe() };
  } catch (err) {
    return { error: `${what}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}` };
  }
}

export async function runPreflight(t: PreflightTarget, p: PreflightProbes): Promise<PreflightResult[]> {
  const out: PreflightResult[] = [];
  const now = p.now();

  // backups
  const backups = await safely("listing backups", () => p.listBackups());
  const latest = backups.value?.[0];
  if (backups.error) out.push({ name: "latest backup exists", status: "fail", detail: backups.error, fix: "check access to the backup storage account (az login, or AZURE_STORAGE_CONNECTION_STRING)" });
  else if (!latest) out.push({ name: "latest backup exists", status: "fail", detail: "no backup in the container", fix: `take one now: aytq-dr backup --stack ${t.name}` });
  else {
    out.push({ name: "latest backup exists", status: "pass", detail: latest.name });
    const ageHours = (now.getTime() - latest.createdAt.getTime()) / HOUR;
    out.push(
      ageHours <= MAX_BACKUP_AGE_HOURS
        ? { name: `latest backup younger than ${MAX_BACKUP_AGE_HOURS} h`, status: "pass", detail: `${ageHours.toFixed(1)} h old` }
        : { name: `latest backup younger than ${MAX_BACKUP_AGE_HOURS} h`, status: "fail", detail: `${ageHours.toFixed(1)} h old (${latest.createdAt.toISOString()})`, fix: `the nightly backup is not running: check the workflow, and take one now: aytq-dr backup --stack ${t.name}` },
    );
    out.push(
      latest.verified
        ? { name: "latest backup restores (verified)", status: "pass", detail: "verified flag set" }
        : { name: "latest backup restores (verified)", status: "warn", detail: "never restored to prove it", fix: `aytq-dr backups verify --stack ${t.name} --file ${latest.name}` },
    );
  }

  // point-in-time window
  const earliest = p.earliestRestorePoint ? await safely("earliest restore point", () => p.earliestRestorePoint!()) : { value: undefined };
  const windowDays = earliest.value ? (now.getTime() - earliest.value.getTime()) / (24 * HOUR) : t.retentionDays;
  const windowName = `PITR window covers ${t.requiredPitrDays} days`;
  if (earliest.error) out.push({ name: windowName, status: "fail", detail: earliest.error, fix: "check access to the server" });
  else if (windowDays + 1e-9 >= t.requiredPitrDays) out.push({ name: windowName, status: "pass", detail: earliest.value ? `earliest restore point ${earliest.value.toISOString()}` : `retention ${t.retentionDays} days` });
  else out.push({ name: windowName, status: "fail", detail: `only ${windowDays.toFixed(1)} days`, fix: `set database.backupRetentionDays to at least ${t.requiredPitrDays} and converge` });

  // tools
  for (const tool of ["pg_dump", "pg_restore", "psql"] as const) {
    const major = await safely(tool, () => p.toolMajor(tool));
    const name = `${tool} present and at least ${t.serverMajor}`;
    if (major.value === undefined) out.push({ name, status: "fail", detail: major.error ?? `${tool} not found`, fix: `install PostgreSQL ${t.serverMajor}+ client tools (apt-get install postgresql-client-${t.serverMajor})` });
    else if (major.value < t.serverMajor) out.push({ name, status: "fail", detail: `${tool} ${major.value} is older than the server (${t.serverMajor})`, fix: `install postgresql-client-${t.serverMajor} or newer and put it first on PATH` });
    else out.push({ name, status: "pass", detail: `${tool} ${major.value}` });
  }

  // the real server, on Azure stacks
  if (t.namespace !== undefined) {
    const real = p.readServer ? await safely("reading the live server from Azure", () => p.readServer!()) : { value: undefined };
    out.push(serverCheck(t.name, real.value, real.error));
  }

  // Kubernetes
  if (t.namespace && p.kubernetesAccess) {
    const k = await safely("kubectl", () => p.kubernetesAccess!(t.namespace!));
    const ok = k.value?.ok === true;
    out.push({ name: `Kubernetes access to ${t.namespace}`, status: ok ? "pass" : "fail", detail: k.value?.detail ?? k.error ?? "", fix: ok ? undefined : "az aks get-credentials for the cluster, and check your role can create pods and port-forward in the namespace" });
  } else out.push({ name: "Kubernetes access", status: "n/a", detail: "no cluster on this platform" });

  // GitHub: edit rights, and the live rule against the one the stack declares
  if (t.pipeline && p.githubBranchProtection) {
    let pipeline = t.pipeline;
    // frozen or not is what the holds say (the pipeline stack's config follows them), not a config key
    if (p.freezeHolds) {
      const h = await safely("reading the freeze holds", () => p.freezeHolds!(t.pipeline!.repository));
      if (h.value) {
        pipeline = withHolds(pipeline, h.value);
        out.push({ name: HOLDS_CHECK, status: "pass", detail: holdsLine(h.value) });
      } else {
        out.push({
          name: HOLDS_CHECK,
          status: "fail",
          detail: `${h.error ?? "no answer"}; the rule below is compared with Pulumi.${PIPELINE_STACK}.yaml's pipeline.frozen (${String(pipeline.frozen)})`,
          fix: `a freeze needs to read and create refs in ${pipeline.repository}: give GITHUB_TOKEN Contents read and write on it, then run aytq-dr preflight again`,
        });
      }
    }
    const target = pipeline;
    const g = await safely("GitHub", () => p.githubBranchProtection!(target.repository, target.rule.pattern));
    out.push(...githubResults(target, g.value ?? { ok: false, detail: g.error ?? "GitHub: no answer", fix: "run aytq-dr preflight again" }));
  } else {
    out.push({ name: GITHUB_EDIT_CHECK, status: "n/a", detail: "no pipeline to freeze on this platform" });
    out.push({ name: ruleCheckName(t.pipeline?.rule.pattern ?? "main"), status: "n/a", detail: "no pipeline to freeze on this platform" });
  }

  // the nightly backup: GitHub disables scheduled workflows (60 days without activity in a public repository, or by hand)
  if (p.environmentIdentities) {
    const ids = await safely("asking GitHub for the environments' identities", () => p.environmentIdentities!());
    const unread: GithubVariableAnswer = { ok: false, absent: false, detail: ids.error ?? "no answer", fix: "run aytq-dr preflight again" };
    out.push(previewIdentityResult(t.name, ids.value ?? { recovery: unread, preview: unread }));
  }
  if (p.backupWorkflow) {
    const w = await safely("asking GitHub for the backup workflow", () => p.backupWorkflow!());
    out.push(backupWorkflowResult(w.value ?? { ok: false, repository: undefined, file: BACKUP_WORKFLOW_FILE, detail: w.error ?? "no answer", fix: "run aytq-dr preflight again" }));
  }

  // temporary URLs and DfE Sign-in
  if (t.temporaryHosts) {
    out.push({ name: "temporary URLs configured", status: "pass", detail: `${t.temporaryHosts.aytq}, ${t.temporaryHosts.ctr}` });
    out.push(
      t.dsiTemporaryUrlsRegistered
        ? { name: "DfE Sign-in knows the temporary URLs", status: "pass", detail: "app.dsiTemporaryUrlsRegistered is true" }
        : { name: "DfE Sign-in knows the temporary URLs", status: "fail", detail: "app.dsiTemporaryUrlsRegistered is false: sign-in fails on the temporary URLs during maintenance (the DR test's finding)", fix: "ask DfE Sign-in to register both temporary URLs, then set app.dsiTemporaryUrlsRegistered: true in the stack file" },
    );
  } else out.push({ name: "temporary URLs configured", status: "n/a", detail: "no DfE Sign-in on this platform" });

  // monitoring
  if (t.statusPageUrl !== undefined || t.uptimeCheckUrls !== undefined) {
    const urls = [...(t.statusPageUrl ? [t.statusPageUrl] : []), ...(t.uptimeCheckUrls ?? [])];
    if (!t.statusPageUrl) out.push({ name: "status page configured", status: "fail", detail: "monitoring.statusPageUrl is not set", fix: "set monitoring.statusPageUrl to the Teacher Services status page" });
    if ((t.uptimeCheckUrls ?? []).length === 0 && !t.monitoring?.statusCake) out.push({ name: "uptime checks configured", status: "fail", detail: "monitoring.uptimeCheckUrls is empty", fix: "add the StatusCake check URLs to monitoring.uptimeCheckUrls" });
    for (const url of urls) {
      const r = await safely(url, () => p.probeUrl(url));
      const ok = r.value?.ok === true;
      out.push({ name: `monitoring answers: ${url}`, status: ok ? "pass" : "fail", detail: r.value?.detail ?? r.error ?? "", fix: ok ? undefined : "check the monitor exists and is reachable; a silent monitor hides the outage" });
    }
  } else out.push({ name: "monitoring endpoints", status: "n/a", detail: "no monitoring on this platform" });

  // the monitoring as code is real: StatusCake's checks and heartbeat, the action group, the locks
  if (t.monitoring && p.readMonitoring) out.push(...monitoringChecks(t.monitoring, await p.readMonitoring(t.monitoring), now));

  // a revive or rebuild re-creates the server's delete lock: only Owner or User Access Administrator may
  if (t.monitoring?.locks && p.mayWriteLocks) {
    const may = await safely("reading this identity's permissions", () => p.mayWriteLocks!());
    const name = "this identity may re-create the server's delete lock";
    if (may.value === true) out.push({ name, status: "pass", detail: `${LOCK_WRITE} allowed` });
    else {
      out.push({
        name,
        status: "fail",
        detail: may.error ?? `${LOCK_WRITE} is not allowed (Contributor excludes it): a revive or rebuild recovers the server without its delete lock and ends asking for aytq-dr lock`,
        fix: `grant the identity that runs recoveries User Access Administrator (or Owner) on the stack's resource group, as README set-up says: az role assignment create --assignee <its object id> --role "User Access Administrator" --resource-group <rg>`,
      });
    }
  }

  // stale copies
  const copies = await safely("listing PTR copies", () => p.listPtrCopies());
  const stale = (copies.value ?? []).filter((c) => now.getTime() - new Date(c.createdAtUTC ?? c.restorePointUTC).getTime() > STALE_COPY_HOURS * HOUR);
  if (copies.error) out.push({ name: "no stale PTR copies", status: "fail", detail: copies.error });
  else if (stale.length) out.push({ name: "no stale PTR copies", status: "fail", detail: `older than ${STALE_COPY_HOURS} h: ${stale.map((c) => c.name).join(", ")}`, fix: `aytq-dr tidy --stack ${t.name} --all (or --name <copy>)` });
  else out.push({ name: "no stale PTR copies", status: "pass", detail: `${(copies.value ?? []).length} copies, none older than ${STALE_COPY_HOURS} h` });
  return out;
}

/** The workflow that takes the nightly backups (.github/workflows/backup.yml). */
export const BACKUP_WORKFLOW_FILE = "backup.yml";
export const BACKUP_WORKFLOW_CHECK = `nightly backup workflow enabled (${BACKUP_WORKFLOW_FILE})`;

/** GitHub's state of the backup workflow as a check: active passes, disabled fails with the way to enable it, unreadable warns. */
export function backupWorkflowResult(a: GithubWorkflowAnswer): PreflightResult {
  const name = BACKUP_WORKFLOW_CHECK;
  if (!a.ok) return { name, status: "warn", detail: `not read: ${a.detail}`, fix: a.fix };
  const where = `${a.file} ("${a.name}") in ${a.repository}`;
  const enable = `gh workflow enable ${a.file} --repo ${a.repository}, or in GitHub: ${a.repository} > Actions > ${a.name} > Enable workflow`;
  switch (a.state) {
    case "active":
      return { name, status: "pass", detail: `${where} is active` };
    case "disabled_inactivity":
      return {
        name,
        status: "fail",
        detail: `GitHub disabled ${where} for inactivity (disabled_inactivity): scheduled workflows of a public repository stop after 60 days without activity, so no nightly backup runs`,
        fix: `${enable}; any commit to ${a.repository}, or enabling the workflow again, starts the 60 days afresh`,
      };
    case "disabled_manually":
      return { name, status: "fail", detail: `${where} was disabled by hand (disabled_manually): no nightly backup runs`, fix: `find out who disabled it and why, then ${enable}` };
    case "deleted":
      return { name, status: "fail", detail: `GitHub lists ${where} as deleted: no nightly backup runs`, fix: `restore .github/workflows/${a.file} on the default branch of ${a.repository}` };
    case "disabled_fork":
      return { name, status: "fail", detail: `${a.repository} is a fork, whose workflows GitHub does not run (disabled_fork)`, fix: `run pre-flight against the repository the nightly backup runs from (GITHUB_REPOSITORY=<owner/name>)` };
    default:
      return { name, status: "warn", detail: `GitHub says ${where} is "${a.state}", a state pre-flight does not know`, fix: `look at ${a.repository} > Actions > ${a.name}: it must be enabled for the nightly backup to run` };
  }
}

const PREVIEW_IDENTITY_CHECK = "pull requests preview with their own read-only identity";

/**
 * The preview environment's identity against the recovery environment's (their AZURE_CLIENT_ID):
 * the same identity means a pull request's code runs with the rights that recover the stack.
 */
export function previewIdentityResult(stack: string, ids: { recovery: GithubVariableAnswer; preview: GithubVariableAnswer }): PreflightResult {
  const name = PREVIEW_IDENTITY_CHECK;
  const previewEnv = `${stack}-preview`;
  const setUp = `create the environment ${previewEnv} with AZURE_CLIENT_ID of an identity that can only read (Reader, Storage Blob Data Reader, Key Vault Crypto User: README, one-time set-up)`;
  if (!ids.preview.ok && ids.preview.absent) return { name, status: "warn", detail: `${previewEnv} has no AZURE_CLIENT_ID: the preview workflow cannot log in to Azure`, fix: setUp };
  if (!ids.recovery.ok) return { name, status: "warn", detail: `not read: ${ids.recovery.detail}`, fix: ids.recovery.fix };
  if (!ids.preview.ok) return { name, status: "warn", detail: `not read: ${ids.preview.detail}`, fix: ids.preview.fix };
  if (ids.preview.value.trim().toLowerCase() === ids.recovery.value.trim().toLowerCase()) {
    return {
      name,
      status: "warn",
      detail: `${previewEnv} and ${stack} use the same identity (AZURE_CLIENT_ID): a pull request's code previews ${stack} with the identity that recovers it`,
      fix: setUp,
    };
  }
  return { name, status: "pass", detail: `${previewEnv} uses its own identity, not ${stack}'s` };
}

export function preflightFailed(results: readonly PreflightResult[]): boolean {
  return results.some((r) => r.status === "fail");
}

export function preflightTable(results: readonly PreflightResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length), 5);
  return results
    .map((r) => `${r.status.toUpperCase().padEnd(4)}  ${r.name.padEnd(width)}  ${r.detail}${r.fix ? `\n      fix: ${r.fix}` : ""}`)
    .join("\n");
}
