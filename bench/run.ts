/**
 * npm run bench [-- --size-mb N] [--repeat N] [--sweep] [--only surgical]: our backup and restore
 * against the plain tools, and the surgical ways against whole (surgical.ts), measured in one run on
 * a throwaway cluster and Azurite. Prints times, ratios against the goals, where the backup's time
 * and CPU go (so a miss can be explained), and our peak RSS.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { BlobServiceClient } from "@azure/storage-blob";
import { startAzurite } from "../recovery/data/azurite";
import { BLOCK_BYTES, PIPE_BUFFER_BYTES, UPLOAD_CONCURRENCY, backupToBlob, pgDumpArgs, type BackupOutcome, type BackupTuning } from "../recovery/data/backup";
import { withDatabase } from "../recovery/data/pgtools";
import { connectionEnv } from "../recovery/pg/connection";
import { psql } from "../recovery/pg/psql";
import { pgToolPath, spawnPg } from "../recovery/pg/tools";
import { restoreFromBlob } from "../recovery/data/restore";
import { copyIntoDatabase } from "../recovery/data/copy-into";
import { chooseRestoreJobs } from "../recovery/data/jobs";
import { HashCounter, PauseClock, formatBytes } from "../recovery/data/streams";
import { startThrowawayCluster } from "../recovery/pg/cluster";
import type { DatabaseConnection, StorageLocation } from "../recovery/data/types";
import { parseBenchArgs } from "./args";
import { pairedRatio, type PairedRatio } from "./paired";
import { uploadPathCpu } from "./upload-path";
import { formatSplit, measured, type CpuSplit } from "./measure";
import { startNullBlobServer } from "./null-blob";
import { benchSurgical } from "./surgical";

/** The benchmark fills large tables: no query timeout. */
const query = (url: string, sql: string): Promise<string> => psql(url, sql, { timeoutMs: 0 });

/** Roughly: one row of `events` with its indexes takes this many bytes on disk. */
const BYTES_PER_ROW = 260;
const MiB = 1024 * 1024;
const CPUS = os.cpus().length;

const conn = (url: string): DatabaseConnection => ({ url, label: new URL(url).pathname.slice(1), serverName: "bench", release: async () => undefined });

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

/** pg_dump -> sha256 gated on pg_dump's exit (our one stage) -> a sink that drops everything: our pipeline without any upload. */
async function dumpIntoNothing(url: string, pipeBufferBytes: number): Promise<{ bytes: number; backpressureMs: number }> {
  const dump = spawnPg("pg_dump", pgDumpArgs("plain"), url, { stdout: "pipe" });
  const ok = dump.done.then(({ code, stderr }) => {
    if (code !== 0) throw new Error(stderr);
  });
  const hash = new HashCounter({ phase: "upload", highWaterMark: pipeBufferBytes, until: ok });
  const clock = new PauseClock(dump.child.stdout!);
  await Promise.all([pipeline(dump.child.stdout!, hash, new Writable({ write: (_c, _e, cb) => cb() })), ok]);
  return { bytes: hash.bytes, backpressureMs: clock.totalMs() };
}

interface Run<T> {
  result: T;
  cpu: CpuSplit;
}

