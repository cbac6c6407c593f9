/**
 * Restore, all or nothing.
 *
 * A backup is checked first (inspect-backup.ts).
 * Plain SQL streams: download -> sha256 -> gunzip (when gzip'd) -> `psql -X -v ON_ERROR_STOP=1 -f -`
 * inside one transaction that we open and close ourselves: we write `BEGIN;` first and `COMMIT;`
 * only after everything that can be checked has passed (the sha256 in the metadata, gzip's own CRC
 * and length, pg_dump's "dump complete" trailer). Any failure kills psql before COMMIT; the server
 * rolls the open transaction back and the target is exactly as before (psql-sink.ts).
 * Why not `--single-transaction`: psql then commits when its input ends, and input also ends when
 * aytq-dr itself dies (kill -9, out of memory, a closed terminal): a partial restore would commit.
 * With our own BEGIN, an input that ends without COMMIT rolls back.
 * Why not a temp file first: it doubles the disk traffic and needs free disk as large as the dump;
 * holding COMMIT back gives the same guarantee with no disk and no extra pass.
 *
 * Custom archives (pg_restore needs a seekable file for --jobs and for out-of-order data): download
 * to a temp file while hashing, verify, then `pg_restore --exit-on-error --single-transaction`; or,
 * with jobs > 1, restore in parallel into a fresh database and swap names only on success.
 */
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { BlockBlobClient } from "@azure/storage-blob";
import { InterruptedError, ToolError } from "../errors";
import type { DatabaseConnection, RestoreResult, StorageLocation } from "./types";
import { psql } from "../pg/psql";
import { pgFailure, spawnPg } from "../pg/tools";
import { databaseOf, serverVersion, withDatabase } from "./pgtools";
import { inspectBackup, type InspectedBackup } from "./inspect-backup";
import { PsqlSink } from "./psql-sink";
import { utcToSecond } from "../util/utc";
import { META, storageError } from "./storage";
import { dataFailure } from "./failure";
import { HashCounter, type ProgressFn } from "./streams";
import { chooseRestoreJobs, jobsWarning } from "./jobs";

export interface RestoreOptions {
  onProgress?: ProgressFn;
  signal?: AbortSignal;
  /**
   * Custom archives only: parallel pg_restore into a fresh database, then swap; "auto" chooses from
   * the cores and the archive's size (jobs.ts), 1 unless it wins. @default 1
   */
  jobs?: number | "auto";
}

export interface RestoreOutcome extends RestoreResult {
  format: "plain-gzip" | "plain" | "custom";
  /** Custom archives: the parallel jobs used, and why (the choice or a warning). */
  jobs?: { used: number; note?: string };
  sha256Verified: boolean;
  elapsedMs: number;
}

export async function restoreFromBlob(storage: StorageLocation, name: string, target: DatabaseConnection, options: RestoreOptions = {}): Promise<RestoreOutcome> {
  const started = Date.now();
  const inspected = await inspectBackup(storage, name, options.signal);
  return restoreInspected(inspected, target, options, started);
}

/** Restore a backup inspectBackup has checked. */
export async function restoreInspected(backup: InspectedBackup, target: DatabaseConnection, options: RestoreOptions = {}, started: number = Date.now()): Promise<RestoreOutcome> {
  const expected = backup.metadata[META.sha256];
  // Connect first: a server that is down fails before anything is downloaded.
  await serverVersion(target.url);
  const at = backup.metadata[META.consistentAt];
  const consistentAt = at && !Number.isNaN(Date.parse(at)) ? utcToSecond(new Date(at)) : undefined;
  const outcome = { name: backup.name, bytes: backup.bytes, format: backup.format, sha256Verified: Boolean(expected), ...(consistentAt ? { consistentAt } : {}) };
  if (backup.format === "custom") {
    const jobs = jobsFor(options.jobs, backup.bytes);
    await restoreCustom(backup, target, expected, { ...options, jobs: jobs.used });
    return { ...outcome, jobs, elapsedMs: Date.now() - started };
  } else {
    await restorePlain(backup, target, backup.format, expected, options);
  }
  return { ...outcome, elapsedMs: Date.now() - started };
}

/** The jobs a custom restore runs with, and what to tell about it. */
export function jobsFor(requested: number | "auto" | undefined, archiveBytes: number, cpus: number = os.cpus().length): { used: number; note?: string } {
  if (requested === "auto") {
    const choice = chooseRestoreJobs(cpus, archiveBytes);
    return { used: choice.jobs, note: `--jobs auto: ${choice.reason}` };
  }
  const used = requested ?? 1;
  return { used, note: jobsWarning(used, cpus, archiveBytes) };
}

function mismatch(name: string, expected: string) {
  return (actual: string): Error =>
    new ToolError(`backup ${name} is corrupt: its sha256 is ${actual}, the metadata says ${expected}; nothing was restored`, "restore another backup (aytq-dr backups list)");
}

