/**
 * Keeps a run's journal and recovery config in the run store (run-store.ts) as the run goes, and
 * brings it back for a resume from another checkout. A failed copy warns and never stops the run:
 * the local journal is still written, and the warning says the run can only be resumed from here.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import type { StackName } from "../../infra/config";
import { readStackConfigSnapshot, saveStackConfigSnapshot, type RestoredKey, type StackConfigSnapshot } from "./stack-config";
import { applyPatch, secretEntries, withoutSecrets } from "../ops/apply";
import { RECOVERY_OWNED_KEYS, type ConfigPatch } from "../ops/operations";
import type { StackPort } from "../stack/port";
import type { StorageLocation } from "../data/types";
import { UsageError } from "../errors";
import { Journal } from "./journal";
import type { RunEvent } from "./run-model";
import { configDifferences, readLocalRun, writeFetchedRun, type RunStore } from "./run-store";
import { checkSnapshot } from "./snapshot-check";
import { PROJECT_ROOT } from "../config/stackfile";

export interface RunKeeperOptions {
  /** undefined: the data tools keep no store (a run lives only in its checkout). */
  store?: RunStore;
  storage: StorageLocation;
  stack: StackName;
  stateDir: string;
  log: (line: string) => void;
}

const show = (v: unknown) => (v === undefined ? "absent" : JSON.stringify(v));

export class RunKeeper {
  private queue: Promise<void> = Promise.resolve();
  private warned = false;
  /** The config the store gave back on a fetch, for the comparison with the checkout. */
  private fetchedConfig?: StackConfigSnapshot;

  /** The stack, once open: its config is what a run leaves (the Automation API keeps it in the checkout's stack file). */
  port?: StackPort;

  constructor(private readonly o: RunKeeperOptions) {}

  /** The recovery-owned keys as the stack holds them now, without secrets. */
  private async snapshot(port: StackPort): Promise<StackConfigSnapshot> {
    const values: Record<string, unknown> = {};
    for (const key of RECOVERY_OWNED_KEYS) {
      const value = await port.getConfig(key);
      if (value === undefined) continue;
      values[key] = withoutSecrets(key, value);
    }
    return { stack: this.o.stack, takenAt: new Date().toISOString(), values };
  }

  private dir(runId: string): string {
    return new Journal(this.o.stateDir, this.o.stack, runId).dir;
  }

  /** A resume of a run that is not in this checkout: take it from the store. "absent" leaves the journal to say there is no such run. */
  async fetchIfMissing(runId: string): Promise<"local" | "fetched" | "absent"> {
    const dir = this.dir(runId);
    if (existsSync(path.join(dir, "run.json"))) return "local";
    if (!this.o.store) return "absent";
    let stored: Awaited<ReturnType<RunStore["fetch"]>>;
    try {
      stored = await this.o.store.fetch(this.o.storage, this.o.stack, runId);
    } catch (err) {
      // a mistyped id, or a machine without storage access: the journal then says there is no such run here
      this.o.log(`run ${runId} is not in this checkout, and the backup container could not be asked for it: ${(err as Error).message.split("\n")[0]}`);
      return "absent";
    }
    if (!stored) return "absent";
    writeFetchedRun(dir, stored);
    this.fetchedConfig = stored.config;
    this.o.log(`run ${runId} is not in this checkout: taken from the backup container (${stored.records.length} journal records) into ${dir}`);
    return "fetched";
  }

  /** The run's last kept config: the store's, else the run folder's. */
  private async lastConfig(runId: string): Promise<StackConfigSnapshot | undefined> {
    const stored = this.fetchedConfig ?? (this.o.store ? (await this.o.store.fetch(this.o.storage, this.o.stack, runId).catch(() => undefined))?.config : undefined);
    const last = stored ?? readStackConfigSnapshot(this.dir(runId));
    // checked as an imported journal's is: only recovery-owned keys, no secret, values the config model accepts
    return last && checkSnapshot(JSON.stringify(last), `the recovery config kept for run ${runId}`, this.o.stack, PROJECT_ROOT);
  }

  /**
   * Before a resume does anything: the checkout's stack file must hold the recovery keys the run
   * left (a `git checkout .` or another machine's checkout does not). Refused naming each key,
   * unless `adopt` is set, when the run's values are written into the stack file.
   */
  async checkCheckout(port: StackPort, runId: string, adopt: boolean, resumeHint: string): Promise<RestoredKey[]> {
    const last = await this.lastConfig(runId);
    if (!last) return [];
    const differences = configDifferences(last, await this.snapshot(port));
    if (differences.length === 0) return [];
    if (!adopt) {
      throw new UsageError(
        `this checkout's Pulumi.${this.o.stack}.yaml does not hold what run ${runId} left (${last.takenAt}): ${differences.map((d) => `${d.key} is ${show(d.checkout)} here, ${show(d.run)} in the run`).join("; ")}; resuming from it would undo the steps already done, so nothing was changed`,
        `take the run's values into this checkout: ${resumeHint} --adopt-run-config (or resume from the checkout the run started in)`,
    );
    }
    // the run's values, key by key; secrets the stack holds now stay (a snapshot never has them)
    const patch: ConfigPatch = {};
    for (const d of differences) {
      let value = d.run;
      const secrets = secretEntries(d.key, d.checkout);
      if (Object.keys(secrets).length > 0) value = { ...((value ?? {}) as Record<string, unknown>), ...secrets };
      patch[d.key] = value as ConfigPatch[string];
    }
    await applyPatch(port, patch);
    return differences.map((d) => ({ key: d.key, from: d.checkout, to: d.run }));
  }

  /** Keep the run after it starts and after each step (in order, one copy at a time). */
  onEvent(e: RunEvent): void {
    if (e.type !== "run-start" && e.type !== "step-end") return;
    const runId = e.runId;
    this.queue = this.queue.then(() => this.sync(runId));
  }

  private async sync(runId: string): Promise<void> {
    const dir = this.dir(runId);
    try {
      if (!this.port) return;
      const config = await this.snapshot(this.port);
      // beside the journal too: a resume from this checkout compares with it when the store cannot be read
      saveStackConfigSnapshot(dir, config);
      if (this.o.store) await this.o.store.sync(this.o.storage, this.o.stack, runId, readLocalRun(dir, config));
    } catch (err) {
      if (this.warned) return;
      this.warned = true;
      this.o.log(`WARNING: run ${runId} could not be kept in the backup container (${(err as Error).message.split("\n")[0]}): it can be resumed only from this checkout until a later step's copy succeeds`);
    }
  }

  /** Wait for the copies still being made. */
  flush(): Promise<void> {
    return this.queue;
  }
}
