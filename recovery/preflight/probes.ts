/**
 * The real probes behind pre-flight: blob storage, the client tools, kubectl, the GitHub API
 * (`github.ts`) and plain HTTP. And the local platform's own pre-flight (what `npm run drill`
 * needs on this machine).
 */
import { actionAllowed, LOCK_WRITE } from "../azure/permissions";
import type { AzureServerApi } from "../azure/arm";
import { readServer } from "./server";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { type PipelineSettings, type Settings, branchProtectionRule } from "../../infra/config";
import { backupStorage } from "../config/backup-storage";
import { loadPipelineSettings, PROJECT_ROOT } from "../config/stackfile";
import { listBackups } from "../data/storage";
import { toolVersion } from "../data/pgtools";
import { pgBinDir } from "../pg/cluster";
import { DEFAULT_WORK_ROOT, LOCK_FILE, isAlive } from "../platforms/local/workfolder";
import type { StorageLocation } from "../runbook/ports";
import type { PreflightProbes, PreflightResult, PreflightTarget, ProbeAnswer } from "./checks";
import { BACKUP_WORKFLOW_FILE, REQUIRED_PITR_DAYS } from "./checks";
import { GITHUB_EDIT_CHECK, ruleCheckName } from "./branch-protection";
import { readBranchProtection, readEnvironmentVariable, readWorkflowState } from "./github";
import { githubOptionsFromEnv, githubRefs } from "../github/client";
import { listHolds } from "../ops/pipeline-holds";
import { githubEnvironmentName } from "../ci/environments";
import { monitoringExpectation, readMonitoring, statusCakeFromEnv } from "./monitoring";
import { envValue } from "../util/env";

/** One HTTP GET with a deadline. */
async function probeUrl(url: string, timeoutMs = 10_000): Promise<ProbeAnswer> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
    await res.arrayBuffer().catch(() => undefined);
    return { ok: res.status < 400, detail: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error;
    return { ok: false, detail: e.name === "TimeoutError" ? "no answer in time" : ((e.cause as Error | undefined)?.message ?? e.message) };
  }
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: 127, out: e.message });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out: out.trim() });
    });
  });
}

/** Can we start the tunnel pod and port-forward in the namespace? */
async function kubernetesAccess(namespace: string): Promise<ProbeAnswer> {
  const verbs = [["create", "pods"], ["create", "pods/portforward"], ["get", "secrets"]];
  const denied: string[] = [];
  for (const [verb, resource] of verbs) {
    const r = await run("kubectl", ["auth", "can-i", verb, resource, "--namespace", namespace, "--request-timeout=10s"], 15_000);
    if (r.code !== 0 || r.out.split("\n").pop() !== "yes") denied.push(`${verb} ${resource}: ${r.out.split("\n").pop() || `exit ${r.code}`}`);
  }
  return denied.length ? { ok: false, detail: denied.join("; ") } : { ok: true, detail: "can create pods, port-forward and read secrets" };
}

/**
 * Pre-flight of an Azure stack from its settings. `subscriptionId` names the locked resources. @default the stack's aytq:subscriptionId
 * `pipeline`: main's branch protection as the pipeline stack declares it. @default Pulumi.pipeline.yaml
 */
export function stackTarget(stack: string, s: Settings, subscriptionId: string | undefined = s.subscriptionId, pipeline: PipelineSettings = loadPipelineSettings()): PreflightTarget {
  return {
    name: stack,
    serverMajor: Number(s.database.postgresVersion),
    requiredPitrDays: REQUIRED_PITR_DAYS,
    retentionDays: s.database.backupRetentionDays,
    namespace: s.app.namespace,
    pipeline: { repository: pipeline.repository, frozen: pipeline.frozen, rule: branchProtectionRule(pipeline), ruleFor: (frozen) => branchProtectionRule({ ...pipeline, frozen }) },
    temporaryHosts: s.app.temporaryHosts,
    dsiTemporaryUrlsRegistered: s.app.dsiTemporaryUrlsRegistered,
    statusPageUrl: s.monitoring.statusPageUrl,
    uptimeCheckUrls: s.monitoring.uptimeCheckUrls,
    monitoring: monitoringExpectation(stack, s, subscriptionId),
  };
}

/** `azure`: ARM for the stack's subscription, when known (the real server is then compared with the stack). */
export function stackProbes(s: Settings, env: NodeJS.ProcessEnv, azure?: AzureServerApi): PreflightProbes {
  const connectionString = envValue(env, "AZURE_STORAGE_CONNECTION_STRING");
  const storage: StorageLocation = connectionString
    ? { kind: "connection-string", connectionString, container: s.backup.containerName }
    : backupStorage(s);
  return {
    now: () => new Date(),
    listBackups: async () => (await listBackups(storage)).map((b) => ({ name: b.name, createdAt: b.createdAt, verified: b.verified })),
    toolMajor: async (tool) => (await toolVersion(tool).catch(() => undefined))?.major,
    kubernetesAccess,
    freezeHolds: (repo) => listHolds(githubRefs(repo, githubOptionsFromEnv(env))),
    githubBranchProtection: (repo, branch) => readBranchProtection(repo, branch, githubOptionsFromEnv(env)),
    probeUrl: (url) => probeUrl(url),
    // offline: the copies the stack file declares (the stack's outputs are the truth once reachable)
    listPtrCopies: async () => s.recovery.ptrCopies.map((c) => ({ ...c })),
    ...(azure ? { readServer: () => readServer(azure, s), mayWriteLocks: async () => actionAllowed(await azure.getPermissions(s.resourceGroupName), LOCK_WRITE) } : {}),
    readMonitoring: (expect) => readMonitoring(expect, { statusCake: statusCakeFromEnv(env), azure }),
    backupWorkflow: () => readWorkflowState(workflowsRepository(env), BACKUP_WORKFLOW_FILE, githubOptionsFromEnv(env)),
    environmentIdentities: async () => {
      const read = (environment: string) => readEnvironmentVariable(workflowsRepository(env), environment, "AZURE_CLIENT_ID", githubOptionsFromEnv(env));
      const [recovery, preview] = await Promise.all([read(githubEnvironmentName(s.environment, "recover")), read(githubEnvironmentName(s.environment, "preview"))]);
      return { recovery, preview };
    },
  };
}

