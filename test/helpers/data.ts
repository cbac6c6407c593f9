/**
 * Shared glue for the data tests: one Azurite and one PostgreSQL cluster, databases by name.
 *
 * In a worker of `mocha --parallel` (npm test), the files a worker runs one after another share
 * one Azurite and one cluster, started by the first file that asks and stopped when the worker
 * exits: an initdb and an Azurite start per file cost about 3 s of CPU each time. A file's
 * `dispose()` then drops every database and blob container, so the next file starts from an empty
 * cluster and an empty Azurite as before. Run on its own (`npx mocha <file>`), a file gets its own.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { gzipSync } from "node:zlib";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { startAzurite, type AzuriteHandle } from "../../recovery/data/azurite";
import { withDatabase } from "../../recovery/data/pgtools";
import { connectionEnv } from "../../recovery/pg/connection";
import { psql } from "../../recovery/pg/psql";
import { pgToolPath } from "../../recovery/pg/tools";
import { summarise } from "../../recovery/data/compare";
import { handToServerUser, startThrowawayCluster, type PgCluster } from "../../recovery/pg/cluster";
import type { DatabaseConnection, StorageLocation } from "../../recovery/data/types";

export interface DataEnv {
  azurite: AzuriteHandle;
  cluster: PgCluster;
  storage: StorageLocation;
  /** Shared: empties the cluster and Azurite for the next file. Own: stops and deletes them. */
  dispose(): Promise<void>;
}

export interface DataEnvOptions {
  /**
   * A cluster of the file's own, for a file that changes the whole cluster (its authentication),
   * which the next file on a shared one would inherit. @default the worker's shared cluster
   */
  ownCluster?: boolean;
}

let containerSeq = 0;

interface Servers {
  azurite: AzuriteHandle;
  pg: { cluster: PgCluster; dir: string; dispose: () => Promise<void> };
}

/** Set by mocha in each worker of a parallel run (lib/nodejs/buffered-worker-pool.js). */
const inParallelWorker = process.env.MOCHA_WORKER_ID !== undefined;
let sharedAzurite: Promise<AzuriteHandle> | undefined;
let sharedCluster: Promise<Servers["pg"]> | undefined;

/** The worker's Azurite and cluster, each started once; ended synchronously when the worker exits (its pool ends it with process.exit). */
async function sharedServers(): Promise<Servers> {
  sharedAzurite ??= startAzurite().then((azurite) => {
    process.once("exit", () => killAzurite(azurite));
    return azurite;
  });
  sharedCluster ??= startThrowawayCluster().then((pg) => {
    process.once("exit", () => stopCluster(pg));
    return pg;
  });
  const [azurite, pg] = await Promise.all([sharedAzurite, sharedCluster]);
  return { azurite, pg };
}

/**
 * Azurite for a file that needs no PostgreSQL. In a worker the shared one, whose `stop()` deletes
 * the file's containers instead; on its own, its own.
 */
export async function fileAzurite(): Promise<AzuriteHandle> {
  if (!inParallelWorker) return startAzurite();
  sharedAzurite ??= startAzurite().then((azurite) => {
    process.once("exit", () => killAzurite(azurite));
    return azurite;
  });
  const azurite = await sharedAzurite;
  return { ...azurite, stop: () => emptyAzurite(azurite) };
}

