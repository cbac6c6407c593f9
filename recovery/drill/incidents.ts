/**
 * The ports a platform gives the drill driver (driver.ts): the incidents it can inject, and the
 * site the drill runs on (its platform, data tools, what it creates and removes, how it reads the
 * app's state). The driver decides which incident, when, and what must come back; a platform only
 * says how it breaks things and what its own rules are (local: recovery/drill/local; Azure:
 * recovery/drill/azure).
 */
import type { DataTools, DatabaseConnection, Platform } from "../runbook/ports";

export interface IncidentRecord {
  /** When the incident was started (the DROP sent, the DELETE asked for). */
  at: Date;
  /** When it was complete (the server gone): rows committed up to here may survive. */
  completedAt: Date;
  description: string;
}

/** How a platform breaks things for a drill. */
export interface Incidents {
  /** data-loss: destroy data through the live connection (a table dropped); resolves with when. */
  loseData(live: DatabaseConnection): Promise<IncidentRecord>;
  /**
   * data-loss, surgical variant (`--way tables | undelete`): damage rows and keep the tables, so
   * rows written afterwards are worth keeping. Absent where the platform cannot drill it.
   */
  damageRows?(live: DatabaseConnection): Promise<IncidentRecord>;
  /** server-lost: delete the live server; resolves once it is gone, with when it was asked. */
  deleteServer(): Promise<IncidentRecord>;
}

/** Where a drill runs: a platform and what only it knows. One site may serve several scenarios (Azure), or one each (local). */
export interface DrillSite {
  /** The report's stack: the Azure stack, or "local". */
  reportStack: string;
  platform: Platform;
  data: DataTools;
  incidents: Incidents;
  /** Dataset rows, for the report. */
  datasetRows: number;
  /** Make what the drill measures in live (the heartbeat table at least); resolves with the tables whose content must come back. */
  prepare(live: DatabaseConnection): Promise<readonly string[]>;
  /** How long before the server is lost what was written is safe from losing it with the server (local: WAL shipped to the archive). */
  settleBeforeServerLossMs: number;
  /** server-lost-revive: the restore point the revive asks for, once it may (Azure's rule: some minutes after the deletion); `interrupted` throws on Ctrl-C. */
  revivePoint(deletion: IncidentRecord, interrupted: () => void): Promise<Date>;
  /** server-lost-rebuild: the name of the backup the drill takes, which the rebuild restores. */
  backupName(startedAt: Date): string;
  /** Whether the app is stopped and maintenance on now (local: the app; Azure: the stack config). */
  appState(): Promise<{ stopped: boolean; maintenance: boolean }>;
  /** What the platform could not exercise, read after the run. */
  notApplicable(): string[];
  /** After a measured run: remove what the drill made; each problem fails the "torn down" check. */
  teardown(): Promise<string[]>;
  /** The "torn down" check's detail when nothing went wrong. */
  tornDown: string;
  /** After a failure or Ctrl-C (and after teardown, when it must do nothing): stop whatever still runs; problems are logged. */
  dispose(): Promise<string[]>;
  /** Ctrl-C: what the drill leaves, and the fix line. */
  interrupted: { left: string; fix: string };
}
