/**
 * A stream's bytes into a block blob, each byte copied once: chunks are copied into block-sized
 * buffers from a fixed pool, each full block is staged as one contiguous Buffer (one request body),
 * and the block list is committed when the input ends, with the options as they are at that moment
 * (the hash stage has put sha256 and bytes into the metadata by then). Nothing is committed after a
 * failure or a destroy: staged blocks that no commit names never become a blob (Azure discards them
 * after a week).
 *
 * It replaces BlockBlobClient.uploadStream, whose scheduler keeps a queue of chunk arrays and hands
 * each block to the HTTP client as a readable stream: on a 155 MB dump in pg_dump-sized chunks
 * (12 KiB) that path cost 0.25 CPU s beyond hashing, this one 0.15 (bench/upload-path.ts, printed
 * by `npm run bench`). Aborting is by destroy(): in-flight requests are cancelled, nothing commits.
 */
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import type { BlobHTTPHeaders, BlockBlobClient, BlockBlobCommitBlockListOptions } from "@azure/storage-blob";
import { ToolError } from "../errors";

/** Azure's limit on the blocks of one blob. */
const MAX_BLOCKS = 50_000;

export interface BlockUploadOptions {
  blockBytes: number;
  /** Buffers in the pool: memory is blockBytes x this; up to this many blocks are in flight. */
  concurrency: number;
  /** Read when the block list is committed. */
  metadata?: Record<string, string>;
  blobHTTPHeaders?: BlobHTTPHeaders;
  conditions?: BlockBlobCommitBlockListOptions["conditions"];
}

/** Block ids of one blob must all have the same length: a prefix per upload and a padded number. */
export function blockId(prefix: string, index: number): string {
  return Buffer.from(`${prefix}-${String(index).padStart(6, "0")}`).toString("base64");
}

export class BlockUpload extends Writable {
  private readonly pool: Buffer[] = [];
  private allocated = 0;
  private block: Buffer | undefined;
  private filled = 0;
  private readonly ids: string[] = [];
  private readonly prefix = randomUUID();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waiters: (() => void)[] = [];
  private failure: Error | undefined;
  /** A write or the final commit is waiting: a failure is reported through its callback. */
  private busy = false;
  /** Cancels every request in flight (a failure or a destroy). */
  private readonly abort = new AbortController();
  /** Bytes in blocks the service has accepted. */
  stagedBytes = 0;
  /** The most block buffers that existed at once (the memory bound, asserted by the tests). */
  get buffers(): number {
    return this.allocated;
  }
  /** True once the block list is committed: the blob exists. */
  committed = false;

  constructor(
    private readonly blob: BlockBlobClient,
    private readonly options: BlockUploadOptions,
  ) {
    super({ highWaterMark: Math.min(options.blockBytes, 1024 * 1024) });
    if (!(options.blockBytes > 0) || !(options.concurrency > 0)) throw new RangeError("blockBytes and concurrency must be positive");
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    let offset = 0;
    this.busy = true;
    const done = (err?: Error): void => {
      this.busy = false;
      cb(err);
    };
    const step = (): void => {
      while (offset < chunk.length) {
        if (this.failure) return done(this.failure);
        if (this.destroyed) return done(new Error("upload destroyed"));
        if (!this.block) {
          const buffer = this.take();
          if (!buffer) return void this.room().then(step);
          this.block = buffer;
          this.filled = 0;
        }
        const n = chunk.copy(this.block, this.filled, offset);
        offset += n;
        this.filled += n;
        if (this.filled === this.options.blockBytes) this.stageBlock();
      }
      done();
    };
    step();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.busy = true;
    void (async (): Promise<void> => {
      if (this.block && this.filled > 0) this.stageBlock();
      while (this.inFlight.size > 0) await Promise.all(this.inFlight);
      if (this.failure) throw this.failure;
      const { metadata, blobHTTPHeaders, conditions } = this.options;
      await this.blob.commitBlockList(this.ids, { metadata: metadata ? { ...metadata } : undefined, blobHTTPHeaders, conditions, abortSignal: this.abort.signal });
      this.committed = true;
    })().then(
      () => cb(),
      (err: unknown) => cb(asError(err)),
    );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.abort.abort();
    this.wakeAll();
    cb(err);
  }

  /** A free buffer from the pool, a new one while the pool is below its size, else undefined. */
  private take(): Buffer | undefined {
    const buffer = this.pool.pop();
    if (buffer) return buffer;
    if (this.allocated >= this.options.concurrency) return undefined;
    this.allocated++;
    return Buffer.allocUnsafe(this.options.blockBytes);
  }

  /** Resolves when a block in flight has settled (its buffer is back, or the upload failed). */
  private room(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wakeAll(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private stageBlock(): void {
    const buffer = this.block!;
    const length = this.filled;
    this.block = undefined;
    this.filled = 0;
    if (this.ids.length >= MAX_BLOCKS) {
      this.fail(new ToolError(`the upload needs more than ${MAX_BLOCKS} blocks of ${this.options.blockBytes} bytes (Azure's limit per blob)`, "use a larger block size"));
      return;
    }
    const id = blockId(this.prefix, this.ids.length);
    this.ids.push(id);
    const staged: Promise<void> = this.blob
      .stageBlock(id, length === buffer.length ? buffer : buffer.subarray(0, length), length, { abortSignal: this.abort.signal })
      .then(
        () => {
          this.stagedBytes += length;
          this.pool.push(buffer);
        },
        (err: unknown) => this.fail(asError(err)),
      )
      .finally(() => {
        this.inFlight.delete(staged);
        this.wakeAll();
      });
    this.inFlight.add(staged);
  }

  /** The first failure wins; it aborts what is in flight and errors the stream now, not at the next write. */
  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.abort.abort();
    this.wakeAll();
    if (!this.busy && !this.destroyed) this.destroy(err);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
