/**
 * A local Azurite blob service (the npm package, not Docker): storage for tests, the local
 * platform and the README's examples. In memory unless a folder is given.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import { freePort, portInUse } from "../pg/cluster";
import { ToolError } from "../errors";

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** How long startAzurite waits for the port to answer. */
const AZURITE_START_TIMEOUT_MS = 30_000;

export interface AzuriteOptions {
  /** @default a free loopback port */
  port?: number;
  /** Folder for persistent data. @default in memory (data is lost on stop) */
  location?: string;
}

export interface AzuriteHandle {
  /** Connection string for the blob endpoint (development account). */
  connectionString: string;
  port: number;
  /** Azurite's process id (the benchmark reads its CPU time). */
  pid: number;
  /** Kill Azurite (and its children); resolves when it has exited. */
  stop(): Promise<void>;
}

function azuriteConnectionString(port: number, host = "127.0.0.1"): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `BlobEndpoint=http://${host}:${port}/${AZURITE_ACCOUNT};`
  );
}

function azuriteBin(): string {
  // node_modules/.bin/azurite-blob of this project, whether run from source or elsewhere.
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, "node_modules", ".bin", "azurite-blob");
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new ToolError("azurite-blob was not found in node_modules/.bin", "run npm ci in the project folder (azurite is a dependency)");
}

/** Start Azurite's blob service on 127.0.0.1 and wait until it accepts connections. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteHandle> {
  const port = options.port ?? (await freePort());
  const args = ["--blobHost", "127.0.0.1", "--blobPort", String(port), "--skipApiVersionCheck", "--disableTelemetry", "--silent", "--loose"];
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push("--location", options.location);
  } else {
    args.push("--inMemoryPersistence");
  }
  // detached: its own process group, so stop() can end it and anything it spawned.
  const child = spawn(azuriteBin(), args, { stdio: ["ignore", "ignore", "pipe"], detached: true });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let dead = false;
  void exited.then(() => (dead = true));

  const deadline = Date.now() + AZURITE_START_TIMEOUT_MS;
  while (!(await portInUse(port))) {
    if (dead || Date.now() > deadline) {
      killGroup(child);
      throw new ToolError(`Azurite did not start on port ${port}`, "is the port taken? try another --port", stderr.trim());
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    connectionString: azuriteConnectionString(port),
    port,
    pid: child.pid ?? 0,
    stop: async () => {
      if (dead) return;
      killGroup(child);
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
