/**
 * What a GET answers for each resource of the simulated Azure, in ARM's shapes (examples of
 * azure-rest-api-specs, PostgreSQL 2025-08-01, Monitor diagnostic settings and action groups
 * 2021-09-01, locks 2020-05-01), and a server's GET as azure-native's import turns it into inputs.
 * The HTTP front end sends these bodies; the fake engine imports from the same ones.
 */
import { AzureState, lastSegment, SimGeneric, SimServer, SimSetting, str } from "./state";

type Json = Record<string, unknown>;

/** A flexible server's GET (2025-08-01). `state` is what the poll reported. */
export function serverBody(azure: AzureState, s: SimServer, state = s.state): Json {
  const properties: Json = {
    administratorLogin: s.adminLogin,
    authConfig: { activeDirectoryAuth: "Disabled", passwordAuth: "Enabled" },
    availabilityZone: s.availabilityZone,
    backup: { backupRetentionDays: s.backupRetentionDays, earliestRestoreDate: new Date(Date.now() - 86_400_000).toISOString(), geoRedundantBackup: s.geoRedundantBackup },
    dataEncryption: { type: "SystemManaged" },
    fullyQualifiedDomainName: `${s.name}.postgres.database.azure.com`,
    maintenanceWindow: { customWindow: "Disabled", dayOfWeek: 0, startHour: 0, startMinute: 0 },
    minorVersion: "8",
    network: {
      publicNetworkAccess: s.network.publicNetworkAccess,
      delegatedSubnetResourceId: azure.spelled(s.network.delegatedSubnetResourceId),
      privateDnsZoneArmResourceId: azure.spelled(s.network.privateDnsZoneArmResourceId),
    },
    privateEndpointConnections: [],
    replica: { capacity: 5, role: "Primary" },
    replicaCapacity: 5,
    replicationRole: "Primary",
    state,
    storage: { storageSizeGB: s.storageSizeGB, autoGrow: "Disabled", iops: 500, tier: "P10", type: "Premium_LRS" },
    version: s.version,
  };
  if (s.highAvailability !== undefined) {
    properties.highAvailability = { mode: s.highAvailability, standbyAvailabilityZone: "", state: s.highAvailability === "Disabled" ? "NotEnabled" : "Healthy" };
  }
  return {
    name: s.name,
    type: "Microsoft.DBforPostgreSQL/flexibleServers",
    id: s.id,
    location: s.location,
    properties,
    sku: { name: s.skuName, tier: s.skuTier },
    systemData: { createdAt: new Date().toISOString() },
  };
}

/** Read-only properties of a server's GET, which azure-native's `ResponseToSdkInputs` leaves out. */
const SERVER_READ_ONLY = ["fullyQualifiedDomainName", "minorVersion", "privateEndpointConnections", "replica", "replicaCapacity", "state"];

/**
 * A server's GET as azure-native's `ResponseToSdkInputs` turns it into inputs: every property a
 * real GET returns that is an input of the SDK (read-only ones left out), with the ids it was
 * created with spelled as Azure spells them. The path values (serverName, resourceGroupName)
 * come from the id, not from here.
 */
export function serverInputs(azure: AzureState, s: SimServer): Json {
  const body = serverBody(azure, s);
  const props = structuredClone(body.properties) as Json;
  for (const k of SERVER_READ_ONLY) delete props[k];
  delete (props.backup as Json).earliestRestoreDate;
  delete (props.storage as Json).iops;
  if (props.highAvailability) delete (props.highAvailability as Json).state;
  return { location: body.location, sku: body.sku, ...props };
}

export function databaseBody(s: SimServer, name: string): Json {
  return { name, type: "Microsoft.DBforPostgreSQL/flexibleServers/databases", id: `${s.id}/databases/${name}`, properties: { charset: "UTF8", collation: "en_US.utf8" } };
}

export function configurationBody(p: { name: string; value: string; source: string; pendingRestart: boolean; dynamic: boolean }, s: SimServer, defaultValue: string): Json {
  return {
    name: p.name,
    type: "Microsoft.DBforPostgreSQL/flexibleServers/configurations",
    id: `${s.id}/configurations/${p.name}`,
    properties: {
      description: `the ${p.name} parameter`,
      allowedValues: "",
      dataType: "String",
      defaultValue,
      isConfigPendingRestart: p.pendingRestart,
      isDynamicConfig: p.dynamic,
      isReadOnly: false,
      source: p.source,
      value: p.value,
    },
  };
}

/**
 * A diagnostic setting's GET as inputs: its body (workspace, logs, metrics), not its path values
 * (resourceUri, name), which azure-native takes from the id. Azure adds a retention policy to each log.
 */
export function settingInputs(setting: SimSetting): Json {
  const body: Json = { ...setting.props };
  delete body.resourceUri;
  delete body.name;
  if (Array.isArray(body.logs)) body.logs = (body.logs as Json[]).map((l) => ({ ...l, retentionPolicy: { days: 0, enabled: false } }));
  return body;
}

/** A diagnostic setting's GET: its inputs, Azure's retention policy on each metric too. */
export function settingBody(setting: SimSetting): Json {
  const properties = settingInputs(setting);
  if (Array.isArray(properties.metrics)) properties.metrics = (properties.metrics as Json[]).map((m) => ({ retentionPolicy: { enabled: false, days: 0 }, ...m }));
  return { id: setting.id, type: "Microsoft.Insights/diagnosticSettings", name: setting.name, properties };
}

const RECEIVER_LISTS = [
  "emailReceivers",
  "smsReceivers",
  "webhookReceivers",
  "itsmReceivers",
  "azureAppPushReceivers",
  "automationRunbookReceivers",
  "voiceReceivers",
  "logicAppReceivers",
  "azureFunctionReceivers",
  "armRoleReceivers",
  "eventHubReceivers",
] as const;

/** An action group's GET (Monitor 2021-09-01: receivers under properties), from the inputs it was declared with. */
export function actionGroupBody(azure: AzureState, g: SimGeneric): Json {
  const rg = str(g.props.resourceGroupName) ?? "";
  const name = str(g.props.actionGroupName) ?? lastSegment(g.id);
  const properties: Json = { groupShortName: str(g.props.groupShortName) ?? name.slice(0, 12), enabled: g.props.enabled !== false };
  for (const list of RECEIVER_LISTS) properties[list] = Array.isArray(g.props[list]) ? g.props[list] : [];
  // an action group the fake engine seeded has the id the engine made up; Azure's is built from its names
  const id = /\/providers\/Microsoft\.Insights\/actionGroups\/[^/]+$/i.test(g.id) ? g.id : `/subscriptions/${azure.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Insights/actionGroups/${name}`;
  return {
    id,
    type: "Microsoft.Insights/ActionGroups",
    name,
    location: str(g.props.location) ?? "Global",
    tags: {},
    properties,
  };
}

/** A management lock's GET (2020-05-01). */
export function lockBody(g: SimGeneric): Json {
  return { id: g.id, type: "Microsoft.Authorization/locks", name: str(g.props.lockName) ?? lastSegment(g.id), properties: { level: str(g.props.level) ?? "NotSpecified", notes: str(g.props.notes) ?? "", owners: [] } };
}
