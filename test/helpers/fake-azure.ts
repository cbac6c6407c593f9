/**
 * A simulated Azure for tests and the fake engine: flexible servers with their databases and
 * parameters, deleted servers that can be revived, diagnostic settings that outlive their server,
 * and every other azure-native resource as a plain record. It answers both the fake engine
 * (create / read / update / delete by resource id, as azure-native calls ARM) and the driver's
 * direct ARM questions ({@link AzureServerApi}), from one model, so the two can never disagree.
 *
 * What it models, with the source of each fact in ../../../shared/reference/ENGINE.md:
 * - ids are case-insensitive; a diagnostic setting's id comes back partly lower-cased (§8d);
 * - a create of something that exists fails, except a server parameter, which is an upsert (§8a);
 * - a revived server comes back single-instance (HA off), without its parameters, with its
 *   databases; a new server comes back empty (§9);
 * - a deleted server's diagnostic setting is kept; what a GET of it answers while the server is
 *   gone, and whether it reappears on a new server of the same name, are undocumented: switches;
 * - a GET answers everything a real GET returns (§11): a server reports the availability zone
 *   Azure chose, its network ids as Azure spells them (a switch: lower-cased, or as sent), its
 *   storage, backup, auth, encryption and maintenance settings; azure-native's import takes all of it;
 * - a static server parameter is set but pending until the server restarts (`isConfigPendingRestart`, §12);
 * - a server that is restarting or updating answers `409 ServerBusy` to any other operation, and
 *   is Ready again after a few polls;
 * - creating a management lock needs `Microsoft.Authorization/locks/write` (Owner or User Access
 *   Administrator; Contributor is refused with AuthorizationFailed, §12).
 */
import { ToolError } from "../../recovery/errors";
import type { ActionGroupFacts, ArmResource, AzureServerApi, ConfigurationFacts, HighAvailabilityMode, LockFacts, ServerFacts, ServerPatch } from "../../recovery/azure/arm";
import type { ReadyPoll } from "../../recovery/ops/verify-server";
import { actionAllowed, AzurePermission, BUILT_IN_ROLES, BuiltInRole, LOCK_WRITE } from "../../recovery/azure/permissions";

/** What a GET of a kept diagnostic setting answers while its server is deleted (undocumented: ENGINE.md §9). */
export type OrphanSettingRead = "found" | "not-found" | "error";

export interface FakeAzureOptions {
  subscriptionId: string;
  /** @default "not-found" */
  orphanSettingRead?: OrphanSettingRead;
  /** Whether a kept diagnostic setting is attached to a new server of the same name (ENGINE.md §9: "could be included"). @default true */
  staleSettingReattaches?: boolean;
  /** How a GET spells the ids a server was created with (its subnet and DNS zone): undocumented, so both are tested. @default "lower" */
  reportedIdCase?: ReportedIdCase;
  /** How many polls of a restarting or updating server answer that state before it is Ready. @default 2 */
  busyPolls?: number;
  /**
   * The built-in roles of the identity that runs everything (the engine's and the driver's calls):
   * a lock write without `Microsoft.Authorization/locks/write` is refused (AuthorizationFailed).
   * @default Contributor and User Access Administrator, as README set-up grants the recovery identity
   */
  roles?: BuiltInRole[];
}

/** How Azure spells, in a GET, an id it was sent. */
export type ReportedIdCase = "lower" | "as-sent";

/**
 * Server parameters that only take effect after a restart (Microsoft, "Server parameters in Azure
 * Database for PostgreSQL flexible server": static parameters; the configuration's `isDynamicConfig`
 * is false). The ones the stacks and tests set.
 */
const STATIC_PARAMETERS: ReadonlySet<string> = new Set(["max_connections", "shared_buffers", "max_worker_processes", "max_prepared_transactions", "shared_preload_libraries"]);

