/**
 * AzureServerApi on the Azure SDK: `@azure/arm-postgresql-flexible` for the server, its databases
 * and parameters, `@azure/arm-monitor` for diagnostic settings and action groups, `@azure/arm-locks`
 * for management locks. Long-running operations go through
 * the SDK's pollers (which follow Azure-AsyncOperation / Location and honour Retry-After), requests
 * through its pipeline (throttling and 5xx retries). Every failure becomes an {@link ArmError}:
 * what was asked, Azure's HTTP status, error code and message, and a fix line. A get answered 404
 * resolves undefined. No token ever reaches a message: the ones the credential handed out are
 * masked wherever Azure's text might echo them.
 */
import { ManagementLockClient } from "@azure/arm-locks";
import { MonitorClient, type ActionGroupResource } from "@azure/arm-monitor";
import { PostgreSQLManagementFlexibleServerClient, type Server, type ServerForPatch } from "@azure/arm-postgresql-flexible";
import { createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { DefaultAzureCredential, type AccessToken, type GetTokenOptions, type TokenCredential } from "@azure/identity";
import { ToolError } from "../errors";
import { redact } from "../util/redact";
import type { ActionGroupFacts, ArmResource, AzureServerApi, ConfigurationFacts, HighAvailabilityMode, LockFacts, ServerFacts, ServerPatch } from "./arm";
import type { AzurePermission } from "./permissions";

/** `Microsoft.Authorization/permissions` (no SDK package here covers it; the call is one GET through the locks client's pipeline). */
const PERMISSIONS_API_VERSION = "2022-04-01";

const ARM_ENDPOINT = "https://management.azure.com";
/** Azure can take a long time to add an HA standby or scale storage; past this we stop waiting (Azure carries on). */
const DEFAULT_OPERATION_TIMEOUT_MS = 60 * 60_000;

export interface AzureSdkServerApiOptions {
  /** @default new DefaultAzureCredential() */
  credential?: TokenCredential;
  /** Azure Resource Manager's address; the token's scope is `<endpoint>/.default`. @default ARM_ENDPOINT; tests point it at a local stand-in */
  endpoint?: string;
  /**
   * PEM certificate(s) trusted instead of the system's CAs. The SDK sends a bearer token only over
   * https (its pipeline refuses http whatever `allowInsecureConnection` says), so a test stand-in
   * serves https with a self-signed certificate given here. @default the system's CAs
   */
  trustedCa?: string;
  /** Milliseconds between polls of a long-running operation when Azure sends no Retry-After. @default the SDK's (2 s) */
  updateIntervalInMs?: number;
  /** How long one long-running operation may run before we stop waiting. @default DEFAULT_OPERATION_TIMEOUT_MS */
  operationTimeoutMs?: number;
  /** Retries of a throttled (429), 5xx or unanswered request. @default the SDK's (3) */
  maxRetries?: number;
  /** First delay of those retries when Azure sends no Retry-After. @default the SDK's (1 s, doubling) */
  retryDelayInMs?: number;
  /** Azure's status of a long-running operation while it is not done, e.g. `deleting server rg/name: InProgress`. */
  log?: (line: string) => void;
}

/**
 * How a request failed:
 * - `credential`: no token (not signed in, no identity);
 * - `unreachable`: ARM never answered the request;
 * - `refused`: ARM answered the request itself with an error (nothing was started);
 * - `poll-failed`: ARM accepted a long-running operation, then following it failed;
 * - `operation-failed`: Azure reports the operation Failed or Canceled;
 * - `untracked`: ARM accepted it (202) with nothing to follow;
 * - `timeout`: it did not finish within `operationTimeoutMs`.
 * After `poll-failed`, `operation-failed`, `untracked` and `timeout` Azure may have done some or all of it.
 */
export type ArmFailureKind = "credential" | "unreachable" | "refused" | "poll-failed" | "operation-failed" | "untracked" | "timeout";

/** A failed ARM call, with what Azure said, for callers that word it for their own step. */
export class ArmError extends ToolError {
  constructor(
    message: string,
    hint: string,
    readonly kind: ArmFailureKind,
    readonly detail: {
      /** HTTP status of the failed request, when there was one. */
      statusCode?: number;
      /** Azure's error code (`AuthorizationFailed`, `ResourceNotFound`, ...). */
      code?: string;
      /** Azure's error message, tokens masked. */
      azureMessage?: string;
      /** Azure's status of a long-running operation that did not succeed (`Failed`, `Canceled`). */
      operationStatus?: string;
    } = {},
  ) {
    super(message, hint);
  }

  /** `HTTP 403 AuthorizationFailed: <message>`, the parts Azure gave. */
  get azureSays(): string {
    return describeAzure(this.detail.statusCode, this.detail.code, this.detail.azureMessage);
  }
}

/** The part of an SDK response we read (core-client's FullOperationResponse has these). */
interface RawResponse {
  status: number;
  headers: { get(name: string): string | undefined };
  parsedBody?: unknown;
}

/** What each ARM call is, for its messages. */
interface Call {
  /** `read`, `update`, `delete`, `set`: completes "could not <verb> <target>". */
  verb: string;
  /** `server rg/name`, `parameter rg/name/max_connections`. */
  target: string;
  resourceGroupName?: string;
  /** What to do when Azure reports a failure that is not about access. */
  fix: string;
}

/** The responses of one call (the first request, then each poll) as they arrive. */
class Trace {
  first?: { status: number; tracked: boolean };
  last?: { status: number; body: unknown };
  readonly onResponse = (raw: RawResponse): void => {
    this.first ??= { status: raw.status, tracked: raw.headers.get("azure-asyncoperation") !== undefined || raw.headers.get("location") !== undefined || raw.headers.get("operation-location") !== undefined };
    this.last = { status: raw.status, body: raw.parsedBody };
  };
  /** ARM answered the first request with success: from here on Azure may be changing things. */
  get accepted(): boolean {
    return this.first !== undefined && this.first.status < 300;
  }
}

/** The credential's own failure, told apart from Azure's answers. */
class CredentialFailure extends Error {}

/** A credential that remembers the tokens it handed out, so that no message can show one. */
class RememberingCredential implements TokenCredential {
  readonly tokens = new Set<string>();
  constructor(private readonly inner: TokenCredential) {}
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    let t: AccessToken | null;
    try {
      t = await this.inner.getToken(scopes, options);
    } catch (err) {
      throw new CredentialFailure(err instanceof Error ? err.message : String(err));
    }
    if (!t) throw new CredentialFailure("the credential returned no token");
    this.tokens.add(t.token);
    return t;
  }
}

