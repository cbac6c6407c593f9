/**
 * Restore, all or nothing.
 *
 * Plain SQL streams: download -> sha256 -> gunzip (when gzip'd) -> `psql -X -v ON_ERROR_STOP=1 -f -`
 * inside one transaction that we open and close ourselves: we write `BEGIN;` first and `COMMIT;`
 * only after everything that can be checked has passed (the sha256 in the metadata, gzip's own CRC
 * and length, pg_dump's "dump complete" trailer). Any failure kills psql before COMMIT; the server
 * rolls the open transaction back and the target is exactly as before.
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
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { constants as zlibConstants, createGunzip, gunzipSync } from "node:zlib";
import { RestError, type BlockBlobClient } from "@azure/storage-blob";
import { InterruptedError, ToolError, UsageError } from "../errors";
import type { DatabaseConnection, RestoreResult, StorageLocation } from "./types";
import { restoreCandidates } from "./names";
import { psql } from "../pg/psql";
import { installHint, pgFailure, spawnPg, type Spawned } from "../pg/tools";
import { databaseOf, parseArchiveHeader, parseDumpHeader, restoreVersionProblem, serverVersion, toolVersion, withDatabase } from "./pgtools";
import { dataFailure } from "./failure";
import { META, containerFor, describeStorage, storageError } from "./storage";
import { HashCounter, type ProgressFn } from "./streams";
import { chooseRestoreJobs, jobsWarning } from "./jobs";

/** pg_dump ends every plain dump with this line; without it the dump was cut short. */
const DUMP_TRAILER = "PostgreSQL database dump complete";
const HEAD_BYTES = 8192;
/** psql for a restore: no psqlrc, stop at the first error, read stdin. BEGIN/COMMIT are ours (see above). */
const PSQL_RESTORE_ARGS = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"];

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

/** Which kind of file from its first bytes. */
function sniffFormat(head: Buffer): "plain-gzip" | "plain" | "custom" {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "plain-gzip";
  if (head.subarray(0, 5).toString("latin1") === "PGDMP") return "custom";
  return "plain";
}

/** The blob `--file` means: exact name, else `<name>.sql.gz`, else `<name>.dump`. */
export async function findBackup(storage: StorageLocation, name: string): Promise<{ blob: BlockBlobClient; name: string; bytes: number; metadata: Record<string, string>; storage: StorageLocation }> {
  const container = await containerFor(storage);
  for (const candidate of restoreCandidates(name)) {
    const blob = container.getBlockBlobClient(candidate);
    try {
      const props = await blob.getProperties();
      return { blob, name: candidate, bytes: props.contentLength ?? 0, metadata: props.metadata ?? {}, storage };
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) continue;
      throw storageError(`reading ${candidate}`, err, storage);
    }
  }
  throw new UsageError(`no backup named ${restoreCandidates(name).join(" or ")} in ${describeStorage(storage)}`, "list them with: aytq-dr backups list");
}

/** A backup found and checked as far as it can be without downloading it all. */
export interface InspectedBackup {
  blob: BlockBlobClient;
  name: string;
  bytes: number;
  metadata: Record<string, string>;
  /** Where it is (for the fix of a storage failure). */
  storage: StorageLocation;
  format: "plain-gzip" | "plain" | "custom";
  /** pg_dump's version, from the dump's header or the archive's; undefined when it does not say (the workflow's old dumps). */
  dumpVersion?: { major: number; text: string };
}

/** How much of a backup is read to check it: enough for pg_dump's header, gzip'd or not. */
const INSPECT_BYTES = 64 * 1024;

/**
 * Everything about a backup that can be checked before anything is changed: it exists, it is not
 * empty, it is a gzip'd or plain SQL dump or a pg_dump archive, and the client that would restore
 * it (psql, pg_restore) is not older than the pg_dump that wrote it. A restore runs these before
 * its safety backup, so a backup that could never restore leaves nothing behind.
 */
