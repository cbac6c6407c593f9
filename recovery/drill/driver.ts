/**
 * The drill, written once for every platform: prepare live and start the heartbeat writer, inject
 * the scenario's incident through the site's Incidents port at the right moment, recover through
 * the runbook (core.ts recover), measure and check (core.ts measureDrill), tear down, report. A
 * platform gives only its DrillSite (incidents.ts): local in drill/local, Azure in drill/azure.
 */
import { InterruptedError, UsageError } from "../errors";
import { HEARTBEAT_INTERVAL_MS, HeartbeatWriter } from "../platforms/local/dataset";
import type { DatabaseConnection, Platform, RestoreWay, SurgicalWay, TableComparison } from "../runbook/ports";
import type { RunEvent, ScenarioName } from "../runbook/run-model";
import { DETECTION_DELAY_MS, RESTORE_POINT_LEAD_MS, WARMUP_ROWS } from "./constants";
import { DrillIncident, finishReport, measureDrill, recover, tableChecksums, waitForWarmup } from "./core";
import type { DrillSite } from "./incidents";
import { pickRestorePoint } from "./measure";
import type { DrillReport } from "./report";

interface DrillOptions {
  /** Journals. */
  stateDir: string;
  log: (line: string) => void;
  onEvent?: (event: RunEvent) => void;
  /** Aborted on Ctrl-C: the running step stops, the site is disposed. */
  signal?: AbortSignal;
  /**
   * data-loss: how the drill answers the decision. `tables` or `undelete` drill the surgical
   * variant: the incident damages rows (Incidents.damageRows) and goes unnoticed for
   * DETECTION_DELAY_MS while the writer keeps writing. @default whole (DEFAULT_DRILL_WAY)
   */
  way?: RestoreWay;
}

const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

/**
 * The platform, with the heartbeat writer stopped when the app is (stopping the app stops traffic).
 * Every other call is delegated to `p` itself, so state the platform keeps on itself (AzurePlatform's
 * maintenance flag, which healthTargets() reads) stays on the object the drill measures with
 * afterwards. (An `Object.create(p)` wrapper wrote that state onto the wrapper instead.)
 */
export function stoppingWriter(p: Platform, writer: Pick<HeartbeatWriter, "stop">): Platform {
  return {
    kind: p.kind,
    stack: p.stack,
    liveServerName: p.liveServerName,
    setAppStopped: async (stopped) => {
      const r = await p.setAppStopped(stopped);
      if (stopped) await writer.stop();
      return r;
    },
    setMaintenance: (on) => p.setMaintenance(on),
    setPipelineFrozen: (frozen) => p.setPipelineFrozen(frozen),
    reviveServer: (at, onPhase) => p.reviveServer(at, onPhase),
    rebuildServer: (onPhase) => p.rebuildServer(onPhase),
    createPtrCopy: (name, at) => p.createPtrCopy(name, at),
    removePtrCopies: (names) => p.removePtrCopies(names),
    listPtrCopies: () => p.listPtrCopies(),
    connect: (db) => p.connect(db),
    storage: () => p.storage(),
    healthTargets: () => p.healthTargets(),
  };
}

/** undelete never overwrites: the tables with rows changed since keep live's version, as its plan said. */
function leftByUndelete(way: SurgicalWay, comparison: readonly TableComparison[] | undefined): { table: string; why: string }[] {
  if (way !== "undelete") return [];
  return (comparison ?? []).filter((t) => (t.changed ?? 0) > 0).map((t) => ({ table: t.table.replace(/^public\./, ""), why: `${t.changed} rows changed since the restore point stay as live has them (undelete never overwrites)` }));
}

interface Injection {
  scenario: ScenarioName;
  site: DrillSite;
  live: DatabaseConnection;
  writer: HeartbeatWriter;
  surgical?: SurgicalWay;
  startedAt: Date;
  log: (line: string) => void;
  interrupted: () => void;
}

