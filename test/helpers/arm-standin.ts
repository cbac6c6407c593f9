/**
 * A local stand-in for Azure Resource Manager, for tests of the real Azure SDK clients
 * (recovery/azure/sdk.ts). It speaks ARM's shapes for what recovery asks of it (examples of
 * azure-rest-api-specs, PostgreSQL 2025-08-01 and Monitor diagnostic settings):
 * - flexible servers, their databases and parameters, diagnostic settings, as GET bodies; ids are
 *   case-insensitive and a diagnostic setting's id comes back partly lower-cased (ENGINE.md §8d);
 * - 404 `{"error":{"code":"ResourceNotFound"|"ParentResourceNotFound",...}}` for what is not there;
 * - PATCH server, PUT parameter and DELETE server as long-running operations: 202 with
 *   Azure-AsyncOperation and Location, polled (InProgress, then Succeeded, Failed or Canceled) and
 *   applied when done; a DELETE of a server that does not exist answers 204;
 * - action groups (Monitor 2021-09-01 shape: receivers under properties) and management locks
 *   (2020-05-01: `{ properties: { level, notes } }` at `<resource id>/providers/Microsoft.Authorization/locks/<name>`), 404 when absent;
 * - 401 for a missing or unknown bearer token, 403 AuthorizationFailed for a denied action, and
 *   any answer a test queues (429 with Retry-After, 500, ...).
 * The SDK sends a bearer token only over https, so the stand-in serves https with a self-signed
 * certificate made by openssl for 127.0.0.1; `clientOptions()` gives the SDK that certificate to trust.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { AccessToken, TokenCredential } from "@azure/identity";
import type { HighAvailabilityMode } from "../../recovery/azure/arm";
import type { AzureSdkServerApiOptions } from "../../recovery/azure/sdk";

export const PG_API_VERSION = "2025-08-01";

/** One request as the stand-in received it. */
export interface SeenRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** Path only. */
  path: string;
  authorization?: string;
  body?: unknown;
}

/** An answer a test queues for the next matching request(s), before any routing (after the token check). */
export interface Fault {
  method?: string;
  /** Matched against the path (without the query). */
  path?: RegExp;
  status: number;
  /** Azure's error code and message, sent as `{"error":{code,message}}`; message may quote the request. */
  code?: string;
  message?: string | ((req: SeenRequest) => string);
  headers?: Record<string, string>;
  /** @default 1 */
  times?: number;
}

/** How a long-running operation goes. */
export interface OperationScript {
  /** Polls answered InProgress before the outcome. @default 1 */
  inProgressPolls?: number;
  /** @default "Succeeded" */
  status?: "Succeeded" | "Failed" | "Canceled";
  /** Azure's error when the operation does not succeed. @default InternalServerError */
  error?: { code: string; message: string };
  /** Headers of the 202: both (what Azure sends), only one, or none. @default "both" */
  headers?: "both" | "azure-async-operation" | "location" | "none";
  /** Retry-After (seconds) on the 202 and on every poll. @default none */
  retryAfterSeconds?: number;
}

/** What a GET of a diagnostic setting kept after its server was deleted answers (undocumented: ENGINE.md §9). */
export type OrphanSettingRead = "found" | "not-found" | "error";

export interface StandinServer {
  resourceGroupName: string;
  name: string;
  /** @default "uksouth" */
  location?: string;
  /** @default "Standard_D2ds_v5" */
  skuName?: string;
  /** @default "GeneralPurpose" */
  skuTier?: string;
  /** @default 128 */
  storageSizeGB?: number;
  /** @default "16" */
  version?: string;
  /** @default "Disabled" */
  highAvailability?: HighAvailabilityMode;
  /** @default "Ready" */
  state?: string;
}

interface Operation {
  id: string;
  location: string;
  method: string;
  script: Required<Omit<OperationScript, "error" | "retryAfterSeconds">> & Pick<OperationScript, "error" | "retryAfterSeconds">;
  polls: number;
  startTime: string;
  endTime?: string;
  /** The resource's body for a Location poll that succeeds (PATCH, PUT). */
  result?: () => unknown;
  apply: () => void;
  undo: () => void;
}

