/** Prove a backup restores: restore it into a throwaway database, count what came back, mark the blob verified. */
import { startThrowawayCluster } from "../pg/cluster";
import type { StorageLocation } from "./types";
import { summarise } from "./compare";
import { psql } from "../pg/psql";
import { withDatabase } from "./pgtools";
import { findBackup, restoreFromBlob } from "./restore";
import { META, storageError } from "./storage";
import type { ProgressFn } from "./streams";

export interface VerifyOptions {
  /** An empty scratch database. @default a local throwaway cluster, deleted afterwards */
  intoUrl?: string;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface VerifyOutcome {
  name: string;
  sha256Verified: boolean;
  tables: number;
  rows: number;
  /** Whether verified=true could be written to the blob's metadata (an immutable container refuses). */
  recorded: boolean;
  recordError?: string;
}

export async function verifyBackup(storage: StorageLocation, name: string, options: VerifyOptions = {}): Promise<VerifyOutcome> {
  const found = await findBackup(storage, name);
  let dispose: (() => Promise<void>) | undefined;
  let url = options.intoUrl;
  if (!url) {
    const scratch = await startThrowawayCluster();
    dispose = scratch.dispose;
    await psql(scratch.cluster.url("postgres"), "CREATE DATABASE verify", { what: "creating the scratch database" });
    url = withDatabase(scratch.cluster.url("postgres"), "verify");
  }
  try {
    const target = { url, label: options.intoUrl ? "scratch database" : "local throwaway cluster", serverName: "scratch", release: async () => undefined };
    const r = await restoreFromBlob(storage, found.name, target, { onProgress: options.onProgress, signal: options.signal });
    const summary = await summarise(url, target.label);
    const rows = [...summary.values()].reduce((n, t) => n + t.rows, 0);
    const outcome: VerifyOutcome = { name: found.name, sha256Verified: r.sha256Verified, tables: summary.size, rows, recorded: false };
    try {
      await found.blob.setMetadata({ ...found.metadata, [META.verified]: "true", [META.verifiedAt]: (options.now?.() ?? new Date()).toISOString() });
      outcome.recorded = true;
    } catch (err) {
      outcome.recordError = storageError("recording the verification", err, storage).message;
    }
    return outcome;
  } finally {
    await dispose?.();
  }
}