async function main(): Promise<void> {
  const opts = parseBenchArgs(process.argv.slice(2));
  const work = mkdtempSync(path.join(os.tmpdir(), "aytq-bench-"));
  const [azurite, pg, nullBlob] = await Promise.all([
    startAzurite(),
    startThrowawayCluster({ max_wal_size: "4GB", checkpoint_timeout: "30min", maintenance_work_mem: "256MB" }),
    startNullBlobServer(),
  ]);
  const cleanUp = async (): Promise<void> => {
    await Promise.all([azurite.stop(), pg.dispose(), nullBlob.stop()]);
    rmSync(work, { recursive: true, force: true });
  };
  // Ctrl-C or a kill mid-run: the cluster (a gigabyte or more in the temp folder) and Azurite go too, as at the end
  const onSignal = (signal: NodeJS.Signals): void => {
    console.error(`bench: ${signal}: stopping PostgreSQL and Azurite, removing the work folders`);
    void cleanUp().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const admin = pg.cluster.url("postgres");
    const postmasterPid = Number(readFileSync(path.join(pg.cluster.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    const azure: StorageLocation = { kind: "connection-string", connectionString: azurite.connectionString, container: "bench" };
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("bench");
    await container.createIfNotExists();
    const surgical = (): Promise<void> => benchSurgical({ admin, storage: azure, pids: { postgres: postmasterPid, storage: azurite.pid }, sizeMb: opts.sizeMb, repeat: opts.repeat, cpus: CPUS });
    if (opts.only === "surgical") return await surgical();
    await query(admin, "CREATE DATABASE bench");
    const src = conn(withDatabase(admin, "bench"));
    const rows = Math.round((opts.sizeMb * MiB) / BYTES_PER_ROW);
    console.log(`building ~${opts.sizeMb} MB (${rows} rows)...`);
    const buildStarted = Date.now();
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
    const dbBytes = Number((await query(src.url, "SELECT pg_database_size(current_database())")).trim());
    console.log(`built ${formatBytes(dbBytes)} in ${((Date.now() - buildStarted) / 1000).toFixed(1)} s; backup, restore and copy variants run in ${opts.repeat} interleaved rounds: best time shown, goals judged by the median of the per-round ratios`);

    const onAzurite = { postgres: postmasterPid, storage: azurite.pid };
    const onNull = { postgres: postmasterPid, storage: nullBlob.pid };
    const discard: StorageLocation = { kind: "connection-string", connectionString: nullBlob.connectionString, container: "bench" };
    const pgenv = connectionEnv(src.url);
    const dumpFlags = "-E utf8 --clean --if-exists --no-owner";
    const pgDump = pgToolPath("pg_dump");
    const psql = pgToolPath("psql");
    let seq = 0;

    /** Best of `repeat` runs (least wall time): the machine is shared with other work. */
    async function best<T>(pids: { postgres: number; storage?: number }, fn: () => Promise<T>): Promise<Run<T>> {
      let out: Run<T> | undefined;
      for (let i = 0; i < opts.repeat; i++) {
        const [result, cpu] = await measured(pids, fn);
        if (!out || cpu.wallS < out.cpu.wallS) out = { result, cpu };
      }
      return out!;
    }
    const ours = (storage: StorageLocation, tuning?: BackupTuning) => () => backupToBlob(src, storage, `ours-${++seq}.sql.gz`, { tuning });

    // Backup: floor, our pipeline into nothing, today's two-phase way, ours into Azurite and into a
    // discarding server. Interleaved rounds (every variant once per round): the machine is shared,
    // and a burst of someone else's work then hits one round, not one variant; goals are judged by
    // the median of the per-round ratios (paired.ts), the best time of each is shown.
    const file = path.join(work, "dump.sql.gz");
    const variants = {
      floor: { pids: onAzurite, run: (): Promise<unknown> => sh(`"${pgDump}" ${dumpFlags} -Z1 > /dev/null`, pgenv) },
      nothing: { pids: onAzurite, run: (): Promise<unknown> => dumpIntoNothing(src.url, PIPE_BUFFER_BYTES) },
      dumpFile: { pids: onAzurite, run: (): Promise<unknown> => { rmSync(file, { force: true }); return sh(`"${pgDump}" ${dumpFlags} -Z1 -f "${file}"`, pgenv); } },
      upload: { pids: onAzurite, run: (): Promise<unknown> => container.getBlockBlobClient(`two-phase-${++seq}.sql.gz`).uploadFile(file, { blockSize: BLOCK_BYTES, concurrency: UPLOAD_CONCURRENCY }) },
      oursAz: { pids: onAzurite, run: ours(azure) },
      oursNull: { pids: onNull, run: ours(discard) },
    };
    const bestOf: Partial<Record<keyof typeof variants, Run<unknown>>> = {};
    const backupRounds: Partial<Record<keyof typeof variants, number>>[] = [];
    let stop = sampleRss();
    for (let round = 0; round < opts.repeat; round++) {
      const walls: Partial<Record<keyof typeof variants, number>> = {};
      for (const [key, v] of Object.entries(variants) as [keyof typeof variants, (typeof variants)[keyof typeof variants]][]) {
        const [result, cpu] = await measured(v.pids, v.run);
        walls[key] = cpu.wallS;
        if (!bestOf[key] || cpu.wallS < bestOf[key]!.cpu.wallS) bestOf[key] = { result, cpu };
      }
      if (walls.dumpFile !== undefined && walls.upload !== undefined) walls.dumpFile += walls.upload; // today's two phases, as one
      backupRounds.push(walls);
    }
    stop();
    const floor = bestOf.floor!;
    const nothing = bestOf.nothing as Run<{ backpressureMs: number }>;
    const dumpFile = bestOf.dumpFile!;
    const upload = bestOf.upload!;
    const twoPhaseS = dumpFile.cpu.wallS + upload.cpu.wallS;
    const oursAz = bestOf.oursAz as Run<BackupOutcome>;
    const oursNull = bestOf.oursNull as Run<BackupOutcome>;
    const oursName = `ours-final.sql.gz`;
    await backupToBlob(src, azure, oursName);

    const line = (label: string, s: number, extra = ""): string => `  ${label.padEnd(50)} ${s.toFixed(2).padStart(7)} s  ${extra}`;
    /** The goal judged by the median of the per-round ratios; the ratio of the two best times beside it. */
    const ratio = (r: PairedRatio, bestA: number, bestB: number, goal: number, what: string, strict = false): string => {
      const met = strict ? r.median < goal : r.median <= goal;
      return `  ${what.padEnd(50)} ${r.median.toFixed(2).padStart(7)}x  (goal ${strict ? "<" : "<="} ${goal}x: ${met ? "met" : "NOT met"}; median of ${r.rounds} rounds, ${r.min.toFixed(2)}-${r.max.toFixed(2)}; best / best ${(bestA / bestB).toFixed(2)}x)`;
    };
    const t = (o: BackupOutcome): string => {
      const x = o.timings;
      return `pre-checks ${(x.precheckMs / 1000).toFixed(2)} s, pg_dump ran ${(x.dumpMs / 1000).toFixed(2)} s, commit after ${((x.streamMs - x.dumpMs) / 1000).toFixed(2)} s, pg_dump paused by backpressure ${(x.backpressureMs / 1000).toFixed(2)} s`;
    };
    const cpuLine = (r: Run<unknown>): string => `      ${formatSplit(r.cpu, CPUS)}`;
    console.log(`
database ${formatBytes(dbBytes)}, plain dump ${formatBytes(oursAz.result.bytes)} gzip'd, ${CPUS} CPUs
backup
${line("floor: pg_dump -Z1 > /dev/null", floor.cpu.wallS)}
${cpuLine(floor)}
${line("ours into nothing: pg_dump | sha256+gate | drop", nothing.cpu.wallS, `(backpressure ${(nothing.result.backpressureMs / 1000).toFixed(2)} s)`)}
${cpuLine(nothing)}
${line("today: pg_dump -Z1 -f file, then upload", twoPhaseS, `(dump ${dumpFile.cpu.wallS.toFixed(2)} s + upload ${upload.cpu.wallS.toFixed(2)} s)`)}
${cpuLine(upload)}  <- the upload alone
${line("ours: pg_dump -Z1 | sha256 | BlockUpload -> Azurite", oursAz.cpu.wallS)}
      ${t(oursAz.result)}
${cpuLine(oursAz)}
${line("ours -> a discarding blob server (no Azurite)", oursNull.cpu.wallS)}
      ${t(oursNull.result)}
${cpuLine(oursNull)}
${ratio(pairedRatio(backupRounds, "oursAz", "floor"), oursAz.cpu.wallS, floor.cpu.wallS, 1.15, "ours / floor")}
${ratio(pairedRatio(backupRounds, "oursAz", "dumpFile"), oursAz.cpu.wallS, twoPhaseS, 1, "ours / today's two-phase", true)}
${ratio(pairedRatio(backupRounds, "oursNull", "floor"), oursNull.cpu.wallS, floor.cpu.wallS, 1.1, "ours without Azurite / floor")}
  Azurite's share: ${(oursAz.cpu.storageS).toFixed(1)} CPU s on the same ${CPUS} CPUs as pg_dump and PostgreSQL (real Azure puts none of it on this machine)`);

    if (opts.sweep) {
      console.log("sweep (into Azurite; best of the runs): pipe buffer, then block size x concurrency");
      for (const pipeBufferBytes of [16 * 1024, 1 * MiB, 4 * MiB, 8 * MiB]) {
        const r = await best(onAzurite, ours(azure, { pipeBufferBytes }));
        console.log(line(`pipe buffer ${formatBytes(pipeBufferBytes)}`, r.cpu.wallS, `backpressure ${(r.result.timings.backpressureMs / 1000).toFixed(2)} s; node cpu ${r.cpu.nodeS.toFixed(1)} s`));
      }
      for (const blockBytes of [4 * MiB, 8 * MiB, 16 * MiB]) {
        for (const concurrency of [2, 4, 8]) {
          stop = sampleRss();
          const r = await best(onAzurite, ours(azure, { blockBytes, concurrency }));
          stop();
          console.log(line(`block ${formatBytes(blockBytes)} x ${concurrency} buffers`, r.cpu.wallS, `backpressure ${(r.result.timings.backpressureMs / 1000).toFixed(2)} s; peak RSS so far ${formatBytes(peakRss)}`));
        }
      }
    }

    // Restore: download then gunzip | psql, vs ours (stream). Each measurement restores into a fresh
    // database after a CHECKPOINT (so nobody pays for the previous restore's dirty pages), in
    // interleaved rounds that alternate which goes first; best of the rounds, as for backups.
    const dl = path.join(work, "download.sql.gz");
    const download = await measured(onAzurite, () => container.getBlockBlobClient(oursName).downloadToFile(dl));
    let restoreDb = 0;
    const freshDatabase = async (): Promise<string> => {
      const name = `r_${++restoreDb}`;
      await query(admin, `CREATE DATABASE ${name}`);
      await query(admin, "CHECKPOINT");
      return withDatabase(admin, name);
    };
    const restoreVariants = {
      baseline: async (): Promise<Run<unknown>> => {
        const url = await freshDatabase();
        const [result, cpu] = await measured(onAzurite, () => sh(`gunzip -c "${dl}" | "${psql}" -X -q -v ON_ERROR_STOP=1 --single-transaction -f - > /dev/null`, connectionEnv(url)));
        return { result, cpu };
      },
      ours: async (): Promise<Run<unknown>> => {
        const url = await freshDatabase();
        const [result, cpu] = await measured(onAzurite, () => restoreFromBlob(azure, oursName, conn(url)));
        return { result, cpu };
      },
    };
    /** Two variants in `opts.repeat` rounds, alternating which goes first: each one's best run, and every round's times. */
    async function alternating<K extends string>(variants: Record<K, () => Promise<Run<unknown>>>, first: K, second: K): Promise<{ best: Record<K, Run<unknown>>; rounds: Partial<Record<K, number>>[] }> {
      const best: Partial<Record<K, Run<unknown>>> = {};
      const rounds: Partial<Record<K, number>>[] = [];
      stop = sampleRss();
      for (let round = 0; round < opts.repeat; round++) {
        const walls: Partial<Record<K, number>> = {};
        for (const key of round % 2 === 0 ? [first, second] : [second, first]) {
          const r = await variants[key]();
          walls[key] = r.cpu.wallS;
          if (!best[key] || r.cpu.wallS < best[key]!.cpu.wallS) best[key] = r;
        }
        rounds.push(walls);
      }
      stop();
      return { best: best as Record<K, Run<unknown>>, rounds };
    }
    const { best: bestRestore, rounds: restoreRounds } = await alternating(restoreVariants, "baseline", "ours");
    const gunzipPsql: [unknown, { wallS: number }] = [undefined, bestRestore.baseline.cpu];
    const restoreS = bestRestore.ours.cpu.wallS;

    // Copy to live (data-loss): the two steps it replaced (backup of the copy, then restore of that
    // backup into live) against one pass (copy-into.ts). Fresh target each time, interleaved rounds
    // alternating which goes first.
    const copyVariants = {
      twoSteps: async (): Promise<Run<unknown>> => {
        const url = await freshDatabase();
        const name = `copy-two-${++seq}.sql.gz`;
        const [result, cpu] = await measured(onAzurite, async () => {
          await backupToBlob(src, azure, name);
          return restoreFromBlob(azure, name, conn(url));
        });
        return { result, cpu };
      },
      onePass: async (): Promise<Run<unknown>> => {
        const url = await freshDatabase();
        const [result, cpu] = await measured(onAzurite, () => copyIntoDatabase(src, azure, `copy-one-${++seq}.sql.gz`, conn(url)));
        return { result, cpu };
      },
    };
    const { best: bestCopy, rounds: copyRounds } = await alternating(copyVariants, "twoSteps", "onePass");
    const twoStepsS = bestCopy.twoSteps.cpu.wallS;
    const onePassS = bestCopy.onePass.cpu.wallS;

    // Custom format: one transaction against parallel restore (fresh db + swap), in interleaved rounds
    // like the rest, and what --jobs auto picks here.
    const [custom, customBackup] = await measured(onAzurite, () => backupToBlob(src, azure, "ours.dump", { format: "custom" }));
    const restoreCustom = (jobs: number) => async (): Promise<Run<unknown>> => {
      const url = await freshDatabase();
      const [result, cpu] = await measured(onAzurite, () => restoreFromBlob(azure, "ours.dump", conn(url), { jobs }));
      return { result, cpu };
    };
    const { best: jobsBest, rounds: jobsRounds } = await alternating({ one: restoreCustom(1), two: restoreCustom(2) }, "one", "two");
    const jobsRatio = pairedRatio(jobsRounds, "two", "one");
    const bestJobs = (k: "one" | "two"): number => jobsBest[k].cpu.wallS;
    const autoChoice = chooseRestoreJobs(CPUS, custom.bytes);

    console.log(`restore
${line("download to file", download[1].wallS)}
${line("gunzip | psql --single-transaction (local file)", gunzipPsql[1].wallS)}
${cpuLine(bestRestore.baseline)}
${line("ours: download | sha256 | gunzip | psql (stream)", restoreS)}
${cpuLine(bestRestore.ours)}
${ratio(pairedRatio(restoreRounds, "ours", "baseline"), restoreS, gunzipPsql[1].wallS, 1.1, "ours / gunzip|psql")}
${line("  (today: download + gunzip|psql)", download[1].wallS + gunzipPsql[1].wallS)}
copy to live (data-loss: the copy's data into live, its backup kept)
${line("two steps: backup of the copy, then restore it", twoStepsS)}
${cpuLine(bestCopy.twoSteps)}
${line("one pass: pg_dump | sha256 | upload + gunzip | psql", onePassS)}
${cpuLine(bestCopy.onePass)}
${ratio(pairedRatio(copyRounds, "onePass", "twoSteps"), onePassS, twoStepsS, 0.65, "copy to live, one pass / two steps")}
custom format (archive ${formatBytes(custom.bytes)})
${line("backup pg_dump -Fc -Z1 | BlockUpload", customBackup.wallS)}
${line("restore pg_restore --single-transaction (--jobs 1)", bestJobs("one"))}
${line("restore pg_restore --jobs 2 (fresh db + swap)", bestJobs("two"))}
  --jobs 2 / --jobs 1: ${jobsRatio.median.toFixed(2)}x (median of ${jobsRatio.rounds} rounds, ${jobsRatio.min.toFixed(2)}-${jobsRatio.max.toFixed(2)})
  --jobs auto here: ${autoChoice.jobs} (${autoChoice.reason})
memory
  peak RSS of this process during our backups and restores: ${formatBytes(peakRss)} (goal < 200 MB: ${peakRss < 200 * MiB ? "met" : "NOT met"}); dump file on disk was ${formatBytes(statSync(file).size)}`);

    // Last (it reads the dump into memory, after the memory figure): the upload path's own CPU.
    const path_ = await uploadPathCpu(readFileSync(file), discard, opts.repeat);
    console.log(`upload path (this process's CPU for the ${formatBytes(path_.bytes)} dump from memory in ${path_.chunkBytes / 1024} KiB chunks, sha256, into the discarding server; best of ${opts.repeat})
${line("sha256 only", path_.hashOnlyS, "CPU")}
${line("sha256 + BlockBlobClient.uploadStream (before)", path_.uploadStreamS, "CPU")}
${line("sha256 + BlockUpload (now)", path_.blockUploadS, "CPU")}
  upload beyond hashing: ${(path_.uploadStreamS - path_.hashOnlyS).toFixed(2)} -> ${(path_.blockUploadS - path_.hashOnlyS).toFixed(2)} CPU s
`);

    // Last: the surgical ways build their own database (the damaged table ~5 % of it).
    await surgical();
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await cleanUp();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
