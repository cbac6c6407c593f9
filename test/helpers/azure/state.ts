/**
 * One simulated Azure for the tests and the fake engine: its state and its rules, with two front
 * ends over it, so that what recovery reads in-process and what the real SDK reads over HTTP come
 * from one model and can never disagree:
 * - port.ts: in-process, as the fake engine calls azure-native (engine.ts: create / read / update /
 *   delete by resource id) and as the driver asks ARM directly ({@link AzureServerApi});
 * - arm-http.ts: an https stand-in for Azure Resource Manager that the real SDK clients talk to.
 *
 * What it models, with the source of each fact in ../../../../shared/reference/ENGINE.md:
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
 * - a server with a delete lock cannot be deleted (ScopeLocked); its locks, databases and
 *   parameters go with it, its diagnostic settings stay;
 * - what the identity may do is its role assignments' permissions (`Microsoft.Authorization/permissions`):
 *   creating a management lock needs `Microsoft.Authorization/locks/write` (Owner or User Access
 *   Administrator; Contributor is refused with AuthorizationFailed, §12).
 */
import { ToolError } from "../../../recovery/errors";
import type { HighAvailabilityMode } from "../../../recovery/azure/arm";
import { actionAllowed, AzurePermission, BUILT_IN_ROLES, BuiltInRole } from "../../../recovery/azure/permissions";
import { PULUMI_TYPES } from "../../../infra/types";

/** What a GET of a kept diagnostic setting answers while its server is deleted (undocumented: ENGINE.md §9). */
export type OrphanSettingRead = "found" | "not-found" | "error";

/** How Azure spells, in a GET, an id it was sent. */
export type ReportedIdCase = "lower" | "as-sent";

export interface AzureOptions {
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

/**
 * Server parameters that only take effect after a restart (Microsoft, "Server parameters in Azure
 * Database for PostgreSQL flexible server": static parameters; the configuration's `isDynamicConfig`
 * is false). The ones the stacks and tests set.
 */
const STATIC_PARAMETERS: ReadonlySet<string> = new Set(["max_connections", "shared_buffers", "max_worker_processes", "max_prepared_transactions", "shared_preload_libraries"]);

/** Azure's default value of a server parameter nobody set, when the test gave none. */
export const DEFAULT_PARAMETER_VALUE = "(system default)";

export interface SimServer {
  id: string;
  name: string;
  resourceGroupName: string;
  version: string;
  skuName: string;
  skuTier: string;
  storageSizeGB: number;
  /** Undefined: Azure reports no highAvailability block (read as Disabled). */
  highAvailability: HighAvailabilityMode | undefined;
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
  /** Ready; Restarting / Updating for {@link busy} more polls; Dropping while a delete runs; Stopped, ... as a test sets it. */
  state: string;
  busy: number;
  /** Times Azure restarted it. */
  restarts: number;
}

export interface SimSetting {
  /** As Azure reports it (partly lower-cased). */
  id: string;
  name: string;
  resourceUri: string;
  props: Record<string, unknown>;
}

/** Every other resource (action groups, locks, storage, ...): azure-native's inputs as created. */
export interface SimGeneric {
  id: string;
  type: string;
  props: Record<string, unknown>;
}

/**
 * Azure refusing a request: the HTTP status and code it answers with, its message, and the text the
 * in-process port throws (a ToolError, as the SDK adapter's errors are).
 */
export class AzureRefusal extends ToolError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly azureMessage: string,
    text: string,
  ) {
    super(text);
  }
}

export const lower = (id: string) => id.toLowerCase();

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** The last segment of an id. */
export const lastSegment = (id: string) => id.slice(id.lastIndexOf("/") + 1);

/** The id Azure reports for a diagnostic setting: the resource's id lower-cased, then the setting (ENGINE.md §8d). */
export function reportedSettingId(resourceUri: string, name: string): string {
  return `${lower(resourceUri)}/providers/microsoft.insights/diagnosticSettings/${name}`;
}

/** The id of a management lock on a resource. */
export function lockId(resourceId: string, lockName: string): string {
  return `${resourceId}/providers/Microsoft.Authorization/locks/${lockName}`;
}