function isRestError(err: unknown): err is Error & { statusCode?: number; code?: string } {
  return err instanceof Error && err.name === "RestError";
}

function describeAzure(statusCode?: number, code?: string, message?: string): string {
  const parts = [statusCode !== undefined ? `HTTP ${statusCode}` : "", code ? `${code}:` : "", message ?? ""].filter(Boolean);
  return parts.join(" ").replace(/:$/, "");
}

function errorOf(body: unknown): { code?: string; message?: string } {
  if (typeof body !== "object" || body === null) return {};
  const e = (body as { error?: unknown }).error;
  if (typeof e !== "object" || e === null) return {};
  const { code, message } = e as { code?: unknown; message?: unknown };
  return { code: typeof code === "string" ? code : undefined, message: typeof message === "string" ? message : undefined };
}

function statusOf(body: unknown): string | undefined {
  const s = typeof body === "object" && body !== null ? (body as { status?: unknown }).status : undefined;
  return typeof s === "string" ? s : undefined;
}

const HA_MODES: readonly HighAvailabilityMode[] = ["Disabled", "SameZone", "ZoneRedundant"];

export class AzureSdkServerApi implements AzureServerApi {
  private readonly credential: RememberingCredential;
  private readonly endpoint: string;
  private readonly pg: PostgreSQLManagementFlexibleServerClient;
  private readonly monitor: MonitorClient;
  private readonly locks: ManagementLockClient;

