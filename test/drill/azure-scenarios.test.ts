/**
 * The Azure drill's data-loss and server-lost-rebuild scenarios end to end: AzurePlatform over
 * FakeStackPort (config swaps and the gate), the real data tools (pg_dump / psql / compare /
 * validate) against a throwaway PostgreSQL as the live server and real Azurite as the storage
 * account, a local HTTP server as Azure Resource Manager and another as the app's health URLs.
 * Azure's point-in-time restore is played by a real PITR (base backup + archived WAL) of the live
 * cluster; a rebuilt server is a new empty cluster on the same port.
 */
import { fakePipelineFreeze } from "../helpers/fake-pipeline-stack";
import { NO_WAIT_POLL } from "../helpers/azure/port";
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { readStackConfig } from "../../recovery/config/stackfile";
import { createDataTools } from "../../recovery/runbook/data-tools";
import { startAzurite, type AzuriteHandle } from "../../recovery/data/azurite";
import { listBackups } from "../../recovery/data/storage";
import { ArmAzureIncidents, DRILL_SCRATCH_TABLE, liveServerId, runAzureDrill, stoppingWriter, type Incidents } from "../../recovery/drill";
import { tableChecksums } from "../../recovery/drill/core";
import { PgCluster, freePort, handToServerUser, makeTempDir } from "../../recovery/pg/cluster";
import { psql, psqlValue } from "../../recovery/pg/psql";
import { AzurePlatform, type AzurePlatformOptions } from "../../recovery/platforms/azure/platform";
import { HEARTBEAT_TABLE, seedDatabase } from "../../recovery/platforms/local/dataset";
import { archiveSettings, restoreFromArchive, switchAndWaitArchived, takeBaseBackup } from "../../recovery/platforms/local/pitr";
import { LOCAL_INITDB_ARGS } from "../../recovery/platforms/local/platform";
import type { DatabaseConnection, DatabaseRef, HealthTarget, StepResult, StorageLocation } from "../../recovery/runbook/ports";
import { FakeStackPort } from "../helpers/fake-stack";
import type { RecoveryContext } from "../../recovery/ops/run-operation";
import { ArmStandin } from "../helpers/azure/arm-http";

const SUB = "00000000-0000-4000-8000-000000000000";
const APP_TABLES = ["teachers", "qualifications", "inductions"] as const;

/** The "Azure" live server: a local cluster (WAL archived for PITR), its database named as on the stack. */
class LiveServer {
  cluster!: PgCluster;
  baseBackupAt!: Date;
  readonly walDir: string;
  readonly baseDir: string;
  private constructor(
    readonly dir: string,
    readonly database: string,
    readonly port: number,
  ) {
    this.walDir = path.join(dir, "wal");
    this.baseDir = path.join(dir, "base");
  }

  static async start(database: string): Promise<LiveServer> {
    const live = new LiveServer(await makeTempDir("aytq-azdrill-"), database, await freePort());
    mkdirSync(live.walDir);
    handToServerUser(live.walDir);
    await live.initEmpty();
    await seedDatabase(live.url, 400);
    return live;
  }

  get url(): string {
    return this.cluster.url(this.database);
  }

  /** A new, empty server with an empty database (what initdb + rebuild gives). */
  async initEmpty(): Promise<void> {
    await this.cluster?.destroy();
    this.cluster = await PgCluster.init({ dataDir: path.join(this.dir, "data"), port: this.port, settings: archiveSettings(this.walDir), initdbArgs: LOCAL_INITDB_ARGS });
    await this.cluster.start();
    await psql(this.cluster.url(), `create database ${this.database}`);
  }

  async takeBaseBackup(): Promise<void> {
    this.baseBackupAt = (await takeBaseBackup(this.cluster, this.baseDir)).finishedAt;
  }

