/**
 * The check that follows a nightly backup: read the stored blob back and compare its sha256 with
 * the one computed while dumping and the one in its metadata. Only a backup that reads back earns
 * the heartbeat's ping (notify/nightly.ts).
 */
import { createHash } from "node:crypto";
import { ToolError } from "../errors";
import { META, containerFor, storageError } from "./storage";
import type { BackupResult, StorageLocation } from "./types";

export interface ReadBack {
  bytes: number;
  sha256: string;
}

/** Download the blob whole and hash it; it must match what the backup computed and what its metadata says. */
export async function readBackChecksum(storage: StorageLocation, backup: BackupResult, signal?: AbortSignal): Promise<ReadBack> {
  const blob = (await containerFor(storage)).getBlockBlobClient(backup.name);
  const hash = createHash("sha256");
  let bytes = 0;
  let metadata: Record<string, string>;
  try {
    const res = await blob.download(0, undefined, { maxRetryRequests: 5, abortSignal: signal });
    metadata = res.metadata ?? {};
    const body = res.readableStreamBody;
    if (!body) throw new ToolError(`reading ${backup.name} back returned no body`);
    for await (const chunk of body) {
      const b = chunk as Buffer;
      hash.update(b);
      bytes += b.length;
    }
  } catch (err) {
    throw storageError(`reading ${backup.name} back`, err, storage);
  }
  const sha256 = hash.digest("hex");
  const stored = metadata[META.sha256];
  const fix = "the backup is not trustworthy: take another (aytq-dr backup --nightly) and look at the storage account";
  if (sha256 !== backup.sha256 || bytes !== backup.bytes) {
    throw new ToolError(`backup ${backup.name} does not read back as written: ${bytes} bytes, sha256 ${sha256}; the dump was ${backup.bytes} bytes, sha256 ${backup.sha256}`, fix);
  }
  if (stored !== sha256) {
    throw new ToolError(`backup ${backup.name} reads back with sha256 ${sha256}, but its metadata says ${stored ?? "nothing"}`, fix);
  }
  return { bytes, sha256 };
}