export interface SimServer {
  id: string;
  name: string;
  resourceGroupName: string;
  version: string;
  skuName: string;
  skuTier: string;
  storageSizeGB: number;
  highAvailability: HighAvailabilityMode;
  adminLogin?: string;
  /** Kept only to check that the app's credentials still log in; never printed. */
  adminPassword?: string;
  /** Parameters set by the user; the rest are at their defaults. */
  parameters: Map<string, string>;
  /** Static parameters set but not in effect until a restart. */
  pendingRestart: Set<string>;
  databases: Set<string>;
  createdBy: "Default" | "ReviveDropped" | "PointInTimeRestore" | "existing";
  location: string;
  /** Chosen by Azure when the create did not say (create-only). */
  availabilityZone: string;
  /** The inputs the server was created with that a GET echoes, as sent (the GET spells them per {@link ReportedIdCase}). */
  network: { delegatedSubnetResourceId?: string; privateDnsZoneArmResourceId?: string; publicNetworkAccess: string };
  backupRetentionDays: number;
  geoRedundantBackup: string;
  /** Ready, or Restarting / Updating for {@link busy} more polls. */
  state: "Ready" | "Restarting" | "Updating";
  busy: number;
  /** Times Azure restarted it. */
  restarts: number;
}

interface SimSetting {
  /** As Azure reports it (partly lower-cased). */
  id: string;
  name: string;
  resourceUri: string;
  props: Record<string, unknown>;
}

interface SimGeneric {
  id: string;
  type: string;
  props: Record<string, unknown>;
}

const SERVER = "azure-native:dbforpostgresql:Server";
const DATABASE = "azure-native:dbforpostgresql:Database";
const CONFIGURATION = "azure-native:dbforpostgresql:Configuration";
const SETTING = "azure-native:monitor:DiagnosticSetting";
const LOCK = "azure-native:authorization:ManagementLockByScope";

/** Polling the simulated Azure's busy servers without waiting (its busy state ends after a number of polls, not of seconds). */
export const NO_WAIT_POLL: ReadyPoll = { firstIntervalMs: 1, maxIntervalMs: 1, timeoutMs: 10_000 };

/** Azure's default value of a server parameter nobody set. */
const DEFAULT_PARAMETER_VALUE = "(system default)";

const lower = (id: string) => id.toLowerCase();

/**
 * A diagnostic setting's GET as inputs: its body (workspace, logs, metrics), not its path values
 * (resourceUri, name), which azure-native takes from the id. Azure adds a retention policy to each log.
 */
function settingGet(setting: { props: Record<string, unknown> }): Record<string, unknown> {
  const body: Record<string, unknown> = { ...setting.props };
  delete body.resourceUri;
  delete body.name;
  if (Array.isArray(body.logs)) body.logs = (body.logs as Record<string, unknown>[]).map((l) => ({ ...l, retentionPolicy: { days: 0, enabled: false } }));
  return body;
}

