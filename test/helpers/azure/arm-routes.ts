/**
 * ARM's resources as the stand-in (arm-http.ts) serves them: each request routed to the one
 * simulated Azure (state.ts), refused as its rules refuse (403 for an action the identity may not
 * perform, 409 ServerBusy or ScopeLocked, thrown as AzureRefusal), answered with ARM's bodies
 * (bodies.ts), and the changes made as long-running operations (arm-wire.ts).
 */
import type { ServerResponse } from "node:http";
import type { HighAvailabilityMode } from "../../../recovery/azure/arm";
import { armError, json, OPERATION_RE, OperationEffects, Operations, SeenRequest } from "./arm-wire";
import { actionGroupBody, configurationBody, databaseBody, lockBody, serverBody, settingBody } from "./bodies";
import { databaseOf } from "./engine";
import { AzureState, DEFAULT_PARAMETER_VALUE, lower, reportedSettingId, SimServer } from "./state";

/** What the routes need of the stand-in. */
interface RouteContext {
  readonly azure: AzureState;
  readonly operations: Operations;
  readonly endpoint: string;
  onAccept?: (op: { method: string; resourceId: string }) => Promise<void> | void;
}

type Json = Record<string, unknown>;

const SERVER_RE = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers\/([^/]+)$/i;
const CHILD_RE = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers\/[^/]+)\/(databases|configurations)\/([^/]+)$/i;
const SETTING_RE = /^(\/subscriptions\/.+?)\/providers\/Microsoft\.Insights\/diagnosticSettings\/([^/]+)$/i;
const ACTION_GROUP_RE = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Insights\/actionGroups\/([^/]+)$/i;
const LOCK_RE = /^(\/subscriptions\/.+?)\/providers\/Microsoft\.Authorization\/locks\/([^/]+)$/i;
const RESTART_RE = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers\/[^/]+)\/restart$/i;
const PERMISSIONS_RE = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Authorization\/permissions$/i;

/** Answer one request that passed the token check and the queued faults. */
export async function route(ctx: RouteContext, seen: SeenRequest, res: ServerResponse): Promise<void> {
  let m: RegExpExecArray | null;
  if ((m = OPERATION_RE.exec(seen.path)) && seen.method === "GET") return ctx.operations.poll(res, m[1].toLowerCase() === "azureasyncoperation" ? "async" : "location", m[2]);
  if ((m = SETTING_RE.exec(seen.path))) return setting(ctx, res, seen, m[1], m[2]);
  if ((m = ACTION_GROUP_RE.exec(seen.path))) {
    if (forbidden(ctx, res, "Microsoft.Insights/actionGroups/read", seen.path) || notGet(res, seen)) return;
    const g = ctx.azure.actionGroup(m[1], m[2]);
    return g ? json(res, 200, actionGroupBody(ctx.azure, g)) : armError(res, 404, "ResourceNotFound", `The Resource 'Microsoft.Insights/actionGroups/${m[2]}' under resource group '${m[1]}' was not found.`);
  }
  if ((m = LOCK_RE.exec(seen.path))) {
    // an empty path segment (getAtResourceLevel's empty parentResourcePath) is not a resource id
    if (seen.path.includes("//")) return armError(res, 400, "InvalidResourceType", `The resource type could not be found: the path ${seen.path} has an empty segment.`);
    if (forbidden(ctx, res, "Microsoft.Authorization/locks/read", seen.path) || notGet(res, seen)) return;
    const lock = ctx.azure.lock(m[1], m[2]);
    return lock ? json(res, 200, lockBody(lock)) : armError(res, 404, "LockNotFound", `The lock '${m[2]}' could not be found.`);
  }
  if ((m = PERMISSIONS_RE.exec(seen.path)) && seen.method === "GET") {
    const permissions = ctx.azure.permissions;
    // one page here, the rest behind nextLink, as ARM pages long answers
    if (new URL(seen.url, ctx.endpoint).searchParams.get("page") === "2") return json(res, 200, { value: permissions.slice(1) });
    const [first, ...rest] = permissions;
    return json(res, 200, { value: first ? [first] : [], ...(rest.length ? { nextLink: `${ctx.endpoint}${seen.path}?api-version=2022-04-01&page=2` } : {}) });
  }
  if ((m = RESTART_RE.exec(seen.path)) && seen.method === "POST") return restart(ctx, res, seen, m[1]);
  if ((m = CHILD_RE.exec(seen.path))) return child(ctx, res, seen, m[1], m[2].toLowerCase() as "databases" | "configurations", m[3]);
  if ((m = SERVER_RE.exec(seen.path))) return server(ctx, res, seen, m[2], m[3]);
  return armError(res, 400, "StandinDoesNotModel", `the ARM stand-in does not model ${seen.method} ${seen.path}`);
}