  constructor(
    readonly subscriptionId: string,
    private readonly o: AzureSdkServerApiOptions = {},
  ) {
    this.credential = new RememberingCredential(o.credential ?? new DefaultAzureCredential());
    this.endpoint = (o.endpoint ?? ARM_ENDPOINT).replace(/\/+$/, "");
    const common = {
      endpoint: this.endpoint,
      credentialScopes: [`${this.endpoint}/.default`],
      retryOptions: { maxRetries: o.maxRetries, retryDelayInMs: o.retryDelayInMs },
      ...(o.trustedCa !== undefined ? { tlsOptions: { ca: o.trustedCa } } : {}),
    };
    this.pg = new PostgreSQLManagementFlexibleServerClient(this.credential, subscriptionId, common);
    this.monitor = new MonitorClient(this.credential, subscriptionId, common);
    this.locks = new ManagementLockClient(this.credential, subscriptionId, common);
    // getAtResourceLevel puts its parentResourcePath between two slashes, and a top-level resource
    // has none: collapse the empty segment rather than send ARM a path with `//` in it (ARM's own
    // documentation of this call is known to mislead about that parameter: MicrosoftDocs/azure-docs#99761).
    this.locks.pipeline.addPolicy({
      name: "aytqCollapseEmptyParentPath",
      sendRequest: (request, next) => {
        const u = new URL(request.url);
        u.pathname = u.pathname.replace(/\/{2,}/g, "/");
        request.url = u.toString();
        return next(request);
      },
    });
  }

  async getServer(resourceGroupName: string, serverName: string): Promise<ServerFacts | undefined> {
    const call = this.serverCall("read", resourceGroupName, serverName);
    const s = await this.get(call, (onResponse) => this.pg.servers.get(resourceGroupName, serverName, { onResponse }));
    return s && serverFacts(s, call.target);
  }

  async getDatabase(resourceGroupName: string, serverName: string, databaseName: string): Promise<ArmResource | undefined> {
    const call = this.childCall("read", "database", resourceGroupName, serverName, databaseName);
    const d = await this.get(call, (onResponse) => this.pg.databases.get(resourceGroupName, serverName, databaseName, { onResponse }));
    return d && armResource(d, call.target);
  }

  async getConfiguration(resourceGroupName: string, serverName: string, name: string): Promise<ConfigurationFacts | undefined> {
    const call = this.childCall("read", "parameter", resourceGroupName, serverName, name);
    const c = await this.get(call, (onResponse) => this.pg.configurations.get(resourceGroupName, serverName, name, { onResponse }));
    return c && { ...armResource(c, call.target), value: c.value ?? "", source: c.source, pendingRestart: c.isConfigPendingRestart === true };
  }

  async putConfiguration(resourceGroupName: string, serverName: string, name: string, value: string): Promise<void> {
    const call = this.childCall("set", "parameter", resourceGroupName, serverName, name);
    await this.lro(call, (options) => this.pg.configurations.beginPut(resourceGroupName, serverName, name, { value, source: "user-override" }, options));
  }

  async restartServer(resourceGroupName: string, serverName: string): Promise<void> {
    const call = this.serverCall("restart", resourceGroupName, serverName);
    await this.lro(call, (options) => this.pg.servers.beginRestart(resourceGroupName, serverName, options));
  }

  async updateServer(resourceGroupName: string, serverName: string, patch: ServerPatch): Promise<void> {
    const body = serverPatchBody(patch);
    if (Object.keys(body).length === 0) return;
    const call = this.serverCall("update", resourceGroupName, serverName);
    await this.lro(call, (options) => this.pg.servers.beginUpdate(resourceGroupName, serverName, body, options));
  }

