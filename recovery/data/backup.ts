/**
 * Backup: pg_dump -Z1 (gzip'd plain SQL, or a custom archive) -> one stage (sha256, count, held open
 * until pg_dump exits 0) -> BlockUpload (block-upload.ts). No temp file, memory bounded by the block
 * buffers. The upload stages blocks and commits the block list once at the end, so a failed or
 * interrupted dump leaves no blob; `ifNoneMatch: "*"` on the commit makes names write-once.
 */
import { exportSnapshot } from "./snapshot";
import { pipeline } from "node:stream/promises";
import type { BlockBlobClient } from "@azure/storage-blob";
import { DrError, InterruptedError, RefusedError } from "../errors";
import { dataFailure } from "./failure";
import type { BackupResult, DatabaseConnection, StorageLocation } from "./types";
import { backupNameProblem, CUSTOM_EXTENSION, refused, type BackupFormat } from "./names";
import { pgFailure, spawnPg } from "../pg/tools";
import { checkCanDump, databaseOf } from "./pgtools";
import { META, containerFor, storageError } from "./storage";
import { isRestError } from "../util/rest-error";
import { HashCounter, PauseClock, type ProgressFn } from "./streams";
import { BlockUpload } from "./block-upload";

/** Upload block size: memory is about BLOCK_BYTES x UPLOAD_CONCURRENCY plus the pipe buffers below. */
export const BLOCK_BYTES = 8 * 1024 * 1024;
/** Block buffers of one upload: up to this many in flight, or all but the one being filled. */
export const UPLOAD_CONCURRENCY = 4;
/**
 * Buffer on each side of our transforms between pg_dump's stdout and the upload. Measured (bench
 * --sweep): pg_dump is paused by backpressure for about 0.1 s per backup whatever this is (16 KiB to
 * 8 MiB), so Node's default is kept; the knob stays for the benchmark.
 */
export const PIPE_BUFFER_BYTES = 16 * 1024;
/** gzip level: 1 is several times faster than 6 for about 10% more bytes; the network is rarely the bottleneck. */
const GZIP_LEVEL = 1;

