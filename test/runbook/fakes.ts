/** A Platform and DataTools in memory that log every call, for runbook tests. */
import { NotAvailableError } from "../../recovery/errors";
import { MemoryRunStore } from "../helpers/memory-run-store";
import type { CompareResult, DatabaseConnection, DataTools, HealthTarget, Platform, PtrCopyInfo, StepResult, DatabaseRef, SurgicalPlan, SurgicalResult, SurgicalWay } from "../../recovery/runbook/ports";

export class FakePlatform implements Platform {
  readonly kind = "local" as const;
  readonly calls: string[] = [];
  stopped = false;
  maintenance = false;
  frozen = false;
  copies: PtrCopyInfo[] = [];
  /** Step method name -> error to throw once. */
  failOnce = new Map<string, Error>();
  constructor(
    readonly stack = "test",
    readonly liveServerName = "s189t01-aytq-ts-pg",
  ) {}
  private call(name: string, detail = ""): void {
    this.calls.push(detail ? `${name} ${detail}` : name);
    const e = this.failOnce.get(name);
    if (e) {
      this.failOnce.delete(name);
      throw e;
    }
  }
  private result(changed: boolean, summary: string): StepResult {
    return { status: changed ? "done" : "unchanged", summary };
  }
  async setAppStopped(stopped: boolean) {
    this.call("setAppStopped", String(stopped));
    const changed = this.stopped !== stopped;
    this.stopped = stopped;
    return this.result(changed, `stopped=${stopped}`);
  }
  async setMaintenance(on: boolean) {
    this.call("setMaintenance", String(on));
    const changed = this.maintenance !== on;
    this.maintenance = on;
    return this.result(changed, `maintenance=${on}`);
  }
  async setPipelineFrozen(frozen: boolean) {
    this.call("setPipelineFrozen", String(frozen));
    const changed = this.frozen !== frozen;
    this.frozen = frozen;
    return this.result(changed, `frozen=${frozen}`);
  }
  async reviveServer(at: string) {
    this.call("reviveServer", at);
    return this.result(true, `revived at ${at}`);
  }
  async rebuildServer() {
    this.call("rebuildServer");
    return this.result(true, "rebuilt");
  }
  async createPtrCopy(name: string, at: string) {
    this.call("createPtrCopy", `${name} ${at}`);
    const exists = this.copies.some((c) => c.name === name);
    if (!exists) this.copies.push({ name, restorePointUTC: at });
    return this.result(!exists, `copy ${name}`);
  }
  async removePtrCopies(names: readonly string[]) {
    this.call("removePtrCopies", names.join(","));
    const before = this.copies.length;
    this.copies = this.copies.filter((c) => !names.includes(c.name));
    return this.result(before !== this.copies.length, "removed");
  }
  async listPtrCopies() {
    return this.copies;
  }
  async connect(db: DatabaseRef) {
    this.call("connect", db.kind === "live" ? "live" : db.name);
    return { url: "postgres://u:secretpw@h/db", label: "h/db", serverName: db.kind === "live" ? this.liveServerName : db.name, release: async () => undefined };
  }
  async storage() {
    return { kind: "account" as const, accountUrl: "https://acct.blob.core.windows.net", container: "database-backup" };
  }
  healthTargets(): HealthTarget[] {
    return [{ service: "AYTQ", url: this.maintenance ? "https://temp/health" : "https://public/health" }];
  }
}

export class FakeData implements DataTools {
  readonly calls: string[] = [];
  blobs: string[] = [];
  compareResult: CompareResult = {
    equal: false,
    tables: [{ table: "users", rowsA: 10, rowsB: 12, checksumA: "a", checksumB: "b", equal: false, key: "primary key (id)", onlyInCopy: 3, onlyInLive: 1, changed: 2 }],
  };
  healthy = true;
  failOnce = new Map<string, Error>();
  private call(name: string, detail = ""): void {
    this.calls.push(detail ? `${name} ${detail}` : name);
    const e = this.failOnce.get(name);
    if (e) {
      this.failOnce.delete(name);
      throw e;
    }
  }
  async backup(source: { serverName: string }, _s: unknown, request: { name: string }) {
    this.call("backup", `${source.serverName} ${request.name}`);
    if (this.blobs.includes(request.name)) throw new Error(`backup ${request.name} exists`);
    this.blobs.push(request.name);
    return { name: request.name, bytes: 100, sha256: "0123456789abcdef" };
  }
  async restore(_s: unknown, name: string, target: { serverName: string }) {
    this.call("restore", `${name} -> ${target.serverName}`);
    if (!this.blobs.includes(name)) throw new Error(`no backup ${name}`);
    return { name, bytes: 100 };
  }
  async latestBackup() {
    this.call("latestBackup");
    return this.blobs[this.blobs.length - 1];
  }
  async compare() {
    this.call("compare");
    return this.compareResult;
  }
  async validate(targets: readonly HealthTarget[]) {
    this.call("validate", targets.map((t) => t.url).join(","));
    return targets.map((t) => ({ service: t.service, url: t.url, ok: this.healthy, status: this.healthy ? 200 : 500, latencyMs: 1 }));
  }
  /** The run store, in memory and write-once as the real one. */
  runs: MemoryRunStore = new MemoryRunStore();