/** The scenario's incident, at the moment that gives it a restore point, and what the recovery must bring back. */
async function inject(j: Injection): Promise<DrillIncident> {
  const { site, live, writer, log } = j;
  const said = (i: DrillIncident): DrillIncident => {
    log(`incident at ${i.at.toISOString()}: ${i.description}; restore point ${i.restorePoint.toISOString()}`);
    return i;
  };
  switch (j.scenario) {
    case "data-loss": {
      await sleep(RESTORE_POINT_LEAD_MS + HEARTBEAT_INTERVAL_MS);
      const restorePoint = pickRestorePoint(writer.rows, new Date(Date.now() - RESTORE_POINT_LEAD_MS), HEARTBEAT_INTERVAL_MS / 2);
      if (!restorePoint) throw new Error("no heartbeat row early enough for a restore point");
      const inputs = { restorePointUTC: restorePoint.toISOString() };
      if (j.surgical) {
        if (!site.incidents.damageRows) throw new UsageError(`the ${site.platform.kind} platform cannot drill the surgical variant (--way ${j.surgical})`, "drill it with --platform local, or leave out --way");
        const done = await site.incidents.damageRows(live);
        const description = `${done.description}, unnoticed for ${DETECTION_DELAY_MS / 1000} s while the app kept writing`;
        said({ at: done.at, description, restorePoint, inputs });
        await sleep(DETECTION_DELAY_MS);
        // rows written since the restore point stay: no mustNotExceed
        return { at: done.at, description, restorePoint, inputs, mustInclude: restorePoint };
      }
      const done = await site.incidents.loseData(live);
      return said({ at: done.at, description: done.description, restorePoint, inputs, mustInclude: restorePoint, mustNotExceed: restorePoint });
    }
    case "server-lost-revive": {
      await sleep(RESTORE_POINT_LEAD_MS + site.settleBeforeServerLossMs);
      const done = await site.incidents.deleteServer();
      log(`incident at ${done.at.toISOString()}: ${done.description}`);
      const restorePoint = await site.revivePoint(done, j.interrupted);
      const inputs = { restorePointUTC: restorePoint.toISOString(), deletedAtUTC: done.at.toISOString() };
      // a commit between asking for the deletion and the server being gone may survive
      return { at: done.at, description: done.description, restorePoint, inputs, mustNotExceed: done.completedAt };
    }
    case "server-lost-rebuild": {
      const name = site.backupName(j.startedAt);
      const taken = await site.data.backup(live, await site.platform.storage(), { name });
      // the moment the backup records (its snapshot): no row after it is in the backup, and the rebuild's restore point is it
      const backedUpBy = taken.consistentAt ?? new Date();
      log(`backup ${name} taken: the rebuild restores it`);
      await sleep(RESTORE_POINT_LEAD_MS);
      const done = await site.incidents.deleteServer();
      return said({ at: done.at, description: done.description, restorePoint: backedUpBy, inputs: {}, mustNotExceed: backedUpBy });
    }
    default: {
      const _exhaustive: never = j.scenario;
      throw new Error(`unknown scenario ${String(_exhaustive)}`);
    }
  }
}

/** Run one scenario on a site; the site is disposed of whatever happens. */
export async function runDrill(scenario: ScenarioName, site: DrillSite, o: DrillOptions): Promise<DrillReport> {
  const startedAt = new Date();
  const { platform, data } = site;
  const stopped = (when: string) => () => {
    if (o.signal?.aborted) throw new InterruptedError(`drill interrupted (Ctrl-C) ${when}: ${site.interrupted.left}`, site.interrupted.fix);
  };
  const surgical = scenario === "data-loss" && (o.way === "tables" || o.way === "undelete") ? o.way : undefined;
  let live: DatabaseConnection | undefined;
  let writer: HeartbeatWriter | undefined;
  try {
    stopped("before the recovery")();
    live = await platform.connect({ kind: "live" });
    writer = new HeartbeatWriter(live.url, HEARTBEAT_INTERVAL_MS);
    const tables = await site.prepare(live);
    const before = await tableChecksums(live.url, tables);
    writer.start();
    await waitForWarmup(writer, WARMUP_ROWS, stopped("before the recovery"));
    const incident = await inject({ scenario, site, live, writer, surgical, startedAt, log: o.log, interrupted: stopped("before the recovery") });

    // recovery through the runbook, the same on every platform, then the same measurements
    const outcome = await recover({ scenario, platform: stoppingWriter(platform, writer), data, stateDir: o.stateDir, log: o.log, onEvent: o.onEvent, signal: o.signal, ...(o.way ? { way: o.way } : {}) }, incident.inputs);
    stopped(`during the recovery (run ${outcome.runId} ${outcome.outcome})`)();
    await writer.stop();
    const report = await measureDrill({
      scenario,
      stack: site.reportStack,
      platform,
      data,
      outcome,
      incident,
      writer,
      tables,
      before,
      datasetRows: site.datasetRows,
      ...(surgical ? { surgical: { way: surgical, leftAsLive: leftByUndelete(surgical, outcome.comparison) } } : {}),
      appState: () => site.appState(),
      notApplicable: site.notApplicable(),
      startedAt,
    });
    return finishReport(report, await site.teardown(), site.tornDown);
  } finally {
    await writer?.stop();
    await live?.release().catch(() => undefined);
    // after a success this is a no-op (torn down above, problems in the report); after a failure or
    // Ctrl-C nobody reads a report, so what could not be stopped or deleted is said here
    for (const problem of await site.dispose()) o.log(`teardown: ${problem}`);
  }
}
