/**
 * A stack in memory for runbook and gate tests. It models the program closely enough to produce
 * real-looking previews: config is validated with the real config model, resources are derived
 * from it, a preview is the difference between what was applied and what config now asks for.
 * Tests can delete the live server "in Azure" (refresh then drops it from state), add steps to the
 * next preview, and make any call fail.
 */
import { parseSettings, RawConfig, Settings, healthUrls, temporaryUrls, requiredApprovals, desiredReplicas } from "../../infra/config";
import { ConfigScalar, PreviewResult, PreviewStep, StackPort, StepOp, UpResult } from "./port";
import { getPath, removePath, setPath } from "./configpath";

interface FakeResource {
  urn: string;
  type: string;
  name: string;
  protect: boolean;
  props: string;
}

export const TYPES = {
  server: "azure-native:dbforpostgresql:Server",
  database: "azure-native:dbforpostgresql:Database",
  storageAccount: "azure-native:storage:StorageAccount",
  immutability: "azure-native:storage:BlobContainerImmutabilityPolicy",
  deploymentPatch: "kubernetes:apps/v1:DeploymentPatch",
  deployment: "kubernetes:apps/v1:Deployment",
  service: "kubernetes:core/v1:Service",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  ingressPatch: "kubernetes:networking.k8s.io/v1:IngressPatch",
  branchProtection: "github:index/branchProtection:BranchProtection",
  diagnosticSetting: "azure-native:monitor:DiagnosticSetting",
} as const;

type Method = "getConfig" | "setConfig" | "removeConfig" | "refresh" | "resourceUrns" | "preview" | "up" | "outputs" | "cancel";

export class FakeStackPort implements StackPort {
  config: RawConfig;
  /** Resources in state, by URN. */
  state = new Map<string, FakeResource>();
  /** Cloud names that no longer exist in Azure (refresh removes them from state). */
  deletedInCloud = new Set<string>();
  /** Every call, e.g. `setConfig app.stopped=true`. */
  readonly calls: string[] = [];
  /** Steps added to every following preview (and applied by up as no-ops). */
  extraSteps: PreviewStep[] = [];
  /** Text added to every preview's diff. */
  extraDiff = "";
  /** The live server's earliest restore date as Azure reports it (stack output `earliestRestoreDate`); null when not reported. */
  earliestRestoreDate: string | null = null;
  /** Called with each call as recorded in `calls`, before it runs; a test throws from it to fail, e.g., the second config write. */
  onCall?: (call: string) => void;
  private failures = new Map<Method, Error>();
  private appliedConfig: RawConfig;

  constructor(
    readonly stackName: string,
    raw: RawConfig,
  ) {
    this.config = structuredClone(raw);
    this.appliedConfig = structuredClone(raw);
    for (const r of this.desired()) this.state.set(r.urn, r);
  }

  /** Make the next call of `method` throw `error` (once). */
  failNext(method: Method, error: Error): void {
    this.failures.set(method, error);
  }

  settings(raw: RawConfig = this.config): Settings {
    return parseSettings(raw);
  }

  private enter(method: Method, detail = ""): void {
    this.calls.push(detail ? `${method} ${detail}` : method);
    this.onCall?.(this.calls[this.calls.length - 1]);
    const err = this.failures.get(method);
    if (err) {
      this.failures.delete(method);
      throw err;
    }
  }

  private urn(type: string, name: string): string {
    return `urn:pulumi:${this.stackName}::aytq::${type}::${name}`;
  }

  /** What the program declares for the current config. */
  desired(raw: RawConfig = this.config): FakeResource[] {
    const s = this.settings(raw);
    const p = s.protectStateful;
    const res = (type: string, logical: string, name: string, props: unknown, protect = false): FakeResource => ({
      urn: this.urn(type, logical),
      type,
      name,
      protect,
      props: JSON.stringify(props),
    });
    const replicas = desiredReplicas(s);
    // the server's restore inputs are ignoreChanges in the program: its props do not include the mode
    const out = [
      res(TYPES.server, "live-server", s.database.serverName, { sku: s.database.skuName }, p),
      res(TYPES.database, "live-database", s.database.databaseName, {}),
      res(TYPES.storageAccount, "backup-account", s.backup.storageAccountName, { r: s.backup.replication }, p),
      res(TYPES.branchProtection, "branch-protection", s.pipeline.branch, { approvals: requiredApprovals(s) }),
      res(TYPES.deploymentPatch, "web", s.app.webDeployment, { replicas: replicas.web }),
      res(TYPES.deploymentPatch, "worker", s.app.workerDeployment, { replicas: replicas.worker }),
      res(TYPES.ingressPatch, "aytq-ingress", s.app.ingressNames.aytq, { maintenance: s.app.maintenance }),
      res(TYPES.ingressPatch, "ctr-ingress", s.app.ingressNames.ctr, { maintenance: s.app.maintenance }),
    ];
    if (s.backup.immutabilityDays > 0) out.push(res(TYPES.immutability, "immutability", "default", { days: s.backup.immutabilityDays }, p));
    if (s.app.maintenance) {
      out.push(res(TYPES.deployment, "maintenance", "maintenance", {}), res(TYPES.service, "maintenance", "maintenance", {}));
      out.push(res(TYPES.ingress, "temp-aytq", s.app.temporaryHosts.aytq, {}), res(TYPES.ingress, "temp-ctr", s.app.temporaryHosts.ctr, {}));
    }
    for (const c of s.recovery.ptrCopies) out.push(res(TYPES.server, `ptr-${c.name}`, c.name, { restorePointUTC: c.restorePointUTC }));
    return out;
  }

