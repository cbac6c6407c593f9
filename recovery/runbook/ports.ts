/**
 * The seams runbooks are written against. A runbook step never asks which platform it runs on:
 * Azure (config swap + converge through the Automation API, data through a tunnel) and local
 * (PostgreSQL clusters with WAL archiving, Azurite, a local app) both implement Platform; the data
 * tools (backup, restore, compare, validate) know nothing of stacks or platforms. What a run is
 * made of (scenarios, records, events, the request and its outcome) is in run-model.ts.
 */
import type { RunStore } from "./run-store";
import type { BackupResult, CompareResult, DatabaseConnection, HealthCheckResult, HealthTarget, RestoreResult, RestoreWay, StorageLocation, SurgicalPlan, SurgicalResult, SurgicalWay } from "../data/types";

// the data tools' vocabulary, as the runbooks and platforms name it
export type {  CompareResult, DatabaseConnection,  HealthTarget,  RestoreWay, StorageLocation, SurgicalPlan, SurgicalResult, SurgicalWay, TableComparison } from "../data/types";

/** Which database a data step works on: the live one, or a point-in-time copy by name. */
export type DatabaseRef = { kind: "live" } | { kind: "copy"; name: string };

/** Told as each phase of a long step completes (revive, rebuild on Azure), so the journal keeps them. */
export type PhaseListener = (phase: { phase: string; summary: string }) => void;

/** What a step did. `not-applicable` steps say what would have been done on the other platform. */
export interface StepResult {
  status: "done" | "unchanged" | "not-applicable";
  summary: string;
  details?: Record<string, string | number | boolean>;
  /** The way a decision step's person (or flag) chose; the runner journals it so a resume keeps it. */
  decision?: RestoreDecision;
}

/**
 * data-loss's decision as journalled on the compare step: how the copy's data comes back, and for
 * the surgical ways the tables (qualified as compare names them) the plan was made for. A compare
 * record done without one (written before the ways existed) means `whole`.
 */
export interface RestoreDecision {
  way: RestoreWay;
  tables?: string[];
}

export interface PtrCopyInfo {
  name: string;
  restorePointUTC: string;
  createdAtUTC?: string;
}

/** Everything a runbook needs from the place it recovers. */
export interface Platform {
  readonly kind: "azure" | "local";
  /** Stack name (test | preproduction | production) or a local drill's name. */
  readonly stack: string;
  /** The live server's name. */
  readonly liveServerName: string;

  setAppStopped(stopped: boolean): Promise<StepResult>;
  setMaintenance(on: boolean): Promise<StepResult>;
  /** Hold (or release) main's freeze; `holder` names the hold, the run's own (`run-<run id>`) for runbook steps. */
  setPipelineFrozen(frozen: boolean, holder?: string): Promise<StepResult>;
  /** Bring a deleted live server back as it was at the restore point (Azure: ReviveDropped, in phases told to `onPhase`). */
  reviveServer(restorePointUTC: string, onPhase?: PhaseListener): Promise<StepResult>;
  /** Create an empty live server (data comes from the latest backup in a later step). */
  rebuildServer(onPhase?: PhaseListener): Promise<StepResult>;
  /** A new server holding the live server as it was at the restore point. */
  createPtrCopy(name: string, restorePointUTC: string): Promise<StepResult>;
  removePtrCopies(names: readonly string[]): Promise<StepResult>;
  listPtrCopies(): Promise<PtrCopyInfo[]>;

  connect(db: DatabaseRef): Promise<DatabaseConnection>;
  storage(): Promise<StorageLocation>;
  /** Health URLs that reach the app right now: the temporary hosts while maintenance is on, the public hosts otherwise. */
  healthTargets(): HealthTarget[];
}

interface BackupRequest {
  /** Blob name, already normalised (ends .sql.gz or .dump). */
  name: string;
  format?: "plain" | "custom";
}

/** The data half of the runbook, as the runbooks see it. */
export interface DataTools {
  backup(source: DatabaseConnection, storage: StorageLocation, request: BackupRequest): Promise<BackupResult>;
  /** Restore a backup into a database; all or nothing. */
  restore(storage: StorageLocation, name: string, target: DatabaseConnection): Promise<RestoreResult>;
  /**
   * Dump `source` into `target` in one pass (all or nothing) while storing the same bytes as the
   * backup `request.name`; a failure on either side leaves the target unchanged and no backup.
   * Optional: without it (fakes, placeholders) the runbook backs up, then restores that backup.
   */
  copyInto?(source: DatabaseConnection, storage: StorageLocation, request: BackupRequest, target: DatabaseConnection): Promise<BackupResult>;
  /**
   * What `way` would do with `tables` (qualified names), read from both catalogs; writes nothing.
   * Optional, with restoreSurgical: without them only `whole` is offered.
   */
  planSurgical?(live: DatabaseConnection, copy: DatabaseConnection, way: SurgicalWay, tables: readonly string[]): Promise<SurgicalPlan>;
  /** Carry out a plan in one transaction on live: every constraint holds at COMMIT, or live is unchanged. */
  restoreSurgical?(copy: DatabaseConnection, live: DatabaseConnection, plan: SurgicalPlan): Promise<SurgicalResult>;
  /** Name of the newest backup, or undefined when there is none. */
  latestBackup(storage: StorageLocation): Promise<string | undefined>;
  compare(a: DatabaseConnection, b: DatabaseConnection): Promise<CompareResult>;
  validate(targets: readonly HealthTarget[]): Promise<HealthCheckResult[]>;
  /** Where runs are kept beside the backups, for a resume from any checkout (run-store.ts). Optional: without it a run lives only in its checkout. */
  runs?: RunStore;
}
