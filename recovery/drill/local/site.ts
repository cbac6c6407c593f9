/**
 * The local platform as a drill site: a whole environment on this machine (PostgreSQL with WAL
 * archiving, Azurite, an app; platforms/local) set up for one scenario, its incidents done to the
 * local live server, and everything stopped and deleted after.
 */
import { rmSync } from "node:fs";
import { psql } from "../../pg/psql";
import { EXPECTED_TABLES, HEARTBEAT_TABLE, LocalEnvironment, type LocalPlatform } from "../../platforms/local";
import { createDataTools } from "../../runbook/data-tools";
import type { DatabaseConnection } from "../../runbook/ports";
import type { ScenarioName } from "../../runbook/run-model";
import { LOCAL_ARCHIVE_SHIP_MS, LOCAL_DATA_LOSS, LOCAL_DATA_LOSS_SQL, SURGICAL_INCIDENT, SURGICAL_INCIDENT_SQL } from "../constants";
import type { DrillSite, IncidentRecord, Incidents } from "../incidents";

/** The tables of the sample dataset (the heartbeat table is measured separately). */
const DATASET_TABLES = EXPECTED_TABLES.filter((t) => t !== HEARTBEAT_TABLE);

/** Health checks retried quickly: the local app answers in milliseconds once it is up. */
const LOCAL_VALIDATE = { attempts: 8, backoffMs: 250, deadlineMs: 30_000 };

interface LocalSiteOptions {
  scenario: ScenarioName;
  /** Total rows of the sample dataset. */
  rows: number;
  /** @default `.drill-work/` in the project */
  workRoot?: string;
  log: (line: string) => void;
}

/** The incidents, done to the local live server itself. */
class LocalIncidents implements Incidents {
  constructor(private readonly platform: LocalPlatform) {}

  async loseData(live: DatabaseConnection): Promise<IncidentRecord> {
    return this.run(live, LOCAL_DATA_LOSS_SQL, LOCAL_DATA_LOSS);
  }

  async damageRows(live: DatabaseConnection): Promise<IncidentRecord> {
    return this.run(live, SURGICAL_INCIDENT_SQL, SURGICAL_INCIDENT);
  }

  async deleteServer(): Promise<IncidentRecord> {
    const at = new Date();
    const live = this.platform.live;
    await live.stop("immediate");
    rmSync(live.dataDir, { recursive: true, force: true });
    return { at, completedAt: new Date(), description: "deleted the live server (stopped it hard and deleted its data folder)" };
  }

  private async run(live: DatabaseConnection, sql: string, description: string): Promise<IncidentRecord> {
    const at = new Date();
    await psql(live.url, sql);
    return { at, completedAt: new Date(), description };
  }
}

/** A new local environment for one scenario (its work folder is `drill-<scenario>`), as a drill site. */
export async function openLocalSite(o: LocalSiteOptions): Promise<DrillSite> {
  const env = await LocalEnvironment.create({ name: `drill-${o.scenario}`, rows: o.rows, workRoot: o.workRoot, log: o.log });
  const platform = env.platform;
  return {
    reportStack: "local",
    platform,
    data: createDataTools({ validate: LOCAL_VALIDATE }),
    incidents: new LocalIncidents(platform),
    datasetRows: o.rows,
    prepare: async () => DATASET_TABLES,
    settleBeforeServerLossMs: LOCAL_ARCHIVE_SHIP_MS,
    // the archive holds everything up to the deletion: revive to now
    revivePoint: async () => new Date(),
    backupName: (startedAt) => `aytq_local_${startedAt.toISOString().slice(0, 10)}.sql.gz`,
    appState: async () => ({ stopped: platform.app.stopped, maintenance: platform.app.maintenance }),
    notApplicable: () => [...platform.notApplicable.filter((n) => !/^pipeline /.test(n)), "the tunnel (konduit pod + port-forward): the local databases are reached directly"],
    teardown: () => env.teardown(),
    tornDown: "every process stopped, work folder deleted",
    dispose: () => env.teardown(),
    interrupted: { left: "everything it started has been stopped", fix: "run it again; nothing is left to clean" },
  };
}