type Json = Record<string, unknown>;

let certificate: { key: string; cert: string } | undefined;

/** A self-signed certificate for 127.0.0.1, made once per process. */
function selfSigned(): { key: string; cert: string } {
  if (certificate) return certificate;
  const dir = mkdtempSync(path.join(os.tmpdir(), "arm-standin-"));
  try {
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "pipe" });
    certificate = { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
    return certificate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SERVER_RE = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers\/([^/]+)$/i;
const CHILD_RE = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers\/[^/]+)\/(databases|configurations)\/([^/]+)$/i;
const SETTING_RE = /^(\/subscriptions\/.+?)\/providers\/Microsoft\.Insights\/diagnosticSettings\/([^/]+)$/i;
const ACTION_GROUP_RE = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Insights\/actionGroups\/([^/]+)$/i;
const LOCK_RE = /^(\/subscriptions\/.+?)\/providers\/Microsoft\.Authorization\/locks\/([^/]+)$/i;
const RESTART_RE = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers\/[^/]+)\/restart$/i;
const PERMISSIONS_RE = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Authorization\/permissions$/i;
const OPERATION_RE = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.DBforPostgreSQL\/locations\/[^/]+\/(azureAsyncOperation|operationResults)\/([^/]+)$/i;

const lower = (id: string) => id.toLowerCase();

/** The id Azure reports for a diagnostic setting: the resource's id lower-cased, then the setting (ENGINE.md §8d). */
export function reportedSettingId(resourceUri: string, name: string): string {
  return `${lower(resourceUri)}/providers/microsoft.insights/diagnosticSettings/${name}`;
}