  async deleteServer(resourceGroupName: string, serverName: string): Promise<void> {
    const call = this.serverCall("delete", resourceGroupName, serverName);
    await this.lro(call, (options) => this.pg.servers.beginDelete(resourceGroupName, serverName, options));
  }

  async getDiagnosticSetting(resourceUri: string, name: string): Promise<ArmResource | undefined> {
    const call = this.settingCall("read", resourceUri, name);
    const s = await this.get(call, (onResponse) => this.monitor.diagnosticSettings.get(monitorUri(resourceUri), name, { onResponse }));
    return s && armResource(s, call.target);
  }

  /** Azure answers a delete of a setting that is not there with success too; a 404 is taken the same way. */
  async deleteDiagnosticSetting(resourceUri: string, name: string): Promise<void> {
    const call = this.settingCall("delete", resourceUri, name);
    const trace = new Trace();
    try {
      await this.monitor.diagnosticSettings.delete(monitorUri(resourceUri), name, { onResponse: trace.onResponse });
    } catch (err) {
      if (isRestError(err) && err.statusCode === 404) return;
      throw this.failure(call, err, trace, false);
    }
  }

  async getActionGroup(resourceGroupName: string, name: string): Promise<ActionGroupFacts | undefined> {
    const call: Call = {
      verb: "read",
      target: `action group ${resourceGroupName}/${name}`,
      resourceGroupName,
      fix: `look at it: az monitor action-group show -g ${resourceGroupName} -n ${name}`,
    };
    const g = await this.get(call, (onResponse) => this.monitor.actionGroups.get(resourceGroupName, name, { onResponse }));
    return g && actionGroupFacts(g, call.target);
  }

  async getLock(resourceId: string, lockName: string): Promise<LockFacts | undefined> {
    const r = parseResourceId(resourceId);
    const call: Call = {
      verb: "read",
      target: `lock ${lockName} on ${resourceId}`,
      resourceGroupName: r.resourceGroupName,
      fix: `look at it: az lock show --name ${lockName} --ids ${resourceId} (or az lock list -g ${r.resourceGroupName})`,
    };
    const l = await this.get(call, (onResponse) =>
      this.locks.managementLocks.getAtResourceLevel(r.resourceGroupName, r.providerNamespace, r.parentResourcePath, r.resourceType, r.resourceName, lockName, { onResponse }),
    );
    return l && { ...armResource(l, call.target), level: need(l.level, "level", call.target) };
  }

