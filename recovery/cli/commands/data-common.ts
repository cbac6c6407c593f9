/** Shared option handling for the data commands: storage, database connections, progress, JSON. */
import { isIP } from "node:net";
import type { Command } from "commander";
import { DEFAULT_BACKUP_CONTAINER, type Settings } from "../../../infra/config";
import { backupStorage } from "../../config/backup-storage";
import { checkStackName, loadStackSettings } from "../../config/stackfile";
import { UsageError } from "../../errors";
import { checkConnectionString, checkContainerName } from "../../data/names";
import { openKubernetesTunnel, type KubernetesTunnelOptions } from "../../data/tunnel";
import { formatProgress, type ProgressFn } from "../../data/streams";
import type { DatabaseConnection, StorageLocation } from "../../runbook/ports";
import type { CliIO } from "../io";
import { envValue } from "../../util/env";
import { clipInput } from "../../util/clip";
import { parseDatabaseUrl, type ConnectionTarget } from "../../pg/connection";
import { RESTORE_PRODUCTION, type GuardOptions } from "../../ops/guard";

export interface DataOptions {
  stack?: string;
  server?: string;
  databaseUrl?: string | string[];
  storageConnectionString?: string;
  container?: string;
  json?: boolean;
}

export function addStorageOptions(cmd: Command): Command {
  return cmd
    .option("--storage-connection-string <cs>", "storage connection string (Azurite); default AZURE_STORAGE_CONNECTION_STRING, else DefaultAzureCredential")
    .option("--container <name>", "blob container (default: the stack's backup container)");
}

export function settingsFor(stack: string | undefined): Settings | undefined {
  return stack === undefined ? undefined : loadStackSettings(checkStackName(stack));
}

export function storageFor(opts: DataOptions, settings: Settings | undefined, io: CliIO): StorageLocation {
  const container = checkContainerName(opts.container ?? settings?.backup.containerName ?? DEFAULT_BACKUP_CONTAINER, opts.container !== undefined ? "--container" : "the stack's backup.containerName");
  const cs = opts.storageConnectionString ?? envValue(io.env, "AZURE_STORAGE_CONNECTION_STRING");
  if (cs) return { kind: "connection-string", connectionString: checkConnectionString(cs, opts.storageConnectionString !== undefined ? "--storage-connection-string" : "AZURE_STORAGE_CONNECTION_STRING"), container };
  if (settings) return backupStorage(settings, container);
  throw new UsageError("no storage given", "pass --stack (Azure, signed in with az login), or --storage-connection-string / AZURE_STORAGE_CONNECTION_STRING");
}

/** A connection from --database-url (no tunnel), else through the stack's Kubernetes tunnel (io.openTunnel when given). */
export async function connectFor(url: string | undefined, server: string | undefined, settings: Settings | undefined, io: Pick<CliIO, "openTunnel">): Promise<DatabaseConnection> {
  if (url) {
    // libpq's reading (pg/connection.ts): what psql, pg_dump and pg_restore will connect to; refused here, before anything runs
    let target: ConnectionTarget;
    try {
      target = parseDatabaseUrl(url);
    } catch (err) {
      throw err instanceof UsageError ? new UsageError(err.message.replace(/^the database URL/, "--database-url"), err.hint) : err;
    }
    const host = target.host ?? "localhost";
    const db = target.dbname ?? target.user ?? "postgres";
    // A server's name is its host's first label (s189t01-aytq-ts-pg.postgres...); an IP address or localhost stays whole.
    const serverName = server ?? (isIP(host) || !host.includes(".") ? host : host.split(".")[0]);
    return { url, label: `${clipInput(host, 100)}/${clipInput(db, 80)}`, serverName, release: async () => undefined };
  }
  if (!settings) throw new UsageError("no database given", "pass --stack S (through a Kubernetes tunnel) or --database-url");
  const options: KubernetesTunnelOptions = {
    namespace: settings.app.namespace,
    secretName: settings.app.databaseSecretName,
    liveServerName: settings.database.serverName,
    serverName: server && server !== settings.database.serverName ? server : undefined,
  };
  return io.openTunnel ? io.openTunnel(options) : openKubernetesTunnel(options);
}

/** Progress lines on a terminal (at most one every 2 s), nothing otherwise. */
export function progressFor(io: CliIO): ProgressFn | undefined {
  if (!io.isTTY) return undefined;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 2000) return;
    last = now;
    io.err(formatProgress(p));
  };
}

/** `fn` with `conn`, released afterwards whatever happens. */
export async function using<T>(conn: DatabaseConnection, fn: (c: DatabaseConnection) => Promise<T>): Promise<T> {
  try {
    return await fn(conn);
  } finally {
    await conn.release();
  }
}

/** A result as indented JSON on standard output (--json). */
export function printJson(io: CliIO, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

export function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The guard of a command that writes into a database (restore, restore-copy): production's refusal, and `noTerminal` in its own words. */
export function restoreGuard(opts: { stack?: string; confirmProduction?: boolean; yes?: boolean }, io: Pick<CliIO, "isTTY" | "prompt">, noTerminal: readonly [string, string]): GuardOptions {
  return {
    stack: opts.stack ?? "",
    confirmProduction: Boolean(opts.confirmProduction),
    yes: Boolean(opts.yes),
    dryRun: false,
    isTTY: io.isTTY,
    prompt: io.prompt,
    refusals: { production: RESTORE_PRODUCTION, noTerminal: [...noTerminal] },
  };
}