/** pg_dump's flags, compatible with the existing workflow's backups. Connection comes from the environment. */
export function pgDumpArgs(format: BackupFormat, snapshot?: string): string[] {
  // --snapshot: the dump reads the snapshot a session of ours exported, so its moment is known exactly
  const common = ["-E", "utf8", "--no-owner", "--no-password", ...(snapshot !== undefined ? [`--snapshot=${snapshot}`] : [])];
  switch (format) {
    case "plain":
      // pg_dump compresses plain output itself (gzip format, like the workflow's --compress=1): one
      // process fewer to feed than piping through our own gzip, measured faster on small machines.
      return [...common, "--clean", "--if-exists", "-Z", String(GZIP_LEVEL)];
    case "custom":
      // --clean/--if-exists are restore-time choices for archives (pg_restore applies them).
      return [...common, "-Fc", "-Z", String(GZIP_LEVEL)];
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}

/** Throughput knobs (the benchmark sweeps them). Memory grows with each. */
export interface BackupTuning {
  /** @default BLOCK_BYTES */
  blockBytes?: number;
  /** @default UPLOAD_CONCURRENCY */
  concurrency?: number;
  /** @default PIPE_BUFFER_BYTES */
  pipeBufferBytes?: number;
}

/** Where the time went (the benchmark prints these). */
interface BackupTimings {
  /** Storage checks and version checks, run concurrently, before pg_dump starts. */
  precheckMs: number;
  /** pg_dump's start to its exit. */
  dumpMs: number;
  /** pg_dump's start to the committed blob. */
  streamMs: number;
  /** Time pg_dump's stdout was paused because the upload had no room (pg_dump blocks once its pipe is full). */
  backpressureMs: number;
}

export interface BackupOptions {
  format?: BackupFormat;
  tuning?: BackupTuning;
  onProgress?: ProgressFn;
  /** Abort (Ctrl-C): pg_dump is killed, the upload is never committed. */
  signal?: AbortSignal;
  now?: () => Date;
}

export interface BackupOutcome extends BackupResult {
  format: BackupFormat;
  pgDumpVersion: string;
  serverVersion: string;
  elapsedMs: number;
  timings: BackupTimings;
}

/** A backup checked as far as it can be before pg_dump starts: name, storage (write-once), pg_dump's version. */
export interface PreparedBackup {
  name: string;
  format: BackupFormat;
  blob: BlockBlobClient;
  versions: { client: { major: number; text: string }; server: { major: number; text: string } };
  /** The blob's metadata; sha256 and bytes are filled in when the stream ends, before the commit. */
  metadata: Record<string, string>;
  /** The upload (write-once, metadata, content type): it commits when its input ends, never after a failure. */
  upload(tuning?: BackupTuning): BlockUpload;
}

/** Everything a backup checks before it dumps; shared with the one-pass copy (copy-into.ts). */
export async function prepareBackup(source: DatabaseConnection, storage: StorageLocation, name: string, options: Pick<BackupOptions, "format" | "signal" | "now"> = {}): Promise<PreparedBackup> {
  // every blob we write has a plain name (no folder, no '..'): checked here, whoever asks (CLI, safety backup, runbook)
  const problem = name === name.trim() ? backupNameProblem(name) : { problem: "has spaces around it", fix: "give the name without spaces" };
  if (problem) throw refused("backup name", name, problem);
  const format: BackupFormat = options.format ?? (name.endsWith(CUSTOM_EXTENSION) ? "custom" : "plain");
  const container = await containerFor(storage);
  const blob = container.getBlockBlobClient(name);
  // The storage checks and the version checks are independent: run them side by side (each spawns
  // or calls something that takes tens of milliseconds). A storage refusal wins over a version problem.
  const storageChecked = (async (): Promise<void> => {
    try {
      if (storage.kind === "connection-string") await container.createIfNotExists();
      if (await blob.exists()) {
        throw new RefusedError(`a backup named ${name} already exists; backups are write-once`, "choose another --name (or leave it out for a timestamped one)");
      }
    } catch (err) {
      if (err instanceof RefusedError) throw err;
      throw storageError("checking the backup container", err, storage);
    }
  })();
  const [storageResult, versionResult] = await Promise.allSettled([storageChecked, checkCanDump(source.url)]);
  if (storageResult.status === "rejected") throw storageResult.reason;
  if (versionResult.status === "rejected") throw versionResult.reason;
  const versions = versionResult.value;
  if (options.signal?.aborted) throw new InterruptedError("backup interrupted before it started");
  const metadata: Record<string, string> = {
    [META.sourceServer]: source.serverName,
    [META.sourceDatabase]: databaseOf(source.url),
    [META.pgDumpVersion]: versions.client.text,
    [META.serverVersion]: versions.server.text,
    [META.createdAt]: (options.now?.() ?? new Date()).toISOString(),
    [META.format]: format,
    [META.tool]: "aytq-dr",
  };
  return {
    name,
    format,
    blob,
    versions,
    metadata,
    upload: (tuning) =>
      new BlockUpload(blob, {
        blockBytes: tuning?.blockBytes ?? BLOCK_BYTES,
        concurrency: tuning?.concurrency ?? UPLOAD_CONCURRENCY,
        conditions: { ifNoneMatch: "*" },
        // read at the commit, after the input has ended: the checksum and size, filled in when the
        // hash stage flushes, are in this same object by then (asserted by the tests).
        metadata,
        blobHTTPHeaders: { blobContentType: format === "plain" ? "application/gzip" : "application/octet-stream" },
      }),
  };
}

/** A failed upload as the error to show: a name that appeared meanwhile is a refusal, the rest a storage failure. */
export function uploadFailure(name: string, err: unknown, storage: StorageLocation): DrError {
  if (isRestError(err) && (err.statusCode === 409 || err.statusCode === 412)) {
    return new RefusedError(`a backup named ${name} appeared while dumping; backups are write-once, it was not overwritten`, "choose another --name");
  }
  return storageError(`uploading ${name}`, err, storage);
}

export async function backupToBlob(source: DatabaseConnection, storage: StorageLocation, name: string, options: BackupOptions = {}): Promise<BackupOutcome> {
  const started = Date.now();
  const prepared = await prepareBackup(source, storage, name, options);
  const snapshot = await exportSnapshot(source.url, source.label);
  prepared.metadata[META.consistentAt] = snapshot.at.toISOString();
  try {
    return { ...(await dumpToBlob(prepared, source, storage, snapshot.id, started, options)), consistentAt: snapshot.at };
  } finally {
    await snapshot.release();
  }
}

async function dumpToBlob(prepared: PreparedBackup, source: DatabaseConnection, storage: StorageLocation, snapshotId: string, started: number, options: BackupOptions): Promise<BackupOutcome> {
  const { name, format, versions, metadata } = prepared;
  const pipeBuffer = options.tuning?.pipeBufferBytes ?? PIPE_BUFFER_BYTES;
  const dumpStarted = Date.now();
  const precheckMs = dumpStarted - started;

  const dump = spawnPg("pg_dump", pgDumpArgs(format, snapshotId), source.url, { stdout: "pipe" });
  let dumpMs = 0;
  const dumpOk = dump.done.then(({ code, stderr }) => {
    dumpMs = Date.now() - dumpStarted;
    if (code !== 0) throw pgFailure(`pg_dump of ${source.label}`, stderr, source.url);
  });
  dumpOk.catch(() => undefined); // observed through the hash stage (until) and below
  const onAbort = (): void => {
    dump.child.kill("SIGTERM");
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });

  const stored = storedHash(metadata, pipeBuffer, dumpOk, options.onProgress);
  const stdout = dump.child.stdout!;
  const backpressure = new PauseClock(stdout);
  const upload = prepared.upload(options.tuning);
  // a failure anywhere destroys every stage: the upload aborts its requests and never commits
  const stages = pipeline(stdout, stored, upload);

  try {
    await Promise.all([stages, dumpOk]);
  } catch (err) {
    dump.child.kill("SIGKILL");
    await dump.done;
    const dumpError = await dumpOk.then(() => undefined, (e: unknown) => e);
    throw dataFailure(dumpError ?? uploadFailure(name, err, storage), { what: `backup ${name}`, left: "nothing was stored", signal: options.signal, storage });
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
  const finished = Date.now();
  return {
    name,
    bytes: stored.bytes,
    sha256: stored.digest ?? "",
    format,
    pgDumpVersion: versions.client.text,
    serverVersion: versions.server.text,
    elapsedMs: finished - started,
    timings: { precheckMs, dumpMs, streamMs: finished - dumpStarted, backpressureMs: backpressure.totalMs() },
  };
}

/**
 * The one stage a backup's bytes pass on their way to the blob: sha256 and byte count into the
 * blob's metadata, and the stream's end held until pg_dump has exited 0 (`dumpOk`), so a dump
 * that fails mid-stream never commits a blob. Shared by the backup and the one-pass copy.
 */
export function storedHash(metadata: Record<string, string>, pipeBuffer: number, dumpOk: Promise<void>, onProgress?: ProgressFn): HashCounter {
  return new HashCounter({
    phase: "upload",
    highWaterMark: pipeBuffer,
    until: dumpOk,
    onProgress,
    onDigest: (sha256, bytes) => {
      metadata[META.sha256] = sha256;
      metadata[META.bytes] = String(bytes);
    },
  });
}