/**
 * `owner/name` of the repository whose workflows run aytq-dr (the one holding .github/workflows):
 * GITHUB_REPOSITORY (GitHub Actions sets it), else the `origin` of the clone at `root` when it is
 * on github.com; undefined when neither says.
 */
export function workflowsRepository(env: NodeJS.ProcessEnv, root: string = PROJECT_ROOT): string | undefined {
  const fromEnv = envValue(env, "GITHUB_REPOSITORY")?.trim();
  if (fromEnv) return fromEnv;
  const r = spawnSync("git", ["-C", root, "remote", "get-url", "origin"], { encoding: "utf8", timeout: 5_000, stdio: ["ignore", "pipe", "ignore"] });
  if (r.status !== 0 || typeof r.stdout !== "string") return undefined;
  const m = /^(?:https:\/\/(?:[^@/]+@)?github\.com\/|(?:ssh:\/\/)?git@github\.com[:/])([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(r.stdout.trim());
  return m ? `${m[1]}/${m[2]}` : undefined;
}

function hasBinary(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/** What the local platform needs on this machine. Azure-only checks are listed as not applicable. */
export async function localPreflight(workRoot: string = DEFAULT_WORK_ROOT): Promise<PreflightResult[]> {
  const out: PreflightResult[] = [];
  let serverMajor: number | undefined;
  try {
    const dir = pgBinDir();
    const missing = ["initdb", "pg_ctl", "postgres", "pg_basebackup"].filter((b) => !existsSync(path.join(dir, b)));
    serverMajor = Number(/(\d+)\/bin$/.exec(dir)?.[1] ?? NaN);
    out.push(missing.length ? { name: "PostgreSQL server binaries", status: "fail", detail: `missing in ${dir}: ${missing.join(", ")}`, fix: "apt-get install -y postgresql" } : { name: "PostgreSQL server binaries", status: "pass", detail: dir });
  } catch (err) {
    out.push({ name: "PostgreSQL server binaries", status: "fail", detail: (err as Error).message, fix: "apt-get update && apt-get install -y postgresql" });
  }
  for (const tool of ["pg_dump", "pg_restore", "psql"] as const) {
    const v = await toolVersion(tool).catch(() => undefined);
    if (!v) out.push({ name: `${tool} present`, status: "fail", detail: "not found", fix: "apt-get install -y postgresql-client" });
    else if (serverMajor !== undefined && !Number.isNaN(serverMajor) && v.major < serverMajor) out.push({ name: `${tool} present`, status: "fail", detail: `${tool} ${v.text} is older than the local server ${serverMajor}`, fix: "put the newest client tools first on PATH" });
    else out.push({ name: `${tool} present`, status: "pass", detail: `${tool} ${v.text}` });
  }
  if (typeof process.getuid === "function" && process.getuid() === 0) {
    const ok = hasBinary("runuser") && spawnSync("id", ["-u", "postgres"], { stdio: "ignore" }).status === 0;
    out.push(ok ? { name: "server user (running as root)", status: "pass", detail: "runuser and the postgres user exist" } : { name: "server user (running as root)", status: "fail", detail: "PostgreSQL refuses to run as root and there is no postgres user or runuser", fix: "install Debian's postgresql package (it creates the user), or run as a normal user" });
  }
  const azurite = existsSync(path.join(PROJECT_ROOT, "node_modules", ".bin", "azurite-blob"));
  out.push(azurite ? { name: "Azurite installed", status: "pass", detail: "node_modules/.bin/azurite-blob" } : { name: "Azurite installed", status: "fail", detail: "azurite-blob not found in node_modules", fix: "npm ci" });
  const leftovers = existsSync(workRoot)
    ? readdirSync(workRoot).filter((d) => existsSync(path.join(workRoot, d, LOCK_FILE)))
    : [];
  const busy = leftovers.filter((d) => {
    try {
      return isAlive((JSON.parse(readFileSync(path.join(workRoot, d, LOCK_FILE), "utf8")) as { pid: number }).pid);
    } catch {
      return false;
    }
  });
  out.push(
    busy.length
      ? { name: "no drill running", status: "fail", detail: `in use: ${busy.join(", ")}`, fix: "wait for the other drill, or stop it with Ctrl-C" }
      : leftovers.length
        ? { name: "no drill running", status: "warn", detail: `left by an interrupted drill: ${leftovers.join(", ")}`, fix: "nothing to do: the next drill stops what they left and deletes them" }
        : { name: "no drill running", status: "pass", detail: "no work folders left behind" },
  );
  for (const name of ["Kubernetes access", GITHUB_EDIT_CHECK, ruleCheckName("main"), "DfE Sign-in knows the temporary URLs", "monitoring endpoints"]) {
    out.push({ name, status: "n/a", detail: "Azure only: run aytq-dr preflight --stack test" });
  }
  return out;
}
