/**
 * The Azure platform: each runbook step is a config swap converged through the stack port (with
 * the gate), data reaches the databases through a Kubernetes tunnel and backups live in the
 * stack's storage account.
 */
import { healthUrls, Settings, temporaryUrls } from "../../../infra/config";
import { backupStorage } from "../../config/backup-storage";
import { ptrCopyFor } from "../../config/copy-name";
import { openKubernetesTunnel } from "../../data/tunnel";
import type { ConvergeOptions } from "../../ops/converge";
import { RecoveryContext, runOperation } from "../../ops/run-operation";
import type { Operation } from "../../ops/operations";
import type { DatabaseConnection, DatabaseRef, HealthTarget, PhaseListener, Platform, PtrCopyInfo, StepResult, StorageLocation } from "../../runbook/ports";
import type { StackPort } from "../../stack/port";
import { existingCopies } from "../../ops/outputs";
import { holdFreeze, holdName, releaseHolds, RUN_HOLDER, type PipelineFreezeContext } from "../../ops/pipeline-holds";
import { pipelineFreezeFromEnv } from "./pipeline-freeze";

export interface AzurePlatformOptions {
  port: StackPort;
  settings: Settings;
  log: (text: string) => void;
  /** Asked before each up; undefined applies without asking (a run was confirmed once, at its start). */
  confirm?: (question: string) => Promise<boolean>;
  /** Clock, for createdAtUTC of copies. @default () => new Date() */
  now?: () => Date;
  /** Azure and the app's credentials, for revive and rebuild. @default none: they refuse to run */
  recovery?: RecoveryContext;
  /** Ctrl-C: a converging step puts its config back and stops (ConvergeOptions.signal). @default not interruptible */
  signal?: AbortSignal;
  /** main's freeze: the holds and the pipeline stack. @default pipelineFreezeFromEnv (GITHUB_TOKEN, Pulumi.pipeline.yaml, the Automation API) */
  pipeline?: PipelineFreezeContext;
  /** Where GITHUB_TOKEN and the pipeline stack's backend are read for the default freeze context (the command's own environment). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Who holds this platform's freeze. @default RUN_HOLDER: one hold per environment, released by a resumed run too */
  holder?: string;
}

/** The stack's backup container, for the commands that build this platform (recovery/config/backup-storage.ts). */
export { backupStorage };

export class AzurePlatform implements Platform {
  readonly kind = "azure" as const;
  readonly stack: string;
  readonly liveServerName: string;
  private maintenanceOn: boolean;

  constructor(private readonly o: AzurePlatformOptions) {
    this.stack = o.port.stackName;
    this.liveServerName = o.settings.database.serverName;
    this.maintenanceOn = o.settings.app.maintenance;
  }

  private convergeOptions(): ConvergeOptions & { recovery?: RecoveryContext } {
    return { port: this.o.port, liveServerName: this.liveServerName, log: this.o.log, confirm: this.o.confirm, recovery: this.o.recovery, signal: this.o.signal };
  }

  private async apply(op: Operation, onPhase?: PhaseListener): Promise<StepResult> {
    const o = this.convergeOptions();
    const r = await runOperation(op, onPhase && o.recovery ? { ...o, recovery: { ...o.recovery, onPhase } } : o);
    const changes = r.gate.changes.length;
    if ("phases" in r) {
      // a recovery in phases: its summary says what each phase did, and warnings stay visible
      return {
        status: "done",
        summary: [`${r.operation}:`, ...r.phases.map((p) => `${p.phase}: ${p.summary}`), ...r.warnings.map((w) => `WARNING: ${w}`)].join("\n  "),
        details: { phases: r.phases.map((p) => p.phase).join(","), warnings: r.warnings.length },
      };
    }
    return {
      status: r.status === "applied" ? "done" : "unchanged",
      summary: r.status === "applied" ? `${r.operation}: ${changes} resource change${changes === 1 ? "" : "s"} applied` : `${r.operation}: already so`,
      details: { changes },
    };
  }

  setAppStopped(stopped: boolean): Promise<StepResult> {
    return this.apply({ kind: stopped ? "stop" : "start" });
  }

  async setMaintenance(on: boolean): Promise<StepResult> {
    const r = await this.apply({ kind: "maintenance", on });
    this.maintenanceOn = on;
    return r;
  }

  /** A hold on main's freeze, through the pipeline stack (ops/pipeline-holds.ts): never this stack's config. */
  async setPipelineFrozen(frozen: boolean, holder?: string): Promise<StepResult> {
    const hold = holdName(this.o.settings.environment, this.o.holder ?? holder ?? RUN_HOLDER);
    const c = this.o.pipeline ?? pipelineFreezeFromEnv(this.o.env ?? process.env, this.o.log, this.o.signal);
    const r = frozen ? await holdFreeze(hold, c) : await releaseHolds([hold], c);
    return { status: r.applied ? "done" : "unchanged", summary: r.summary, details: { hold, frozen: r.frozen, holds: r.holds.join(",") } };
  }

  reviveServer(restorePointUTC: string, onPhase?: PhaseListener): Promise<StepResult> {
    return this.apply({ kind: "revive", restorePointUTC }, onPhase);
  }

  rebuildServer(onPhase?: PhaseListener): Promise<StepResult> {
    return this.apply({ kind: "rebuild" }, onPhase);
  }

  async createPtrCopy(name: string, restorePointUTC: string): Promise<StepResult> {
    const existing = await existingCopies(this.o.port);
    const { copy } = ptrCopyFor({ name, restorePointUTC, liveServerName: this.liveServerName, existing, now: this.o.now?.() ?? new Date() });
    return this.apply({ kind: "ptr", copy, existing });
  }

  async removePtrCopies(names: readonly string[]): Promise<StepResult> {
    const existing = await existingCopies(this.o.port);
    return this.apply({ kind: "tidy", names, existing });
  }

  async listPtrCopies(): Promise<PtrCopyInfo[]> {
    return existingCopies(this.o.port);
  }

  connect(db: DatabaseRef): Promise<DatabaseConnection> {
    return openKubernetesTunnel({
      namespace: this.o.settings.app.namespace,
      secretName: this.o.settings.app.databaseSecretName,
      serverName: db.kind === "copy" ? db.name : undefined,
      liveServerName: this.liveServerName,
    });
  }

  async storage(): Promise<StorageLocation> {
    return backupStorage(this.o.settings);
  }

  healthTargets(): HealthTarget[] {
    if (!this.maintenanceOn) return healthUrls(this.o.settings);
    return temporaryUrls(this.o.settings).map((t) => ({ service: t.service, url: `${t.url}${this.o.settings.app.healthPath}` }));
  }
}
