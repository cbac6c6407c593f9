/**
 * psql fed a plain dump inside a transaction of our own (restore.ts says why not
 * `--single-transaction`): `BEGIN;` first, `COMMIT;` only once the whole dump has passed every
 * check (pg_dump's "dump complete" trailer; the stages before it check the sha256 and gzip). Any
 * failure kills psql before COMMIT, so the server rolls back and the target is as before.
 */
import { Writable } from "node:stream";
import { ToolError } from "../errors";
import { installHint, pgFailure, spawnPg, type Spawned } from "../pg/tools";
import { HEAD_BYTES, parseDumpHeader, restoreVersionProblem, toolVersion } from "./pgtools";
import type { DatabaseConnection } from "./types";

/** pg_dump ends every plain dump with this line; without it the dump was cut short. */
const DUMP_TRAILER = "PostgreSQL database dump complete";
/** psql for a restore: no psqlrc, stop at the first error, read stdin. BEGIN/COMMIT are ours (see above). */
const PSQL_RESTORE_ARGS = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"];

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
