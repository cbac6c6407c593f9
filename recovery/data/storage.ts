/** Blob storage for backups: Azurite by connection string, Azure by DefaultAzureCredential. */
import type { ContainerClient } from "@azure/storage-blob";
import { DrError, ToolError, UsageError } from "../errors";
import { checkConnectionString, checkContainerName } from "./names";
import type { StorageLocation } from "./types";
import { redact } from "../util/redact";
import { isRestError } from "../util/rest-error";

/** Metadata keys on every backup we write (Azure metadata keys are lowercase identifiers). */
export const META = {
  sha256: "sha256",
  bytes: "bytes",
  sourceServer: "sourceserver",
  sourceDatabase: "sourcedatabase",
  pgDumpVersion: "pgdumpversion",
  serverVersion: "serverversion",
  createdAt: "createdat",
  /** The moment the dump is consistent to: its snapshot (data/snapshot.ts); no row in it is newer. */
  consistentAt: "consistentat",
  format: "format",
  tool: "tool",
  verified: "verified",
  verifiedAt: "verifiedat",
} as const;

/** Where runs keep their journals beside the backups (runbook/run-store.ts): never a backup. */
export const RUNS_PREFIX = "runs/";

/**
 * Azure's blob SDK, loaded when a command first reaches storage rather than when aytq-dr starts
 * (about 0.5 s of CPU). Through require, as every other module of ours sees it: `import()` would
 * load the package's ESM build, a second copy with classes of its own.
 */
function blobSdk(): typeof import("@azure/storage-blob") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (above)
  return require("@azure/storage-blob") as typeof import("@azure/storage-blob");
}

/** The container's client. The container's name and a connection string are checked first (Azure's rules): a bad one is exit 2 before any call. */
export async function containerFor(location: StorageLocation): Promise<ContainerClient> {
  checkContainerName(location.container, "container");
  switch (location.kind) {
    case "connection-string": {
      checkConnectionString(location.connectionString, "use");
      const { BlobServiceClient } = blobSdk();
      let service: InstanceType<typeof BlobServiceClient>;
      try {
        service = BlobServiceClient.fromConnectionString(location.connectionString);
      } catch (err) {
        throw new UsageError(`the storage connection string is not valid: ${redact(String((err as Error).message ?? err), [location.connectionString])}`, "copy it whole from the portal (storage account > Access keys), or use UseDevelopmentStorage=true for Azurite");
      }
      return service.getContainerClient(location.container);
    }
    case "account": {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS build azure/sdk.ts also loads, not a second (ESM) copy
      const { DefaultAzureCredential } = require("@azure/identity") as typeof import("@azure/identity");
      return new (blobSdk().BlobServiceClient)(location.accountUrl, new DefaultAzureCredential()).getContainerClient(location.container);
    }
    default: {
      const never: never = location;
      throw new ToolError(`unknown storage location ${JSON.stringify(never)}`);
    }
  }
}

/** Where, safe to print. */
export function describeStorage(location: StorageLocation): string {
  if (location.kind === "account") return `${location.accountUrl}/${location.container}`;
  const endpoint = /BlobEndpoint=([^;]+)/i.exec(location.connectionString)?.[1] ?? /AccountName=([^;]+)/i.exec(location.connectionString)?.[1] ?? "storage";
  return `${endpoint.replace(/\/$/, "")}/${location.container}`;
}

/** A storage failure as a ToolError with secrets masked. */
export function storageError(what: string, err: unknown, location?: StorageLocation): DrError {
  if (!(err instanceof Error)) return new ToolError(`${what} failed: ${String(err)}`);
  // a typed error keeps its exit code (data/failure.ts): a refusal met on the way stays a refusal
  if (err instanceof DrError) return err;
  const secrets = location?.kind === "connection-string" ? [location.connectionString] : [];
  const status = isRestError(err) ? ` (HTTP ${err.statusCode ?? "?"}${err.code ? ` ${err.code}` : ""})` : "";
  const first = redact(err.message.split("\n")[0] ?? "", secrets);
  const denied = isRestError(err) && (err.statusCode === 403 || err.statusCode === 401);
  const hint = denied ? deniedHint(location) : /ECONNREFUSED|ENOTFOUND/.test(err.message) ? "is the storage endpoint reachable (Azurite running)?" : undefined;
  return new ToolError(`${what} failed${status}: ${first}`, hint);
}

/** What to do when storage refuses us (401/403): it depends on how we signed in. */
function deniedHint(location: StorageLocation | undefined): string {
  if (location?.kind === "connection-string") {
    return /(^|;)\s*AccountKey=/.test(location.connectionString)
      ? "the storage account refused the AccountKey in the connection string: copy the key again from the portal (storage account > Access keys; a rotated key stops working), whole, ending in '=' or '=='"
      : "the storage account refused the SharedAccessSignature in the connection string: it may have expired or lack read, write or list permission; make a new SAS";
  }
  return "sign in (az login) with a role that can read and write blobs (Storage Blob Data Contributor), or pass --storage-connection-string";
}

export interface BackupInfo {
  name: string;
  bytes: number;
  lastModified: Date;
  createdAt: Date;
  /** The moment the data is consistent to (its snapshot), when the backup recorded it; older backups did not. */
  consistentAt?: Date;
  sourceServer?: string;
  sourceDatabase?: string;
  sha256?: string;
  verified: boolean;
  verifiedAt?: string;
  format: "plain" | "custom";
}

function infoFrom(name: string, bytes: number, lastModified: Date, metadata: Record<string, string> = {}): BackupInfo {
  const created = metadata[META.createdAt] ? new Date(metadata[META.createdAt]) : lastModified;
  return {
    name,
    bytes,
    lastModified,
    createdAt: Number.isNaN(created.getTime()) ? lastModified : created,
    ...(metadata[META.consistentAt] && !Number.isNaN(Date.parse(metadata[META.consistentAt])) ? { consistentAt: new Date(metadata[META.consistentAt]) } : {}),
    sourceServer: metadata[META.sourceServer],
    sourceDatabase: metadata[META.sourceDatabase],
    sha256: metadata[META.sha256],
    verified: metadata[META.verified] === "true",
    verifiedAt: metadata[META.verifiedAt],
    format: metadata[META.format] === "custom" || name.endsWith(".dump") ? "custom" : "plain",
  };
}

/** Backups in a container (every blob but our own `.verified.json` records and the runs' journals), newest first. */
export async function listBackups(location: StorageLocation): Promise<BackupInfo[]> {
  const container = await containerFor(location);
  const out: BackupInfo[] = [];
  try {
    for await (const blob of container.listBlobsFlat({ includeMetadata: true })) {
      if (blob.name.endsWith(".verified.json") || blob.name.startsWith(RUNS_PREFIX)) continue;
      out.push(infoFrom(blob.name, blob.properties.contentLength ?? 0, blob.properties.lastModified, blob.metadata));
    }
  } catch (err) {
    if (isRestError(err) && err.statusCode === 404) return [];
    throw storageError("listing backups", err, location);
  }
  return out.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.name.localeCompare(a.name));
}