/** 403 when the identity may not perform the action on this scope. */
function forbidden(ctx: RouteContext, res: ServerResponse, action: string, scope: string): boolean {
  if (ctx.azure.allows(action)) return false;
  armError(
    res,
    403,
    "AuthorizationFailed",
    `The client 'drill@example.org' with object id '11111111-2222-3333-4444-555555555555' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
  return true;
}

/** The stand-in models reads only of action groups and locks. */
function notGet(res: ServerResponse, seen: SeenRequest): boolean {
  if (seen.method === "GET") return false;
  armError(res, 405, "MethodNotAllowed", `the stand-in does not model ${seen.method} of ${seen.path}`);
  return true;
}

function accept(ctx: RouteContext, res: ServerResponse, method: string, s: SimServer, resourceId: string, effects: OperationEffects): Promise<void> {
  return ctx.operations.accept(res, { subscriptionId: resourceId.split("/")[2], location: s.location }, effects, () => ctx.onAccept?.({ method, resourceId }));
}

async function server(ctx: RouteContext, res: ServerResponse, seen: SeenRequest, rg: string, name: string): Promise<void> {
  const s = ctx.azure.serverAt(seen.path);
  const verb = seen.method === "GET" ? "read" : seen.method === "DELETE" ? "delete" : "write";
  if (forbidden(ctx, res, `Microsoft.DBforPostgreSQL/flexibleServers/${verb}`, seen.path)) return;
  const notFound = () => armError(res, 404, "ResourceNotFound", `The Resource 'Microsoft.DBforPostgreSQL/flexibleServers/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
  switch (seen.method) {
    case "GET":
      return s ? json(res, 200, serverBody(ctx.azure, s, ctx.azure.observe(s))) : notFound();
    case "PATCH": {
      if (!s) return notFound();
      ctx.azure.assertReady(s, `update server ${s.name}`);
      const body = (seen.body ?? {}) as { sku?: Json; properties?: { storage?: Json; highAvailability?: Json } };
      const patch = {
        skuName: body.sku?.name as string | undefined,
        skuTier: body.sku?.tier as string | undefined,
        storageSizeGB: body.properties?.storage?.storageSizeGB as number | undefined,
        highAvailability: body.properties?.highAvailability?.mode as HighAvailabilityMode | undefined,
      };
      const before = structuredClone(s);
      return accept(ctx, res, "PATCH", s, s.id, {
        start: () => void (s.state = "Updating"),
        apply: () => ctx.azure.patched(s, patch),
        undo: () => void Object.assign(s, before),
        result: () => serverBody(ctx.azure, s),
      });
    }
    case "DELETE": {
      if (!s) return json(res, 204);
      ctx.azure.assertUnlocked(s);
      return accept(ctx, res, "DELETE", s, s.id, {
        start: () => void (s.state = "Dropping"),
        apply: () => ctx.azure.dropServer(s.id),
        undo: () => void (s.state = "Ready"),
      });
    }
    default:
      return armError(res, 405, "MethodNotAllowed", `the stand-in does not model ${seen.method} of a server`);
  }
}

async function child(ctx: RouteContext, res: ServerResponse, seen: SeenRequest, serverPath: string, kind: "databases" | "configurations", name: string): Promise<void> {
  const s = ctx.azure.serverAt(serverPath);
  const verb = seen.method === "GET" ? "read" : "write";
  if (forbidden(ctx, res, `Microsoft.DBforPostgreSQL/flexibleServers/${kind}/${verb}`, seen.path)) return;
  const serverName = serverPath.split("/").pop() ?? "";
  if (!s) return armError(res, 404, "ParentResourceNotFound", `Can not perform requested operation on nested resource. Parent resource '${serverName}' not found.`);
  const notFound = () => armError(res, 404, "ResourceNotFound", `The requested resource of type 'Microsoft.DBforPostgreSQL/flexibleServers/${kind}' with name '${name}' was not found.`);
  const parameterBody = () => {
    const p = ctx.azure.parameter(s, name);
    return p && configurationBody(p, s, ctx.azure.parameterDefaults.get(p.name) ?? DEFAULT_PARAMETER_VALUE);
  };
  if (seen.method === "GET") {
    if (kind === "databases") {
      const db = databaseOf(s, name);
      return db === undefined ? notFound() : json(res, 200, databaseBody(s, db));
    }
    const body = parameterBody();
    return body ? json(res, 200, body) : notFound();
  }
  if (kind === "configurations" && seen.method === "PUT") {
    const value = ((seen.body ?? {}) as { properties?: { value?: string } }).properties?.value ?? "";
    ctx.azure.assertReady(s, `set parameter ${name}`);
    const before = { parameters: new Map(s.parameters), pendingRestart: new Set(s.pendingRestart) };
    return accept(ctx, res, "PUT", s, `${s.id}/configurations/${ctx.azure.parameterName(s, name)}`, {
      start: () => undefined,
      apply: () => ctx.azure.setParameter(s, name, value),
      undo: () => void Object.assign(s, before),
      result: parameterBody,
    });
  }
  return armError(res, 405, "MethodNotAllowed", `the stand-in does not model ${seen.method} of ${kind}`);
}

function setting(ctx: RouteContext, res: ServerResponse, seen: SeenRequest, resourceUri: string, name: string): void {
  const verb = seen.method === "GET" ? "read" : seen.method === "DELETE" ? "delete" : "write";
  if (forbidden(ctx, res, `Microsoft.Insights/diagnosticSettings/${verb}`, seen.path)) return;
  const found = ctx.azure.readSetting(resourceUri, name);
  if (seen.method === "GET") {
    if (found === "orphan-error") {
      return armError(res, 409, "ResourceNotReady", `The resource '${resourceUri}' is being deleted or does not exist, and its diagnostic settings cannot be read.`);
    }
    return found === "absent" ? armError(res, 404, "ResourceNotFound", `The diagnostic setting '${name}' doesn't exist.`) : json(res, 200, settingBody(found));
  }
  if (seen.method === "DELETE") {
    const key = lower(reportedSettingId(resourceUri, name));
    if (!ctx.azure.settings.has(key)) return json(res, 204);
    ctx.azure.settings.delete(key);
    return json(res, 200);
  }
  return armError(res, 405, "MethodNotAllowed", `the stand-in does not model ${seen.method} of a diagnostic setting`);
}

/** POST .../restart: Restarting, then Ready with every pending parameter in effect. */
async function restart(ctx: RouteContext, res: ServerResponse, seen: SeenRequest, serverPath: string): Promise<void> {
  const s = ctx.azure.serverAt(serverPath);
  if (forbidden(ctx, res, "Microsoft.DBforPostgreSQL/flexibleServers/restart/action", seen.path)) return;
  if (!s) return armError(res, 404, "ResourceNotFound", `The Resource '${serverPath}' was not found.`);
  ctx.azure.assertReady(s, `restart server ${s.name}`);
  return accept(ctx, res, "POST", s, s.id, {
    start: () => void (s.state = "Restarting"),
    apply: () => ctx.azure.restarted(s),
    undo: () => void (s.state = "Ready"),
  });
}
