/**
 * A backup found and checked before anything is changed: the blob `--file` means, its format from
 * its first bytes, and whether the client that would restore it can read what pg_dump wrote.
 */
import { constants as zlibConstants, gunzipSync } from "node:zlib";
import type { BlockBlobClient } from "@azure/storage-blob";
import { ToolError, UsageError } from "../errors";
import { installHint } from "../pg/tools";
import { restoreCandidates } from "./names";
import { HEAD_BYTES, parseArchiveHeader, parseDumpHeader, restoreVersionProblem, toolVersion } from "./pgtools";
import { containerFor, describeStorage, storageError } from "./storage";
import { isRestError } from "../util/rest-error";
import type { StorageLocation } from "./types";

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
      if (isRestError(err) && err.statusCode === 404) continue;
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
