/**
 * One pass from one database into another, keeping the bytes as a backup (data-loss: the copy into
 * live). pg_dump -Z1 -> sha256 (held open until pg_dump exits 0) -> two readers at once: BlockUpload (the source's backup,
 * write-once, sha256 in its metadata) and gunzip -> psql inside our own BEGIN (restore.ts's
 * all-or-nothing restore). The slower reader sets the pace; the data moves once instead of twice.
 *
 * Commit order, so that a failure on either side changes nothing:
 *   1. the whole dump arrived: pg_dump exited 0, gzip's CRC and length check, pg_dump's trailer is there;
 *   2. psql has run every statement (it echoes a marker back), still inside the open transaction;
 *   3. the upload's input ends: it commits the block list, the blob appears;
 *   4. COMMIT.
 * A failure before 3 kills psql (rollback) and aborts the upload (staged blocks are never
 * committed, no blob). A failure between 3 and 4 (COMMIT itself refused, or the connection lost at
 * that moment) leaves a blob and an unchanged target: the blob is deleted again, and the error says
 * whether that worked. If this process dies at any point, psql's input ends without COMMIT and the
 * upload is never committed.
 */
import { exportSnapshot } from "./snapshot";
import { Writable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { BlockBlobClient } from "@azure/storage-blob";
import { InterruptedError, UsageError } from "../errors";
import { PIPE_BUFFER_BYTES, pgDumpArgs, prepareBackup, storedHash, uploadFailure, type BackupTuning, type PreparedBackup } from "./backup";
import { dataFailure } from "./failure";
import { CUSTOM_EXTENSION } from "./names";
import { pgFailure, spawnPg } from "../pg/tools";
import { serverVersion } from "./pgtools";
import { PsqlSink } from "./psql-sink";
import { META, storageError } from "./storage";
import { isRestError } from "../util/rest-error";
import type { ProgressFn } from "./streams";
import type { BackupResult, DatabaseConnection, StorageLocation } from "./types";

export interface CopyIntoOptions {
  tuning?: BackupTuning;
  onProgress?: ProgressFn;
  /** Abort (Ctrl-C): pg_dump and psql are killed, the upload is never committed. */
  signal?: AbortSignal;
  now?: () => Date;
}

export interface CopyIntoOutcome {
  backup: BackupResult;
  /** The target, as printed. */
  target: string;
  elapsedMs: number;
}

/** Writes every chunk to each destination and asks for the next one when all have room. */
class Fanout extends Writable {
  constructor(
    private readonly destinations: readonly NodeJS.WritableStream[],
    private readonly onFinal: () => void,
  ) {
    super({ highWaterMark: PIPE_BUFFER_BYTES });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    let waiting = 0;
    for (const d of this.destinations) {
      if (!d.write(chunk)) {
        waiting++;
        d.once("drain", () => {
          if (--waiting === 0) cb();
        });
      }
    }
    if (waiting === 0) cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.onFinal();
    cb();
  }
}

/**
 * Dump `source` into `target` (all or nothing) while storing the same bytes as the backup `name`
 * (plain, gzip'd). Throws, with the target unchanged and no blob, if either side fails.
 */
export async function copyIntoDatabase(source: DatabaseConnection, storage: StorageLocation, name: string, target: DatabaseConnection, options: CopyIntoOptions = {}): Promise<CopyIntoOutcome> {
  if (name.endsWith(CUSTOM_EXTENSION)) throw new UsageError(`the one-pass copy writes a plain gzip'd dump; ${name} names a custom archive`, "name it .sql.gz");
  const started = Date.now();
  const [prepared] = await Promise.all([
    prepareBackup(source, storage, name, { format: "plain", signal: options.signal, now: options.now }),
    // the target must answer before anything is dumped
    serverVersion(target.url),
  ]);
  const { metadata } = prepared;
  if (options.signal?.aborted) throw new InterruptedError("copy interrupted before it started");
  const snapshot = await exportSnapshot(source.url, source.label);
  metadata[META.consistentAt] = snapshot.at.toISOString();
  try {
    return await copyFromSnapshot(prepared, source, target, storage, name, snapshot.id, started, options);
  } finally {
    await snapshot.release();
  }
}

async function copyFromSnapshot(
  prepared: PreparedBackup,
  source: DatabaseConnection,
  target: DatabaseConnection,
  storage: StorageLocation,
  name: string,
  snapshotId: string,
  started: number,
  options: CopyIntoOptions,
): Promise<CopyIntoOutcome> {
  const { metadata } = prepared;
  const dump = spawnPg("pg_dump", pgDumpArgs("plain", snapshotId), source.url, { stdout: "pipe" });
  // pg_dump's own failure, not the kill that follows any other failure
  let killed = false;
  let dumpError: Error | undefined;
  const dumpOk = dump.done.then(({ code, stderr }) => {
    if (code === 0) return;
    const error = pgFailure(`pg_dump of ${source.label}`, stderr, source.url);
    if (!killed) dumpError = error;
    throw error;
  });
  dumpOk.catch(() => undefined); // observed through the hash stage (until) and below
  const pipeBuffer = options.tuning?.pipeBufferBytes ?? PIPE_BUFFER_BYTES;
  const hashed = storedHash(metadata, pipeBuffer, dumpOk, options.onProgress);
  // ended only in step 3 (see the top), so the blob is committed only then
  const toBlob = prepared.upload(options.tuning);
  const upload = finished(toBlob);
  upload.catch(() => undefined); // observed below
  const gunzip = createGunzip();
  const sink = new PsqlSink(target, name, {
    beforeCommit: async () => {
      toBlob.end();
      try {
        await upload;
      } catch (err) {
        throw uploadFailure(name, err, storage);
      }
    },
  });
  const fanout = new Fanout([toBlob, gunzip], () => gunzip.end());
  const onAbort = (): void => void dump.child.kill("SIGTERM");
  options.signal?.addEventListener("abort", onAbort, { once: true });

  const dumped = pipeline(dump.child.stdout!, hashed, fanout);
  const restored = pipeline(gunzip, sink);
  try {
    // the upload settles inside the sink's beforeCommit; a failure before that rejects it here at once
    await Promise.all([dumped, restored, dumpOk, upload]);
  } catch (err) {
    killed = true;
    dump.child.kill("SIGKILL");
    for (const s of [hashed, fanout, gunzip, toBlob]) s.destroy();
    sink.destroy(); // kills psql before COMMIT: rolled back
    await Promise.allSettled([dump.done, restored]);
    await new Promise<void>((resolve) => (sink.closed ? resolve() : sink.once("close", () => resolve())));
    const removed = toBlob.committed ? await deleteBlob(prepared.blob, name, storage) : "no blob was stored";
    const cause = dumpError ?? (isRestError(err) ? uploadFailure(name, err, storage) : err);
    throw dataFailure(cause, { what: `copy of ${source.label} into ${target.label}`, left: `${target.label} is unchanged (rolled back), ${removed}`, signal: options.signal, storage, gzipped: "pg_dump's output" });
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
  return { backup: { name, bytes: hashed.bytes, sha256: hashed.digest ?? "" }, target: target.label, elapsedMs: Date.now() - started };
}

/** Step 3 happened and 4 failed: take the blob back, and say whether that worked. */
async function deleteBlob(blob: BlockBlobClient, name: string, storage: StorageLocation): Promise<string> {
  try {
    await blob.delete();
    return `the backup ${name} stored before the failure was deleted again`;
  } catch (err) {
    return `the backup ${name} was stored and could not be deleted (${storageError("deleting it", err, storage).message}): delete it by hand`;
  }
}