export async function inspectBackup(storage: StorageLocation, name: string, signal?: AbortSignal): Promise<InspectedBackup> {
  const found = await findBackup(storage, name);
  const refuse = (problem: string): ToolError => new ToolError(`backup ${found.name} ${problem}; nothing was restored`, "pick another backup: aytq-dr backups list");
  if (found.bytes === 0) throw refuse("is empty (0 bytes): it cannot be restored");
  let head: Buffer;
  try {
    head = await found.blob.downloadToBuffer(0, Math.min(INSPECT_BYTES, found.bytes), { abortSignal: signal });
  } catch (err) {
    throw storageError(`downloading ${found.name}`, err, storage);
  }
  const format = sniffFormat(head);
  let dumpVersion: { major: number; text: string } | undefined;
  if (format === "custom") {
    dumpVersion = parseArchiveHeader(head);
  } else {
    let text: Buffer;
    try {
      // the head of a gzip stream, decompressed as far as it goes (the rest is checked while restoring)
      text = format === "plain-gzip" ? gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }) : head;
    } catch (err) {
      throw refuse(`is not valid gzip (${(err as Error).message})`);
    }
    if (text.subarray(0, HEAD_BYTES).includes(0)) throw refuse("is not a backup: it is neither gzip'd SQL, plain SQL nor a pg_dump archive (it holds binary data)");
    dumpVersion = parseDumpHeader(text.subarray(0, HEAD_BYTES).toString("utf8"));
  }
  if (dumpVersion) {
    const tool = format === "custom" ? "pg_restore" : "psql";
    const problem = restoreVersionProblem(await toolVersion(tool), dumpVersion, tool);
    if (problem) throw new ToolError(`${problem}; nothing was restored`, installHint(dumpVersion.major));
  }
  return { ...found, format, dumpVersion };
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
  const consistentAt = at && !Number.isNaN(Date.parse(at)) ? new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z") : undefined;
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

/** Echoed by psql once it has run every statement before it (the one-pass copy waits for it before committing). */
const READY_MARKER = "aytq-dr: every statement ran";

export interface PsqlSinkOptions {
  /**
   * Runs after psql has executed every statement of the dump (it echoed a marker back) and before
   * COMMIT; a rejection rolls the restore back. The one-pass copy commits its blob here.
   */
  beforeCommit?: () => Promise<void>;
}

/** Feeds psql, checking the dump's header first and holding back EOF until `final`. */
export class PsqlSink extends Writable {
  private head = Buffer.alloc(0);
  private tail = "";
  private psql: Spawned | undefined;
  /** psql has closed (exited, stderr complete). Set synchronously in its 'close' event. */
  private exited = false;

  constructor(
    private readonly target: DatabaseConnection,
    private readonly name: string,
    private readonly sinkOptions: PsqlSinkOptions = {},
  ) {
    super({ highWaterMark: 1024 * 1024 });
  }

