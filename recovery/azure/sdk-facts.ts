/**
 * The SDK's models as the facts AzureServerApi returns, and a ServerPatch as the SDK's body: pure,
 * every field Azure must give checked (a missing one is a ToolError naming it).
 */
import type { ActionGroupResource } from "@azure/arm-monitor";
import type { Server, ServerForPatch } from "@azure/arm-postgresql-flexible";
import { ToolError } from "../errors";
import type { ActionGroupFacts, ArmResource, HighAvailabilityMode, ServerFacts, ServerPatch } from "./arm";

const HA_MODES: readonly HighAvailabilityMode[] = ["Disabled", "SameZone", "ZoneRedundant"];

export function need<T>(value: T | undefined, field: string, target: string): T {
  if (value === undefined || value === null || value === "") {
    throw new ToolError(`Azure's answer for ${target} has no ${field}`, "run the command again; if it persists, look at the resource with az and report it");
  }
  return value;
}

export function armResource(r: { id?: string; name?: string }, target: string): ArmResource {
  return { id: need(r.id, "id", target), name: need(r.name, "name", target) };
}

/** The SDK's server model as ServerFacts: HA from highAvailability.mode (absent = Disabled). */
export function serverFacts(s: Server, target: string): ServerFacts {
  const mode = s.highAvailability?.mode ?? "Disabled";
  if (!(HA_MODES as readonly string[]).includes(mode)) {
    throw new ToolError(`Azure reports high availability "${mode}" for ${target}, which aytq-dr does not know`, `known modes: ${HA_MODES.join(", ")}; look at the server with az postgres flexible-server show`);
  }
  return {
    ...armResource(s, target),
    state: s.state,
    version: need(s.version, "version", target),
    skuName: need(s.sku?.name, "sku.name", target),
    skuTier: need(s.sku?.tier, "sku.tier", target),
    storageSizeGB: need(s.storage?.storageSizeGB, "storage.storageSizeGB", target),
    highAvailability: mode as HighAvailabilityMode,
  };
}

/** The parts of a resource id getAtResourceLevel takes: `.../resourceGroups/<rg>/providers/<namespace>/<parent path>/<type>/<name>`. */
export function parseResourceId(id: string): { resourceGroupName: string; providerNamespace: string; parentResourcePath: string; resourceType: string; resourceName: string } {
  const m = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/(.+)$/i.exec(id);
  const rest = m?.[3].split("/") ?? [];
  if (!m || rest.length < 2 || rest.length % 2 !== 0 || rest.some((p) => p === "")) {
    throw new ToolError(`not a resource id in a resource group: ${id}`, "give /subscriptions/<id>/resourceGroups/<rg>/providers/<namespace>/<type>/<name>");
  }
  return {
    resourceGroupName: m[1],
    providerNamespace: m[2],
    parentResourcePath: rest.slice(0, -2).join("/"),
    resourceType: rest[rest.length - 2],
    resourceName: rest[rest.length - 1],
  };
}

/** Receiver lists of an action group, by the kind we report them as. */
const RECEIVER_KINDS: readonly (readonly [keyof ActionGroupResource, string])[] = [
  ["emailReceivers", "email"],
  ["smsReceivers", "sms"],
  ["webhookReceivers", "webhook"],
  ["voiceReceivers", "voice"],
  ["azureAppPushReceivers", "app push"],
  ["itsmReceivers", "ITSM"],
  ["automationRunbookReceivers", "runbook"],
  ["logicAppReceivers", "logic app"],
  ["azureFunctionReceivers", "function"],
  ["armRoleReceivers", "ARM role"],
  ["eventHubReceivers", "event hub"],
];

/** The SDK's action group as ActionGroupFacts: receivers counted by kind, email addresses kept, nothing else (webhook URLs are secrets). */
export function actionGroupFacts(g: ActionGroupResource, target: string): ActionGroupFacts {
  const receivers: Record<string, number> = {};
  for (const [field, kind] of RECEIVER_KINDS) {
    const list = g[field];
    if (Array.isArray(list) && list.length > 0) receivers[kind] = list.length;
  }
  return {
    ...armResource(g, target),
    enabled: g.enabled ?? false,
    emailAddresses: (g.emailReceivers ?? []).map((r) => r.emailAddress),
    receivers,
  };
}

/** Only what the patch names goes to Azure. */
export function serverPatchBody(patch: ServerPatch): ServerForPatch {
  const body: ServerForPatch = {};
  if (patch.skuName !== undefined || patch.skuTier !== undefined) body.sku = { name: patch.skuName, tier: patch.skuTier };
  if (patch.storageSizeGB !== undefined) body.storage = { storageSizeGB: patch.storageSizeGB };
  if (patch.highAvailability !== undefined) body.highAvailability = { mode: patch.highAvailability };
  return body;
}
