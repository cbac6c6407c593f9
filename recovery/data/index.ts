/** The data tools: backup, restore, compare, validate, storage, tunnel. Runbooks reach them through runbook/data-tools.ts. */
export { backupToBlob } from "./backup";
export { restoreFromBlob } from "./restore";
export { compareDatabases } from "./compare";
export { validateHealth } from "./validate";
export { listBackups } from "./storage";
export { backupName } from "./names";
export type * from "./types";
