/** Small stream pieces: hashing, counting and gating, all with bounded memory. */
import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

export type Phase = "dump" | "upload" | "download" | "restore";

export interface Progress {
  phase: Phase;
  /** Bytes through this phase so far. */
  bytes: number;
  /** Total when known (downloads). */
  totalBytes?: number;
  elapsedMs: number;
}

export type ProgressFn = (p: Progress) => void;

/**
 * Passes bytes through, counting them and hashing them (sha256); optionally checks the digest at the
 * end, and optionally gates the end (`until`): one stage does what a hash stage and a separate gate
 * stage did, so each chunk crosses one Transform fewer (less CPU beside pg_dump on small machines).
 */
export class HashCounter extends Transform {
  private readonly hash: Hash = createHash("sha256");
  private readonly started = Date.now();
  private lastReport = 0;
  bytes = 0;
  digest: string | undefined;

  constructor(
    private readonly options: {
      phase: Phase;
      onProgress?: ProgressFn;
      totalBytes?: number;
      expectedSha256?: string;
      onMismatch?: (actual: string) => Error;
      onDigest?: (sha256: string, bytes: number) => void;
      /** Buffer on each side, in bytes. @default Node's default (16 KiB) */
      highWaterMark?: number;
      /**
       * End only when this resolves; a rejection fails the stream instead (a pg_dump that dies
       * mid-stream must error the upload, not end it cleanly). @default ends with its input
       */
      until?: Promise<void>;
    } = { phase: "upload" },
  ) {
    super(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {});
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    const now = Date.now();
    if (this.options.onProgress && now - this.lastReport >= 250) {
      this.lastReport = now;
      this.options.onProgress({ phase: this.options.phase, bytes: this.bytes, totalBytes: this.options.totalBytes, elapsedMs: now - this.started });
    }
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const until = this.options.until;
    if (!until) return this.finish(cb);
    until.then(() => this.finish(cb), (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))));
  }

  private finish(cb: TransformCallback): void {
    this.digest = this.hash.digest("hex");
    this.options.onDigest?.(this.digest, this.bytes);
    this.options.onProgress?.({ phase: this.options.phase, bytes: this.bytes, totalBytes: this.options.totalBytes, elapsedMs: Date.now() - this.started });
    const expected = this.options.expectedSha256;
    if (expected && expected.toLowerCase() !== this.digest) {
      cb(this.options.onMismatch?.(this.digest) ?? new Error(`sha256 mismatch: expected ${expected}, got ${this.digest}`));
      return;
    }
    cb();
  }
}

/**
 * Total time a readable spent paused by backpressure (pipe() pauses the source when the destination's
 * buffer is full). For a child's stdout, that is time the child could only write into its 64 KiB pipe.
 */
export class PauseClock {
  private pausedAt: number | undefined;
  private total = 0;

  constructor(readable: NodeJS.ReadableStream & { on(event: "pause" | "resume", fn: () => void): unknown }) {
    readable.on("pause", () => {
      this.pausedAt ??= Date.now();
    });
    readable.on("resume", () => {
      if (this.pausedAt !== undefined) this.total += Date.now() - this.pausedAt;
      this.pausedAt = undefined;
    });
  }

  totalMs(): number {
    return this.total + (this.pausedAt !== undefined ? Date.now() - this.pausedAt : 0);
  }
}

/** "1.2 GB", "340 MB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** A progress line: "upload 120.0 MB at 45.1 MB/s". */
export function formatProgress(p: Progress): string {
  const rate = p.elapsedMs > 0 ? (p.bytes / p.elapsedMs) * 1000 : 0;
  const total = p.totalBytes ? ` of ${formatBytes(p.totalBytes)}` : "";
  return `${p.phase} ${formatBytes(p.bytes)}${total} at ${formatBytes(rate)}/s`;
}
