/**
 * The local platform: the same Platform the runbooks use on Azure, over a local PostgreSQL live
 * server with WAL archiving, point-in-time copies restored from the archive, Azurite and a local
 * app. What exists only on Azure or GitHub is reported as not applicable, with what would have been done.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_BRANCH, DEFAULT_FROZEN_APPROVALS, DEFAULT_NORMAL_APPROVALS, DEFAULT_REPOSITORY, PIPELINE_STACK } from "../../../infra/config";
import { HOLD_PREFIX, RUN_HOLDER } from "../../ops/pipeline-holds";
import { RefusedError, UsageError } from "../../errors";
import { ptrCopyFor } from "../../config/copy-name";
import { PgCluster, freePort } from "../../pg/cluster";
import { psql } from "../../pg/psql";
import type { DatabaseConnection, DatabaseRef, HealthTarget, Platform, PtrCopyInfo, StepResult, StorageLocation } from "../../runbook/ports";
import type { LocalApp } from "./app";
import { RestoreReport, archiveSettings, restoreFromArchive, switchAndWaitArchived, takeBaseBackup } from "./pitr";
import type { WorkFolder } from "./workfolder";

export const LOCAL_DATABASE = "aytq_local";
const LOCAL_CONTAINER = "database-backup";
/** initdb with 1 MB WAL segments: archive_timeout then archives little more than was written. */
export const LOCAL_INITDB_ARGS = ["--wal-segsize=1"] as const;

/** The mutable pieces of a local environment the platform acts on. */
export interface LocalState {
  folder: WorkFolder;
  live: PgCluster;
  walArchiveDir: string;
  baseBackupDir: string;
  baseBackupAt: Date;
  app: LocalApp;
  storageConnectionString: string;
}

interface LocalCopy {
  info: PtrCopyInfo;
  cluster: PgCluster;
  report: RestoreReport;
}

export class LocalPlatform implements Platform {
  readonly kind = "local" as const;
  readonly liveServerName: string;
  private readonly copies = new Map<string, LocalCopy>();
  private rebuilds = 0;
  /** Every Azure/GitHub-only action this platform reported as not applicable, in order. */
  readonly notApplicable: string[] = [];

  constructor(
    readonly stack: string,
    private readonly state: LocalState,
  ) {
    this.liveServerName = `${stack}-live`;
  }

  get liveUrl(): string {
    return this.state.live.url(LOCAL_DATABASE);
  }

  get live(): PgCluster {
    return this.state.live;
  }

  get app(): LocalApp {
    return this.state.app;
  }

  async setAppStopped(stopped: boolean): Promise<StepResult> {
    const app = this.state.app;
    if (app.stopped === stopped) return { status: "unchanged", summary: `app already ${stopped ? "stopped" : "running"}` };
    app.stopped = stopped;
    return { status: "done", summary: stopped ? "app stopped (on Azure: web and worker scaled to 0)" : "app started (on Azure: web and worker back to their replica counts)" };
  }

  async setMaintenance(on: boolean): Promise<StepResult> {
    const app = this.state.app;
    if (app.maintenance === on) return { status: "unchanged", summary: `maintenance already ${on ? "on" : "off"}` };
    app.maintenance = on;
    if (on) this.noteNotApplicable("DfE Sign-in must know the temporary URLs before users sign in there (Azure only; checked by preflight: app.dsiTemporaryUrlsRegistered)");
    const urls = this.healthTargets().map((t) => t.url).join(", ");
    return {
      status: "done",
      summary: on ? `maintenance page on the public hosts; the app is reachable on the temporary URLs ${urls}` : "maintenance off: the public hosts reach the app again",
    };
  }

  async setPipelineFrozen(frozen: boolean, holder: string = RUN_HOLDER): Promise<StepResult> {
    const approvals = frozen ? DEFAULT_FROZEN_APPROVALS : DEFAULT_NORMAL_APPROVALS;
    // Holds are not modelled here: the local platform has no pipeline stack to converge and no GitHub to hold refs in, and
    // one local drill at a time shares nothing with another. The holds model is tested over fakes (test/ops/pipeline-holds.test.ts).
    const hold = `refs/${HOLD_PREFIX}<environment>-${holder}`;
    const summary = frozen
      ? `not applicable on the local platform: on Azure this creates the hold ${hold} in ${DEFAULT_REPOSITORY} and, through the ${PIPELINE_STACK} stack, has ${DEFAULT_BRANCH}'s branch protection require ${approvals} approving reviews while any hold remains (GitHub)`
      : `not applicable on the local platform: on Azure this releases the hold ${hold} in ${DEFAULT_REPOSITORY}; ${DEFAULT_BRANCH}'s branch protection goes back to ${approvals} approving review${approvals === 1 ? "" : "s"} only once no hold remains (GitHub, through the ${PIPELINE_STACK} stack)`;
    this.noteNotApplicable(`pipeline ${frozen ? "freeze" : "unfreeze"}: ${summary.replace(/^not applicable on the local platform: /, "")}`);
    return { status: "not-applicable", summary, details: { frozen } };
  }

  async reviveServer(restorePointUTC: string): Promise<StepResult> {
    if (existsSync(path.join(this.state.live.dataDir, "PG_VERSION"))) {
      throw new RefusedError(`the live server ${this.liveServerName} exists; revive brings back a deleted server`, "use ptr + restore for lost data");
    }
    const report = await restoreFromArchive({
      baseBackupDir: this.state.baseBackupDir,
      baseBackupAt: this.state.baseBackupAt,
      walArchiveDir: this.state.walArchiveDir,
      dataDir: this.state.live.dataDir,
      port: this.state.live.port,
      target: new Date(restorePointUTC),
      mode: "up-to",
      archive: true,
    });
    this.state.live = report.cluster;
    return {
      status: "done",
      summary: `live server revived from the base backup and archived WAL: ${report.summary} (on Azure: createMode ReviveDropped at ${restorePointUTC})`,
      details: { lastReplayedCommitAt: report.lastReplayedCommitAt ?? "", endOfArchive: report.endOfArchive },
    };
  }

