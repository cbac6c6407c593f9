/**
 * Azure resource ids built from names. The live server's id must be known before it exists
 * (a revive names the deleted server by its id), so ids are computed, never read back.
 */
import type { Settings } from "./config";

/** Id of a resource in a resource group: `/subscriptions/<s>/resourceGroups/<rg>/providers/<provider>/<type>/<name>...`. */
function armId(subscriptionId: string, resourceGroupName: string, provider: string, ...typeAndNames: string[]): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/${provider}/${typeAndNames.join("/")}`;
}

/** Azure resource id of a flexible server in the stack's resource group. */
export function flexibleServerId(subscriptionId: string, resourceGroupName: string, serverName: string): string {
  return armId(subscriptionId, resourceGroupName, "Microsoft.DBforPostgreSQL", "flexibleServers", serverName);
}

/** Id of a diagnostic setting on a resource (Azure keeps these after the resource is deleted). */
export function diagnosticSettingId(resourceId: string, settingName: string): string {
  return `${resourceId}/providers/Microsoft.Insights/diagnosticSettings/${settingName}`;
}

/** The ids the program needs, for one stack in one subscription. */
export interface StackIds {
  subscriptionId: string;
  /** The live flexible server (also the source of revives and PTR copies). */
  serverId: string;
  /** The cluster's delegated Postgres subnet. */
  delegatedSubnetId: string;
  /** The private DNS zone the servers register in. */
  privateDnsZoneId: string;
  /** The Log Analytics workspace (when monitoring is enabled). */
  workspaceId: string;
  /** The diagnostic setting on the live server, by its configured name. */
  diagnosticSettingId: string;
  /** The backup storage account (its delete lock's scope). */
  storageAccountId: string;
}

/** Every id of one stack, built once from its settings (the program and its components read these). */
export function stackIds(s: Settings, subscriptionId: string): StackIds {
  const serverId = flexibleServerId(subscriptionId, s.resourceGroupName, s.database.serverName);
  return {
    subscriptionId,
    serverId,
    delegatedSubnetId: armId(
      subscriptionId,
      s.network.vnetResourceGroupName,
      "Microsoft.Network",
      "virtualNetworks",
      s.network.vnetName,
      "subnets",
      s.network.subnetName,
    ),
    privateDnsZoneId: armId(
      subscriptionId,
      s.network.privateDnsZoneResourceGroupName,
      "Microsoft.Network",
      "privateDnsZones",
      s.network.privateDnsZoneName,
    ),
    workspaceId: armId(subscriptionId, s.resourceGroupName, "Microsoft.OperationalInsights", "workspaces", s.monitoring.workspaceName),
    diagnosticSettingId: diagnosticSettingId(serverId, s.monitoring.diagnosticSettingName),
    storageAccountId: armId(subscriptionId, s.resourceGroupName, "Microsoft.Storage", "storageAccounts", s.backup.storageAccountName),
  };
}