  private plan(): PreviewStep[] {
    const want = new Map(this.desired().map((r) => [r.urn, r]));
    const steps: PreviewStep[] = [];
    for (const [urn, r] of want) {
      const have = this.state.get(urn);
      const op: StepOp = !have ? "create" : have.props !== r.props ? "update" : "same";
      steps.push({ op, type: r.type, urn, protected: r.protect || Boolean(have?.protect), name: r.name });
    }
    for (const [urn, r] of this.state) {
      if (!want.has(urn)) steps.push({ op: "delete", type: r.type, urn, protected: r.protect, name: r.name });
    }
    return [...steps, ...this.extraSteps];
  }

  async getConfig(path: string): Promise<unknown> {
    this.enter("getConfig", path);
    const v = getPath(this.config, path);
    return v === undefined ? undefined : structuredClone(v);
  }

  async setConfig(values: Readonly<Record<string, ConfigScalar>>): Promise<void> {
    this.enter("setConfig", Object.entries(values).map(([k, v]) => `${k}=${String(v)}`).join(" "));
    for (const [k, v] of Object.entries(values)) setPath(this.config, k, v);
  }

  async removeConfig(path: string): Promise<void> {
    this.enter("removeConfig", path);
    removePath(this.config, path);
  }

  async refresh(targets: readonly string[]): Promise<void> {
    this.enter("refresh", targets.join(" "));
    for (const urn of targets) {
      const r = this.state.get(urn);
      if (r && this.deletedInCloud.has(r.name)) this.state.delete(urn);
    }
  }

  async resourceUrns(): Promise<{ urn: string; type: string }[]> {
    this.enter("resourceUrns");
    return [...this.state.values()].map((r) => ({ urn: r.urn, type: r.type }));
  }

  async preview(): Promise<PreviewResult> {
    this.enter("preview");
    const steps = this.plan();
    const changeSummary: Partial<Record<StepOp, number>> = {};
    for (const s of steps) changeSummary[s.op] = (changeSummary[s.op] ?? 0) + 1;
    const diffText = [...steps.filter((s) => s.op !== "same").map((s) => `  ${s.op} ${s.type} ${s.name}`), ...(this.extraDiff ? [this.extraDiff] : [])].join("\n");
    return { changeSummary, steps, diffText };
  }

  async up(): Promise<UpResult> {
    this.enter("up");
    const steps = this.plan();
    this.state = new Map(this.desired().map((r) => [r.urn, r]));
    for (const s of steps) if (s.op === "create") this.deletedInCloud.delete(s.name);
    this.appliedConfig = structuredClone(this.config);
    const changeSummary: Partial<Record<StepOp, number>> = {};
    for (const s of steps) changeSummary[s.op] = (changeSummary[s.op] ?? 0) + 1;
    return { changeSummary, outputs: this.outputsOf() };
  }

  private outputsOf(): Record<string, unknown> {
    const s = this.settings(this.appliedConfig);
    const replicas = desiredReplicas(s);
    return {
      serverName: s.database.serverName,
      databaseName: s.database.databaseName,
      earliestRestoreDate: this.earliestRestoreDate,
      serverFqdn: `${s.database.serverName}.postgres.database.azure.com`,
      ptrCopies: s.recovery.ptrCopies.map((c) => ({ ...c, fqdn: `${c.name}.postgres.database.azure.com` })),
      backupStorageAccount: s.backup.storageAccountName,
      backupContainer: s.backup.containerName,
      namespace: s.app.namespace,
      webDeployment: s.app.webDeployment,
      workerDeployment: s.app.workerDeployment,
      webReplicas: replicas.web,
      workerReplicas: replicas.worker,
      maintenance: s.app.maintenance,
      healthUrls: healthUrls(s),
      temporaryUrls: temporaryUrls(s),
      recoveryMode: s.recovery.mode,
      pipelineFrozen: s.pipeline.frozen,
      requiredApprovals: requiredApprovals(s),
    };
  }

  async outputs(): Promise<Record<string, unknown>> {
    this.enter("outputs");
    return this.outputsOf();
  }

  async cancel(): Promise<void> {
    this.enter("cancel");
  }
}