  // --- the surgical ways, as the contract (DataTools.planSurgical / restoreSurgical) says ---
  /** `tables`: what foreign keys force in, by chosen table. Nothing unless a test says so. */
  forces = new Map<string, { table: string; because: string }[]>();
  /** User triggers by table (`schema.table: trigger`), skipped while a surgical way writes it. */
  triggers = new Map<string, string[]>();
  /** Tables a plan refuses whatever the way, with why (a table live lacks since, ...). */
  refuse = new Map<string, string>();
  /** Tables a surgical way has brought back: a re-run finds nothing more to do there. */
  readonly surgicallyDone = new Set<string>();
  async planSurgical(_live: DatabaseConnection, _copy: DatabaseConnection, way: SurgicalWay, tables: readonly string[]): Promise<SurgicalPlan> {
    this.call("planSurgical", `${way} ${tables.join(",")}`);
    const chosen = [...tables];
    const forced = way === "tables" ? chosen.flatMap((t) => this.forces.get(t) ?? []).filter((f) => !chosen.includes(f.table)) : [];
    const refused = chosen.flatMap((table) => {
      const why = this.refuse.get(table);
      if (why) return [{ table, reason: why }];
      const compared = this.compareResult.tables.find((t) => t.table === table);
      // undelete matches rows by primary key: a table without one cannot take it
      return way === "undelete" && compared?.key === "content (no primary key)" ? [{ table, reason: "it has no primary key, and undelete finds missing rows by it" }] : [];
    });
    const written = [...chosen, ...forced.map((f) => f.table)];
    return { way, chosen, forced, refused, triggersSkipped: written.flatMap((t) => this.triggers.get(t) ?? []) };
  }
  async restoreSurgical(_copy: DatabaseConnection, _live: DatabaseConnection, plan: SurgicalPlan): Promise<SurgicalResult> {
    this.call("restoreSurgical", `${plan.way} ${[...plan.chosen, ...plan.forced.map((f) => f.table)].join(",")}`);
    if (plan.refused.length) throw new Error(`a refused plan reached restoreSurgical: ${plan.refused.map((r) => r.table).join(", ")}`);
    const tables = [...plan.chosen, ...plan.forced.map((f) => f.table)].map((table) => {
      const t = this.surgicallyDone.has(table) ? undefined : this.compareResult.tables.find((c) => c.table === table);
      this.surgicallyDone.add(table);
      const changed = t?.changed ?? 0;
      return plan.way === "tables"
        ? { table, inserted: t?.onlyInCopy ?? 0, updated: changed, deleted: t?.onlyInLive ?? 0, keptDiffering: 0 }
        : { table, inserted: t?.onlyInCopy ?? 0, updated: 0, deleted: 0, keptDiffering: changed };
    });
    return { way: plan.way, tables, sequences: plan.way === "tables" ? [{ sequence: "public.users_id_seq", lastValue: "42" }] : [], triggersSkipped: plan.triggersSkipped, elapsedMs: 5 };
  }
}

/** `data` without the surgical ways (as a build before them): only `whole` (or no) is offered. */
export function wholeOnly<T extends FakeData>(data: T): T {
  // own properties hide the prototype's methods: the runbook sees no planSurgical/restoreSurgical
  return Object.assign(data, { planSurgical: undefined, restoreSurgical: undefined });
}

export function notAvailableData(): DataTools {
  const no = (): never => {
    throw new NotAvailableError("backup is not available yet in this build");
  };
  return { backup: no, restore: no, latestBackup: no, compare: no, validate: no };
}
