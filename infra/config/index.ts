/**
 * The config model: the contract between the Pulumi program and the recovery driver.
 *
 * Every key lives in the `aytq` namespace of a stack's config. Top-level keys are objects
 * (`aytq:database`, `aytq:app`, ...) so that the driver can change one field with a path
 * (`app.stopped`, `recovery.mode`) and nothing else. {@link parseSettings} validates the raw config
 * into a typed {@link Settings} object, once, reporting every problem at once with its path.
 * The program only reads Settings; the driver only changes keys described here.
 *
 * Where each part lives: names of stacks and modes (stacks.ts), defaults (defaults.ts), shared
 * field schemas (fields.ts), one schema per section (sections/), the root schema and its
 * cross-section checks (schema.ts), parsing into Settings (settings.ts), errors (errors.ts), raw
 * config and path editing (raw.ts, paths.ts), the reading of ISO times (time.ts), values derived
 * from settings (derived.ts, branch-protection.ts). Resource ids are built in infra/ids.ts.
 */
export * from "./stacks";
export * from "./defaults";
export { AZURE_SERVER_NAME } from "./fields";
/** One reading of ISO times for the config model and the recovery command (time.ts). */
export { isIsoUtc, readIsoTime, toIsoUtc } from "./time";
export type { HighAvailabilityMode, PostgresVersion, SkuTier } from "./sections/database";
export type { StorageReplication } from "./sections/backup";
export type { PipelineSettings } from "./sections/pipeline";
export type { PtrCopy } from "./sections/recovery";
export { type Settings, parsePipelineSettings, parseSettings } from "./settings";
export { ConfigError } from "./errors";
export type { RawConfig } from "./raw";
export { configPathLeaves, deleteConfigPath, parseConfigPath, readConfigPath, removeConfigPath, setConfigPath, writeConfigPath } from "./paths";
export { desiredReplicas, healthUrls, temporaryUrls } from "./derived";
export { type BranchProtectionRule, branchProtectionRule, requiredApprovals } from "./branch-protection";
