/**
 * The upload path's own CPU, without pg_dump: a dump held in memory, fed in pg_dump-sized chunks
 * (its gzip writes about 12 KiB at a time) through the backup's sha256 stage into a discarding blob
 * server, by BlockBlobClient.uploadStream (what the backup used before) and by BlockUpload (now).
 * This process's CPU seconds, best of `repeat`: the difference is what each costs beyond hashing.
 */
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { BlobServiceClient } from "@azure/storage-blob";
import { BLOCK_BYTES, UPLOAD_CONCURRENCY } from "../recovery/data/backup";
import { BlockUpload } from "../recovery/data/block-upload";
import { HashCounter } from "../recovery/data/streams";
import type { StorageLocation } from "../recovery/data/types";

const CHUNK_BYTES = 12 * 1024;

export interface UploadPathCpu {
  bytes: number;
  chunkBytes: number;
  hashOnlyS: number;
  uploadStreamS: number;
  blockUploadS: number;
}

function chunks(data: Buffer): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= data.length) return void this.push(null);
      this.push(data.subarray(offset, offset + CHUNK_BYTES));
      offset += CHUNK_BYTES;
    },
  });
}

async function cpuOf(fn: () => Promise<unknown>, repeat: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const start = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1e6);
  }
  return best;
}

export async function uploadPathCpu(data: Buffer, discard: StorageLocation, repeat: number): Promise<UploadPathCpu> {
  if (discard.kind !== "connection-string") throw new Error("the upload path is measured against the local discarding server");
  const container = BlobServiceClient.fromConnectionString(discard.connectionString).getContainerClient(discard.container);
  let n = 0;
  const hashOnlyS = await cpuOf(() => pipeline(chunks(data), new HashCounter(), new Writable({ write: (_c, _e, cb) => cb() })), repeat);
  const uploadStreamS = await cpuOf(async () => {
    const hashed = new HashCounter();
    await Promise.all([pipeline(chunks(data), hashed), container.getBlockBlobClient(`path-${++n}`).uploadStream(hashed, BLOCK_BYTES, UPLOAD_CONCURRENCY, { conditions: { ifNoneMatch: "*" } })]);
  }, repeat);
  const blockUploadS = await cpuOf(
    () => pipeline(chunks(data), new HashCounter(), new BlockUpload(container.getBlockBlobClient(`path-${++n}`), { blockBytes: BLOCK_BYTES, concurrency: UPLOAD_CONCURRENCY, conditions: { ifNoneMatch: "*" } })),
    repeat,
  );
  return { bytes: data.length, chunkBytes: CHUNK_BYTES, hashOnlyS, uploadStreamS, blockUploadS };
}