function killAzurite(azurite: AzuriteHandle): void {
  try {
    process.kill(-azurite.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

async function emptyAzurite(azurite: AzuriteHandle): Promise<void> {
  const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  for await (const c of service.listContainers()) await service.deleteContainer(c.name);
}

/**
 * The cluster's `dispose()` without awaiting: an exit handler cannot. SIGQUIT is PostgreSQL's
 * immediate shutdown. The pool kills a worker still exiting after a second, so this waits at most
 * half of one for the server to say it is down (its pid file gone), and deletes the folder anyway.
 */
function stopCluster(pg: Servers["pg"]): void {
  const pidFile = path.join(pg.cluster.dataDir, "postmaster.pid");
  try {
    process.kill(Number(readFileSync(pidFile, "utf8").split("\n")[0]), "SIGQUIT");
    const deadline = Date.now() + 500;
    const tick = new Int32Array(new SharedArrayBuffer(4));
    while (Date.now() < deadline && existsSync(pidFile)) Atomics.wait(tick, 0, 0, 10);
  } catch {
    // no server running
  }
  rmSync(pg.dir, { recursive: true, force: true });
}

/** Drops what a file left: every database but the cluster's own, every blob container. */
async function empty(servers: Servers): Promise<void> {
  const url = servers.pg.cluster.url("postgres");
  const names = (await psql(url, "SELECT datname FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1')")).split("\n").filter(Boolean);
  // one psql for all: statements fed on stdin each run on their own (DROP DATABASE refuses a transaction block)
  if (names.length > 0) await psql(url, "", { stdin: names.map((name) => `DROP DATABASE "${name}" WITH (FORCE);`).join("\n") });
  await emptyAzurite(servers.azurite);
}

export async function startDataEnv(options: DataEnvOptions = {}): Promise<DataEnv> {
  const storage = (azurite: AzuriteHandle): StorageLocation => ({ kind: "connection-string", connectionString: azurite.connectionString, container: `backups${++containerSeq}` });
  if (inParallelWorker) {
    const servers = await sharedServers();
    const own = options.ownCluster ? await startThrowawayCluster() : undefined;
    return {
      azurite: servers.azurite,
      cluster: own?.cluster ?? servers.pg.cluster,
      storage: storage(servers.azurite),
      dispose: async () => {
        await own?.dispose();
        await empty(servers);
      },
    };
  }
  const [azurite, pg] = await Promise.all([startAzurite(), startThrowawayCluster()]);
  return {
    azurite,
    cluster: pg.cluster,
    storage: storage(azurite),
    dispose: async () => {
      await Promise.all([azurite.stop(), pg.dispose()]);
    },
  };
}

/** A fresh container per test, so names never collide. */
export function freshStorage(env: DataEnv): StorageLocation {
  return { kind: "connection-string", connectionString: env.azurite.connectionString, container: `t${Date.now().toString(36)}${++containerSeq}` };
}

export function connection(url: string, serverName = "local-test"): DatabaseConnection {
  const db = new URL(url).pathname.slice(1);
  return { url, label: `${serverName}/${db}`, serverName, release: async () => undefined };
}

let dbSeq = 0;

/** Create an empty database; returns its connection. */
export async function createDatabase(cluster: PgCluster, prefix = "db"): Promise<DatabaseConnection> {
  const name = `${prefix}_${process.pid}_${++dbSeq}`;
  // FILE_COPY copies template1's files (this cluster runs with fsync off) instead of writing them all
  // through WAL, PostgreSQL 15's default: about half the time of each of the suite's few hundred
  await psql(cluster.url("postgres"), `CREATE DATABASE ${name} STRATEGY = FILE_COPY`);
  return connection(withDatabase(cluster.url("postgres"), name));
}

/** Schema with the things a restore can get wrong: sequences, FKs, checks, uniques, enums, views, unicode. */
const SEED_SQL = `
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE teachers (id serial PRIMARY KEY, trn char(7) UNIQUE NOT NULL, name text NOT NULL, mood mood, born date CHECK (born > '1900-01-01'));
CREATE TABLE qualifications (id bigserial PRIMARY KEY, teacher_id int NOT NULL REFERENCES teachers(id) ON DELETE CASCADE, kind text NOT NULL, awarded timestamptz, details jsonb);
CREATE INDEX qualifications_teacher ON qualifications(teacher_id);
CREATE VIEW teacher_counts AS SELECT t.id, count(q.id) AS n FROM teachers t LEFT JOIN qualifications q ON q.teacher_id = t.id GROUP BY t.id;
INSERT INTO teachers (trn, name, mood, born)
  SELECT lpad(g::text, 7, '0'), 'Teacher ' || g || ' Zoë Ł''ñ', CASE WHEN g % 2 = 0 THEN 'happy'::mood ELSE 'sad'::mood END, date '1960-01-01' + g
  FROM generate_series(1, 500) g;
INSERT INTO qualifications (teacher_id, kind, awarded, details)
  SELECT 1 + (g % 500), 'QTS', timestamptz '2000-01-01 00:00:00+00' + g * interval '1 hour', jsonb_build_object('n', g, 'tab', E'a\\tb')
  FROM generate_series(1, 2000) g;
SELECT setval('teachers_id_seq', 900);
`;

export async function seed(db: DatabaseConnection, extraRows = 0): Promise<void> {
  await psql(db.url, SEED_SQL);
  if (extraRows > 0) {
    await psql(db.url, `CREATE TABLE bulk (id bigserial PRIMARY KEY, payload text); INSERT INTO bulk (payload) SELECT repeat(md5(g::text), 8) FROM generate_series(1, ${extraRows}) g;`);
  }
}

/** A stable fingerprint of all user tables' contents (rows + checksums). */
export async function fingerprint(db: DatabaseConnection): Promise<string> {
  const s = await summarise(db.url, db.label);
  return JSON.stringify([...s.entries()].sort());
}

/** Schema as pg_dump --schema-only prints it, minus comments and version lines. */
export function schemaOf(db: DatabaseConnection): string {
  const res = spawnSync(pgToolPath("pg_dump"), ["--schema-only", "--no-owner"], { env: { ...process.env, ...connectionEnv(db.url) }, encoding: "utf8" });
  if (res.status !== 0) throw new Error(res.stderr);
  return res.stdout.split("\n").filter((l) => !l.startsWith("--") && !l.startsWith("\\restrict") && !l.startsWith("\\unrestrict") && l.trim() !== "").join("\n");
}

/**
 * Make a cluster ask for passwords over TCP (scram-sha-256), as Azure does, so a wrong password is
 * really refused. The superuser `postgres` gets `password`; returns the cluster's URL with it.
 */
export async function requirePasswords(cluster: PgCluster, password: string): Promise<string> {
  await psql(cluster.url("postgres"), `SET password_encryption = 'scram-sha-256'; ALTER ROLE postgres PASSWORD '${password.replace(/'/g, "''")}'`);
  const hba = path.join(cluster.dataDir, "pg_hba.conf");
  writeFileSync(hba, "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n");
  handToServerUser(hba);
  await psql(cluster.url("postgres").replace("postgres@", `postgres:${encodeURIComponent(password)}@`), "SELECT pg_reload_conf()").catch(() => undefined);
  // the reload is asynchronous: wait until a password-less connection is refused
  for (let i = 0; i < 50; i++) {
    const refused = await psql(cluster.url("postgres"), "SELECT 1", { connectTimeoutSeconds: 2 }).then(() => false, () => true);
    if (refused) return cluster.url("postgres").replace("postgres@", `postgres:${encodeURIComponent(password)}@`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the cluster still accepts connections without a password");
}

/** Rows of COPY data, about `mb` megabytes. */
function copyRows(table: string, mb: number): string {
  const row = "x".repeat(1000);
  const n = Math.ceil((mb * 1024 * 1024) / (row.length + 8));
  const lines: string[] = [`CREATE TABLE ${table} (id int, payload text);`, `COPY ${table} (id, payload) FROM stdin;`];
  for (let i = 0; i < n; i++) lines.push(`${i}\t${row}`);
  lines.push("\\.", "");
  return lines.join("\n");
}

/** A plain dump (pg_dump's header and trailer) that fails early, then goes on for many megabytes. */
export function failingDump(): Buffer {
  const sql = [
    "--\n-- PostgreSQL database dump\n--\n-- Dumped from database version 15.0\n-- Dumped by pg_dump version 15.0\n",
    "DELETE FROM qualifications;",
    copyRows("first_big", 1),
    "SELECT 1/0;", // psql stops here (ON_ERROR_STOP) ...
    copyRows("second_big", 40), // ... while we still have 40 MB to feed it
    "-- PostgreSQL database dump complete\n",
  ].join("\n");
  return gzipSync(sql, { level: 1 });
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until a restore into `db` is mid-stream: its session holds a transaction id (it has written)
 * and is running the bulk table's COPY. False if `stillRunning` turns false or two minutes pass.
 */
export async function waitForBulkCopy(cluster: PgCluster, db: string, stillRunning: () => boolean): Promise<boolean> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && stillRunning()) {
    const rows = await psql(cluster.url("postgres"), `SELECT count(*) FROM pg_stat_activity WHERE datname = '${db}' AND backend_xid IS NOT NULL AND query ILIKE 'COPY public.bulk%'`);
    if (rows.trim() !== "0") return true;
    await pause(50);
  }
  return false;
}

/** Waits (up to 30 s) until no session is connected to `db`; resolves with the last count seen ("0" when they all ended). */
export async function waitForNoSessions(cluster: PgCluster, db: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  let sessions = "1";
  while (Date.now() < deadline) {
    sessions = (await psql(cluster.url("postgres"), `SELECT count(*) FROM pg_stat_activity WHERE datname = '${db}'`)).trim();
    if (sessions === "0") break;
    await pause(100);
  }
  return sessions;
}

/** Two databases of one cluster from the same SQL (the restore point), then `liveSql` run on live: what happened since. */
export async function livePair(cluster: PgCluster, baseSql: string, liveSql = ""): Promise<{ live: DatabaseConnection; copy: DatabaseConnection }> {
  const [live, copy] = await Promise.all([createDatabase(cluster, "live"), createDatabase(cluster, "copy")]);
  await Promise.all([psql(live.url, "", { stdin: baseSql }), psql(copy.url, "", { stdin: baseSql })]);
  if (liveSql) await psql(live.url, "", { stdin: liveSql });
  return { live, copy };
}

const PROJECT_ROOT = path.resolve(__dirname, "../..");

/** A process of ours to kill mid-way with SIGKILL (no handler of it can run). */
export interface Victim {
  /** Its stdout and stderr so far, interleaved. */
  output(): string;
  running(): boolean;
  exitCode(): number | null;
  /** SIGKILL; resolves with the signal it ended by. */
  kill(): Promise<NodeJS.Signals | null>;
}

function victim(child: ChildProcess, cleanup: () => void = () => undefined): Victim {
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, signal) => {
      cleanup();
      resolve(signal);
    }),
  );
  return {
    output: () => output,
    running: () => child.exitCode === null && child.signalCode === null,
    exitCode: () => child.exitCode,
    kill: () => {
      child.kill("SIGKILL");
      return exited;
    },
  };
}

/** `node <args>` from the project folder, with `env` added to ours. */
export function startVictim(args: string[], env: NodeJS.ProcessEnv = {}): Victim {
  return victim(spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }));
}

/** `source` (TypeScript; `@/` in an import is the project folder) run as a process of its own through tsx. */
export function startScriptVictim(source: string, env: NodeJS.ProcessEnv = {}): Victim {
  const dir = mkdtempSync(path.join(os.tmpdir(), "aytq-victim-"));
  const script = path.join(dir, "victim.ts");
  writeFileSync(script, source.replace(/(from\s+")@\//g, `$1${PROJECT_ROOT}/`));
  const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return victim(child, () => rmSync(dir, { recursive: true, force: true }));
}
