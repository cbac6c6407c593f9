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
}

export interface RestoreResult {
  name: string;
  bytes: number;
  /** The moment the restored data is consistent to (the backup's recorded snapshot time, UTC); absent for backups that did not record it. */
  consistentAt?: string;
}

export interface TableComparison {
  table: string;
  rowsA: number | null;
  rowsB: number | null;
  checksumA: string | null;
  checksumB: string | null;
  equal: boolean;
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