  /** Resolves when psql has echoed READY_MARKER (only with beforeCommit). */
  private ready: Promise<void> | undefined;

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.tail = (this.tail + chunk.subarray(Math.max(0, chunk.length - 256)).toString("latin1")).slice(-256);
    if (!this.psql) {
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length < HEAD_BYTES) return cb();
      const buffered = this.head;
      this.head = Buffer.alloc(0);
      this.start(buffered).then(() => this.send(buffered, cb), cb);
      return;
    }
    this.send(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    const run = async (): Promise<void> => {
      if (!this.psql) {
        const buffered = this.head;
        await this.start(buffered);
        await new Promise<void>((resolve, reject) => this.send(buffered, (e) => (e ? reject(e) : resolve())));
      }
      const psql = this.psql!;
      if (parseDumpHeader(this.headText) && !this.tail.includes(DUMP_TRAILER)) {
        throw new ToolError(`backup ${this.name} is truncated: it does not end with pg_dump's "${DUMP_TRAILER}" line; nothing was restored`, "restore another backup (aytq-dr backups list)");
      }
      if (this.sinkOptions.beforeCommit) {
        await new Promise<void>((resolve, reject) => this.send(Buffer.from(`\n\\echo '${READY_MARKER}'\n`), (e) => (e ? reject(e) : resolve())));
        await this.ready;
        await this.sinkOptions.beforeCommit();
      }
      await new Promise<void>((resolve, reject) => this.send(Buffer.from("\nCOMMIT;\n"), (e) => (e ? reject(e) : resolve())));
      psql.child.stdin!.end();
      const { code, stderr } = await psql.done;
      if (code !== 0) throw pgFailure(`restoring ${this.name} into ${this.target.label} (rolled back, the database is unchanged)`, stderr, this.target.url);
    };
    run().then(() => cb(), (err: Error) => cb(err));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // Kill psql before it reads EOF: its transaction never commits.
    if (this.psql && !this.exited) {
      this.psql.child.kill("SIGKILL");
      this.psql.done.then(() => cb(err), () => cb(err));
      return;
    }
    cb(err);
  }

  private headText = "";

  private async start(head: Buffer): Promise<void> {
    this.headText = head.subarray(0, HEAD_BYTES).toString("utf8");
    const dumpVersion = parseDumpHeader(this.headText);
    if (dumpVersion) {
      const psqlVersion = await toolVersion("psql");
      const problem = restoreVersionProblem(psqlVersion, dumpVersion);
      if (problem) throw new ToolError(`${problem}; nothing was restored`, installHint(dumpVersion.major));
    }
    const watch = this.sinkOptions.beforeCommit !== undefined;
    this.psql = spawnPg("psql", PSQL_RESTORE_ARGS, this.target.url, { stdin: "pipe", stdout: watch ? "pipe" : "ignore" });
    if (watch) {
      const child = this.psql.child;
      this.ready = new Promise<void>((resolve, reject) => {
        let seen = "";
        child.stdout!.on("data", (d: Buffer) => {
          seen = (seen + d.toString("latin1")).slice(-2 * READY_MARKER.length);
          if (seen.includes(READY_MARKER)) resolve();
        });
        child.once("close", () => {
          const failed = (): void => this.failExited((err) => reject(err ?? new ToolError("psql exited before it had run the whole dump")));
          failed();
        });
      });
      this.ready.catch(() => undefined); // awaited in _final; a failure before then surfaces through send()
    }
    this.psql.child.stdin!.on("error", () => undefined); // EPIPE when psql stops on an error: reported from its exit
    // Synchronously, in the same 'close' emit that settles `done`: a write or a drain wait that
    // comes after psql's exit must see it (a flag set in done.then() comes a microtask too late,
    // and a wait registered after 'close' would never end: the restore hung and Node exited 0).
    this.psql.child.once("close", () => {
      this.exited = true;
    });
    this.psql.child.stdin!.write("BEGIN;\n");
  }

  /** psql has exited before COMMIT: fail with its own error line (its stderr is complete once it has closed). */
  private failExited(cb: (err?: Error | null) => void): void {
    void this.psql!.done.then(({ code, stderr }) =>
      cb(pgFailure(`restoring ${this.name} into ${this.target.label} (rolled back, the database is unchanged)`, stderr || `psql exited with ${code}`, this.target.url)),
    );
  }

  private send(chunk: Buffer, cb: (err?: Error | null) => void): void {
    if (this.exited) return this.failExited(cb);
    const child = this.psql!.child;
    const stdin = child.stdin!;
    if (stdin.write(chunk)) {
      cb();
      return;
    }
    // Wait for room, or for psql's exit (then there will never be room): whichever comes first.
    const onDrain = (): void => {
      cleanup();
      cb();
    };
    const onExit = (): void => {
      cleanup();
      this.failExited(cb);
    };
    const cleanup = (): void => {
      stdin.off("drain", onDrain);
      child.off("close", onExit);
    };
    stdin.once("drain", onDrain);
    child.once("close", onExit);
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