export class AzureState {
  readonly subscriptionId: string;
  orphanSettingRead: OrphanSettingRead;
  staleSettingReattaches: boolean;
  reportedIdCase: ReportedIdCase;
  busyPolls: number;
  /** Live servers by lower-cased id. */
  readonly servers = new Map<string, SimServer>();
  /** Deleted servers by lower-cased id, as they were when deleted. */
  readonly dropped = new Map<string, { server: SimServer; deletedAt: Date }>();
  /** Diagnostic settings by lower-cased id, whether or not their resource exists. */
  readonly settings = new Map<string, SimSetting>();
  /** Action groups, locks and every other resource, by lower-cased id. */
  readonly generic = new Map<string, SimGeneric>();
  /** Every server Azure created, as `<createMode> <name>` (a revive must happen once). */
  readonly serverCreates: string[] = [];
  /** Azure's own value for a parameter nobody set (`system-default`), by name. */
  readonly parameterDefaults = new Map<string, string>();
  /** The parameters Azure lists (the same for every server): the static ones and any ever set or listed here. */
  readonly parameterNames = new Set<string>(STATIC_PARAMETERS);
  /** What `Microsoft.Authorization/permissions` answers: one entry per role assignment. */
  permissions: AzurePermission[];
  /** Actions refused on top of the permissions (a deny assignment), e.g. `Microsoft.DBforPostgreSQL/flexibleServers/delete`. */
  readonly denied = new Set<string>();
  private roleNames: BuiltInRole[];

  constructor(o: AzureOptions) {
    this.subscriptionId = o.subscriptionId;
    this.orphanSettingRead = o.orphanSettingRead ?? "not-found";
    this.staleSettingReattaches = o.staleSettingReattaches ?? true;
    this.reportedIdCase = o.reportedIdCase ?? "lower";
    this.busyPolls = o.busyPolls ?? 2;
    this.roleNames = o.roles ?? ["Contributor", "User Access Administrator"];
    this.permissions = this.roleNames.map((r) => BUILT_IN_ROLES[r]);
  }

  /** The identity's built-in roles; setting them sets its permissions. */
  get roles(): BuiltInRole[] {
    return this.roleNames;
  }
  set roles(roles: BuiltInRole[]) {
    this.roleNames = roles;
    this.permissions = roles.map((r) => BUILT_IN_ROLES[r]);
  }

  /** Whether the identity may perform `action`. */
  allows(action: string): boolean {
    return !this.denied.has(action) && actionAllowed(this.permissions, action);
  }

  serverId(resourceGroupName: string, name: string, subscriptionId = this.subscriptionId): string {
    return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
  }

  /** The live server at an id (any case). */
  serverAt(id: string): SimServer | undefined {
    return this.servers.get(lower(id));
  }

  /** The live server whose id a child id starts with. */
  serverOf(id: string): SimServer | undefined {
    const l = lower(id);
    for (const [sid, s] of this.servers) if (l === sid || l.startsWith(sid + "/")) return s;
    return undefined;
  }

  /** Whether a resource a diagnostic setting is on exists. */
  resourceExists(resourceUri: string): boolean {
    return this.servers.has(lower(resourceUri)) || this.generic.has(lower(resourceUri));
  }

  /** An id as a GET spells it. */
  spelled(id: string | undefined): string | undefined {
    return id === undefined || this.reportedIdCase === "as-sent" ? id : lower(id);
  }

  // ---------------------------------------------------------------------------------------------
  // A server's rules.

