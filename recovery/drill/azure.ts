/**
 * A drill on an Azure stack (never production): after an explicit confirmation it creates the
 * incident itself through AzureIncidents (drops the drill's own table through the tunnel, or
 * deletes the live server with an ARM call), then recovers through the same runbook and measures
 * with the same code as the local drill (core.ts). Only the set-up, the incident and the teardown
 * are Azure's.
 */
import { type Settings } from "../../infra/config";
import { flexibleServerId } from "../../infra/ids";
import { REVIVE_MIN_MINUTES_AFTER_DELETE } from "../time/azure-limits";
import { InterruptedError, RefusedError, UsageError } from "../errors";
import { psql } from "../pg/psql";
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_TABLE_SQL, HeartbeatWriter } from "../platforms/local/dataset";
import type { DataTools, Platform, RestoreWay } from "../runbook/ports";
import type { RunEvent, ScenarioInputs, ScenarioName } from "../runbook/run-model";
import type { StackPort } from "../stack/port";
import { AzureIncidents, DRILL_SCRATCH_ROWS, DRILL_SCRATCH_TABLE, SCRATCH_SQL } from "./azure-incidents";
import { DrillIncident, finishReport, measureDrill, recover, tableChecksums, waitForWarmup } from "./core";
import { RESTORE_POINT_LEAD_MS, WARMUP_ROWS } from "./local";
import { pickRestorePoint } from "./measure";
import type { DrillReport } from "./report";
import { envValue } from "../util/env";

export interface AzureDrillRequest {
  stack: string;
  scenario: ScenarioName;
  /** Ask a person to confirm the incident; undefined when there is no terminal. */
  confirm?: (question: string) => Promise<boolean>;
  /** --yes: the incident is confirmed in advance. */
  yes: boolean;
  /** Delete locks the stack declares on the live server (`locks.enabled`): a drill that deletes it is refused. @default none */
  lockedServer?: string;
}

/** Everything the Azure drill acts on; the CLI builds the real one, tests give fakes at the seams. */
export interface AzureDrillEnvironment {
  platform: Platform;
  /** The stack, to read back app.stopped / app.maintenance after the run (config is the contract). */
  port: StackPort;
  data: DataTools;
  incidents: AzureIncidents;
  stateDir: string;
  log: (line: string) => void;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
  /** data-loss: how the drill answers the decision. @default whole (DEFAULT_DRILL_WAY) */
  way?: RestoreWay;
  /** server-lost-revive: the restore point is this long after the deletion (Azure's rule), and the drill waits for it. @default REVIVE_MIN_MINUTES_AFTER_DELETE minutes */
  reviveDelayMs?: number;
}

/** What the drill would do to the stack, for the confirmation and the refusal. */
function azureIncidentFor(scenario: ScenarioName, stack: string): string {
  switch (scenario) {
    case "data-loss":
      return `create the drill's own table ${DRILL_SCRATCH_TABLE} in the ${stack} database and drop it, then recover it with a point-in-time copy restored into live`;
    case "server-lost-revive":
      return `delete the ${stack} PostgreSQL server, then revive it (ReviveDropped)`;
    case "server-lost-rebuild":
      return `delete the ${stack} PostgreSQL server, then rebuild it and restore the latest backup`;
    default: {
      const _exhaustive: never = scenario;
      return _exhaustive;
    }
  }
}

/** The live server's ARM id, from settings and the subscription (aytq:subscriptionId, else AZURE_SUBSCRIPTION_ID); refused when neither is set. */
export function liveServerId(settings: Settings, env: NodeJS.ProcessEnv): string {
  const subscription = settings.subscriptionId || envValue(env, "AZURE_SUBSCRIPTION_ID");
  if (!subscription) {
    throw new UsageError(
      "the Azure drill needs the subscription of the live server to delete it, and neither aytq:subscriptionId nor AZURE_SUBSCRIPTION_ID is set",
      "set aytq:subscriptionId in the stack file, or export AZURE_SUBSCRIPTION_ID=<subscription GUID>",
    );
  }
  return flexibleServerId(subscription, settings.resourceGroupName, settings.database.serverName);
}

