/**
 * AzureServerApi on the Azure SDK: `@azure/arm-postgresql-flexible` for the server, its databases
 * and parameters, `@azure/arm-monitor` for diagnostic settings and action groups, `@azure/arm-locks`
 * for management locks. Long-running operations go through
 * the SDK's pollers (which follow Azure-AsyncOperation / Location and honour Retry-After), requests
 * through its pipeline (throttling and 5xx retries). Every failure becomes an {@link ArmError}:
 * what was asked, Azure's HTTP status, error code and message, and a fix line. A get answered 404
 * resolves undefined. No token ever reaches a message: the ones the credential handed out are
 * masked wherever Azure's text might echo them (arm-calls.ts); the SDK's models become facts in
 * sdk-facts.ts.
 */
import type { ManagementLockClient } from "@azure/arm-locks";
import type { MonitorClient } from "@azure/arm-monitor";
import type { PostgreSQLManagementFlexibleServerClient } from "@azure/arm-postgresql-flexible";
import type { TokenCredential } from "@azure/identity";
import { ArmCalls, errorOf, RememberingCredential, Trace, type Call } from "./arm-calls";
import { isRestError } from "../util/rest-error";
import type { ActionGroupFacts, ArmResource, AzureServerApi, ConfigurationFacts, LockFacts, ServerFacts, ServerPatch } from "./arm";
import { actionGroupFacts, armResource, need, parseResourceId, serverFacts, serverPatchBody } from "./sdk-facts";
import type { AzurePermission } from "./permissions";

/**
 * Azure's SDK packages, loaded when a command first reaches Azure rather than when aytq-dr starts
 * (about 0.8 s of CPU that `--help`, a refused command line and the data commands never need).
 */