export class ArmStandin {
  /** The token the stand-in accepts; the test credential hands it out. */
  readonly token = `standin-${randomUUID()}`;
  readonly requests: SeenRequest[] = [];
  /** Servers by lower-cased id, as GET returns them. */
  readonly servers = new Map<string, Json>();
  /** Databases and parameters by lower-cased id. */
  readonly children = new Map<string, Json>();
  /** Diagnostic settings by lower-cased id, kept when their server is deleted (ENGINE.md §9). */
  readonly settings = new Map<string, Json>();
  /** Action groups and locks by lower-cased id, as GET returns them. */
  readonly generic = new Map<string, Json>();
  /** Actions the caller's role does not allow, e.g. `Microsoft.DBforPostgreSQL/flexibleServers/delete`. */
  readonly denied = new Set<string>();
  readonly faults: Fault[] = [];
  /** Scripts for the next long-running operations, in order; then `defaultScript`. */
  readonly scripts: OperationScript[] = [];
  defaultScript: OperationScript = {};
  orphanSettingRead: OrphanSettingRead = "not-found";
  /** What `Microsoft.Authorization/permissions` answers (one entry per role assignment). @default Contributor's */
  permissions: { actions: string[]; notActions: string[] }[] = [{ actions: ["*"], notActions: ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action"] }];
  /** Called once a long-running operation is accepted, before the 202 is sent. */
  onAccept?: (op: { method: string; resourceId: string }) => Promise<void> | void;
  private readonly operations = new Map<string, Operation>();

  private constructor(
    private readonly https: https.Server,
    readonly endpoint: string,
    readonly ca: string,
  ) {}

  static async start(): Promise<ArmStandin> {
    const { key, cert } = selfSigned();
    const server = https.createServer({ key, cert });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const standin = new ArmStandin(server, `https://127.0.0.1:${(server.address() as AddressInfo).port}`, cert);
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      standin.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "StandinBug", message: String(err) } }));
      });
    });
    return standin;
  }

  async close(): Promise<void> {
    this.https.closeAllConnections();
    await new Promise<void>((r) => this.https.close(() => r()));
  }

  /** A credential handing out this stand-in's token (or another, to be refused). */
  credential(token = this.token): TokenCredential & { scopes: string[] } {
    const c = {
      /** The scopes of every token asked for. */
      scopes: [] as string[],
      async getToken(scopes: string | string[]): Promise<AccessToken> {
        c.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
        return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    return c;
  }

  /** Options that point AzureSdkServerApi here: endpoint, trusted certificate, token, quick polls and retries. */
  clientOptions(extra: AzureSdkServerApiOptions = {}): AzureSdkServerApiOptions {
    return { endpoint: this.endpoint, trustedCa: this.ca, credential: this.credential(), updateIntervalInMs: 10, retryDelayInMs: 10, ...extra };
  }

  serverId(subscriptionId: string, resourceGroupName: string, name: string): string {
    return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
  }

  /** Add a server; returns its id as GET returns it. */
  addServer(subscriptionId: string, s: StandinServer): string {
    const id = this.serverId(subscriptionId, s.resourceGroupName, s.name);
    const ha = s.highAvailability ?? "Disabled";
    this.servers.set(lower(id), {
      name: s.name,
      type: "Microsoft.DBforPostgreSQL/flexibleServers",
      id,
      location: s.location ?? "uksouth",
      properties: {
        administratorLogin: "aytqadmin",
        authConfig: { activeDirectoryAuth: "Disabled", passwordAuth: "Enabled" },
        availabilityZone: "1",
        backup: { backupRetentionDays: 7, earliestRestoreDate: new Date(Date.now() - 86_400_000).toISOString(), geoRedundantBackup: "Disabled" },
        dataEncryption: { type: "SystemManaged" },
        fullyQualifiedDomainName: `${s.name}.postgres.database.azure.com`,
        highAvailability: { mode: ha, state: ha === "Disabled" ? "NotEnabled" : "Healthy" },
        maintenanceWindow: { customWindow: "Disabled", dayOfWeek: 0, startHour: 0, startMinute: 0 },
        minorVersion: "8",
        network: { publicNetworkAccess: "Disabled" },
        privateEndpointConnections: [],
        replica: { capacity: 5, role: "Primary" },
        replicaCapacity: 5,
        replicationRole: "Primary",
        state: s.state ?? "Ready",
        storage: { type: "", autoGrow: "Disabled", iops: 500, storageSizeGB: s.storageSizeGB ?? 128, tier: "P10" },
        version: s.version ?? "16",
      },
      sku: { name: s.skuName ?? "Standard_D2ds_v5", tier: s.skuTier ?? "GeneralPurpose" },
      systemData: { createdAt: new Date().toISOString() },
    });
    return id;
  }

  addDatabase(serverId: string, name: string): string {
    const id = `${this.serverOrThrow(serverId).id as string}/databases/${name}`;
    this.children.set(lower(id), { name, type: "Microsoft.DBforPostgreSQL/flexibleServers/databases", id, properties: { charset: "UTF8", collation: "en_US.utf8" } });
    return id;
  }

  addConfiguration(serverId: string, name: string, value: string, source: "system-default" | "user-override" = "system-default"): string {
    const id = `${this.serverOrThrow(serverId).id as string}/configurations/${name}`;
    this.children.set(lower(id), {
      name,
      type: "Microsoft.DBforPostgreSQL/flexibleServers/configurations",
      id,
      properties: { description: `the ${name} parameter`, allowedValues: "", dataType: "String", defaultValue: value, isConfigPendingRestart: false, isDynamicConfig: true, isReadOnly: false, source, value },
    });
    return id;
  }

  /** Add a diagnostic setting on a resource; returns its id as Azure reports it (partly lower-cased). */
  addDiagnosticSetting(resourceUri: string, name: string): string {
    const id = reportedSettingId(resourceUri, name);
    this.settings.set(lower(id), {
      id,
      type: "Microsoft.Insights/diagnosticSettings",
      name,
      properties: {
        workspaceId: `/subscriptions/${resourceUri.split("/")[2]}/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/aytq-logs`,
        logs: [{ category: "PostgreSQLLogs", enabled: true, retentionPolicy: { enabled: false, days: 0 } }],
        metrics: [{ category: "AllMetrics", enabled: true, retentionPolicy: { enabled: false, days: 0 } }],
      },
    });
    return id;
  }

  /** Add an action group (receivers as ARM lists them); returns its id. */
  addActionGroup(subscriptionId: string, resourceGroupName: string, name: string, o: { enabled?: boolean; emails?: string[]; webhooks?: string[]; sms?: string[] } = {}): string {
    const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Insights/actionGroups/${name}`;
    this.generic.set(lower(id), {
      id,
      type: "Microsoft.Insights/ActionGroups",
      name,
      location: "Global",
      tags: {},
      properties: {
        groupShortName: name.slice(0, 12),
        enabled: o.enabled ?? true,
        emailReceivers: (o.emails ?? []).map((emailAddress, i) => ({ name: `email-${i + 1}`, emailAddress, useCommonAlertSchema: true, status: "Enabled" })),
        smsReceivers: (o.sms ?? []).map((phoneNumber, i) => ({ name: `sms-${i + 1}`, countryCode: "44", phoneNumber, status: "Enabled" })),
        webhookReceivers: (o.webhooks ?? []).map((serviceUri, i) => ({ name: `webhook-${i + 1}`, serviceUri, useCommonAlertSchema: true, useAadAuth: false })),
        itsmReceivers: [],
        azureAppPushReceivers: [],
        automationRunbookReceivers: [],
        voiceReceivers: [],
        logicAppReceivers: [],
        azureFunctionReceivers: [],
        armRoleReceivers: [],
        eventHubReceivers: [],
      },
    });
    return id;
  }

  /** Add a management lock on a resource; returns its id. */
  addLock(resourceId: string, name: string, level: "CanNotDelete" | "ReadOnly" = "CanNotDelete"): string {
    const id = `${resourceId}/providers/Microsoft.Authorization/locks/${name}`;
    this.generic.set(lower(id), { id, type: "Microsoft.Authorization/locks", name, properties: { level, notes: "added by the test", owners: [] } });
    return id;
  }

  server(id: string): Json | undefined {
    return this.servers.get(lower(id));
  }

  child(id: string): Json | undefined {
    return this.children.get(lower(id));
  }

  /** Requests other than polls of operations. */
  get calls(): string[] {
    return this.requests.filter((r) => !OPERATION_RE.test(r.path)).map((r) => `${r.method} ${r.path}`);
  }

  /** Polls of operations. */
  get polls(): SeenRequest[] {
    return this.requests.filter((r) => OPERATION_RE.test(r.path));
  }

  // ---------------------------------------------------------------------------------------------

  private serverOrThrow(serverId: string): Json {
    const s = this.server(serverId);
    if (!s) throw new Error(`no server ${serverId} in the stand-in`);
    return s;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.endpoint);
    const seen: SeenRequest = { method: req.method ?? "", url: req.url ?? "", path: decodeURIComponent(url.pathname), authorization: req.headers.authorization };
    if (text) seen.body = JSON.parse(text) as unknown;
    this.requests.push(seen);

    if (!seen.authorization) {
      return this.error(res, 401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", { "WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The authentication failed because of missing \'Authorization\' header."' });
    }
    if (seen.authorization !== `Bearer ${this.token}`) {
      return this.error(res, 401, "InvalidAuthenticationToken", "The access token is invalid.", { "WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The access token is invalid."' });
    }
    const fault = this.faults.find((f) => (f.method === undefined || f.method === seen.method) && (f.path === undefined || f.path.test(seen.path)));
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      const message = typeof fault.message === "function" ? fault.message(seen) : (fault.message ?? "injected by the test");
      return this.error(res, fault.status, fault.code ?? "InjectedFault", message, fault.headers);
    }

    let m: RegExpExecArray | null;
    if ((m = OPERATION_RE.exec(seen.path)) && seen.method === "GET") return this.poll(res, m[1].toLowerCase() === "azureasyncoperation" ? "async" : "location", m[2]);
    if ((m = SETTING_RE.exec(seen.path))) return this.setting(res, seen, m[1], m[2]);
    if ((m = ACTION_GROUP_RE.exec(seen.path))) return this.genericGet(res, seen, "Microsoft.Insights/actionGroups/read", "ResourceNotFound", `The Resource 'Microsoft.Insights/actionGroups/${m[2]}' under resource group '${m[1]}' was not found.`);
    if ((m = LOCK_RE.exec(seen.path))) {
      // an empty path segment (getAtResourceLevel's empty parentResourcePath) is not a resource id
      if (seen.path.includes("//")) return this.error(res, 400, "InvalidResourceType", `The resource type could not be found: the path ${seen.path} has an empty segment.`);
      return this.genericGet(res, seen, "Microsoft.Authorization/locks/read", "LockNotFound", `The lock '${m[2]}' could not be found.`);
    }
    if ((m = PERMISSIONS_RE.exec(seen.path)) && seen.method === "GET") {
      // one page here, the rest behind nextLink, as ARM pages long answers
      if (new URL(seen.url, this.endpoint).searchParams.get("page") === "2") return this.json(res, 200, { value: this.permissions.slice(1) });
      const [first, ...rest] = this.permissions;
      return this.json(res, 200, { value: first ? [first] : [], ...(rest.length ? { nextLink: `${this.endpoint}${seen.path}?api-version=2022-04-01&page=2` } : {}) });
    }
    if ((m = RESTART_RE.exec(seen.path)) && seen.method === "POST") return this.restart(res, seen, m[1]);
    if ((m = CHILD_RE.exec(seen.path))) return this.childResource(res, seen, m[1], m[2].toLowerCase() as "databases" | "configurations", m[3]);
    if ((m = SERVER_RE.exec(seen.path))) return this.serverResource(res, seen, m[2], m[3]);
    return this.error(res, 400, "StandinDoesNotModel", `the ARM stand-in does not model ${seen.method} ${seen.path}`);
  }

  private json(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    if (body === undefined) return void res.writeHead(status, headers).end();
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers }).end(JSON.stringify(body));
  }

  private error(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
    this.json(res, status, { error: { code, message } }, { "x-ms-failure-cause": "gateway", ...headers });
  }

  /** 403 when the role does not allow the action on this scope. */
  private forbidden(res: ServerResponse, action: string, scope: string): boolean {
    if (!this.denied.has(action)) return false;
    this.error(
      res,
      403,
      "AuthorizationFailed",
      `The client 'drill@example.org' with object id '11111111-2222-3333-4444-555555555555' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
    return true;
  }

  /** GET of an action group or lock; the stand-in models reads only. */
  private genericGet(res: ServerResponse, seen: SeenRequest, action: string, notFoundCode: string, notFound: string): void {
    if (this.forbidden(res, action, seen.path)) return;
    if (seen.method !== "GET") return this.error(res, 405, "MethodNotAllowed", `the stand-in does not model ${seen.method} of ${seen.path}`);
    const found = this.generic.get(lower(seen.path));
    return found ? this.json(res, 200, found) : this.error(res, 404, notFoundCode, notFound);
  }

  private async serverResource(res: ServerResponse, seen: SeenRequest, rg: string, name: string): Promise<void> {
    const s = this.server(seen.path);
    const verb = seen.method === "GET" ? "read" : seen.method === "DELETE" ? "delete" : "write";
    if (this.forbidden(res, `Microsoft.DBforPostgreSQL/flexibleServers/${verb}`, seen.path)) return;
    const notFound = () => this.error(res, 404, "ResourceNotFound", `The Resource 'Microsoft.DBforPostgreSQL/flexibleServers/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
    switch (seen.method) {
      case "GET":
        return s ? this.json(res, 200, s) : notFound();
      case "PATCH": {
        if (!s) return notFound();
        const patch = (seen.body ?? {}) as { sku?: Json; properties?: { storage?: Json; highAvailability?: Json } };
        const before = structuredClone(s);
        const props = s.properties as Json;
        return this.accept(res, "PATCH", s.id as string, {
          start: () => void (props.state = "Updating"),
          apply: () => {
            if (patch.sku) s.sku = { ...(s.sku as Json), ...patch.sku };
            if (patch.properties?.storage) props.storage = { ...(props.storage as Json), ...patch.properties.storage };
            if (patch.properties?.highAvailability) {
              const mode = patch.properties.highAvailability.mode as string;
              props.highAvailability = { ...(props.highAvailability as Json), ...patch.properties.highAvailability, state: mode === "Disabled" ? "NotEnabled" : "Healthy" };
            }
            props.state = "Ready";
          },
          undo: () => Object.assign(s, before),
          result: () => s,
        });
      }
      case "DELETE": {
        if (!s) return this.json(res, 204);
        const props = s.properties as Json;
        return this.accept(res, "DELETE", s.id as string, {
          start: () => void (props.state = "Dropping"),
          apply: () => {
            const prefix = lower(s.id as string);
            this.servers.delete(prefix);
            for (const k of [...this.children.keys()]) if (k.startsWith(prefix + "/")) this.children.delete(k);
          },
          undo: () => void (props.state = "Ready"),
        });
      }
      default:
        return this.error(res, 405, "MethodNotAllowed", `the stand-in does not model ${seen.method} of a server`);
    }
  }

  private async childResource(res: ServerResponse, seen: SeenRequest, serverPath: string, kind: "databases" | "configurations", name: string): Promise<void> {
    const s = this.server(serverPath);
    const verb = seen.method === "GET" ? "read" : "write";
    if (this.forbidden(res, `Microsoft.DBforPostgreSQL/flexibleServers/${kind}/${verb}`, seen.path)) return;
    const serverName = serverPath.split("/").pop() ?? "";
    if (!s) {
      return this.error(res, 404, "ParentResourceNotFound", `Can not perform requested operation on nested resource. Parent resource '${serverName}' not found.`);
    }
    const existing = this.child(seen.path);
    if (seen.method === "GET") {
      return existing
        ? this.json(res, 200, existing)
        : this.error(res, 404, "ResourceNotFound", `The requested resource of type 'Microsoft.DBforPostgreSQL/flexibleServers/${kind}' with name '${name}' was not found.`);
    }
    if (kind === "configurations" && seen.method === "PUT") {
      const props = ((seen.body ?? {}) as { properties?: { value?: string; source?: string } }).properties ?? {};
      const id = `${s.id as string}/configurations/${existing ? (existing.name as string) : name}`;
      const before = existing && structuredClone(existing);
      return this.accept(res, "PUT", id, {
        start: () => undefined,
        apply: () => {
          if (!this.child(id)) this.addConfiguration(s.id as string, name, props.value ?? "");
          Object.assign(this.child(id)?.properties as Json, { value: props.value, source: props.source ?? "user-override" });
        },
        undo: () => (before ? this.children.set(lower(id), before) : undefined),
        result: () => this.child(id),
      });
    }
    return this.error(res, 405, "MethodNotAllowed", `the stand-in does not model ${seen.method} of ${kind}`);
  }

  private setting(res: ServerResponse, seen: SeenRequest, resourceUri: string, name: string): void {
    const verb = seen.method === "GET" ? "read" : seen.method === "DELETE" ? "delete" : "write";
    if (this.forbidden(res, `Microsoft.Insights/diagnosticSettings/${verb}`, seen.path)) return;
    const id = lower(reportedSettingId(resourceUri, name));
    const parentGone = SERVER_RE.test(resourceUri) && !this.server(resourceUri);
    const existing = this.settings.get(id);
    const notFound = () => this.error(res, 404, "ResourceNotFound", `The diagnostic setting '${name}' doesn't exist.`);
    if (seen.method === "GET") {
      if (parentGone && this.orphanSettingRead === "not-found") return notFound();
      if (parentGone && this.orphanSettingRead === "error") {
        return this.error(res, 409, "ResourceNotReady", `The resource '${resourceUri}' is being deleted or does not exist, and its diagnostic settings cannot be read.`);
      }
      return existing ? this.json(res, 200, existing) : notFound();
    }
    if (seen.method === "DELETE") {
      if (!existing) return this.json(res, 204);
      this.settings.delete(id);
      return this.json(res, 200);
    }
    return this.error(res, 405, "MethodNotAllowed", `the stand-in does not model ${seen.method} of a diagnostic setting`);
  }

  /** POST .../restart: Restarting, then Ready with every pending parameter in effect. */
  private async restart(res: ServerResponse, seen: SeenRequest, serverPath: string): Promise<void> {
    const s = this.server(serverPath);
    if (this.forbidden(res, "Microsoft.DBforPostgreSQL/flexibleServers/restart/action", seen.path)) return;
    if (!s) return this.error(res, 404, "ResourceNotFound", `The Resource '${serverPath}' was not found.`);
    const props = s.properties as Json;
    const prefix = lower(s.id as string) + "/configurations/";
    return this.accept(res, "POST", s.id as string, {
      start: () => void (props.state = "Restarting"),
      apply: () => {
        for (const [k, c] of this.children) if (k.startsWith(prefix)) (c.properties as Json).isConfigPendingRestart = false;
        props.state = "Ready";
      },
      undo: () => void (props.state = "Ready"),
    });
  }

  /** Start a long-running operation: 202 with what to follow. */
  private async accept(
    res: ServerResponse,
    method: string,
    resourceId: string,
    o: { start: () => void; apply: () => void; undo: () => void; result?: () => unknown },
  ): Promise<void> {
    const given = this.scripts.shift() ?? this.defaultScript;
    const script = { inProgressPolls: given.inProgressPolls ?? 1, status: given.status ?? "Succeeded", headers: given.headers ?? "both", error: given.error, retryAfterSeconds: given.retryAfterSeconds };
    const id = randomUUID();
    const sub = resourceId.split("/")[2];
    const location = (this.server(resourceId.split("/").slice(0, 9).join("/"))?.location as string | undefined) ?? "uksouth";
    const op: Operation = { id, location, method, script, polls: 0, startTime: new Date().toISOString(), apply: o.apply, undo: o.undo, result: o.result };
    this.operations.set(id, op);
    o.start();
    await this.onAccept?.({ method, resourceId });
    const base = `${this.endpoint}/subscriptions/${sub}/providers/Microsoft.DBforPostgreSQL/locations/${location}`;
    const headers: Record<string, string> = {};
    if (script.headers === "both" || script.headers === "azure-async-operation") headers["Azure-AsyncOperation"] = `${base}/azureAsyncOperation/${id}?api-version=${PG_API_VERSION}`;
    if (script.headers === "both" || script.headers === "location") headers["Location"] = `${base}/operationResults/${id}?api-version=${PG_API_VERSION}`;
    if (script.retryAfterSeconds !== undefined) headers["Retry-After"] = String(script.retryAfterSeconds);
    if (script.headers === "none") op.endTime = op.startTime; // nothing to follow: Azure's outcome is never told
    this.json(res, 202, undefined, headers);
  }

  /** One poll: InProgress for the scripted number of polls, then the outcome (applied once). */
  private poll(res: ServerResponse, kind: "async" | "location", id: string): void {
    const op = this.operations.get(id);
    if (!op) return this.error(res, 404, "OperationNotFound", `The operation '${id}' was not found.`);
    const retry: Record<string, string> = op.script.retryAfterSeconds !== undefined ? { "Retry-After": String(op.script.retryAfterSeconds) } : {};
    if (op.endTime === undefined) {
      op.polls++;
      if (op.polls <= op.script.inProgressPolls) {
        if (kind === "location") return this.json(res, 202, undefined, retry);
        return this.json(res, 200, { name: id, status: "InProgress", startTime: op.startTime }, retry);
      }
      op.endTime = new Date().toISOString();
      if (op.script.status === "Succeeded") op.apply();
      else op.undo();
    }
    const error = op.script.error ?? { code: "InternalServerError", message: "An unexpected error occured while processing the request." };
    if (kind === "async") {
      const body: Json = { name: id, status: op.script.status, startTime: op.startTime, endTime: op.endTime };
      if (op.script.status !== "Succeeded") body.error = error;
      return this.json(res, 200, body);
    }
    if (op.script.status !== "Succeeded") return this.error(res, op.script.status === "Canceled" ? 409 : 500, error.code, error.message);
    const result = op.result?.();
    return result === undefined ? this.json(res, 204) : this.json(res, 200, result);
  }
}