/** The production refusal and the confirmation of the incident; nothing touches the stack before these. */
export async function confirmAzureDrill(req: AzureDrillRequest): Promise<void> {
  if (req.stack === "production") {
    throw new RefusedError("drills never run on production", "drill on the test stack: aytq-dr drill --stack test --scenario <name>");
  }
  const incident = azureIncidentFor(req.scenario, req.stack);
  if (req.lockedServer !== undefined && req.scenario !== "data-loss") {
    throw new RefusedError(
      `the ${req.scenario} drill would delete the live server ${req.lockedServer}, and the stack declares a delete lock on it (locks.enabled): the lock is there so that nobody deletes it; nothing was done`,
      `drill the server scenarios on a stack without locks (locks.enabled: false), or run the data-loss drill here`,
    );
  }
  if (!req.yes) {
    if (!req.confirm) throw new UsageError(`the drill would ${incident}; confirm with --yes (no terminal to ask on)`, "add --yes to confirm");
    if (!(await req.confirm(`This drill will ${incident}. Type yes to go on: `))) {
      throw new RefusedError("not confirmed: nothing was done");
    }
  }
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

/** Run one scenario on an Azure stack, once confirmed (confirmAzureDrill). */
export async function runAzureDrill(scenario: ScenarioName, e: AzureDrillEnvironment): Promise<DrillReport> {
  const startedAt = new Date();
  const interrupted = () => {
    if (e.signal?.aborted) throw new InterruptedError("drill interrupted (Ctrl-C) before the recovery", "check the stack with aytq-dr status; resume any run it started with aytq-dr run --resume");
  };
  const conn = await e.platform.connect({ kind: "live" });
  const writer = new HeartbeatWriter(conn.url, HEARTBEAT_INTERVAL_MS);
  const teardownProblems: string[] = [];
  try {
    await psql(conn.url, `${HEARTBEAT_TABLE_SQL}\n${SCRATCH_SQL}`);
    const tables = [DRILL_SCRATCH_TABLE];
    const before = await tableChecksums(conn.url, tables);
    e.log(`drill tables ready in ${conn.label}: ${DRILL_SCRATCH_TABLE} (${DRILL_SCRATCH_ROWS} rows), heartbeat writer started`);
    writer.start();
    await waitForWarmup(writer, WARMUP_ROWS, interrupted);

    let incident: DrillIncident;
    switch (scenario) {
      case "data-loss": {
        await sleep(RESTORE_POINT_LEAD_MS + HEARTBEAT_INTERVAL_MS);
        const restorePoint = pickRestorePoint(writer.rows, new Date(Date.now() - RESTORE_POINT_LEAD_MS), HEARTBEAT_INTERVAL_MS / 2);
        if (!restorePoint) throw new Error("no heartbeat row early enough for a restore point");
        const done = await e.incidents.loseData(conn);
        incident = { at: done.at, description: done.description, restorePoint, inputs: { restorePointUTC: restorePoint.toISOString() }, mustInclude: restorePoint, mustNotExceed: restorePoint };
        break;
      }
      case "server-lost-revive": {
        await sleep(RESTORE_POINT_LEAD_MS);
        const done = await e.incidents.deleteServer();
        const restorePoint = new Date(done.at.getTime() + (e.reviveDelayMs ?? REVIVE_MIN_MINUTES_AFTER_DELETE * 60_000));
        e.log(`waiting until ${restorePoint.toISOString()}: ReviveDropped needs a restore point after the deletion`);
        while (Date.now() < restorePoint.getTime() + 1000) {
          interrupted();
          await sleep(Math.min(1000, restorePoint.getTime() + 1000 - Date.now()));
        }
        const inputs: ScenarioInputs = { restorePointUTC: restorePoint.toISOString(), deletedAtUTC: done.at.toISOString() };
        // a commit between the DELETE request and Azure's "done" may survive: the server was not gone yet
        incident = { at: done.at, description: done.description, restorePoint, inputs, mustNotExceed: done.completedAt };
        break;
      }
      case "server-lost-rebuild": {
        const storage = await e.platform.storage();
        const name = `aytq_${e.platform.stack}_drill_${startedAt.toISOString().replace(/[-:.]/g, "")}.sql.gz`;
        const taken = await e.data.backup(conn, storage, { name });
        // the moment the backup records (its snapshot); a backup tool that records none: an upper bound
        const backedUpBy = taken.consistentAt ?? new Date();
        e.log(`backup ${name} taken: the rebuild restores it`);
        await sleep(RESTORE_POINT_LEAD_MS);
        const done = await e.incidents.deleteServer();
        incident = { at: done.at, description: done.description, restorePoint: backedUpBy, inputs: {}, mustNotExceed: backedUpBy };
        break;
      }
      default: {
        const _exhaustive: never = scenario;
        throw new Error(`unknown scenario ${String(_exhaustive)}`);
      }
    }
    e.log(`incident at ${incident.at.toISOString()}: ${incident.description}; restore point ${incident.restorePoint.toISOString()}`);

    const platform = stoppingWriter(e.platform, writer);
    const outcome = await recover({ scenario, platform, data: e.data, stateDir: e.stateDir, log: e.log, onEvent: e.onEvent, signal: e.signal, ...(e.way ? { way: e.way } : {}) }, incident.inputs);
    await writer.stop();
    const report = await measureDrill({
      scenario,
      stack: e.platform.stack,
      platform: e.platform,
      data: e.data,
      outcome,
      incident,
      writer,
      tables,
      before,
      datasetRows: DRILL_SCRATCH_ROWS,
      appState: async () => ({ stopped: (await e.port.getConfig("app.stopped")) === true, maintenance: (await e.port.getConfig("app.maintenance")) === true }),
      notApplicable: [],
      startedAt,
    });
    // the drill's own table goes; the heartbeat table stays (a later drill appends to it)
    await e.platform
      .connect({ kind: "live" })
      .then(async (c) => {
        try {
          await psql(c.url, `drop table if exists ${DRILL_SCRATCH_TABLE}`);
        } finally {
          await c.release();
        }
      })
      .catch((err: Error) => teardownProblems.push(`could not drop ${DRILL_SCRATCH_TABLE}: ${err.message}`));
    return finishReport(report, teardownProblems, `heartbeat writer stopped, tunnel closed, ${DRILL_SCRATCH_TABLE} dropped`);
  } finally {
    await writer.stop();
    await conn.release().catch(() => undefined);
  }
}
