/** The run store (recovery/runbook/run-store.ts) in memory, write-once as the backup container is; one instance stands for one container. */
import type { RunStore, StoredRun } from "../../recovery/runbook/run-store";

export class MemoryRunStore implements RunStore {
  readonly stored = new Map<string, StoredRun>();
  readonly calls: string[] = [];
  /** Every call fails with this, as an unreachable storage account would. */
  down?: Error;

  async sync(...[, stack, runId, local]: Parameters<RunStore["sync"]>): Promise<number> {
    this.calls.push(`sync ${stack}/${runId} ${local.records.length}`);
    if (this.down) throw this.down;
    const have = this.stored.get(`${stack}/${runId}`);
    if (have && have.runJson !== local.runJson) throw new Error(`run.json of ${runId} already exists in the backup container with other content`);
    if (have && have.records.some((r, i) => r !== local.records[i])) throw new Error(`a stored record of ${runId} differs`);
    const configChanged = JSON.stringify(have?.config?.values) !== JSON.stringify(local.config.values);
    this.stored.set(`${stack}/${runId}`, { runJson: local.runJson, records: [...local.records], config: configChanged ? local.config : have?.config });
    return (have ? 0 : 1) + local.records.length - (have?.records.length ?? 0) + (configChanged ? 1 : 0);
  }

  async fetch(...[, stack, runId]: Parameters<RunStore["fetch"]>): Promise<StoredRun | undefined> {
    this.calls.push(`fetch ${stack}/${runId}`);
    if (this.down) throw this.down;
    return this.stored.get(`${stack}/${runId}`);
  }
}
