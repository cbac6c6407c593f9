/**
 * Local PostgreSQL clusters from Debian's binaries: the throwaway servers of the tests and the
 * "live server" and copies of the local platform. initdb and postgres refuse to run as root, so
 * as root every server command runs through `runuser -u postgres --`, and that user owns the folder.
 */
import { spawn, execFileSync } from "node:child_process";
import { existsSync, readdirSync, chownSync, mkdirSync, rmSync, appendFileSync, statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ToolError, UsageError } from "../errors";

const SERVER_USER = "postgres";

/** The folder with the newest PostgreSQL server binaries, Debian's layout first, then PATH. */
export function pgBinDir(): string {
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v) && existsSync(path.join(debian, v, "bin", "pg_ctl")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return path.join(debian, versions[0], "bin");
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, "pg_ctl"))) return dir;
  }
  throw new UsageError(
    "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found",
    "install Debian's PostgreSQL: apt-get update && apt-get install -y postgresql",
  );
}

export function pgBin(name: string): string {
  return path.join(pgBinDir(), name);
}

const isRoot = (): boolean => typeof process.getuid === "function" && process.getuid() === 0;

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something already listens on a loopback port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a server-side binary as the PostgreSQL user (through runuser when we are root). No shell. */
export function runAsServerUser(command: string, args: readonly string[], options: { cwd?: string } = {}): Promise<RunResult> {
  const [cmd, argv] = isRoot() ? ["runuser", ["-u", SERVER_USER, "--", command, ...args]] : [command, [...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: options.cwd ?? os.tmpdir(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Give the server user a folder (and make its parents passable) when we are root. */
export function handToServerUser(dir: string): void {
  if (!isRoot()) return;
  const uid = Number(execUserId("-u"));
  const gid = Number(execUserId("-g"));
  chownRecursive(dir, uid, gid);
}

/** The server user's ids, asked once per process. */
const userIds = new Map<"-u" | "-g", string>();

function execUserId(flag: "-u" | "-g"): string {
  let id = userIds.get(flag);
  if (id === undefined) {
    // id is in coreutils; reading /etc/passwd ourselves would miss NSS.
    id = execFileSync("id", [flag, SERVER_USER], { encoding: "utf8" }).trim();
    userIds.set(flag, id);
  }
  return id;
}

function chownRecursive(target: string, uid: number, gid: number): void {
  chownSync(target, uid, gid);
  if (statSync(target).isDirectory()) {
    for (const entry of readdirSync(target)) chownRecursive(path.join(target, entry), uid, gid);
  }
}

export interface ClusterOptions {
  /** Data folder; created by initdb. */
  dataDir: string;
  /** @default a free loopback port */
  port?: number;
  /** Extra postgresql.conf lines (archive settings, recovery targets, ...). */
  settings?: Record<string, string | number | boolean>;
  /** Extra initdb arguments (e.g. `--wal-segsize=1` for small WAL files). @default none */
  initdbArgs?: readonly string[];
}

function confLine(key: string, value: string | number | boolean): string {
  return typeof value === "string" ? `${key} = '${value.replace(/'/g, "''")}'` : `${key} = ${String(value)}`;
}

/** One PostgreSQL server on 127.0.0.1, trust authentication, superuser `postgres`. */
export class PgCluster {
  private constructor(
    public readonly dataDir: string,
    public readonly port: number,
  ) {}

  get logFile(): string {
    return path.join(path.dirname(this.dataDir), `${path.basename(this.dataDir)}.log`);
  }

  /** Connection URL (no password: trust on loopback). */
  url(database = "postgres"): string {
    return `postgres://${SERVER_USER}@127.0.0.1:${this.port}/${database}`;
  }

  /** initdb a new cluster (not started). */
  static async init(options: ClusterOptions): Promise<PgCluster> {
    const port = options.port ?? (await freePort());
    const parent = path.dirname(options.dataDir);
    mkdirSync(parent, { recursive: true });
    handToServerUser(parent);
    const res = await runAsServerUser(pgBin("initdb"), [
      "-D", options.dataDir, "-U", SERVER_USER, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync",
      ...(options.initdbArgs ?? []),
    ]);
    if (res.code !== 0) throw new ToolError(`initdb failed for ${options.dataDir}`, undefined, res.stderr.trim());
    const cluster = new PgCluster(options.dataDir, port);
    cluster.configure({
      listen_addresses: "127.0.0.1",
      port,
      unix_socket_directories: parent,
      fsync: "off",
      max_connections: 50,
      shared_buffers: "64MB",
      ...options.settings,
    });
    return cluster;
  }

  /** Use an existing data folder (a restored copy) on a port. */
  static adopt(dataDir: string, port: number): PgCluster {
    return new PgCluster(dataDir, port);
  }

  /** Append settings to postgresql.conf (later lines win). */
  configure(settings: Record<string, string | number | boolean>): void {
    const lines = Object.entries(settings).map(([k, v]) => confLine(k, v));
    appendFileSync(path.join(this.dataDir, "postgresql.conf"), "\n" + lines.join("\n") + "\n");
    handToServerUser(path.join(this.dataDir, "postgresql.conf"));
  }

  async start(): Promise<void> {
    const res = await runAsServerUser(pgBin("pg_ctl"), ["-D", this.dataDir, "-l", this.logFile, "-w", "-t", "120", "start"]);
    if (res.code !== 0) {
      throw new ToolError(`PostgreSQL did not start on port ${this.port}`, `see its log: ${this.logFile}`, (res.stderr + res.stdout).trim());
    }
  }

  async stop(mode: "fast" | "immediate" = "fast"): Promise<void> {
    if (!existsSync(path.join(this.dataDir, "postmaster.pid"))) return;
    await runAsServerUser(pgBin("pg_ctl"), ["-D", this.dataDir, "-m", mode, "-w", "-t", "60", "stop"]);
  }

  async isRunning(): Promise<boolean> {
    const res = await runAsServerUser(pgBin("pg_ctl"), ["-D", this.dataDir, "status"]);
    return res.code === 0;
  }

  /** Stop and delete the data folder and log. */
  async destroy(): Promise<void> {
    await this.stop("immediate").catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
    rmSync(this.logFile, { force: true });
  }
}

/** A throwaway folder the server user can write to. */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  handToServerUser(dir);
  return dir;
}

/** Start a throwaway cluster in a new temp folder. `dispose()` stops it and deletes everything. */
export async function startThrowawayCluster(
  settings: Record<string, string | number | boolean> = {},
): Promise<{ cluster: PgCluster; dir: string; dispose: () => Promise<void> }> {
  const dir = await makeTempDir("aytq-pg-");
  const cluster = await PgCluster.init({ dataDir: path.join(dir, "data"), settings });
  await cluster.start();
  return {
    cluster,
    dir,
    dispose: async () => {
      await cluster.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
