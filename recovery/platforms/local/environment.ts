/**
 * Sets up and tears down a whole local environment: a work folder, the live PostgreSQL server with
 * WAL archiving and a base backup, the seeded dataset, Azurite and the app. Every process started
 * is registered for teardown, which runs in reverse order and is safe to call twice.
 */
import { startAzurite } from "../../data/azurite";
import { UsageError } from "../../errors";
import { PgCluster, freePort, portInUse } from "../../pg/cluster";
import { psql } from "../../pg/psql";
import { LocalApp } from "./app";
import { EXPECTED_TABLES, seedDatabase } from "./dataset";
import { archiveSettings, takeBaseBackup } from "./pitr";
import { LOCAL_DATABASE, LOCAL_INITDB_ARGS, LocalPlatform, LocalState } from "./platform";
import { DEFAULT_WORK_ROOT, WorkFolder } from "./workfolder";

export interface LocalEnvironmentOptions {
  /** Name of the environment: its work folder and the platform's stack name. */
  name: string;
  /** Total rows of the sample dataset. */
  rows: number;
  /** @default DEFAULT_WORK_ROOT (`.drill-work/` in the project) */
  workRoot?: string;
  /** Port of the live server. @default a free port */
  livePort?: number;
  /** Progress lines. @default none */
  log?: (line: string) => void;
}

export class LocalEnvironment {
  private readonly undo: { label: string; run: () => Promise<void> }[] = [];
  private tornDown = false;
  platform!: LocalPlatform;
  state!: LocalState;

  private constructor(readonly options: LocalEnvironmentOptions) {}

  /** Everything up and seeded. On failure, whatever was started is stopped before the error is thrown. */
  static async create(options: LocalEnvironmentOptions): Promise<LocalEnvironment> {
    const env = new LocalEnvironment(options);
    try {
      await env.setUp();
    } catch (err) {
      await env.teardown();
      throw err;
    }
    return env;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private async setUp(): Promise<void> {
    const o = this.options;
    if (o.livePort !== undefined && (await portInUse(o.livePort))) {
      throw new UsageError(`port ${o.livePort} is already in use on 127.0.0.1`, "stop whatever listens there, or choose another port (or leave it out for a free one)");
    }
    const folder = await WorkFolder.claim(o.name, o.workRoot ?? DEFAULT_WORK_ROOT, (l) => this.log(l));
    this.undo.push({ label: "work folder", run: async () => folder.remove() });

    const walArchiveDir = folder.serverFolder("wal");
    const live = await PgCluster.init({
      dataDir: folder.path("live"),
      port: o.livePort ?? (await freePort()),
      settings: archiveSettings(walArchiveDir),
      initdbArgs: LOCAL_INITDB_ARGS,
    });
    const state: Partial<LocalState> = { folder, live, walArchiveDir };
    // the live server may be replaced (revive, rebuild): stop whichever is current
    this.undo.push({ label: "live server", run: async () => void (await (this.state?.live ?? live).destroy()) });
    await live.start();
    this.log(`live PostgreSQL on 127.0.0.1:${live.port}, WAL archived to ${walArchiveDir}`);
    await psql(live.url(), `create database ${LOCAL_DATABASE}`);
    await seedDatabase(live.url(LOCAL_DATABASE), o.rows);
    this.log(`seeded ${o.rows} rows`);
    const baseBackupDir = folder.path("base");
    const base = await takeBaseBackup(live, baseBackupDir);
    this.log(`base backup at ${base.finishedAt.toISOString()}`);

    const azurite = await startAzurite();
    folder.recordAzurite(azurite.port);
    this.undo.push({ label: "Azurite", run: () => azurite.stop() });

    const app = await LocalApp.start({ databaseUrl: live.url(LOCAL_DATABASE), expectedTables: EXPECTED_TABLES });
    this.undo.push({ label: "app", run: () => app.stop() });

    this.state = { ...state, baseBackupDir, baseBackupAt: base.finishedAt, app, storageConnectionString: azurite.connectionString } as LocalState;
    this.platform = new LocalPlatform(o.name, this.state);
    this.undo.push({ label: "PTR copies", run: () => this.platform.removeAllCopies() });
  }

  /** Run something at teardown, before what was set up earlier (e.g. stop a writer). */
  onTeardown(label: string, run: () => Promise<void>): void {
    this.undo.push({ label, run });
  }

  /** Stop everything started, newest first; errors are collected, never stop the rest. */
  async teardown(): Promise<string[]> {
    if (this.tornDown) return [];
    this.tornDown = true;
    const problems: string[] = [];
    for (const step of [...this.undo].reverse()) {
      try {
        await step.run();
      } catch (err) {
        problems.push(`${step.label}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return problems;
  }
}