  async dispose(): Promise<void> {
    await this.cluster?.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * AzurePlatform with what only Azure does played locally, after the platform's own config swap:
 * connect() reaches the live cluster or a copy; a PTR copy is a real PITR of the live cluster;
 * tidy deletes it; rebuild gives an empty server; storage is Azurite; health URLs go to a local server.
 */
class LocalAzurePlatform extends AzurePlatform {
  readonly copies = new Map<string, PgCluster>();
  readonly ptrRequests: { name: string; restorePointUTC: string }[] = [];
  readonly connects: string[] = [];
  rebuilds = 0;

  constructor(
    o: AzurePlatformOptions,
    private readonly live: LiveServer,
    private readonly store: StorageLocation,
    private readonly healthBase: string,
  ) {
    super({ pipeline: fakePipelineFreeze(), ...o });
  }

  override async connect(db: DatabaseRef): Promise<DatabaseConnection> {
    this.connects.push(db.kind === "live" ? "live" : db.name);
    if (db.kind === "live") return { url: this.live.url, label: `${this.liveServerName}/${this.live.database} (local)`, serverName: this.liveServerName, release: async () => undefined };
    const copy = this.copies.get(db.name);
    if (!copy) throw new Error(`no copy ${db.name}`);
    return { url: copy.url(this.live.database), label: `${db.name}/${this.live.database} (local)`, serverName: db.name, release: async () => undefined };
  }

  override async storage(): Promise<StorageLocation> {
    return this.store;
  }

  override healthTargets(): HealthTarget[] {
    return super.healthTargets().map((t) => {
      const u = new URL(t.url);
      return { service: t.service, url: `${this.healthBase}/${u.host}${u.pathname}` };
    });
  }

  override async createPtrCopy(name: string, restorePointUTC: string): Promise<StepResult> {
    const r = await super.createPtrCopy(name, restorePointUTC);
    this.ptrRequests.push({ name, restorePointUTC });
    if (!this.copies.has(name)) {
      await switchAndWaitArchived(this.live.cluster.url(), this.live.walDir);
      const restored = await restoreFromArchive({
        baseBackupDir: this.live.baseDir,
        baseBackupAt: this.live.baseBackupAt,
        walArchiveDir: this.live.walDir,
        dataDir: path.join(this.live.dir, `copy-${name}`),
        port: await freePort(),
        target: new Date(restorePointUTC),
        mode: "exact",
        archive: false,
      });
      this.copies.set(name, restored.cluster);
    }
    return r;
  }

  override async removePtrCopies(names: readonly string[]): Promise<StepResult> {
    const r = await super.removePtrCopies(names);
    for (const name of names) {
      await this.copies.get(name)?.destroy();
      this.copies.delete(name);
    }
    return r;
  }

  override async rebuildServer(): Promise<StepResult> {
    const r = await super.rebuildServer();
    await this.live.initEmpty();
    this.rebuilds++;
    return r;
  }
}

interface Harness {
  port: FakeStackPort;
  live: LiveServer;
  azurite: AzuriteHandle;
  storage: StorageLocation;
  platform: LocalAzurePlatform;
  /** Azure Resource Manager, for the drill's DELETE of the live server (through the Azure SDK). */
  arm: ArmStandin;
  /** Called when ARM accepts the DELETE, before the live database stops. */
  onDelete?: () => Promise<void>;
  health: { hosts: string[] };
  stateDir: string;
  logs: string[];
  dispose(): Promise<void>;
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function harness(): Promise<Harness> {
  const port = new FakeStackPort("test", readStackConfig("test"));
  const [live, azurite] = await Promise.all([LiveServer.start(port.settings().database.databaseName), startAzurite()]);
  const storage: StorageLocation = { kind: "connection-string", connectionString: azurite.connectionString, container: port.settings().backup.containerName };

  const arm = await ArmStandin.start();
  const settings = port.settings();
  arm.addServer(SUB, { resourceGroupName: settings.resourceGroupName, name: settings.database.serverName });
  await port.ready();
  // Azure deletes the server: the engine's Azure loses it and the live database stops
  arm.onAccept = async () => {
    await port.deleteServerInAzure(undefined, new Date());
    await h.onDelete?.();
    await live.cluster.stop("immediate");
  };

  // the app's health: 503 while the stack says the app is stopped, 200 otherwise
  const healthState = { hosts: [] as string[] };
  const healthServer = http.createServer((req, res) => {
    healthState.hosts.push((req.url ?? "").split("/")[1]);
    res.writeHead(port.settings().app.stopped ? 503 : 200).end("{}");
  });
  const healthBase = await listen(healthServer);

  const stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-azure-drill-"));
  // the rebuild creates the server with the app's own credentials, read from its Secret (here: given)
  const recovery: RecoveryContext = { azure: port.azure, settings, subscriptionId: port.subscriptionId, readyPoll: NO_WAIT_POLL, appCredentials: async () => ({ login: "aytqapp", password: "app-pw-not-printed" }) };
  const platform = new LocalAzurePlatform({ port, settings, log: () => undefined, recovery }, live, storage, healthBase);
  const h: Harness = {
    port,
    live,
    azurite,
    storage,
    platform,
    arm,
    health: healthState,
    stateDir,
    logs: [],
    dispose: async () => {
      for (const c of platform.copies.values()) await c.destroy();
      healthServer.closeAllConnections();
      await Promise.all([arm.close(), new Promise((r) => healthServer.close(r)), live.dispose(), azurite.stop()]);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return h;
}

function armIncidents(h: Harness): ArmAzureIncidents {
  return new ArmAzureIncidents({ serverId: liveServerId({ ...h.port.settings(), subscriptionId: SUB }, {}), sdk: h.arm.clientOptions() });
}

const data = () => createDataTools({ validate: { attempts: 5, backoffMs: 100, requestTimeoutMs: 1000, deadlineMs: 10_000 } });

/** Every user table but the heartbeat table (which the writer keeps changing), with count and checksum. */
async function appTablesOf(url: string): Promise<Record<string, string>> {
  const names = (await psql(url, "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1")).split("\n").filter(Boolean);
  return tableChecksums(url, names.filter((n) => n !== HEARTBEAT_TABLE));
}

/** Heartbeat rows as the server holds them: id -> written_at (ISO, microseconds, like the writer's). */
async function heartbeats(url: string): Promise<Map<number, string>> {
  const out = await psql(url, `select id || ' ' || to_char(written_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') from ${HEARTBEAT_TABLE} order by id`);
  return new Map(out.split("\n").filter(Boolean).map((l) => [Number(l.split(" ")[0]), l.split(" ")[1]]));
}

const t = (iso: string): number => new Date(iso).getTime();

describe("drill on Azure: data-loss and server-lost-rebuild (real data tools, PostgreSQL and Azurite)", function () {
  // a guard against a hang, not a speed goal: 15 s alone, over 90 s with three other test processes on two cores
  this.timeout(240_000);

  it("data-loss: drops only drill_scratch, restores a real PITR copy from before the incident, RPO and rows lost as the heartbeat table says, copy tidied", async () => {
    const h = await harness();
    try {
      await h.live.takeBaseBackup();
      const appBefore = await tableChecksums(h.live.url, APP_TABLES);
      const arm = armIncidents(h);
      let atIncident: { before: Record<string, string>; after: Record<string, string>; heartbeats: Map<number, string> } | undefined;
      const incidents: Incidents = {
        loseData: async (conn) => {
          const before = await appTablesOf(conn.url);
          const r = await arm.loseData(conn);
          atIncident = { before, after: await appTablesOf(conn.url), heartbeats: await heartbeats(conn.url) };
          return r;
        },
        deleteServer: () => arm.deleteServer(),
      };
      const report = await runAzureDrill("data-loss", { platform: h.platform, port: h.port, data: data(), incidents, stateDir: h.stateDir, log: (l) => h.logs.push(l) });
      assert.equal(report.green, true, JSON.stringify(report.checks, null, 2) + "\n" + h.logs.join("\n"));
      assert.equal(h.arm.requests.length, 0, "data-loss never calls ARM");

      // the incident dropped drill_scratch and touched no other table
      assert.ok(atIncident);
      assert.deepEqual(Object.keys(atIncident.before).sort(), [DRILL_SCRATCH_TABLE, ...APP_TABLES].sort());
      assert.deepEqual({ ...atIncident.before, [DRILL_SCRATCH_TABLE]: undefined }, { ...atIncident.after, [DRILL_SCRATCH_TABLE]: undefined });
      assert.equal(atIncident.after[DRILL_SCRATCH_TABLE], undefined, "drill_scratch is gone after the incident");
      assert.deepEqual(await tableChecksums(h.live.url, APP_TABLES), appBefore, "application tables equal after the recovery too");

      // the restore point is before the incident, and is what the copy was made at
      const incidentAt = t(report.incidentAt);
      const restorePoint = t(report.restorePoint);
      assert.ok(restorePoint < incidentAt - 500, `restore point ${report.restorePoint} about 1 s before the incident ${report.incidentAt}`);
      assert.equal(h.platform.ptrRequests.length, 1);
      assert.equal(h.platform.ptrRequests[0].restorePointUTC, report.restorePoint);

      // RPO and rows lost agree with the heartbeat table: live now holds exactly the rows up to the restore point
      const written = [...atIncident.heartbeats].filter(([, at]) => t(at) < incidentAt);
      const present = await heartbeats(h.live.url);
      assert.deepEqual([...present.keys()], written.filter(([, at]) => t(at) <= restorePoint).map(([id]) => id), "every row up to the restore point, none after");
      const lost = written.filter(([id]) => !present.has(id)).length;
      assert.ok(lost >= 2, `about 1 s of rows at 200 ms is lost (${lost})`);
      assert.equal(report.rowsLost, lost);
      const newest = [...present.values()].sort().at(-1) ?? "";
      assert.equal(report.recoveredTo, newest);
      assert.ok(report.rpoSeconds !== null && Math.abs(report.rpoSeconds - (incidentAt - t(newest)) / 1000) < 0.002, `RPO ${report.rpoSeconds}`);
      assert.ok(report.checks.some((c) => c.name === "data equal to the restore point" && c.status === "pass" && c.detail.includes(DRILL_SCRATCH_TABLE)));

      // through the runbook: safety backup and the copy's backup in storage, the copy restored into live, then tidied
      const names = (await listBackups(h.storage)).map((b) => b.name);
      const runId = report.runId;
      assert.deepEqual(names.sort(), [`aytq_test_${runId}_copy.sql.gz`, `aytq_test_${runId}_safety.sql.gz`].sort());
      const copyName = h.platform.ptrRequests[0].name;
      assert.ok(h.platform.connects.includes(copyName), "the copy was compared and backed up through connect()");
      assert.equal(h.platform.copies.size, 0, "the copy's server is gone");
      assert.deepEqual(h.port.settings().recovery.ptrCopies, [], "and so is it from the stack config");
      assert.ok(report.checks.some((c) => c.name === "copies tidied" && c.status === "pass"));
      assert.ok(h.health.hosts.length > 0 && h.health.hosts.every((host) => host.length > 0));

      const s = h.port.settings();
      assert.deepEqual([s.app.stopped, s.app.maintenance], [false, false]);
      assert.equal(await psqlValue(h.live.url, `select to_regclass('${DRILL_SCRATCH_TABLE}') is null`), "t", "the drill's table is dropped at teardown");
    } finally {
      await h.dispose();
    }
  });

  it("the writer-stopping wrapper keeps the platform's own state on the platform (AzurePlatform's maintenance flag)", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const platform = new AzurePlatform({ port, settings: port.settings(), log: () => undefined, pipeline: fakePipelineFreeze() });
    let writerStops = 0;
    const wrapped = stoppingWriter(platform, { stop: async () => void writerStops++ });
    const publicTargets = platform.healthTargets();
    await wrapped.setMaintenance(true);
    assert.notDeepEqual(platform.healthTargets(), publicTargets, "the platform itself now points health at the temporary hosts");
    assert.deepEqual(platform.healthTargets(), wrapped.healthTargets());
    await wrapped.setAppStopped(true);
    assert.equal(writerStops, 1, "stopping the app stops the writer");
    assert.equal(port.settings().app.stopped, true);
  });

  it("server-lost-rebuild: backs up before the ARM DELETE, rebuilds an empty server and restores that backup (not an older one), green", async () => {
    const h = await harness();
    try {
      // an older backup in the container: the runbook must restore the drill's, the newest
      const tools = data();
      await tools.backup({ url: h.live.url, label: "live", serverName: h.platform.liveServerName, release: async () => undefined }, h.storage, { name: "aytq_ts_2000-01-01.sql.gz" });
      const appBefore = await tableChecksums(h.live.url, APP_TABLES);
      const systemIdBefore = await psqlValue(h.live.url, "select system_identifier from pg_control_system()");
      let atDelete: Map<number, string> | undefined;
      h.onDelete = async () => {
        atDelete = await heartbeats(h.live.url);
      };
      const report = await runAzureDrill("server-lost-rebuild", { platform: h.platform, port: h.port, data: tools, incidents: armIncidents(h), stateDir: h.stateDir, log: (l) => h.logs.push(l) });
      assert.equal(report.green, true, JSON.stringify(report.checks, null, 2) + "\n" + h.logs.join("\n"));

      // ARM: DELETE of the live server with the token, polled until Succeeded
      assert.deepEqual(h.arm.calls, [`DELETE /subscriptions/${SUB}/resourceGroups/s189t01-aytq-ts-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/${h.platform.liveServerName}`]);
      assert.ok(h.arm.polls.length >= 1);
      assert.ok(h.arm.requests.every((r) => r.authorization === `Bearer ${h.arm.token}`));
      // the rebuilt server was created with the app's credentials, so the restore logged in with them
      const rebuilt = [...h.port.azure.servers.values()].find((x) => x.name === h.platform.liveServerName);
      assert.deepEqual([rebuilt?.adminLogin, rebuilt?.createdBy], ["aytqapp", "Default"]);

      // the backup was taken before the incident and is the one the runbook restored, into a new empty server
      const backups = await listBackups(h.storage);
      const drillBackup = backups.find((b) => /^aytq_test_drill_\d{8}T\d{9}Z\.sql\.gz$/.test(b.name));
      assert.ok(drillBackup, `the drill's backup is in storage: ${backups.map((b) => b.name).join(", ")}`);
      assert.ok(drillBackup.createdAt.getTime() < t(report.incidentAt), "taken before the incident");
      assert.equal(drillBackup.sourceServer, h.platform.liveServerName);
      const restoreStep = report.steps.find((s) => s.name === "restore-latest-backup");
      assert.equal(restoreStep?.status, "done");
      assert.match(restoreStep?.summary ?? "", new RegExp(`restored ${drillBackup.name.replace(/\./g, "\\.")} `));
      assert.equal(h.platform.rebuilds, 1);
      assert.notEqual(await psqlValue(h.live.url, "select system_identifier from pg_control_system()"), systemIdBefore, "live is a new server");
      assert.deepEqual(await tableChecksums(h.live.url, APP_TABLES), appBefore, "the application tables came back from the backup");

      // RPO and rows lost from the heartbeat table: what the backup held came back, nothing later
      assert.ok(atDelete, "the heartbeat table was read when ARM was asked to delete");
      const incidentAt = t(report.incidentAt);
      const written = [...atDelete].filter(([, at]) => t(at) < incidentAt);
      const present = await heartbeats(h.live.url);
      const newest = [...present.values()].sort().at(-1) ?? "";
      // the moment the backup's data is consistent to (its snapshot), not when the backup began
      assert.ok(drillBackup.consistentAt, "the backup records the moment it is consistent to");
      assert.ok(t(newest) <= drillBackup.consistentAt.getTime(), "no row newer than the backup");
      assert.equal(t(report.restorePoint), drillBackup.consistentAt.getTime(), "the report's restore point is the backup's own moment");
      assert.deepEqual([...present.keys()], written.filter(([, at]) => t(at) <= t(newest)).map(([id]) => id), "no holes up to the newest row back");
      const lost = written.filter(([id]) => !present.has(id)).length;
      assert.ok(lost >= 2, `about 1 s of rows written after the backup is lost (${lost})`);
      assert.equal(report.rowsLost, lost);
      assert.equal(report.recoveredTo, newest);
      assert.ok(report.rpoSeconds !== null && Math.abs(report.rpoSeconds - (incidentAt - t(newest)) / 1000) < 0.002, `RPO ${report.rpoSeconds}`);

      const s = h.port.settings();
      assert.deepEqual([s.app.stopped, s.app.maintenance], [false, false]);
      assert.equal(await psqlValue(h.live.url, `select to_regclass('${DRILL_SCRATCH_TABLE}') is null`), "t");
    } finally {
      await h.dispose();
    }
  });
});
