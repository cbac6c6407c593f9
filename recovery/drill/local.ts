/**
 * A drill on the local platform: set up, write heartbeats, inject the incident, recover through
 * the same runbook as Azure (runScenario), measure RTO and RPO, check, tear down, report.
 */
import * as path from "node:path";
import { createDataTools } from "../runbook/data-tools";
import { PROJECT_ROOT } from "../config/stackfile";
import { rmSync } from "node:fs";
import { InterruptedError } from "../errors";
import { psql } from "../pg/psql";
import {
  EXPECTED_TABLES,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TABLE,
  HeartbeatWriter,
  LocalEnvironment,
} from "../platforms/local";
import type { DataTools, RestoreWay, TableComparison } from "../runbook/ports";
import type { RunEvent, RunOutcome, RunRequest, ScenarioName } from "../runbook/run-model";
import { finishReport, measureDrill, recover, tableChecksums, waitForWarmup } from "./core";
import { pickRestorePoint } from "./measure";
import type { DrillReport } from "./report";

/** The tables of the sample dataset (the heartbeat table is measured separately). */
const DATASET_TABLES = EXPECTED_TABLES.filter((t) => t !== HEARTBEAT_TABLE);
/** Heartbeat rows written before the incident, so there is something to lose. */
export const WARMUP_ROWS = 12;
/** How far before the incident the data-loss restore point lies. */
export const RESTORE_POINT_LEAD_MS = 1000;
/**
 * The surgical variant: how long the damage goes unnoticed while the app (the heartbeat writer)
 * keeps writing. Minutes in a real incident; a few seconds here make the same point: rows written
 * after the restore point that a whole restore would throw away.
 */
const DETECTION_DELAY_MS = 3000;
/** The surgical variant's incident: a third of one table deleted, another table's rows changed. */
const SURGICAL_INCIDENT_SQL = "delete from qualifications where id % 3 = 0; update inductions set status = 'overwritten by the incident' where id % 4 = 0;";

export interface LocalDrillOptions {
  scenario: ScenarioName;
  /** Total rows of the sample dataset. */
  rows: number;
  /** @default `.drill-work/` in the project */
  workRoot?: string;
  /** Journals. @default `.aytq-dr/` in the project */
  stateDir?: string;
  log: (line: string) => void;
  onEvent?: (event: RunEvent) => void;
  /** For tests. @default runScenario */
  run?: (req: RunRequest) => Promise<RunOutcome>;
  /** For tests. @default createDataTools with quick health retries */
  data?: DataTools;
  /** Aborted on Ctrl-C: the running step stops, everything is torn down. */
  signal?: AbortSignal;
  /**
   * data-loss: how the drill answers the decision. `tables` or `undelete` drill the surgical
   * variant: the incident deletes a third of qualifications and changes inductions, and goes
   * unnoticed for DETECTION_DELAY_MS while the writer keeps writing. @default whole (DEFAULT_DRILL_WAY)
   */
  way?: RestoreWay;
}

const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

/** undelete never overwrites: the tables with rows changed since keep live's version, as its plan said. */
function leftByUndelete(way: "tables" | "undelete", comparison: readonly TableComparison[] | undefined): { table: string; why: string }[] {
  if (way !== "undelete") return [];
  return (comparison ?? []).filter((t) => (t.changed ?? 0) > 0).map((t) => ({ table: t.table.replace(/^public\./, ""), why: `${t.changed} rows changed since the restore point stay as live has them (undelete never overwrites)` }));
}