  /** A new server from azure-native's inputs (or a test's), Azure's defaults for the rest. */
  newServer(id: string, inputs: Record<string, unknown>, createdBy: SimServer["createdBy"]): SimServer {
    const sku = (inputs.sku ?? {}) as Record<string, unknown>;
    const storage = (inputs.storage ?? {}) as Record<string, unknown>;
    const ha = (inputs.highAvailability ?? {}) as Record<string, unknown>;
    const network = (inputs.network ?? {}) as Record<string, unknown>;
    const backup = (inputs.backup ?? {}) as Record<string, unknown>;
    return {
      id,
      name: str(inputs.serverName) ?? lastSegment(id),
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

  /** Refuse an operation on a server that is not Ready (restarting, updating, ...), as Azure does (409 ServerBusy). */
  assertReady(s: SimServer, what: string): void {
    if (s.state === "Ready") return;
    const message = `the server ${s.name} is ${s.state.toLowerCase()}; try again when it is Ready`;
    throw new AzureRefusal(409, "ServerBusy", message, `Azure refused to ${what}: HTTP 409 ServerBusy: ${message}`);
  }

  /** A GET of the server: the state it reports; each poll brings a restart or an update nearer its end. */
  observe(s: SimServer): string {
    const state = s.state;
    if (s.busy > 0 && --s.busy === 0) s.state = "Ready";
    return state;
  }

  /** After a restart or an update is done, the server still reports it for a few polls. */
  private settle(s: SimServer, state: "Restarting" | "Updating"): void {
    s.state = state;
    s.busy = this.busyPolls;
    if (s.busy === 0) s.state = "Ready";
  }

  /** A parameter's name as the server knows it (parameter names compare without case, as ids do). */
  parameterName(s: SimServer, name: string): string {
    for (const k of s.parameters.keys()) if (lower(k) === lower(name)) return k;
    for (const k of this.parameterNames) if (lower(k) === lower(name)) return k;
    return name;
  }

  /** A parameter as Azure lists it; undefined when Azure has no such parameter (404). */
  parameter(s: SimServer, name: string): { name: string; value: string; source: "user-override" | "system-default"; pendingRestart: boolean; dynamic: boolean } | undefined {
    const n = this.parameterName(s, name);
    const value = s.parameters.get(n);
    if (value === undefined && !this.parameterNames.has(n)) return undefined;
    const dynamic = !STATIC_PARAMETERS.has(n);
    if (value === undefined) return { name: n, value: this.parameterDefaults.get(n) ?? DEFAULT_PARAMETER_VALUE, source: "system-default", pendingRestart: false, dynamic };
    return { name: n, value, source: "user-override", pendingRestart: s.pendingRestart.has(n), dynamic };
  }

  /** Set a parameter as Azure does: a static one is pending until the server restarts. */
  setParameter(s: SimServer, name: string, value: string): void {
    const n = this.parameterName(s, name);
    this.parameterNames.add(n);
    if (s.parameters.get(n) === value && !s.pendingRestart.has(n)) return;
    s.parameters.set(n, value);
    if (STATIC_PARAMETERS.has(n)) s.pendingRestart.add(n);
  }

  /** A restart is done: pending static parameters take effect. */
  restarted(s: SimServer): void {
    s.pendingRestart.clear();
    s.restarts++;
    this.settle(s, "Restarting");
  }

  /** An update of HA, SKU or storage is done. */
  patched(s: SimServer, patch: { highAvailability?: HighAvailabilityMode; skuName?: string; skuTier?: string; storageSizeGB?: number }): void {
    if (patch.highAvailability !== undefined) s.highAvailability = patch.highAvailability;
    if (patch.skuName !== undefined) s.skuName = patch.skuName;
    if (patch.skuTier !== undefined) s.skuTier = patch.skuTier;
    if (patch.storageSizeGB !== undefined) s.storageSizeGB = patch.storageSizeGB;
    this.settle(s, "Updating");
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

  /** Refuse to delete a resource with a delete lock on it (ScopeLocked). */
  assertUnlocked(s: SimServer): void {
    const locks = this.locksOn(s.id);
    if (locks.length === 0) return;
    const message = `the server ${s.name} cannot be deleted: it has a delete lock (${locks.join(", ")})`;
    throw new AzureRefusal(409, "ScopeLocked", message, `ScopeLocked: ${message}`);
  }

  /**
   * Delete a live server as Azure does: refused while a delete lock is on it (ScopeLocked); its
   * databases, parameters and locks go with it; its diagnostic settings stay.
   */
  dropServer(id: string, at: Date = new Date()): void {
    const s = this.servers.get(lower(id));
    if (!s) throw new Error(`no live server ${id}`);
    this.assertUnlocked(s);
    this.servers.delete(lower(id));
    this.dropped.set(lower(id), { server: s, deletedAt: at });
  }

  // ---------------------------------------------------------------------------------------------
  // Diagnostic settings, action groups, locks.

  /** What a GET of a diagnostic setting finds: the setting, nothing (404), or Azure's refusal to answer while its resource is gone. */
  readSetting(resourceUri: string, name: string): SimSetting | "absent" | "orphan-error" {
    const setting = this.settings.get(lower(reportedSettingId(resourceUri, name)));
    if (!this.resourceExists(resourceUri) && this.orphanSettingRead !== "found") return this.orphanSettingRead === "error" && setting ? "orphan-error" : "absent";
    return setting ?? "absent";
  }

  /** A new server of a name: what Azure does with the settings it kept for that name. */
  attachKeptSettings(serverId: string): void {
    for (const [k, setting] of this.settings) {
      if (lower(setting.resourceUri) !== lower(serverId)) continue;
      if (!this.staleSettingReattaches) this.settings.delete(k);
    }
  }

  /** The action group of a resource group and name, as the program declared it. */
  actionGroup(resourceGroupName: string, name: string): SimGeneric | undefined {
    return [...this.generic.values()].find(
      (r) => r.type === PULUMI_TYPES.actionGroup && lower(str(r.props.resourceGroupName) ?? "") === lower(resourceGroupName) && lower(str(r.props.actionGroupName) ?? "") === lower(name),
    );
  }

  /** A lock on a resource, by the resource's id and the lock's name. */
  lock(resourceId: string, lockName: string): SimGeneric | undefined {
    return this.generic.get(lower(lockId(resourceId, lockName)));
  }
}