  async rebuildServer(): Promise<StepResult> {
    if (await this.state.live.isRunning()) {
      throw new RefusedError(`the live server ${this.liveServerName} is running; rebuild replaces a lost server`, "stop here: nothing was changed");
    }
    await this.state.live.destroy();
    // A new cluster has a new system identifier: its WAL goes to a new archive, with a new base backup.
    this.rebuilds++;
    const walArchiveDir = this.state.folder.serverFolder(`wal-rebuild-${this.rebuilds}`);
    const live = await PgCluster.init({
      dataDir: this.state.live.dataDir,
      port: this.state.live.port,
      settings: archiveSettings(walArchiveDir),
      initdbArgs: LOCAL_INITDB_ARGS,
    });
    await live.start();
    await psql(live.url(), `create database ${LOCAL_DATABASE}`);
    const base = await takeBaseBackup(live, this.state.folder.path(`base-rebuild-${this.rebuilds}`));
    Object.assign(this.state, { live, walArchiveDir, baseBackupDir: this.state.folder.path(`base-rebuild-${this.rebuilds}`), baseBackupAt: base.finishedAt });
    this.noteNotApplicable("rebuild: a diagnostic setting left by the deleted server would be adopted or cleared on Azure (no diagnostic settings locally)");
    return {
      status: "done",
      summary: `new empty live server on port ${live.port} with an empty ${LOCAL_DATABASE} database (on Azure: recovery.mode=rebuild and up)`,
    };
  }

  async createPtrCopy(name: string, restorePointUTC: string): Promise<StepResult> {
    const { copy, reused } = ptrCopyFor({ name, restorePointUTC, liveServerName: this.liveServerName, existing: [...this.copies.values()].map((c) => c.info), now: new Date() });
    if (reused) return { status: "unchanged", summary: `copy ${name} at ${restorePointUTC} exists already, on port ${this.copies.get(name)!.cluster.port}` };
    if (await this.state.live.isRunning()) {
      // make sure the archive holds everything up to now, so a recent target is covered
      await switchAndWaitArchived(this.state.live.url(), this.state.walArchiveDir);
    }
    // the parent belongs to the server user; the copy's own folder is made by cp -a
    const dataDir = path.join(this.state.folder.serverFolder("copies"), name);
    const report = await restoreFromArchive({
      baseBackupDir: this.state.baseBackupDir,
      baseBackupAt: this.state.baseBackupAt,
      walArchiveDir: this.state.walArchiveDir,
      dataDir,
      port: await freePort(),
      target: new Date(restorePointUTC),
      mode: "exact",
      archive: false,
    });
    this.copies.set(name, { info: copy, cluster: report.cluster, report });
    return {
      status: "done",
      summary: `copy ${name} on port ${report.cluster.port}: ${report.summary}`,
      details: { lastReplayedCommitAt: report.lastReplayedCommitAt ?? "", stoppedBeforeCommitAt: report.stoppedBeforeCommitAt ?? "" },
    };
  }

  async removePtrCopies(names: readonly string[]): Promise<StepResult> {
    const removed: string[] = [];
    for (const name of names) {
      const copy = this.copies.get(name);
      if (!copy) continue;
      await copy.cluster.destroy();
      this.copies.delete(name);
      removed.push(name);
    }
    if (removed.length === 0) return { status: "unchanged", summary: `no copies to remove (asked for ${names.join(", ") || "none"})` };
    return { status: "done", summary: `removed ${removed.join(", ")}` };
  }

  async listPtrCopies(): Promise<PtrCopyInfo[]> {
    return [...this.copies.values()].map((c) => ({ ...c.info }));
  }

  async connect(db: DatabaseRef): Promise<DatabaseConnection> {
    if (db.kind === "live") {
      const live = this.state.live;
      return { url: live.url(LOCAL_DATABASE), label: `${this.liveServerName}/${LOCAL_DATABASE} (127.0.0.1:${live.port})`, serverName: this.liveServerName, release: async () => undefined };
    }
    const copy = this.copies.get(db.name);
    if (!copy) throw new UsageError(`no copy named "${db.name}"`, `existing copies: ${[...this.copies.keys()].join(", ") || "none"}`);
    return { url: copy.cluster.url(LOCAL_DATABASE), label: `${db.name}/${LOCAL_DATABASE} (127.0.0.1:${copy.cluster.port})`, serverName: db.name, release: async () => undefined };
  }

  async storage(): Promise<StorageLocation> {
    return { kind: "connection-string", connectionString: this.state.storageConnectionString, container: LOCAL_CONTAINER };
  }

  healthTargets(): HealthTarget[] {
    return this.state.app.targets(this.state.app.maintenance ? "temporary" : "public");
  }

  /** The copy's restore report (for drills). */
  copyReport(name: string): RestoreReport | undefined {
    return this.copies.get(name)?.report;
  }

  /** Stop every copy (teardown). */
  async removeAllCopies(): Promise<void> {
    await this.removePtrCopies([...this.copies.keys()]);
  }

  private noteNotApplicable(text: string): void {
    if (!this.notApplicable.includes(text)) this.notApplicable.push(text);
  }
}
