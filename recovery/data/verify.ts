/** Prove a backup restores: restore it into a throwaway database, count what came back, mark the blob verified. */
import { startThrowawayCluster } from "../pg/cluster";
import type { StorageLocation } from "./types";
import { summarise } from "./compare";
import { RefusedError } from "../errors";
import { psql } from "../pg/psql";
import { clipInput } from "../util/clip";
import { maskUrl } from "../util/redact";
import { withDatabase } from "./pgtools";
import { findBackup } from "./inspect-backup";
import { restoreFromBlob } from "./restore";
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

/** Relations in a database's own schemas (tables, views, sequences...): 0 for a database fit to restore into. */
const USER_RELATIONS_SQL = `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')`;

/**
 * A verification restores with --clean: it drops what the backup names. So --into-url must be an
 * empty scratch database, never one that holds something (a typo for the live database would lose it).
 */
async function checkEmptyScratch(url: string): Promise<void> {
  const relations = Number((await psql(url, USER_RELATIONS_SQL, { what: "reading the --into-url database" })).trim());
  if (relations > 0) {
    throw new RefusedError(
      `the --into-url database ${clipInput(maskUrl(url))} is not empty (${relations} table${relations === 1 ? "" : "s"}, views or sequences): a verification restores over it; nothing was changed`,
      "give an empty scratch database (CREATE DATABASE verify_scratch), or leave --into-url out for a throwaway local cluster",
    );
  }
}

export async function verifyBackup(storage: StorageLocation, name: string, options: VerifyOptions = {}): Promise<VerifyOutcome> {
  if (options.intoUrl) await checkEmptyScratch(options.intoUrl);
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