async function download(blob: BlockBlobClient, name: string, storage: StorageLocation, signal?: AbortSignal): Promise<NodeJS.ReadableStream> {
  try {
    const res = await blob.download(0, undefined, { maxRetryRequests: 5, abortSignal: signal });
    if (!res.readableStreamBody) throw new ToolError(`downloading ${name} returned no body`);
    return res.readableStreamBody;
  } catch (err) {
    throw storageError(`downloading ${name}`, err, storage);
  }
}


async function restorePlain(
  found: { blob: BlockBlobClient; name: string; bytes: number; storage: StorageLocation },
  target: DatabaseConnection,
  format: "plain-gzip" | "plain",
  expected: string | undefined,
  options: RestoreOptions,
): Promise<void> {
  const body = await download(found.blob, found.name, found.storage, options.signal);
  const hasher = new HashCounter({ phase: "download", onProgress: options.onProgress, totalBytes: found.bytes, expectedSha256: expected, onMismatch: expected ? mismatch(found.name, expected) : undefined });
  const sink = new PsqlSink(target, found.name);
  const stages: (NodeJS.ReadableStream | NodeJS.ReadWriteStream | NodeJS.WritableStream)[] = [body, hasher];
  if (format === "plain-gzip") stages.push(createGunzip());
  stages.push(sink);
  try {
    await pipeline(stages, { signal: options.signal });
  } catch (err) {
    throw dataFailure(err, { what: `restore of ${found.name}`, left: "rolled back, the database is unchanged", typedSayLeft: true, signal: options.signal, storage: found.storage, gzipped: `backup ${found.name}`, gzipFix: "restore another backup (aytq-dr backups list)" });
  }
}

async function restoreCustom(
  found: { blob: BlockBlobClient; name: string; bytes: number; storage: StorageLocation },
  target: DatabaseConnection,
  expected: string | undefined,
  options: RestoreOptions,
): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "aytq-restore-"));
  const file = path.join(dir, "backup.dump");
  try {
    const body = await download(found.blob, found.name, found.storage, options.signal);
    const hasher = new HashCounter({ phase: "download", onProgress: options.onProgress, totalBytes: found.bytes, expectedSha256: expected, onMismatch: expected ? mismatch(found.name, expected) : undefined });
    try {
      await pipeline([body, hasher, createWriteStream(file)], { signal: options.signal });
    } catch (err) {
      throw dataFailure(err, { what: `download of ${found.name}`, left: "nothing was restored", typedSayLeft: true, signal: options.signal, storage: found.storage });
    }
    const jobs = options.jobs === "auto" ? jobsFor("auto", found.bytes).used : (options.jobs ?? 1);
    if (jobs <= 1) {
      await runRestore(["--no-owner", "--clean", "--if-exists", "--exit-on-error", "--single-transaction", "-d", databaseOf(target.url), file], target.url, `restoring ${found.name} into ${target.label} (rolled back, the database is unchanged)`, options.signal);
    } else {
      await restoreParallelAndSwap(file, found.name, target, jobs, options.signal);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runRestore(args: string[], url: string, what: string, signal?: AbortSignal): Promise<void> {
  const run = spawnPg("pg_restore", ["--no-password", ...args], url, { stdout: "ignore" });
  const kill = (): void => void run.child.kill("SIGKILL");
  signal?.addEventListener("abort", kill, { once: true });
  const { code, stderr } = await run.done;
  signal?.removeEventListener("abort", kill);
  if (signal?.aborted) throw new InterruptedError(`${what}: interrupted`);
  if (code !== 0) throw pgFailure(what, stderr, url);
}

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * pg_restore --jobs cannot run in one transaction. Restore into a fresh database instead and, only
 * when that succeeded, swap names in one transaction (other sessions on the target are ended).
 * Needs CREATEDB and ownership of the target; database-level grants and settings are not carried over.
 */
async function restoreParallelAndSwap(file: string, name: string, target: DatabaseConnection, jobs: number, signal?: AbortSignal): Promise<void> {
  const db = databaseOf(target.url);
  const stamp = Date.now().toString(36);
  const fresh = `${db}_restoring_${stamp}`.slice(0, 63);
  const old = `${db}_replaced_${stamp}`.slice(0, 63);
  const admin = withDatabase(target.url, "postgres");
  await psql(admin, `CREATE DATABASE ${ident(fresh)}`, { what: "creating a scratch database for the parallel restore" });
  try {
    await runRestore(["--no-owner", "--exit-on-error", "--jobs", String(jobs), "-d", fresh, file], withDatabase(target.url, fresh), `restoring ${name} in parallel (the target is unchanged)`, signal);
  } catch (err) {
    await psql(admin, `DROP DATABASE IF EXISTS ${ident(fresh)} WITH (FORCE)`).catch(() => undefined);
    throw err;
  }
  await psql(
    admin,
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db.replace(/'/g, "''")}' AND pid <> pg_backend_pid();` +
      ` ALTER DATABASE ${ident(db)} RENAME TO ${ident(old)}; ALTER DATABASE ${ident(fresh)} RENAME TO ${ident(db)};`,
    { what: "swapping the restored database in" },
  );
  await psql(admin, `DROP DATABASE IF EXISTS ${ident(old)} WITH (FORCE)`, { what: "dropping the replaced database" });
}
