/**
 * The work folder of a local environment (`.drill-work/<name>/`) and its lock file. A folder left
 * by a killed drill (its lock names a process that is gone) is cleaned on the next run: every
 * PostgreSQL server in it is stopped and the Azurite it recorded is ended, then it is deleted.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { RefusedError } from "../../errors";
import { PgCluster, handToServerUser } from "../../pg/cluster";
import { PROJECT_ROOT } from "../../config/stackfile";

/** Default parent of work folders; ignored by git. */
export const DEFAULT_WORK_ROOT = path.join(PROJECT_ROOT, ".drill-work");
export const LOCK_FILE = "drill.lock.json";

export interface LockInfo {
  pid: number;
  startedAt: string;
  /** Azurite blob ports started for this folder, so a stale one can be found and ended. */
  azuritePorts: number[];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class WorkFolder {
  private lock: LockInfo;

  private constructor(readonly dir: string) {
    this.lock = { pid: process.pid, startedAt: new Date().toISOString(), azuritePorts: [] };
  }

  /**
   * Take the folder `<root>/<name>`. Refuses when a live process holds it; cleans it when the
   * holder is gone. `log` reports what was cleaned.
   */
  static async claim(name: string, root: string = DEFAULT_WORK_ROOT, log: (line: string) => void = () => undefined): Promise<WorkFolder> {
    const dir = path.join(root, name);
    const stale = readLock(dir);
    if (stale && stale.pid !== process.pid && isAlive(stale.pid)) {
      throw new RefusedError(
        `the work folder ${dir} is in use by process ${stale.pid} (a drill started ${stale.startedAt})`,
        "wait for that drill to finish, or stop it with Ctrl-C; a killed drill's folder is cleaned automatically",
      );
    }
    if (existsSync(dir)) {
      const cleaned = await cleanFolder(dir, stale);
      log(`cleaned a work folder left by an interrupted drill: ${dir}${cleaned.length ? ` (${cleaned.join(", ")})` : ""}`);
    }
    mkdirSync(dir, { recursive: true });
    handToServerUser(root);
    const folder = new WorkFolder(dir);
    folder.writeLock();
    return folder;
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  /** A sub-folder the server user owns. */
  serverFolder(...parts: string[]): string {
    const dir = this.path(...parts);
    mkdirSync(dir, { recursive: true });
    handToServerUser(dir);
    return dir;
  }

  recordAzurite(port: number): void {
    this.lock.azuritePorts.push(port);
    this.writeLock();
  }

  /** Delete the folder (everything in it must be stopped; a server's last files are retried a few times). */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }

  private writeLock(): void {
    writeFileSync(path.join(this.dir, LOCK_FILE), JSON.stringify(this.lock, null, 2));
  }
}

function readLock(dir: string): LockInfo | undefined {
  const file = path.join(dir, LOCK_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LockInfo;
  } catch {
    return undefined;
  }
}

/** Data folders (with a postmaster.pid) up to three levels down. */
function runningDataDirs(dir: string, depth = 3): string[] {
  if (depth < 0 || !existsSync(dir)) return [];
  if (existsSync(path.join(dir, "postmaster.pid"))) return [dir];
  let entries: string[];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
  return entries.flatMap((e) => runningDataDirs(path.join(dir, e), depth - 1));
}

/** Azurite processes listening on a recorded port: matched by their exact command line, one pid each. */
function azuritePids(port: number): number[] {
  const pids: number[] = [];
  for (const entry of existsSync("/proc") ? readdirSync("/proc") : []) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const i = argv.indexOf("--blobPort");
      if (i > 0 && argv[i + 1] === String(port) && argv.some((a) => a.includes("azurite"))) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

async function cleanFolder(dir: string, lock: LockInfo | undefined): Promise<string[]> {
  const cleaned: string[] = [];
  for (const dataDir of runningDataDirs(dir)) {
    // the port does not matter to pg_ctl stop
    await PgCluster.adopt(dataDir, 0).stop("immediate").catch(() => undefined);
    cleaned.push(`stopped PostgreSQL in ${path.relative(dir, dataDir)}`);
  }
  for (const port of lock?.azuritePorts ?? []) {
    for (const pid of azuritePids(port)) {
      try {
        process.kill(pid, "SIGKILL");
        cleaned.push(`ended Azurite (pid ${pid}, port ${port})`);
      } catch {
        // already gone
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return cleaned;
}
