/** The data tools as the runbooks see them (DataTools), built from the modules beside this file. */
import type { DataTools } from "../runbook/ports";
import { backupToBlob } from "./backup";
import { compareDatabases } from "./compare";
import { restoreFromBlob } from "./restore";
import { listBackups } from "./storage";
import type { ProgressFn } from "./streams";
import { validateHealth, type ValidateOptions } from "./validate";

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
      return { name: r.name, bytes: r.bytes, sha256: r.sha256 };
    },
    restore: async (storage, name, target) => {
      const r = await restoreFromBlob(storage, name, target, { onProgress: options.onProgress, signal: options.signal, jobs: options.restoreJobs });
      return { name: r.name, bytes: r.bytes };
    },
    latestBackup: async (storage) => (await listBackups(storage))[0]?.name,
    compare: (a, b) => compareDatabases(a, b),
    validate: (targets) => validateHealth(targets, options.validate),
  };
}

export { backupToBlob } from "./backup";
export { restoreFromBlob } from "./restore";
export { compareDatabases } from "./compare";
export { validateHealth } from "./validate";
export { listBackups } from "./storage";
export { backupName } from "./names";
