/**
 * The data tools' own vocabulary: a database to reach, where backups live, and what each tool
 * answers. The runbooks (runbook/ports.ts) re-export these; nothing here knows of runbooks.
 */

/** An open route to a database, valid until release(). On Azure a tunnel pod + port-forward. */
export interface DatabaseConnection {
  /** postgres:// URL with credentials. Secret: never print it; print `label`. */
  readonly url: string;
  /** Safe to print: server and database, no credentials. */
  readonly label: string;
  /** Server name, for backup metadata. */
  readonly serverName: string;
  release(): Promise<void>;
}

/** Where backups live. Connection strings are secret. */
export type StorageLocation =
  | { kind: "connection-string"; connectionString: string; container: string }
  | { kind: "account"; accountUrl: string; container: string };

export interface HealthTarget {
  service: string;
  url: string;
}

export interface BackupResult {
  name: string;
  bytes: number;
  sha256: string;
  /** The moment its data is consistent to (the dump's snapshot), as recorded in the blob's metadata. */
  consistentAt?: Date;
}

export interface RestoreResult {
  name: string;
  bytes: number;
  /** The moment the restored data is consistent to (the backup's recorded snapshot time, UTC); absent for backups that did not record it. */
  consistentAt?: string;
}

/** How a table's rows were matched: by its primary key (columns named), or by content when it has none. */
export type CompareKey = `primary key (${string})` | "content (no primary key)";

/**
 * One table of a comparison. A is live, B is the copy (compareDatabases(live, copy)). Rows are
 * matched by primary key when both sides have the same one, else by content (a multiset of row
 * hashes: `changed` is null then, a changed row counts once on each side).
 */
export interface TableComparison {
  table: string;
  /** Rows in A (live); null when A has no such table. */
  rowsA: number | null;
  /** Rows in B (the copy); null when B has no such table. */
  rowsB: number | null;
  checksumA: string | null;
  checksumB: string | null;
  equal: boolean;
  key: CompareKey;
  /** Rows only in the copy (B): deleted from live since, or changed when compared by content. */
  onlyInCopy: number;
  /** Rows only in live (A): written since the restore point, or changed when compared by content. */
  onlyInLive: number;
  /** Same primary key, different content; null when compared by content. */
  changed: number | null;
  /** What else a person must know: the table exists on one side only, or its columns differ. */
  note?: string;
}

export interface CompareResult {
  equal: boolean;
  tables: TableComparison[];
}

export interface HealthCheckResult {
  service: string;
  url: string;
  ok: boolean;
  status: number | null;
  latencyMs: number | null;
  error?: string;
}

/**
 * How the copy's data comes back into live (data-loss's decision). `whole`: the copy replaces live
 * (copy-into.ts); `tables`: the chosen tables (and those foreign keys force in) take the copy's rows,
 * other tables untouched; `undelete`: the copy's rows whose primary key live lacks are inserted,
 * nothing else changes. Each runs in one transaction on live (surgical.ts for the last two).
 */
export const RESTORE_WAYS = ["whole", "tables", "undelete"] as const;
export type RestoreWay = (typeof RESTORE_WAYS)[number];
export type SurgicalWay = Exclude<RestoreWay, "whole">;

/** What a surgical way will do, read from both catalogs before anyone is asked. Nothing is written. */
export interface SurgicalPlan {
  way: SurgicalWay;
  /** The tables asked for (default: those compare found different), qualified as compare prints them. */
  chosen: string[];
  /** `tables` only: the tables foreign keys force in, each with the constraint that does. */
  forced: { table: string; because: string }[];
  /** Tables this way cannot take, with why; a plan with any is refused before anything is written. */
  refused: { table: string; reason: string }[];
  /** User triggers on the tables written, which will not fire during the restore (`schema.table: trigger`). */
  triggersSkipped: string[];
}

/** What a surgical way did to one table. */
export interface SurgicalTableResult {
  table: string;
  /** Rows inserted from the copy. */
  inserted: number;
  /** `tables`: rows given the copy's content (same key). */
  updated: number;
  /** `tables`: rows live had and the copy did not (written since the restore point), removed. */
  deleted: number;
  /** `undelete`: rows on both sides with different content, left as live has them. */
  keptDiffering: number;
}

export interface SurgicalResult {
  way: SurgicalWay;
  tables: SurgicalTableResult[];
  /** Sequences moved forward so that no id is handed out twice (`schema.sequence` -> its new last value). */
  sequences: { sequence: string; lastValue: string }[];
  triggersSkipped: string[];
  elapsedMs: number;
}
