/**
 * What recovery asks Azure Resource Manager directly, outside Pulumi: whether what comes back with
 * a revived server (its database, a stale diagnostic setting) is there and under which exact id,
 * what the real server looks like (HA, SKU, storage, version, parameters), and the few changes
 * that converge it to what the stack declares. The real implementation is sdk.ts (the Azure SDK
 * clients and their pollers); tests use the simulated Azure in test/helpers/azure/, which the fake
 * engine shares.
 */

import type { AzurePermission } from "./permissions";

export type HighAvailabilityMode = "Disabled" | "SameZone" | "ZoneRedundant";

/** A flexible server as Azure reports it. */
export interface ServerFacts {
  /** The resource id exactly as Azure returns it. */
  id: string;
  name: string;
  /** Azure's `state` (Ready, Starting, Updating, ...); undefined when not reported. */
  state?: string;
  version: string;
  skuName: string;
  skuTier: string;
  storageSizeGB: number;
  highAvailability: HighAvailabilityMode;
}

/** A child resource (database, configuration, diagnostic setting) as Azure reports it. */
export interface ArmResource {
  /** The id exactly as Azure returns it (its case may differ from the one we build). */
  id: string;
  name: string;
}

export interface ConfigurationFacts extends ArmResource {
  value: string;
  /** `user-override` or `system-default`. */
  source?: string;
  /**
   * Azure's `isConfigPendingRestart`: the value is set but the server runs on the old one until it
   * restarts (a static parameter such as `max_connections`; ENGINE.md §12).
   */
  pendingRestart?: boolean;
}

/** The parts of a server that can be changed in place to converge it. */
export interface ServerPatch {
  highAvailability?: HighAvailabilityMode;
  skuName?: string;
  skuTier?: string;
  storageSizeGB?: number;
}

/** An Azure Monitor action group: who its alerts reach. Receivers are counted by kind; webhook URLs are secrets and never read out. */
export interface ActionGroupFacts extends ArmResource {
  enabled: boolean;
  /** The email receivers' addresses. */
  emailAddresses: string[];
  /** Receivers by kind (`email`, `sms`, `webhook`, `voice`, ...), only kinds that have some. */
  receivers: Record<string, number>;
}

/** A management lock as Azure reports it. */
export interface LockFacts extends ArmResource {
  /** `CanNotDelete`, `ReadOnly` or `NotSpecified`. */
  level: string;
}

/**
 * Azure, as recovery sees it. Every `get*` resolves undefined when Azure answers 404 and throws a
 * ToolError for any other failure. Long-running operations resolve when Azure reports them done.
 */
export interface AzureServerApi {
  getServer(resourceGroupName: string, serverName: string): Promise<ServerFacts | undefined>;
  getDatabase(resourceGroupName: string, serverName: string, databaseName: string): Promise<ArmResource | undefined>;
  getConfiguration(resourceGroupName: string, serverName: string, name: string): Promise<ConfigurationFacts | undefined>;
  /** Set a server parameter (`source: user-override`). */
  putConfiguration(resourceGroupName: string, serverName: string, name: string, value: string): Promise<void>;
  /** Restart the server (applies static parameters); resolves when Azure reports the restart done. */
  restartServer(resourceGroupName: string, serverName: string): Promise<void>;
  /** Change HA, SKU or storage in place. */
  updateServer(resourceGroupName: string, serverName: string, patch: ServerPatch): Promise<void>;
  /** Delete a server (the Azure drill's incident). */
  deleteServer(resourceGroupName: string, serverName: string): Promise<void>;
  /** A diagnostic setting on a resource. Azure's behaviour while that resource is deleted is undocumented: it may 404 or fail. */
  getDiagnosticSetting(resourceUri: string, name: string): Promise<ArmResource | undefined>;
  deleteDiagnosticSetting(resourceUri: string, name: string): Promise<void>;
  /** An action group (pre-flight: do the alerts reach anyone?). */
  getActionGroup(resourceGroupName: string, name: string): Promise<ActionGroupFacts | undefined>;
  /** A management lock on a resource, by the resource's id and the lock's name. */
  getLock(resourceId: string, lockName: string): Promise<LockFacts | undefined>;
  /** What the identity running this may do in a resource group (`Microsoft.Authorization/permissions`). */
  getPermissions(resourceGroupName: string): Promise<AzurePermission[]>;
}