/** The id Azure reports for a diagnostic setting: lower-cased up to the setting's own segment (ENGINE.md §8d). */
function azureSettingId(resourceUri: string, name: string): string {
  return `${lower(resourceUri)}/providers/microsoft.insights/diagnosticSettings/${name}`;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** The error text azure-native gives for a create of something that exists (ENGINE.md §8a). */
function alreadyExists(id: string): Error {
  return new Error(`cannot create already existing resource '${id}'`);
}

export class FakeAzure implements AzureServerApi {
  readonly subscriptionId: string;
  orphanSettingRead: OrphanSettingRead;
  staleSettingReattaches: boolean;
  /** Live servers by lower-cased id. */
  readonly servers = new Map<string, SimServer>();
  /** Deleted servers by lower-cased id, as they were when deleted. */
  readonly dropped = new Map<string, { server: SimServer; deletedAt: Date }>();
  /** Diagnostic settings by lower-cased id, whether or not their resource exists. */
  readonly settings = new Map<string, SimSetting>();
  readonly generic = new Map<string, SimGeneric>();
  /** Every server Azure created, as `<createMode> <name>` (a revive must happen once). */
  readonly serverCreates: string[] = [];
  /** Every direct ARM call the driver made (`updateServer s189... {"highAvailability":"ZoneRedundant"}`), for assertions. */
  readonly armCalls: string[] = [];
  /** Make the next call of this ARM method throw (once). */
  private failures = new Map<string, Error>();
  reportedIdCase: ReportedIdCase;
  busyPolls: number;
  roles: BuiltInRole[];

  constructor(o: FakeAzureOptions) {
    this.subscriptionId = o.subscriptionId;
    this.orphanSettingRead = o.orphanSettingRead ?? "not-found";
    this.staleSettingReattaches = o.staleSettingReattaches ?? true;
    this.reportedIdCase = o.reportedIdCase ?? "lower";
    this.busyPolls = o.busyPolls ?? 2;
    this.roles = o.roles ?? ["Contributor", "User Access Administrator"];
  }

  private permissions(): AzurePermission[] {
    return this.roles.map((r) => BUILT_IN_ROLES[r]);
  }

  /** An id as a GET spells it. */
  private spelled(id: string | undefined): string | undefined {
    return id === undefined || this.reportedIdCase === "as-sent" ? id : lower(id);
  }

  /** Refuse an operation on a server that is restarting or updating, as Azure does (409 ServerBusy). */
  private notBusy(s: SimServer, what: string): void {
    if (s.state !== "Ready") throw new ToolError(`Azure refused to ${what}: HTTP 409 ServerBusy: the server ${s.name} is ${s.state.toLowerCase()}; try again when it is Ready`);
  }

  /** Set a parameter as Azure does: a static one is pending until the server restarts. */
  private setParameter(s: SimServer, name: string, value: string): void {
    this.notBusy(s, `set parameter ${name}`);
    if (s.parameters.get(name) === value && !s.pendingRestart.has(name)) return;
    s.parameters.set(name, value);
    if (STATIC_PARAMETERS.has(name)) s.pendingRestart.add(name);
  }

  serverId(resourceGroupName: string, name: string): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
  }

  failNext(method: keyof AzureServerApi, error: Error): void {
    this.failures.set(method, error);
  }

  /** Called with each ARM call as recorded in `armCalls`, before it runs; a test throws from it to fail it. */
  onArm?: (call: string) => void;

  private arm(method: keyof AzureServerApi, detail: string): void {
    this.armCalls.push(`${method} ${detail}`);
    this.onArm?.(this.armCalls[this.armCalls.length - 1]);
    const err = this.failures.get(method);
    if (err) {
      this.failures.delete(method);
      throw err;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The model.

  /** The live server whose id a child id starts with. */
  private serverOf(id: string): SimServer | undefined {
    const l = lower(id);
    for (const [sid, s] of this.servers) if (l === sid || l.startsWith(sid + "/")) return s;
    return undefined;
  }

  private serverExistsAt(resourceUri: string): boolean {
    return this.servers.has(lower(resourceUri));
  }

  /** The delete locks on a resource (`<id>/providers/Microsoft.Authorization/locks/<name>`). */
  locksOn(id: string): string[] {
    const prefix = `${lower(id)}/providers/microsoft.authorization/locks/`;
    return [...this.generic.values()].filter((g) => lower(g.id).startsWith(prefix)).map((g) => g.id);
  }

  /** Remove every lock on a resource (someone with the rights, before deleting it). */
  removeLocks(id: string): void {
    for (const lock of this.locksOn(id)) this.generic.delete(lower(lock));
  }

  /**
   * Delete a live server as Azure does: refused while a delete lock is on it (ScopeLocked); its
   * databases, parameters and locks go with it; its diagnostic settings stay.
   */
  dropServer(id: string, at: Date = new Date()): void {
    const s = this.servers.get(lower(id));
    if (!s) throw new Error(`no live server ${id}`);
    const locks = this.locksOn(id);
    if (locks.length > 0) throw new ToolError(`ScopeLocked: the server ${s.name} cannot be deleted: it has a delete lock (${locks.join(", ")})`);
    this.servers.delete(lower(id));
    this.dropped.set(lower(id), { server: s, deletedAt: at });
  }

  /** A server that exists before anything runs (the stack's first deploy). */
  private newServer(id: string, inputs: Record<string, unknown>, createdBy: SimServer["createdBy"]): SimServer {
    const sku = (inputs.sku ?? {}) as Record<string, unknown>;
    const storage = (inputs.storage ?? {}) as Record<string, unknown>;
    const ha = (inputs.highAvailability ?? {}) as Record<string, unknown>;
    const network = (inputs.network ?? {}) as Record<string, unknown>;
    const backup = (inputs.backup ?? {}) as Record<string, unknown>;
    return {
      id,
      name: str(inputs.serverName) ?? id.slice(id.lastIndexOf("/") + 1),
      resourceGroupName: str(inputs.resourceGroupName) ?? "",
      version: str(inputs.version) ?? "16",
      skuName: str(sku.name) ?? "",
      skuTier: str(sku.tier) ?? "",
      storageSizeGB: typeof storage.storageSizeGB === "number" ? storage.storageSizeGB : 32,
      highAvailability: (str(ha.mode) as HighAvailabilityMode | undefined) ?? "Disabled",
      adminLogin: str(inputs.administratorLogin),
      adminPassword: str(inputs.administratorLoginPassword),
      parameters: new Map(),
      pendingRestart: new Set(),
      databases: new Set(),
      createdBy,
      location: str(inputs.location) ?? "uksouth",
      availabilityZone: str(inputs.availabilityZone) || "1",
      network: {
        delegatedSubnetResourceId: str(network.delegatedSubnetResourceId),
        privateDnsZoneArmResourceId: str(network.privateDnsZoneArmResourceId),
        publicNetworkAccess: str(network.publicNetworkAccess) ?? "Disabled",
      },
      backupRetentionDays: typeof backup.backupRetentionDays === "number" ? backup.backupRetentionDays : 7,
      geoRedundantBackup: str(backup.geoRedundantBackup) ?? "Disabled",
      state: "Ready",
      busy: 0,
      restarts: 0,
    };
  }

  /**
   * A server's GET as azure-native's `ResponseToSdkInputs` turns it into inputs: every property a
   * real GET returns that is an input of the SDK (read-only ones left out), with the ids it was
   * created with spelled as Azure spells them. The path values (serverName, resourceGroupName)
   * come from the id, not from here.
   */
  private serverGet(s: SimServer): Record<string, unknown> {
    return {
      location: s.location,
      sku: { name: s.skuName, tier: s.skuTier },
      administratorLogin: s.adminLogin,
      version: s.version,
      availabilityZone: s.availabilityZone,
      storage: { storageSizeGB: s.storageSizeGB, autoGrow: "Disabled", tier: "P10", type: "Premium_LRS" },
      authConfig: { activeDirectoryAuth: "Disabled", passwordAuth: "Enabled" },
      dataEncryption: { type: "SystemManaged" },
      backup: { backupRetentionDays: s.backupRetentionDays, geoRedundantBackup: s.geoRedundantBackup },
      network: {
        publicNetworkAccess: s.network.publicNetworkAccess,
        delegatedSubnetResourceId: this.spelled(s.network.delegatedSubnetResourceId),
        privateDnsZoneArmResourceId: this.spelled(s.network.privateDnsZoneArmResourceId),
      },
      highAvailability: { mode: s.highAvailability, standbyAvailabilityZone: "" },
      maintenanceWindow: { customWindow: "Disabled", dayOfWeek: 0, startHour: 0, startMinute: 0 },
      replicationRole: "Primary",
    };
  }

  /** A new server of a name: what Azure does with the settings it kept for that name. */
  private attachKeptSettings(serverId: string): void {
    for (const [k, setting] of this.settings) {
      if (lower(setting.resourceUri) !== lower(serverId)) continue;
      if (!this.staleSettingReattaches) this.settings.delete(k);
    }
  }

  /**
   * What azure-native's Read (GET) finds at an id: its properties, or undefined (404). Throws for
   * what Azure refuses to answer.
   */
  read(type: string, id: string): Record<string, unknown> | undefined {
    const l = lower(id);
    switch (type) {
      case SERVER: {
        const s = this.servers.get(l);
        return s ? this.serverGet(s) : undefined;
      }
      case DATABASE: {
        const s = this.serverOf(id);
        const name = id.slice(id.lastIndexOf("/") + 1);
        return s && s.databases.has(name) ? { charset: "UTF8", collation: "en_US.utf8" } : undefined;
      }
      case CONFIGURATION: {
        const s = this.serverOf(id);
        const name = id.slice(id.lastIndexOf("/") + 1);
        return s ? { value: s.parameters.get(name) ?? DEFAULT_PARAMETER_VALUE, source: s.parameters.has(name) ? "user-override" : "system-default" } : undefined;
      }
      case SETTING: {
        const setting = this.settings.get(l);
        if (!setting) return undefined;
        if (!this.serverExistsAt(setting.resourceUri)) {
          if (this.orphanSettingRead === "error") {
            throw new Error(`ResourceNotFound: the resource '${setting.resourceUri}' of diagnostic setting '${setting.name}' was not found (HTTP 404 on a GET of the setting)`);
          }
          return this.orphanSettingRead === "found" ? settingGet(setting) : undefined;
        }
        return settingGet(setting);
      }
      default: {
        const g = this.generic.get(l);
        return g ? { ...g.props } : undefined;
      }
    }
  }

  /** Set while the stack's first deploy is seeded: done by whoever set the project up, with every role it needed. */
  private seeding = false;

  /** azure-native's Create: a GET first, then the PUT. Returns the id Azure reports. */
  create(type: string, id: string, inputs: Record<string, unknown>): string {
    const l = lower(id);
    switch (type) {
      case SERVER: {
        if (this.servers.has(l)) throw alreadyExists(id);
        const mode = str(inputs.createMode) ?? "Default";
        if (mode === "ReviveDropped") {
          const source = str(inputs.sourceServerResourceId) ?? "";
          const gone = this.dropped.get(lower(source));
          if (!gone) throw new Error(`Azure refused the revive: no deleted server ${source} can be revived (ServerNotFound)`);
          const at = str(inputs.pointInTimeUTC);
          if (at !== undefined && new Date(at) <= gone.deletedAt) {
            throw new Error(`Azure refused the revive: pointInTimeUTC ${at} is not after the deletion (InvalidParameterValue)`);
          }
          const revived: SimServer = {
            ...gone.server,
            id,
            // restored single-instance, without server parameters (ENGINE.md §9)
            highAvailability: "Disabled",
            parameters: new Map(),
            pendingRestart: new Set(),
            databases: new Set(gone.server.databases),
            createdBy: "ReviveDropped",
            state: "Ready",
            busy: 0,
            restarts: 0,
          };
          this.dropped.delete(lower(source));
          this.servers.set(l, revived);
        } else if (mode === "PointInTimeRestore") {
          const source = this.servers.get(lower(str(inputs.sourceServerResourceId) ?? ""));
          if (!source) throw new Error(`Azure refused the restore: source server ${String(inputs.sourceServerResourceId)} not found`);
          this.servers.set(l, {
            ...source,
            id,
            name: str(inputs.serverName) ?? source.name,
            highAvailability: "Disabled",
            parameters: new Map(),
            pendingRestart: new Set(),
            databases: new Set(source.databases),
            createdBy: "PointInTimeRestore",
            state: "Ready",
            busy: 0,
            restarts: 0,
          });
        } else {
          this.servers.set(l, this.newServer(id, inputs, "Default"));
        }
        this.attachKeptSettings(id);
        this.serverCreates.push(`${mode} ${str(inputs.serverName) ?? id}`);
        return id;
      }
      case DATABASE: {
        const s = this.serverOf(id);
        if (!s) throw new Error(`ParentResourceNotFound: server of ${id} does not exist`);
        const name = str(inputs.databaseName) ?? id.slice(id.lastIndexOf("/") + 1);
        if (s.databases.has(name)) throw alreadyExists(id);
        s.databases.add(name);
        return id;
      }
      case CONFIGURATION: {
        // a singleton: Create is an upsert
        const s = this.serverOf(id);
        if (!s) throw new Error(`ParentResourceNotFound: server of ${id} does not exist`);
        this.setParameter(s, str(inputs.configurationName) ?? id.slice(id.lastIndexOf("/") + 1), String(inputs.value));
        return id;
      }
      case SETTING: {
        const resourceUri = str(inputs.resourceUri) ?? "";
        const name = str(inputs.name) ?? "";
        const reported = azureSettingId(resourceUri, name);
        const kept = this.settings.get(lower(reported));
        if (kept && this.serverExistsAt(resourceUri)) throw alreadyExists(id);
        if (!this.serverExistsAt(resourceUri)) throw new Error(`ResourceNotFound: ${resourceUri} does not exist`);
        this.settings.set(lower(reported), { id: reported, name, resourceUri, props: { ...inputs } });
        return reported;
      }
      default: {
        if (this.generic.has(l)) throw alreadyExists(id);
        if (type === LOCK && !this.seeding && !actionAllowed(this.permissions(), LOCK_WRITE)) {
          throw new Error(`AuthorizationFailed: the client does not have authorization to perform action '${LOCK_WRITE}' over scope '${id}' (roles: ${this.roles.join(", ")})`);
        }
        this.generic.set(l, { id, type, props: { ...inputs } });
        return id;
      }
    }
  }

  /** azure-native's Update (a PUT or PATCH of the declared inputs). */
  update(type: string, id: string, inputs: Record<string, unknown>): void {
    const l = lower(id);
    switch (type) {
      case SERVER: {
        const s = this.servers.get(l);
        if (!s) throw new Error(`ResourceNotFound: ${id}`);
        this.notBusy(s, `update server ${s.name}`);
        const next = this.newServer(id, inputs, s.createdBy);
        Object.assign(s, { skuName: next.skuName, skuTier: next.skuTier, storageSizeGB: next.storageSizeGB, highAvailability: next.highAvailability });
        return;
      }
      case DATABASE:
        return;
      case CONFIGURATION:
        this.create(type, id, inputs);
        return;
      case SETTING: {
        const s = this.settings.get(l);
        if (!s) throw new Error(`ResourceNotFound: ${id}`);
        s.props = { ...inputs };
        return;
      }
      default: {
        const g = this.generic.get(l);
        if (g) g.props = { ...inputs };
        else this.generic.set(l, { id, type, props: { ...inputs } });
      }
    }
  }

  /** azure-native's Delete. */
  delete(type: string, id: string): void {
    const l = lower(id);
    switch (type) {
      case SERVER:
        if (this.servers.has(l)) this.dropServer(id);
        return;
      case DATABASE:
        this.serverOf(id)?.databases.delete(id.slice(id.lastIndexOf("/") + 1));
        return;
      case CONFIGURATION:
        // Delete resets the parameter to its default (ENGINE.md §8a)
        this.serverOf(id)?.parameters.delete(id.slice(id.lastIndexOf("/") + 1));
        return;
      case SETTING:
        this.settings.delete(l);
        return;
      default:
        this.generic.delete(l);
    }
  }

  /** Record a resource as deployed (the stack's first `up`, before the test begins). */
  seed(type: string, id: string, inputs: Record<string, unknown>): string {
    if (type === SERVER) {
      const s = this.newServer(id, inputs, "existing");
      this.servers.set(lower(id), s);
      return id;
    }
    this.seeding = true;
    let created: string;
    try {
      created = this.create(type, id, inputs);
    } finally {
      this.seeding = false;
    }
    // a parameter deployed before the test began has long been in effect
    if (type === CONFIGURATION) this.serverOf(id)?.pendingRestart.delete(str(inputs.configurationName) ?? id.slice(id.lastIndexOf("/") + 1));
    return created;
  }

  // ---------------------------------------------------------------------------------------------
  // AzureServerApi: the driver's direct questions.

  async getServer(resourceGroupName: string, serverName: string): Promise<ServerFacts | undefined> {
    this.arm("getServer", serverName);
    const s = this.servers.get(lower(this.serverId(resourceGroupName, serverName)));
    if (!s) return undefined;
    const state = s.state;
    // each poll brings a restart or an update nearer its end
    if (s.busy > 0 && --s.busy === 0) s.state = "Ready";
    return { id: s.id, name: s.name, state, version: s.version, skuName: s.skuName, skuTier: s.skuTier, storageSizeGB: s.storageSizeGB, highAvailability: s.highAvailability };
  }

  async getDatabase(resourceGroupName: string, serverName: string, databaseName: string): Promise<ArmResource | undefined> {
    this.arm("getDatabase", `${serverName}/${databaseName}`);
    const s = this.servers.get(lower(this.serverId(resourceGroupName, serverName)));
    if (!s || !s.databases.has(databaseName)) return undefined;
    return { id: `${s.id}/databases/${databaseName}`, name: databaseName };
  }

  async getConfiguration(resourceGroupName: string, serverName: string, name: string): Promise<ConfigurationFacts | undefined> {
    this.arm("getConfiguration", `${serverName}/${name}`);
    const s = this.servers.get(lower(this.serverId(resourceGroupName, serverName)));
    if (!s) return undefined;
    const value = s.parameters.get(name);
    return {
      id: `${s.id}/configurations/${name}`,
      name,
      value: value ?? DEFAULT_PARAMETER_VALUE,
      source: value === undefined ? "system-default" : "user-override",
      pendingRestart: s.pendingRestart.has(name),
    };
  }

  async putConfiguration(resourceGroupName: string, serverName: string, name: string, value: string): Promise<void> {
    this.arm("putConfiguration", `${serverName}/${name}=${value}`);
    const s = this.servers.get(lower(this.serverId(resourceGroupName, serverName)));
    if (!s) throw new ToolError(`ResourceNotFound: server ${serverName} does not exist`);
    this.setParameter(s, name, value);
  }

  /**
   * Restart: pending static parameters take effect. Azure's long-running operation ends when the
   * restart is accepted and done; the server still reports Restarting for a few polls after it.
   */
  async restartServer(resourceGroupName: string, serverName: string): Promise<void> {
    this.arm("restartServer", serverName);
    const s = this.servers.get(lower(this.serverId(resourceGroupName, serverName)));
    if (!s) throw new ToolError(`ResourceNotFound: server ${serverName} does not exist`);
    this.notBusy(s, `restart server ${s.name}`);
    s.pendingRestart.clear();
    s.restarts++;
    s.state = "Restarting";
    s.busy = this.busyPolls;
    if (s.busy === 0) s.state = "Ready";
  }

  async updateServer(resourceGroupName: string, serverName: string, patch: ServerPatch): Promise<void> {
    this.arm("updateServer", `${serverName} ${JSON.stringify(patch)}`);
    const s = this.servers.get(lower(this.serverId(resourceGroupName, serverName)));
    if (!s) throw new ToolError(`ResourceNotFound: server ${serverName} does not exist`);
    this.notBusy(s, `update server ${s.name}`);
    if (patch.highAvailability !== undefined) s.highAvailability = patch.highAvailability;
    if (patch.skuName !== undefined) s.skuName = patch.skuName;
    if (patch.skuTier !== undefined) s.skuTier = patch.skuTier;
    if (patch.storageSizeGB !== undefined) s.storageSizeGB = patch.storageSizeGB;
    // the operation is done, but the server still reports Updating for a few polls
    s.state = "Updating";
    s.busy = this.busyPolls;
    if (s.busy === 0) s.state = "Ready";
  }

  async deleteServer(resourceGroupName: string, serverName: string): Promise<void> {
    this.arm("deleteServer", serverName);
    const id = this.serverId(resourceGroupName, serverName);
    if (this.servers.has(lower(id))) this.dropServer(id);
  }

  async getDiagnosticSetting(resourceUri: string, name: string): Promise<ArmResource | undefined> {
    this.arm("getDiagnosticSetting", `${resourceUri}/${name}`);
    let found: Record<string, unknown> | undefined;
    try {
      found = this.read(SETTING, azureSettingId(resourceUri, name));
    } catch (err) {
      throw new ToolError(`Azure did not answer for diagnostic setting ${name}: ${(err as Error).message}`);
    }
    return found ? { id: azureSettingId(resourceUri, name), name } : undefined;
  }

  async deleteDiagnosticSetting(resourceUri: string, name: string): Promise<void> {
    this.arm("deleteDiagnosticSetting", `${resourceUri}/${name}`);
    this.settings.delete(lower(azureSettingId(resourceUri, name)));
  }

  /** The action group the program declared (azure-native:monitor:ActionGroup), read from the inputs it was created with. */
  async getActionGroup(resourceGroupName: string, name: string): Promise<ActionGroupFacts | undefined> {
    this.arm("getActionGroup", `${resourceGroupName}/${name}`);
    const g = [...this.generic.values()].find(
      (r) => r.type === "azure-native:monitor:ActionGroup" && lower(str(r.props.resourceGroupName) ?? "") === lower(resourceGroupName) && lower(str(r.props.actionGroupName) ?? "") === lower(name),
    );
    if (!g) return undefined;
    const list = (field: string) => (Array.isArray(g.props[field]) ? (g.props[field] as Record<string, unknown>[]) : []);
    const receivers: Record<string, number> = {};
    for (const [field, kind] of [["emailReceivers", "email"], ["smsReceivers", "sms"], ["webhookReceivers", "webhook"], ["voiceReceivers", "voice"]] as const) {
      if (list(field).length > 0) receivers[kind] = list(field).length;
    }
    return {
      id: `/subscriptions/${this.subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Insights/actionGroups/${name}`,
      name,
      enabled: g.props.enabled !== false,
      emailAddresses: list("emailReceivers").map((r) => str(r.emailAddress) ?? ""),
      receivers,
    };
  }

  async getPermissions(resourceGroupName: string): Promise<AzurePermission[]> {
    this.arm("getPermissions", resourceGroupName);
    return this.permissions();
  }

  /** A lock the program declared on a resource (`<resource id>/providers/Microsoft.Authorization/locks/<name>`). */
  async getLock(resourceId: string, lockName: string): Promise<LockFacts | undefined> {
    this.arm("getLock", `${resourceId}/${lockName}`);
    const g = this.generic.get(lower(`${resourceId}/providers/Microsoft.Authorization/locks/${lockName}`));
    return g ? { id: g.id, name: lockName, level: str(g.props.level) ?? "NotSpecified" } : undefined;
  }
}
