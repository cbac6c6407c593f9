/**
 * A local stand-in for Azure Resource Manager, for tests of the real Azure SDK clients
 * (recovery/azure/sdk.ts): an https front end over the one simulated Azure (state.ts), so the SDK
 * reads and changes the same world, under the same rules, as the in-process port (port.ts). It
 * speaks ARM's shapes for what recovery asks of it (bodies.ts):
 * - flexible servers, their databases and parameters, diagnostic settings, as GET bodies; ids are
 *   case-insensitive and a diagnostic setting's id comes back partly lower-cased (ENGINE.md §8d);
 * - 404 `{"error":{"code":"ResourceNotFound"|"ParentResourceNotFound",...}}` for what is not there;
 * - PATCH server, PUT parameter, POST restart and DELETE server as long-running operations
 *   (arm-wire.ts), applied when done; a DELETE of a server that does not exist answers 204;
 * - action groups (Monitor 2021-09-01 shape: receivers under properties) and management locks
 *   (2020-05-01: `{ properties: { level, notes } }` at `<resource id>/providers/Microsoft.Authorization/locks/<name>`), 404 when absent;
 * - 401 for a missing or unknown bearer token, 403 AuthorizationFailed for an action the identity's
 *   permissions do not allow, 409 for what the state's rules refuse (ServerBusy, ScopeLocked), and
 *   any answer a test queues (429 with Retry-After, 500, ...).
 * The SDK sends a bearer token only over https, so the stand-in serves https with a self-signed
 * certificate made by openssl for 127.0.0.1; `clientOptions()` gives the SDK that certificate to trust.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { AccessToken, TokenCredential } from "@azure/identity";
import type { HighAvailabilityMode } from "../../../recovery/azure/arm";
import type { AzureSdkServerApiOptions } from "../../../recovery/azure/sdk";
import { PULUMI_TYPES } from "../../../infra/types";
import { route } from "./arm-routes";
import { armError, Fault, OPERATION_RE, OperationScript, Operations, SeenRequest, selfSigned } from "./arm-wire";
import { serverBody } from "./bodies";
import { AzureRefusal, AzureState, lockId, lower, OrphanSettingRead, reportedSettingId, SimServer } from "./state";

interface StandinServer {
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

export class ArmStandin {
  /** The token the stand-in accepts; the test credential hands it out. */
  readonly token = `standin-${randomUUID()}`;
  readonly requests: SeenRequest[] = [];
  readonly faults: Fault[] = [];
  /** Called once a long-running operation is accepted, before the 202 is sent. */
  onAccept?: (op: { method: string; resourceId: string }) => Promise<void> | void;
  readonly operations: Operations;

  private constructor(
    private readonly https: https.Server,
    readonly endpoint: string,
    readonly ca: string,
    /** The simulated Azure it serves. */
    readonly azure: AzureState,
  ) {
    this.operations = new Operations(endpoint);
  }

  /**
   * Serve `azure` (to share it with the in-process port), or a new one: the identity a Contributor,
   * and a restart or an update over once Azure's operation is (no busy polls after it).
   */
  static async start(azure: AzureState = new AzureState({ subscriptionId: "00000000-0000-4000-8000-000000000000", roles: ["Contributor"], busyPolls: 0 })): Promise<ArmStandin> {
    const { key, cert } = selfSigned();
    const server = https.createServer({ key, cert });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const standin = new ArmStandin(server, `https://127.0.0.1:${(server.address() as AddressInfo).port}`, cert, azure);
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

  // ---------------------------------------------------------------------------------------------
  // The state, as a test sets it up and looks at it.

  /** Scripts for the next long-running operations, in order; then `defaultScript`. */
  get scripts(): OperationScript[] {
    return this.operations.scripts;
  }
  get defaultScript(): OperationScript {
    return this.operations.defaultScript;
  }
  set defaultScript(script: OperationScript) {
    this.operations.defaultScript = script;
  }
  /** What `Microsoft.Authorization/permissions` answers (one entry per role assignment). */
  get permissions(): { actions: readonly string[]; notActions: readonly string[] }[] {
    return this.azure.permissions;
  }
  /** Actions refused whatever the permissions, e.g. `Microsoft.DBforPostgreSQL/flexibleServers/delete`. */
  get denied(): Set<string> {
    return this.azure.denied;
  }
  get orphanSettingRead(): OrphanSettingRead {
    return this.azure.orphanSettingRead;
  }
  set orphanSettingRead(read: OrphanSettingRead) {
    this.azure.orphanSettingRead = read;
  }
  /** Diagnostic settings by lower-cased id, kept when their server is deleted (ENGINE.md §9). */
  get settings(): AzureState["settings"] {
    return this.azure.settings;
  }

  serverId(subscriptionId: string, resourceGroupName: string, name: string): string {
    return this.azure.serverId(resourceGroupName, name, subscriptionId);
  }

  /** Add a server; returns its id as GET returns it. */
  addServer(subscriptionId: string, s: StandinServer): string {
    const id = this.serverId(subscriptionId, s.resourceGroupName, s.name);
    const server = this.azure.newServer(
      id,
      {
        serverName: s.name,
        resourceGroupName: s.resourceGroupName,
        location: s.location ?? "uksouth",
        sku: { name: s.skuName ?? "Standard_D2ds_v5", tier: s.skuTier ?? "GeneralPurpose" },
        storage: { storageSizeGB: s.storageSizeGB ?? 128 },
        version: s.version ?? "16",
        highAvailability: { mode: s.highAvailability ?? "Disabled" },
        administratorLogin: "aytqadmin",
      },
      "existing",
    );
    server.state = s.state ?? "Ready";
    this.azure.servers.set(lower(id), server);
    return id;
  }

  addDatabase(serverId: string, name: string): string {
    const s = this.serverOrThrow(serverId);
    s.databases.add(name);
    return `${s.id}/databases/${name}`;
  }

  /** A parameter at Azure's default (`system-default`: the value is its default), or set by the user (`user-override`). */
  addConfiguration(serverId: string, name: string, value: string, source: "system-default" | "user-override" = "system-default"): string {
    const s = this.serverOrThrow(serverId);
    this.azure.parameterNames.add(name);
    if (source === "system-default") this.azure.parameterDefaults.set(name, value);
    else s.parameters.set(name, value);
    return `${s.id}/configurations/${name}`;
  }

  /** Add a diagnostic setting on a resource; returns its id as Azure reports it (partly lower-cased). */
  addDiagnosticSetting(resourceUri: string, name: string): string {
    const id = reportedSettingId(resourceUri, name);
    this.azure.settings.set(lower(id), {
      id,
      name,
      resourceUri,
      props: {
        workspaceId: `/subscriptions/${resourceUri.split("/")[2]}/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/aytq-logs`,
        logs: [{ category: "PostgreSQLLogs", enabled: true }],
        metrics: [{ category: "AllMetrics", enabled: true }],
      },
    });
    return id;
  }

  /** Add an action group (azure-native's inputs; a GET lists the receivers as ARM does); returns its id. */
  addActionGroup(subscriptionId: string, resourceGroupName: string, name: string, o: { enabled?: boolean; emails?: string[]; webhooks?: string[]; sms?: string[] } = {}): string {
    const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Insights/actionGroups/${name}`;
    this.azure.generic.set(lower(id), {
      id,
      type: PULUMI_TYPES.actionGroup,
      props: {
        resourceGroupName,
        actionGroupName: name,
        location: "Global",
        groupShortName: name.slice(0, 12),
        enabled: o.enabled ?? true,
        emailReceivers: (o.emails ?? []).map((emailAddress, i) => ({ name: `email-${i + 1}`, emailAddress, useCommonAlertSchema: true, status: "Enabled" })),
        smsReceivers: (o.sms ?? []).map((phoneNumber, i) => ({ name: `sms-${i + 1}`, countryCode: "44", phoneNumber, status: "Enabled" })),
        webhookReceivers: (o.webhooks ?? []).map((serviceUri, i) => ({ name: `webhook-${i + 1}`, serviceUri, useCommonAlertSchema: true, useAadAuth: false })),
      },
    });
    return id;
  }

  /** Add a management lock on a resource (set up by someone with the rights); returns its id. */
  addLock(resourceId: string, name: string, level: "CanNotDelete" | "ReadOnly" = "CanNotDelete"): string {
    const id = lockId(resourceId, name);
    this.azure.generic.set(lower(id), { id, type: PULUMI_TYPES.lock, props: { scope: resourceId, lockName: name, level, notes: "added by the test" } });
    return id;
  }

  /** A server's GET body, as the SDK would read it now; undefined when there is no live server. */
  server(id: string): Record<string, unknown> | undefined {
    const s = this.azure.serverAt(id);
    return s && serverBody(this.azure, s);
  }

  /** Requests other than polls of operations. */
  get calls(): string[] {
    return this.requests.filter((r) => !OPERATION_RE.test(r.path)).map((r) => `${r.method} ${r.path}`);
  }

  /** Polls of operations. */
  get polls(): SeenRequest[] {
    return this.requests.filter((r) => OPERATION_RE.test(r.path));
  }

  private serverOrThrow(serverId: string): SimServer {
    const s = this.azure.serverAt(serverId);
    if (!s) throw new Error(`no server ${serverId} in the stand-in`);
    return s;
  }

  // ---------------------------------------------------------------------------------------------
  // The wire.

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.endpoint);
    const seen: SeenRequest = { method: req.method ?? "", url: req.url ?? "", path: decodeURIComponent(url.pathname), authorization: req.headers.authorization };
    if (text) seen.body = JSON.parse(text) as unknown;
    this.requests.push(seen);

    if (!seen.authorization) {
      return armError(res, 401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", { "WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The authentication failed because of missing \'Authorization\' header."' });
    }
    if (seen.authorization !== `Bearer ${this.token}`) {
      return armError(res, 401, "InvalidAuthenticationToken", "The access token is invalid.", { "WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The access token is invalid."' });
    }
    const fault = this.faults.find((f) => (f.method === undefined || f.method === seen.method) && (f.path === undefined || f.path.test(seen.path)));
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      const message = typeof fault.message === "function" ? fault.message(seen) : (fault.message ?? "injected by the test");
      return armError(res, fault.status, fault.code ?? "InjectedFault", message, fault.headers);
    }
    try {
      await route(this, seen, res);
    } catch (err) {
      if (!(err instanceof AzureRefusal)) throw err;
      armError(res, err.status, err.code, err.azureMessage);
    }
  }
}
