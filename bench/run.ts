/**
 * npm run bench [-- --size-mb N]: our backup and restore against the plain tools, measured in one run
 * on a throwaway cluster and Azurite. Prints times, ratios against the goals, and our peak RSS.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { startAzurite } from "../recovery/data/azurite";
import { backupToBlob } from "../recovery/data/backup";
import { connectionEnv, pgToolPath, query, withDatabase } from "../recovery/data/pgtools";
import { restoreFromBlob } from "../recovery/data/restore";
import { formatBytes } from "../recovery/data/streams";
import { startThrowawayCluster } from "../recovery/pg/cluster";
import type { DatabaseConnection, StorageLocation } from "../recovery/runbook/ports";

const args = process.argv.slice(2);
const sizeMb = Number(args[args.indexOf("--size-mb") + 1] ?? 0) || 1024;
/** Roughly: one row of `events` with its indexes takes this many bytes on disk. */
const BYTES_PER_ROW = 260;

const conn = (url: string): DatabaseConnection => ({ url, label: new URL(url).pathname.slice(1), serverName: "bench", release: async () => undefined });

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

function sh(script: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", script], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited ${code}`))));
  });
}

let peakRss = 0;
function sampleRss(): () => void {
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  return () => clearInterval(timer);
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), "aytq-bench-"));
  const [azurite, pg] = await Promise.all([startAzurite(), startThrowawayCluster({ max_wal_size: "4GB", checkpoint_timeout: "30min", maintenance_work_mem: "256MB" })]);
  try {
    const admin = pg.cluster.url("postgres");
    await query(admin, "CREATE DATABASE bench");
    const src = conn(withDatabase(admin, "bench"));
    const rows = Math.round((sizeMb * 1024 * 1024) / BYTES_PER_ROW);
    console.log(`building ~${sizeMb} MB (${rows} rows)...`);
    const [, buildS] = await timed(async () => {
      await query(src.url, `
        CREATE TABLE accounts (id int PRIMARY KEY, trn char(7) UNIQUE, name text, created_at timestamptz);
        INSERT INTO accounts SELECT g, lpad(g::text, 7, '0'), 'Teacher ' || g, now() - g * interval '1 minute' FROM generate_series(1, 100000) g;
        CREATE TABLE events (id bigserial PRIMARY KEY, account_id int REFERENCES accounts(id), kind text, payload jsonb, created_at timestamptz);`);
      const batch = 1_000_000;
      for (let start = 0; start < rows; start += batch) {
        const n = Math.min(batch, rows - start);
        await query(src.url, `INSERT INTO events (account_id, kind, payload, created_at)
          SELECT 1 + (g % 100000), (ARRAY['login','search','view','download'])[1 + g % 4],
                 jsonb_build_object('ip', '10.0.' || (g % 255) || '.' || (g % 7), 'agent', md5(g::text), 'n', g),
                 timestamptz '2020-01-01' + g * interval '3 seconds'
          FROM generate_series(${start + 1}, ${start + n}) g`);
      }
      await query(src.url, "CREATE INDEX events_account ON events(account_id); CREATE INDEX events_created ON events(created_at)");
      await query(src.url, "VACUUM ANALYZE");
    });
    const dbBytes = Number((await query(src.url, "SELECT pg_database_size(current_database())")).trim());
    console.log(`built ${formatBytes(dbBytes)} in ${buildS.toFixed(1)} s`);

    const storage: StorageLocation = { kind: "connection-string", connectionString: azurite.connectionString, container: "bench" };
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("bench");
    await container.createIfNotExists();
    const pgenv = connectionEnv(src.url);
    const dumpFlags = "-E utf8 --clean --if-exists --no-owner";
    const pgDump = pgToolPath("pg_dump");
    const psql = pgToolPath("psql");

    // Backup: floor, today's two-phase way, ours.
    const [, floorS] = await timed(() => sh(`"${pgDump}" ${dumpFlags} -Z1 > /dev/null`, pgenv));
    const file = path.join(work, "dump.sql.gz");
    const [, dumpFileS] = await timed(() => sh(`"${pgDump}" ${dumpFlags} -Z1 -f "${file}"`, pgenv));
    const [, uploadS] = await timed(() => container.getBlockBlobClient("two-phase.sql.gz").uploadFile(file, { blockSize: 8 * 1024 * 1024, concurrency: 4 }));
    const twoPhaseS = dumpFileS + uploadS;
    let stop = sampleRss();
    const [ours, oursS] = await timed(() => backupToBlob(src, storage, "ours.sql.gz"));
    stop();

    // Restore: download then gunzip | psql, vs ours (stream).
    for (const db of ["r_baseline", "r_ours", "r_custom"]) await query(admin, `CREATE DATABASE ${db}`);
    const dl = path.join(work, "download.sql.gz");
    const [, downloadS] = await timed(() => container.getBlockBlobClient("ours.sql.gz").downloadToFile(dl));
    const [, gunzipPsqlS] = await timed(() => sh(`gunzip -c "${dl}" | "${psql}" -X -q -v ON_ERROR_STOP=1 --single-transaction -f - > /dev/null`, connectionEnv(withDatabase(admin, "r_baseline"))));
    stop = sampleRss();
    const [, restoreS] = await timed(() => restoreFromBlob(storage, "ours.sql.gz", conn(withDatabase(admin, "r_ours"))));
    stop();

    // Custom format, parallel restore.
    stop = sampleRss();
    const [custom, customBackupS] = await timed(() => backupToBlob(src, storage, "ours.dump", { format: "custom" }));
    const [, customRestoreS] = await timed(() => restoreFromBlob(storage, "ours.dump", conn(withDatabase(admin, "r_custom")), { jobs: 2 }));
    stop();

    const line = (label: string, s: number, extra = ""): string => `  ${label.padEnd(48)} ${s.toFixed(1).padStart(7)} s ${extra}`;
    const ratio = (a: number, b: number, goal: number, what: string): string => `  ${what.padEnd(48)} ${(a / b).toFixed(2).padStart(7)}x  (goal <= ${goal}x: ${a / b <= goal ? "met" : "NOT met"})`;
    console.log(`
database ${formatBytes(dbBytes)}, plain dump ${formatBytes(ours.bytes)} gzip'd, custom archive ${formatBytes(custom.bytes)}, ${os.cpus().length} CPUs
backup
${line("floor: pg_dump -Z1 > /dev/null", floorS)}
${line("today: pg_dump -Z1 -f file, then upload", twoPhaseS, `(dump ${dumpFileS.toFixed(1)} s + upload ${uploadS.toFixed(1)} s)`)}
${line("ours: pg_dump -Z1 | sha256 | uploadStream", oursS)}
${ratio(oursS, floorS, 1.15, "ours / floor")}
${ratio(oursS, twoPhaseS, 1, "ours / today's two-phase")}
restore
${line("download to file", downloadS)}
${line("gunzip | psql --single-transaction (local file)", gunzipPsqlS)}
${line("ours: download | sha256 | gunzip | psql (stream)", restoreS)}
${ratio(restoreS, gunzipPsqlS, 1.1, "ours / gunzip|psql")}
${line("  (today: download + gunzip|psql)", downloadS + gunzipPsqlS)}
custom format
${line("backup pg_dump -Fc -Z1 | uploadStream", customBackupS)}
${line("restore pg_restore --jobs 2 (fresh db + swap)", customRestoreS, `vs plain ${restoreS.toFixed(1)} s: ${(customRestoreS / restoreS).toFixed(2)}x`)}
memory
  peak RSS of this process during our backups and restores: ${formatBytes(peakRss)} (goal < 200 MB: ${peakRss < 200 * 1024 * 1024 ? "met" : "NOT met"}); dump file on disk was ${formatBytes(statSync(file).size)}
`);
  } finally {
    await Promise.all([azurite.stop(), pg.dispose()]);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