export async function runLocalDrill(o: LocalDrillOptions): Promise<DrillReport> {
  const startedAt = new Date();
  const name = `drill-${o.scenario}`;
  const env = await LocalEnvironment.create({ name, rows: o.rows, workRoot: o.workRoot, log: o.log });
  const stateDir = o.stateDir ?? path.join(PROJECT_ROOT, ".aytq-dr");
  const writer = new HeartbeatWriter(env.platform.liveUrl, HEARTBEAT_INTERVAL_MS);
  env.state.onAppStopped = () => writer.stop();
  env.onTeardown("heartbeat writer", () => writer.stop());
  const data = o.data ?? createDataTools({ validate: { attempts: 8, backoffMs: 250, deadlineMs: 30_000 } });
  const interrupted = () => {
    if (o.signal?.aborted) throw new InterruptedError("drill interrupted (Ctrl-C): everything it started has been stopped", "run it again; nothing is left to clean");
  };
  const surgical = o.scenario === "data-loss" && (o.way === "tables" || o.way === "undelete") ? o.way : undefined;
  try {
    interrupted();
    writer.start();
    const before = await tableChecksums(env.platform.liveUrl, DATASET_TABLES);
    await waitForWarmup(writer, WARMUP_ROWS, interrupted);

    // --- the incident ---
    let incident: string;
    let incidentAt: Date;
    let restorePoint: Date;
    const inputs: RunRequest["inputs"] = {};
    let mustInclude: Date | undefined;
    let mustNotExceed: Date | undefined;
    switch (o.scenario) {
      case "data-loss": {
        await sleep(RESTORE_POINT_LEAD_MS + HEARTBEAT_INTERVAL_MS);
        const now = new Date();
        const point = pickRestorePoint(writer.rows, new Date(now.getTime() - RESTORE_POINT_LEAD_MS), HEARTBEAT_INTERVAL_MS / 2);
        if (!point) throw new Error("no heartbeat row early enough for a restore point");
        restorePoint = point;
        incidentAt = new Date();
        inputs.restorePointUTC = restorePoint.toISOString();
        mustInclude = restorePoint;
        if (surgical) {
          incident = `deleted a third of qualifications and overwrote a quarter of inductions' status, unnoticed for ${DETECTION_DELAY_MS / 1000} s while the app kept writing`;
          await psql(env.platform.liveUrl, SURGICAL_INCIDENT_SQL);
          o.log(`incident at ${incidentAt.toISOString()}: ${incident}; restore point ${restorePoint.toISOString()}`);
          await sleep(DETECTION_DELAY_MS);
          // rows written since the restore point stay: no mustNotExceed
          break;
        }
        incident = "dropped table qualifications and deleted every other induction";
        await psql(env.platform.liveUrl, "drop table qualifications; delete from inductions where id % 2 = 0;");
        o.log(`incident at ${incidentAt.toISOString()}: ${incident}; restore point ${restorePoint.toISOString()}`);
        mustNotExceed = restorePoint;
        break;
      }
      case "server-lost-revive":
      case "server-lost-rebuild": {
        if (o.scenario === "server-lost-rebuild") {
          // the nightly backup the rebuild restores; rows after it are what this scenario loses
          const storage = await env.platform.storage();
          const conn = await env.platform.connect({ kind: "live" });
          const backupName = `aytq_local_${new Date().toISOString().slice(0, 10)}.sql.gz`;
          const taken = await data.backup(conn, storage, { name: backupName });
          // the moment the backup records (its snapshot): no row after it is in the backup, and the rebuild's restore point is it
          mustNotExceed = taken.consistentAt ?? new Date();
          await conn.release();
          o.log(`nightly backup ${backupName} taken`);
          await sleep(RESTORE_POINT_LEAD_MS);
        } else {
          await sleep(RESTORE_POINT_LEAD_MS + 1000); // archive_timeout ships what was written
        }
        incidentAt = new Date();
        incident = "deleted the live server (stopped it hard and deleted its data folder)";
        const live = env.platform.live;
        await live.stop("immediate");
        rmSync(live.dataDir, { recursive: true, force: true });
        o.log(`incident at ${incidentAt.toISOString()}: ${incident}`);
        restorePoint = o.scenario === "server-lost-revive" ? new Date(Date.now()) : (mustNotExceed ?? incidentAt);
        if (o.scenario === "server-lost-revive") {
          inputs.restorePointUTC = restorePoint.toISOString();
          inputs.deletedAtUTC = incidentAt.toISOString();
          mustNotExceed = incidentAt;
        }
        break;
      }
      default: {
        const _exhaustive: never = o.scenario;
        throw new Error(`unknown scenario ${String(_exhaustive)}`);
      }
    }

    // --- recovery, through the same runbook as Azure, then the same measurements ---
    const platform = env.platform;
    const outcome = await recover({ scenario: o.scenario, platform, data, stateDir, log: o.log, onEvent: o.onEvent, signal: o.signal, run: o.run, ...(o.way ? { way: o.way } : {}) }, inputs);
    interrupted();
    const report = await measureDrill({
      scenario: o.scenario,
      stack: "local",
      platform,
      data,
      outcome,
      incident: { description: incident, at: incidentAt, restorePoint, inputs, mustInclude, mustNotExceed },
      writer,
      tables: DATASET_TABLES,
      before,
      datasetRows: o.rows,
      ...(surgical ? { surgical: { way: surgical, leftAsLive: leftByUndelete(surgical, outcome.comparison) } } : {}),
      appState: async () => ({ stopped: platform.app.stopped, maintenance: platform.app.maintenance }),
      notApplicable: [
        ...platform.notApplicable.filter((n) => !/^pipeline /.test(n)),
        "the tunnel (konduit pod + port-forward): the local databases are reached directly",
      ],
      startedAt,
    });
    return finishReport(report, await env.teardown(), "every process stopped, work folder deleted");
  } finally {
    // after a success this is a no-op (torn down above, problems in the report); after a failure or
    // Ctrl-C nobody reads a report, so what could not be stopped or deleted is said here
    for (const problem of await env.teardown()) o.log(`teardown: ${problem}`);
  }
}
