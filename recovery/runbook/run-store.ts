/**
 * A run's journal and its recovery config, kept where every operator can reach them: the stack's
 * own backup container, beside the backups, write-once. A recovery started from a laptop keeps its
 * state in that checkout (`.aytq-dr/` and the swapped `Pulumi.<stack>.yaml`), which another machine
 * cannot see and `git checkout .` loses without a word; the copy here lets `run --resume` continue
 * from any checkout, and shows when a checkout's stack file no longer holds what the run left.
 *
 * Layout, under `runs/<stack>/<run-id>/` (every blob written once, never replaced, as the container's
 * immutability policy requires):
 *   run.json              the run's scenario and inputs
 *   journal/<nnnn>.json   the n-th journal record
 *   config/<nnnn>.json    the stack's recovery-owned keys after the n-th record
 */
import type { ContainerClient } from "@azure/storage-blob";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { STACK_CONFIG_SNAPSHOT, type StackConfigSnapshot } from "./stack-config";
import { containerFor, RUNS_PREFIX, storageError } from "../data/storage";
import { isRestError } from "../util/rest-error";
import { ToolError, UsageError } from "../errors";
import type { StorageLocation } from "../data/types";

const pad = (n: number) => String(n).padStart(4, "0");

function runPrefix(stack: string, runId: string): string {
  return `${RUNS_PREFIX}${stack}/${runId}/`;
}

async function names(container: ContainerClient, prefix: string): Promise<Set<string>> {
  const out = new Set<string>();
  try {
    for await (const b of container.listBlobsFlat({ prefix })) out.add(b.name);
  } catch (err) {
    if (isRestError(err) && err.statusCode === 404) return out;
    throw err;
  }
  return out;
}

async function readText(container: ContainerClient, name: string): Promise<string> {
  return (await container.getBlockBlobClient(name).downloadToBuffer()).toString("utf8");
}

/** Write a blob once: an existing blob with the same bytes is fine (a sync repeated), different bytes are an error. */
async function writeOnce(container: ContainerClient, name: string, text: string): Promise<void> {
  const body = Buffer.from(text, "utf8");
  try {
    await container.getBlockBlobClient(name).uploadData(body, { conditions: { ifNoneMatch: "*" }, blobHTTPHeaders: { blobContentType: "application/json" } });
  } catch (err) {
    if (isRestError(err) && (err.statusCode === 409 || err.statusCode === 412)) {
      if ((await readText(container, name)) === text) return;
      throw new ToolError(`${name} already exists in the backup container with other content: a run's copy is write-once`, "look at both: another run may have used this id");
    }
    throw err;
  }
}

/** A run as the store gives it back. */
export interface StoredRun {
  runJson: string;
  records: string[];
  config?: StackConfigSnapshot;
}

/** The store as the runbooks see it (DataTools.runs); fakes keep it in memory. */
export interface RunStore {
  sync(storage: StorageLocation, stack: string, runId: string, local: LocalRun): Promise<number>;
  fetch(storage: StorageLocation, stack: string, runId: string): Promise<StoredRun | undefined>;
}

/** What a local run folder holds, as the store keeps it. */
export interface LocalRun {
  runJson: string;
  records: string[];
  /** The stack's recovery-owned keys now. */
  config: StackConfigSnapshot;
}

/**
 * Bring the store up to the local run: run.json, each journal record not yet there, and the
 * config when it differs from the last one stored. Resolves with the number of blobs written.
 */
export async function syncRun(storage: StorageLocation, stack: string, runId: string, local: LocalRun): Promise<number> {
  const container = await containerFor(storage);
  const prefix = runPrefix(stack, runId);
  try {
    const have = await names(container, prefix);
    let written = 0;
    // run.json is compared every time: another run under the same id (another checkout's) is never mixed in
    if (!have.has(`${prefix}run.json`)) written++;
    await writeOnce(container, `${prefix}run.json`, local.runJson);
    for (let i = 0; i < local.records.length; i++) {
      const name = `${prefix}journal/${pad(i + 1)}.json`;
      if (have.has(name)) continue;
      await writeOnce(container, name, local.records[i]);
      written++;
    }
    const configs = [...have].filter((n) => n.startsWith(`${prefix}config/`)).sort();
    const last = configs.length ? (JSON.parse(await readText(container, configs[configs.length - 1])) as StackConfigSnapshot) : undefined;
    if (!last || JSON.stringify(last.values) !== JSON.stringify(local.config.values)) {
      await writeOnce(container, `${prefix}config/${pad(local.records.length)}-${pad(configs.length + 1)}.json`, JSON.stringify(local.config, null, 2) + "\n");
      written++;
    }
    return written;
  } catch (err) {
    throw storageError(`keeping run ${runId} in the backup container`, err, storage);
  }
}

/** The stored run, or undefined when the store has none of that id. */
export async function fetchRun(storage: StorageLocation, stack: string, runId: string): Promise<StoredRun | undefined> {
  const container = await containerFor(storage);
  const prefix = runPrefix(stack, runId);
  try {
    const have = [...(await names(container, prefix))].sort();
    if (!have.includes(`${prefix}run.json`)) return undefined;
    const runJson = await readText(container, `${prefix}run.json`);
    const records: string[] = [];
    for (const name of have.filter((n) => n.startsWith(`${prefix}journal/`))) records.push((await readText(container, name)).trim());
    const configs = have.filter((n) => n.startsWith(`${prefix}config/`));
    const config = configs.length ? (JSON.parse(await readText(container, configs[configs.length - 1])) as StackConfigSnapshot) : undefined;
    return { runJson, records, ...(config ? { config } : {}) };
  } catch (err) {
    throw storageError(`reading run ${runId} from the backup container`, err, storage);
  }
}

/**
 * Put a stored run into a local run folder that does not exist yet (run.json, journal.jsonl and
 * the config snapshot); the journal's own checks then judge it like any other.
 */
export function writeFetchedRun(runDir: string, run: StoredRun): void {
  if (existsSync(path.join(runDir, "run.json"))) throw new UsageError(`${runDir} already holds a run`, "resume it from here, or remove the folder to take the stored copy");
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path.join(runDir, "run.json"), run.runJson, { flag: "wx" });
  writeFileSync(path.join(runDir, "journal.jsonl"), run.records.map((r) => r + "\n").join(""), { flag: "wx" });
  if (run.config) writeFileSync(path.join(runDir, STACK_CONFIG_SNAPSHOT), JSON.stringify(run.config, null, 2) + "\n", { flag: "wx" });
}

/** A local run folder as the store keeps it. */
export function readLocalRun(runDir: string, config: StackConfigSnapshot): LocalRun {
  const journal = path.join(runDir, "journal.jsonl");
  const records = existsSync(journal)
    ? readFileSync(journal, "utf8")
        .split("\n")
        .filter((l) => l.trim())
    : [];
  return { runJson: readFileSync(path.join(runDir, "run.json"), "utf8"), records, config };
}

/** The recovery-owned keys whose values differ between the run's last snapshot and a checkout's stack file. */
export function configDifferences(run: StackConfigSnapshot, checkout: StackConfigSnapshot): { key: string; run: unknown; checkout: unknown }[] {
  const keys = [...new Set([...Object.keys(run.values), ...Object.keys(checkout.values)])].sort();
  return keys.filter((k) => JSON.stringify(run.values[k]) !== JSON.stringify(checkout.values[k])).map((k) => ({ key: k, run: run.values[k], checkout: checkout.values[k] }));
}