  /** `GET .../resourceGroups/<rg>/providers/Microsoft.Authorization/permissions`, every page. */
  async getPermissions(resourceGroupName: string): Promise<AzurePermission[]> {
    const call: Call = {
      verb: "read the permissions of the signed-in identity on",
      target: `resource group ${resourceGroupName}`,
      resourceGroupName,
      fix: `look at them: az role assignment list --assignee <the identity's object id> --resource-group ${resourceGroupName} --include-inherited`,
    };
    const out: AzurePermission[] = [];
    let url: string | undefined =
      `${this.endpoint}/subscriptions/${encodeURIComponent(this.subscriptionId)}/resourceGroups/${encodeURIComponent(resourceGroupName)}/providers/Microsoft.Authorization/permissions?api-version=${PERMISSIONS_API_VERSION}`;
    try {
      for (let page = 0; url !== undefined && page < 100; page++) {
        const res = await this.locks.sendRequest(createPipelineRequest({ url, method: "GET" }));
        const body = parseJson(res.bodyAsText);
        if (res.status < 200 || res.status > 299) {
          const e = errorOf(body);
          throw new RestError(e.message ?? `HTTP ${res.status}`, { statusCode: res.status, code: e.code });
        }
        const value = (body as { value?: unknown }).value;
        for (const p of Array.isArray(value) ? value : []) {
          const entry = p as { actions?: unknown; notActions?: unknown };
          const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
          out.push({ actions: strings(entry.actions), notActions: strings(entry.notActions) });
        }
        const next = (body as { nextLink?: unknown }).nextLink;
        url = typeof next === "string" && next ? next : undefined;
      }
    } catch (err) {
      throw this.failure(call, err, new Trace(), false);
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------

  private serverCall(verb: string, resourceGroupName: string, serverName: string): Call {
    return { verb, target: `server ${resourceGroupName}/${serverName}`, resourceGroupName, fix: this.lookAtServer(resourceGroupName, serverName) };
  }

  private childCall(verb: string, kind: string, resourceGroupName: string, serverName: string, name: string): Call {
    return { verb, target: `${kind} ${name} of server ${resourceGroupName}/${serverName}`, resourceGroupName, fix: this.lookAtServer(resourceGroupName, serverName) };
  }

  private settingCall(verb: string, resourceUri: string, name: string): Call {
    const rg = /\/resourceGroups\/([^/]+)/i.exec(resourceUri)?.[1];
    return {
      verb,
      target: `diagnostic setting ${name} of ${resourceUri}`,
      resourceGroupName: rg,
      fix: `look at it: az monitor diagnostic-settings show --resource ${resourceUri} --name ${name}`,
    };
  }

  private lookAtServer(resourceGroupName: string, serverName: string): string {
    return `look at the server: az postgres flexible-server show -g ${resourceGroupName} -n ${serverName}; the resource group's activity log has Azure's details: az monitor activity-log list -g ${resourceGroupName} --offset 2h`;
  }

  /** A GET: the resource, or undefined when Azure answers 404. */
  private async get<T>(call: Call, send: (onResponse: Trace["onResponse"]) => Promise<T>): Promise<T | undefined> {
    const trace = new Trace();
    try {
      return await send(trace.onResponse);
    } catch (err) {
      if (isRestError(err) && err.statusCode === 404) return undefined;
      throw this.failure(call, err, trace, false);
    }
  }

  /**
   * A long-running operation through the SDK's poller: begin (the first request and one poll),
   * then pollUntilDone with a deadline. begin + pollUntilDone rather than the *AndWait helpers,
   * which take no abort signal for the waits between polls, so a deadline could not stop them.
   */
  private async lro(
    call: Call,
    begin: (options: { updateIntervalInMs?: number; abortSignal: AbortSignal; onResponse: Trace["onResponse"] }) => Promise<{ pollUntilDone(options?: { abortSignal?: AbortSignal }): Promise<unknown> }>,
  ): Promise<void> {
    const trace = new Trace();
    const deadline = new AbortController();
    const timeoutMs = this.o.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const onResponse = (raw: RawResponse) => {
      trace.onResponse(raw);
      const status = statusOf(raw.parsedBody);
      if (trace.accepted && status !== undefined && !["Succeeded", "Failed", "Canceled"].includes(status)) this.o.log?.(`${call.verb} ${call.target}: ${status}`);
    };
    try {
      const poller = await begin({ updateIntervalInMs: this.o.updateIntervalInMs, abortSignal: deadline.signal, onResponse });
      await poller.pollUntilDone({ abortSignal: deadline.signal });
    } catch (err) {
      throw this.failure(call, err, trace, deadline.signal.aborted, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    // The SDK calls a 202 with no Azure-AsyncOperation or Location done; nothing says it is.
    if (trace.first?.status === 202 && !trace.first.tracked) {
      throw new ArmError(`ARM accepted the request to ${call.verb} ${call.target} (HTTP 202) but gave no Azure-AsyncOperation or Location header to follow`, call.fix, "untracked");
    }
  }

  /** Any failure of a call as an ArmError with a fix; errors that are not Azure's (bugs) pass unchanged. */
  private failure(call: Call, err: unknown, trace: Trace, timedOut: boolean, timeoutMs = 0): unknown {
    const mask = (text: string) => redact(text, [...this.credential.tokens]).replace(/\bBearer\s+[^\s"',;]+/gi, "Bearer ***");
    if (err instanceof CredentialFailure) {
      return new ArmError(`no Azure token for ARM: ${mask(err.message.split("\n")[0])}`, "az login, or set AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET (DefaultAzureCredential)", "credential");
    }
    if (timedOut) {
      return new ArmError(`the operation to ${call.verb} ${call.target} did not finish in ${duration(timeoutMs)}`, call.fix, "timeout");
    }
    const accepted = trace.accepted;
    if (isRestError(err)) {
      const statusCode = err.statusCode;
      const code = err.code || undefined;
      const azureMessage = mask(err.message.split("\n")[0].slice(0, 500));
      if (statusCode === undefined) {
        const detail = { code, azureMessage };
        if (accepted) return new ArmError(`following the operation to ${call.verb} ${call.target} failed: ${azureMessage}`, call.fix, "poll-failed", detail);
        return new ArmError(`could not reach Azure Resource Manager (${this.endpoint}) to ${call.verb} ${call.target}: ${azureMessage}`, `check this machine reaches ${this.endpoint} (a proxy: HTTPS_PROXY / NO_PROXY), then run the command again`, "unreachable", detail);
      }
      const detail = { statusCode, code, azureMessage };
      const says = describeAzure(statusCode, code, azureMessage);
      if (accepted) return new ArmError(`following the operation to ${call.verb} ${call.target} failed: ${says}`, call.fix, "poll-failed", detail);
      return new ArmError(`Azure refused to ${call.verb} ${call.target}: ${says}`, this.refusalFix(call, statusCode), "refused", detail);
    }
    const operationStatus = statusOf(trace.last?.body);
    if (accepted && (operationStatus === "Failed" || operationStatus === "Canceled" || (err instanceof Error && /long-running operation has failed|Operation was canceled/.test(err.message)))) {
      const e = errorOf(trace.last?.body);
      const detail = { code: e.code, azureMessage: e.message !== undefined ? mask(e.message) : undefined, operationStatus: operationStatus ?? "Failed" };
      return new ArmError(`Azure reports the operation to ${call.verb} ${call.target} ${detail.operationStatus}: ${describeAzure(undefined, detail.code, detail.azureMessage) || "no error given"}`, call.fix, "operation-failed", detail);
    }
    if (err instanceof Error && err.name === "AbortError") {
      return new ArmError(`the operation to ${call.verb} ${call.target} was stopped before it finished`, call.fix, accepted ? "poll-failed" : "unreachable");
    }
    return err;
  }

  private refusalFix(call: Call, statusCode: number): string {
    const scope = `/subscriptions/${this.subscriptionId}${call.resourceGroupName ? `/resourceGroups/${call.resourceGroupName}` : ""}`;
    if (statusCode === 401) {
      return "ARM did not accept the token (expired, or from another tenant): az login again (az account show says who you are), or check AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET";
    }
    if (statusCode === 403) {
      return `the signed-in identity lacks a role for this: az role assignment create --assignee <its object id> --role Contributor --scope ${scope} (or ask an owner of the subscription; az account show says who is signed in), then run the command again`;
    }
    if (statusCode === 429) return "ARM is throttling this subscription: wait a minute and run the command again";
    if (statusCode === 404) return `check the names and the subscription (${this.subscriptionId}); ${call.fix}`;
    return call.fix;
  }
}

function duration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 100) / 10} s`;
}

/** arm-monitor puts `{resourceUri}` after a slash of its own: give it the id without its leading one. */
function monitorUri(resourceUri: string): string {
  return resourceUri.replace(/^\/+/, "");
}

function parseJson(text: string | null | undefined): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : {};
  } catch {
    return {};
  }
}

function need<T>(value: T | undefined, field: string, target: string): T {
  if (value === undefined || value === null || value === "") {
    throw new ToolError(`Azure's answer for ${target} has no ${field}`, "run the command again; if it persists, look at the resource with az and report it");
  }
  return value;
}

function armResource(r: { id?: string; name?: string }, target: string): ArmResource {
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
function actionGroupFacts(g: ActionGroupResource, target: string): ActionGroupFacts {
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