function azureSdk(): {
  identity: typeof import("@azure/identity");
  postgres: typeof import("@azure/arm-postgresql-flexible");
  monitor: typeof import("@azure/arm-monitor");
  locks: typeof import("@azure/arm-locks");
  pipeline: typeof import("@azure/core-rest-pipeline");
} {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use (above); require's cache keeps the one copy */
  return {
    identity: require("@azure/identity") as typeof import("@azure/identity"),
    postgres: require("@azure/arm-postgresql-flexible") as typeof import("@azure/arm-postgresql-flexible"),
    monitor: require("@azure/arm-monitor") as typeof import("@azure/arm-monitor"),
    locks: require("@azure/arm-locks") as typeof import("@azure/arm-locks"),
    pipeline: require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline"),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** `Microsoft.Authorization/permissions` (no SDK package here covers it; the call is one GET through the locks client's pipeline). */
const PERMISSIONS_API_VERSION = "2022-04-01";

const ARM_ENDPOINT = "https://management.azure.com";

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
  /** How long one long-running operation may run before we stop waiting. @default DEFAULT_OPERATION_TIMEOUT_MS of arm-calls.ts (one hour) */
  operationTimeoutMs?: number;
  /** Retries of a throttled (429), 5xx or unanswered request. @default the SDK's (3) */
  maxRetries?: number;
  /** First delay of those retries when Azure sends no Retry-After. @default the SDK's (1 s, doubling) */
  retryDelayInMs?: number;
  /** Azure's status of a long-running operation while it is not done, e.g. `deleting server rg/name: InProgress`. */
  log?: (line: string) => void;
}

export class AzureSdkServerApi implements AzureServerApi {
  private readonly calls: ArmCalls;
  private readonly endpoint: string;
  private readonly pg: PostgreSQLManagementFlexibleServerClient;
  private readonly monitor: MonitorClient;
  private readonly locks: ManagementLockClient;

  constructor(
    readonly subscriptionId: string,
    o: AzureSdkServerApiOptions = {},
  ) {
    const sdk = azureSdk();
    const credential = new RememberingCredential(o.credential ?? new sdk.identity.DefaultAzureCredential());
    this.endpoint = (o.endpoint ?? ARM_ENDPOINT).replace(/\/+$/, "");
    this.calls = new ArmCalls(subscriptionId, this.endpoint, credential, o);
    const common = {
      endpoint: this.endpoint,
      credentialScopes: [`${this.endpoint}/.default`],
      retryOptions: { maxRetries: o.maxRetries, retryDelayInMs: o.retryDelayInMs },
      ...(o.trustedCa !== undefined ? { tlsOptions: { ca: o.trustedCa } } : {}),
    };
    this.pg = new sdk.postgres.PostgreSQLManagementFlexibleServerClient(credential, subscriptionId, common);
    this.monitor = new sdk.monitor.MonitorClient(credential, subscriptionId, common);
    this.locks = new sdk.locks.ManagementLockClient(credential, subscriptionId, common);
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
    const s = await this.calls.get(call, (onResponse) => this.pg.servers.get(resourceGroupName, serverName, { onResponse }));
    return s && serverFacts(s, call.target);
  }

  async getDatabase(resourceGroupName: string, serverName: string, databaseName: string): Promise<ArmResource | undefined> {
    const call = this.childCall("read", "database", resourceGroupName, serverName, databaseName);
    const d = await this.calls.get(call, (onResponse) => this.pg.databases.get(resourceGroupName, serverName, databaseName, { onResponse }));
    return d && armResource(d, call.target);
  }

  async getConfiguration(resourceGroupName: string, serverName: string, name: string): Promise<ConfigurationFacts | undefined> {
    const call = this.childCall("read", "parameter", resourceGroupName, serverName, name);
    const c = await this.calls.get(call, (onResponse) => this.pg.configurations.get(resourceGroupName, serverName, name, { onResponse }));
    return c && { ...armResource(c, call.target), value: c.value ?? "", source: c.source, pendingRestart: c.isConfigPendingRestart === true };
  }

  async putConfiguration(resourceGroupName: string, serverName: string, name: string, value: string): Promise<void> {
    const call = this.childCall("set", "parameter", resourceGroupName, serverName, name);
    await this.calls.lro(call, (options) => this.pg.configurations.beginPut(resourceGroupName, serverName, name, { value, source: "user-override" }, options));
  }

  async restartServer(resourceGroupName: string, serverName: string): Promise<void> {
    const call = this.serverCall("restart", resourceGroupName, serverName);
    await this.calls.lro(call, (options) => this.pg.servers.beginRestart(resourceGroupName, serverName, options));
  }

  async updateServer(resourceGroupName: string, serverName: string, patch: ServerPatch): Promise<void> {
    const body = serverPatchBody(patch);
    if (Object.keys(body).length === 0) return;
    const call = this.serverCall("update", resourceGroupName, serverName);
    await this.calls.lro(call, (options) => this.pg.servers.beginUpdate(resourceGroupName, serverName, body, options));
  }

  async deleteServer(resourceGroupName: string, serverName: string): Promise<void> {
    const call = this.serverCall("delete", resourceGroupName, serverName);
    await this.calls.lro(call, (options) => this.pg.servers.beginDelete(resourceGroupName, serverName, options));
  }

  async getDiagnosticSetting(resourceUri: string, name: string): Promise<ArmResource | undefined> {
    const call = this.settingCall("read", resourceUri, name);
    const s = await this.calls.get(call, (onResponse) => this.monitor.diagnosticSettings.get(monitorUri(resourceUri), name, { onResponse }));
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
      throw this.calls.failure(call, err, trace, false);
    }
  }

  async getActionGroup(resourceGroupName: string, name: string): Promise<ActionGroupFacts | undefined> {
    const call: Call = {
      verb: "read",
      target: `action group ${resourceGroupName}/${name}`,
      resourceGroupName,
      fix: `look at it: az monitor action-group show -g ${resourceGroupName} -n ${name}`,
    };
    const g = await this.calls.get(call, (onResponse) => this.monitor.actionGroups.get(resourceGroupName, name, { onResponse }));
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
    const l = await this.calls.get(call, (onResponse) =>
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
        const res = await this.locks.sendRequest(azureSdk().pipeline.createPipelineRequest({ url, method: "GET" }));
        const body = parseJson(res.bodyAsText);
        if (res.status < 200 || res.status > 299) {
          const e = errorOf(body);
          throw new (azureSdk().pipeline.RestError)(e.message ?? `HTTP ${res.status}`, { statusCode: res.status, code: e.code });
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
      throw this.calls.failure(call, err, new Trace(), false);
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
