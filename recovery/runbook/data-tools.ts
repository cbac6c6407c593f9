/** The data tools as the runbooks see them (DataTools): the adapter lives with the runbooks, so recovery/data knows nothing of runbooks. */
import { backupToBlob } from "../data/backup";
import { compareDatabases } from "../data/compare";
import { copyIntoDatabase } from "../data/copy-into";
import { restoreFromBlob } from "../data/restore";
import { restoreSurgical } from "../data/surgical";
import { planSurgical } from "../data/surgical-plan";
import { listBackups } from "../data/storage";
import type { ProgressFn } from "../data/streams";
import { validateHealth, type ValidateOptions } from "../data/validate";
import type { DataTools } from "./ports";
import { fetchRun, syncRun } from "./run-store";

export interface DataToolsOptions {
  onProgress?: ProgressFn;
  /** Aborts running dumps, uploads and restores (Ctrl-C). */
  signal?: AbortSignal;
  validate?: ValidateOptions;
  /** Custom archives: parallel restore jobs. @default 1 */
  restoreJobs?: number;
}

export function createDataTools(options: DataToolsOptions = {}): DataTools {
  return {
    backup: async (source, storage, request) => {
      const r = await backupToBlob(source, storage, request.name, { format: request.format, onProgress: options.onProgress, signal: options.signal });
      return { name: r.name, bytes: r.bytes, sha256: r.sha256, ...(r.consistentAt ? { consistentAt: r.consistentAt } : {}) };
    },
    restore: async (storage, name, target) => {
      const r = await restoreFromBlob(storage, name, target, { onProgress: options.onProgress, signal: options.signal, jobs: options.restoreJobs });
      return { name: r.name, bytes: r.bytes, ...(r.consistentAt ? { consistentAt: r.consistentAt } : {}) };
    },
    copyInto: async (source, storage, request, target) => (await copyIntoDatabase(source, storage, request.name, target, { onProgress: options.onProgress, signal: options.signal })).backup,
    planSurgical: async (live, copy, way, tables) => (await planSurgical(live, copy, way, tables)).plan,
    restoreSurgical: (copy, live, plan) => restoreSurgical(copy, live, plan, { signal: options.signal }),
    latestBackup: async (storage) => (await listBackups(storage))[0]?.name,
    compare: (a, b) => compareDatabases(a, b),
    validate: (targets) => validateHealth(targets, options.validate),
    runs: { sync: syncRun, fetch: fetchRun },
  };
}
