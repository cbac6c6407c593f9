/** A Platform and DataTools in memory that log every call, for runbook tests. */
import { NotAvailableError } from "../../recovery/errors";
import { MemoryRunStore } from "../helpers/memory-run-store";
import type { CompareResult, DataTools, HealthTarget, Platform, PtrCopyInfo, StepResult, DatabaseRef } from "../../recovery/runbook/ports";

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
}

export function notAvailableData(): DataTools {
  const no = (): never => {
    throw new NotAvailableError("backup is not available yet in this build");
  };
  return { backup: no, restore: no, latestBackup: no, compare: no, validate: no };
}
