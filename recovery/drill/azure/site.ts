/**
 * An Azure stack (never production) as a drill site: once confirmed (confirm.ts), the drill creates
 * its own table beside the heartbeat table through the tunnel, breaks things through
 * ArmAzureIncidents (drops that table, or deletes the live server with an ARM call), reads the
 * app's state from the stack config, and drops its table after. The rest is the one driver's.
 */
import { REVIVE_MIN_MINUTES_AFTER_DELETE } from "../../time/azure-limits";
import { psql } from "../../pg/psql";
import { HEARTBEAT_TABLE_SQL } from "../../platforms/local/dataset";
import type { DataTools, Platform, RestoreWay } from "../../runbook/ports";
import type { RunEvent, ScenarioName } from "../../runbook/run-model";
import type { StackPort } from "../../stack/port";
import { DRILL_SCRATCH_ROWS, DRILL_SCRATCH_TABLE, SCRATCH_SQL } from "../constants";
import { runDrill } from "../driver";
import type { DrillSite, Incidents } from "../incidents";
import type { DrillReport } from "../report";

/** Everything the Azure drill acts on; the drill action builds the real one, tests give fakes at the seams. */
interface AzureDrillEnvironment {
  platform: Platform;
  /** The stack, to read back app.stopped / app.maintenance after the run (config is the contract). */
  port: StackPort;
  data: DataTools;
  incidents: Incidents;
  stateDir: string;
  log: (line: string) => void;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
  /** data-loss: how the drill answers the decision. @default whole (DEFAULT_DRILL_WAY) */
  way?: RestoreWay;
  /** server-lost-revive: the restore point is this long after the deletion (Azure's rule), and the drill waits for it. @default REVIVE_MIN_MINUTES_AFTER_DELETE minutes */
  reviveDelayMs?: number;
}

const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

type AzureSiteOptions = Pick<AzureDrillEnvironment, "platform" | "port" | "data" | "incidents" | "log" | "reviveDelayMs">;

/** The stack as a drill site; it serves every scenario of one `drill` (nothing of it is per scenario). */
export function azureSite(e: AzureSiteOptions): DrillSite {
  const { platform, log } = e;
  return {
    reportStack: platform.stack,
    platform,
    data: e.data,
    incidents: e.incidents,
    datasetRows: DRILL_SCRATCH_ROWS,
    prepare: async (live) => {
      await psql(live.url, `${HEARTBEAT_TABLE_SQL}\n${SCRATCH_SQL}`);
      log(`drill tables ready in ${live.label}: ${DRILL_SCRATCH_TABLE} (${DRILL_SCRATCH_ROWS} rows), heartbeat writer started`);
      return [DRILL_SCRATCH_TABLE];
    },
    // Azure keeps what was committed: the revive's restore point lies after the deletion anyway
    settleBeforeServerLossMs: 0,
    // counted from when the DELETE finished, not when it was asked for: the point is then after the
    // deletion however long Azure took to delete (the stand-in, like Azure, refuses one before)
    revivePoint: async (deletion, interrupted) => {
      const restorePoint = new Date(deletion.completedAt.getTime() + (e.reviveDelayMs ?? REVIVE_MIN_MINUTES_AFTER_DELETE * 60_000));
      log(`waiting until ${restorePoint.toISOString()}: ReviveDropped needs a restore point after the deletion`);
      while (Date.now() < restorePoint.getTime() + 1000) {
        interrupted();
        await sleep(Math.min(1000, restorePoint.getTime() + 1000 - Date.now()));
      }
      return restorePoint;
    },
    backupName: (startedAt) => `aytq_${platform.stack}_drill_${startedAt.toISOString().replace(/[-:.]/g, "")}.sql.gz`,
    appState: async () => ({ stopped: (await e.port.getConfig("app.stopped")) === true, maintenance: (await e.port.getConfig("app.maintenance")) === true }),
    notApplicable: () => [],
    // the drill's own table goes; the heartbeat table stays (a later drill appends to it)
    teardown: async () => {
      const problems: string[] = [];
      await platform
        .connect({ kind: "live" })
        .then(async (c) => {
          try {
            await psql(c.url, `drop table if exists ${DRILL_SCRATCH_TABLE}`);
          } finally {
            await c.release();
          }
        })
        .catch((err: Error) => problems.push(`could not drop ${DRILL_SCRATCH_TABLE}: ${err.message}`));
      return problems;
    },
    tornDown: `heartbeat writer stopped, tunnel closed, ${DRILL_SCRATCH_TABLE} dropped`,
    // after a failure the drill's table stays: it is evidence, and a resumed run may still restore it
    dispose: async () => [],
    interrupted: { left: "what it changed on the stack stays as it was", fix: "check the stack with aytq-dr status; resume any run it started with aytq-dr run --resume" },
  };
}

/** Run one scenario on an Azure stack, once confirmed (confirmAzureDrill). */
export function runAzureDrill(scenario: ScenarioName, e: AzureDrillEnvironment): Promise<DrillReport> {
  return runDrill(scenario, azureSite(e), e);
}
