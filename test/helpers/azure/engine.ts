/**
 * The simulated Azure as the fake engine calls it: azure-native's create / read / update / delete
 * by resource id, over the one state (state.ts), with its rules (ENGINE.md §8a, §8d, §9, §11, §12).
 */
import { PULUMI_TYPES } from "../../../infra/types";
import { LOCK_WRITE } from "../../../recovery/azure/permissions";
import { serverInputs, settingInputs } from "./bodies";
import { AzureState, lastSegment, lower, reportedSettingId, SimServer, str } from "./state";

const SERVER = PULUMI_TYPES.server;
const DATABASE = PULUMI_TYPES.database;
const CONFIGURATION = PULUMI_TYPES.configuration;
const SETTING = PULUMI_TYPES.diagnosticSetting;
const LOCK = PULUMI_TYPES.lock;

/** The error text azure-native gives for a create of something that exists (ENGINE.md §8a). */
function alreadyExists(id: string): Error {
  return new Error(`cannot create already existing resource '${id}'`);
}

/** A database of a server, by name (names compare without case, as ids do). */
export function databaseOf(s: SimServer, name: string): string | undefined {
  for (const d of s.databases) if (lower(d) === lower(name)) return d;
  return undefined;
}

export class AzureResources extends AzureState {
  /** Set while the stack's first deploy is seeded: done by whoever set the project up, with every role it needed. */
  private seeding = false;

  /**
   * What azure-native's Read (GET) finds at an id: its properties, or undefined (404). Throws for
   * what Azure refuses to answer.
   */
  read(type: string, id: string): Record<string, unknown> | undefined {
    const l = lower(id);
    switch (type) {
      case SERVER: {
        const s = this.servers.get(l);
        return s ? serverInputs(this, s) : undefined;
      }
      case DATABASE: {
        const s = this.serverOf(id);
        return s && databaseOf(s, lastSegment(id)) !== undefined ? { charset: "UTF8", collation: "en_US.utf8" } : undefined;
      }
      case CONFIGURATION: {
        const s = this.serverOf(id);
        const p = s && this.parameter(s, lastSegment(id));
        return p ? { value: p.value, source: p.source } : undefined;
      }
      case SETTING: {
        const setting = this.settings.get(l);
        if (!setting) return undefined;
        const found = this.readSetting(setting.resourceUri, setting.name);
        if (found === "orphan-error") {
          throw new Error(`ResourceNotFound: the resource '${setting.resourceUri}' of diagnostic setting '${setting.name}' was not found (HTTP 404 on a GET of the setting)`);
        }
        return found === "absent" ? undefined : settingInputs(found);
      }
      default: {
        const g = this.generic.get(l);
        return g ? { ...g.props } : undefined;
      }
    }
  }

  /** azure-native's Create: a GET first, then the PUT. Returns the id Azure reports. */
  create(type: string, id: string, inputs: Record<string, unknown>): string {
    const l = lower(id);
    switch (type) {
      case SERVER: {
        if (this.servers.has(l)) throw alreadyExists(id);
        const mode = str(inputs.createMode) ?? "Default";
        if (mode === "ReviveDropped") this.servers.set(l, this.revived(id, inputs));
        else if (mode === "PointInTimeRestore") this.servers.set(l, this.restored(id, inputs));
        else this.servers.set(l, this.newServer(id, inputs, "Default"));
        this.attachKeptSettings(id);
        this.serverCreates.push(`${mode} ${str(inputs.serverName) ?? id}`);
        return id;
      }
      case DATABASE: {
        const s = this.serverOf(id);
        if (!s) throw new Error(`ParentResourceNotFound: server of ${id} does not exist`);
        const name = str(inputs.databaseName) ?? lastSegment(id);
        if (databaseOf(s, name) !== undefined) throw alreadyExists(id);
        s.databases.add(name);
        return id;
      }
      case CONFIGURATION: {
        // a singleton: Create is an upsert
        const s = this.serverOf(id);
        if (!s) throw new Error(`ParentResourceNotFound: server of ${id} does not exist`);
        const name = str(inputs.configurationName) ?? lastSegment(id);
        this.assertReady(s, `set parameter ${name}`);
        this.setParameter(s, name, String(inputs.value));
        return id;
      }
      case SETTING: {
        const resourceUri = str(inputs.resourceUri) ?? "";
        const name = str(inputs.name) ?? "";
        const reported = reportedSettingId(resourceUri, name);
        const kept = this.settings.get(lower(reported));
        if (kept && this.resourceExists(resourceUri)) throw alreadyExists(id);
        if (!this.resourceExists(resourceUri)) throw new Error(`ResourceNotFound: ${resourceUri} does not exist`);
        this.settings.set(lower(reported), { id: reported, name, resourceUri, props: { ...inputs } });
        return reported;
      }
      default: {
        if (this.generic.has(l)) throw alreadyExists(id);
        if (type === LOCK && !this.seeding && !this.allows(LOCK_WRITE)) {
          throw new Error(`AuthorizationFailed: the client does not have authorization to perform action '${LOCK_WRITE}' over scope '${id}' (roles: ${this.roles.join(", ")})`);
        }
        this.generic.set(l, { id, type, props: { ...inputs } });
        return id;
      }
    }
  }

  /** A revive of a deleted server: restored single-instance, without server parameters, with its databases (ENGINE.md §9). */
  private revived(id: string, inputs: Record<string, unknown>): SimServer {
    const source = str(inputs.sourceServerResourceId) ?? "";
    const gone = this.dropped.get(lower(source));
    if (!gone) throw new Error(`Azure refused the revive: no deleted server ${source} can be revived (ServerNotFound)`);
    const at = str(inputs.pointInTimeUTC);
    if (at !== undefined && new Date(at) <= gone.deletedAt) {
      throw new Error(`Azure refused the revive: pointInTimeUTC ${at} is not after the deletion (InvalidParameterValue)`);
    }
    this.dropped.delete(lower(source));
    return {
      ...gone.server,
      id,
      highAvailability: "Disabled",
      parameters: new Map(),
      pendingRestart: new Set(),
      databases: new Set(gone.server.databases),
      createdBy: "ReviveDropped",
      state: "Ready",
      busy: 0,
      restarts: 0,
    };
  }

  /** A point-in-time restore of a live server: a new server with its databases, HA off, no parameters. */
  private restored(id: string, inputs: Record<string, unknown>): SimServer {
    const source = this.servers.get(lower(str(inputs.sourceServerResourceId) ?? ""));
    if (!source) throw new Error(`Azure refused the restore: source server ${String(inputs.sourceServerResourceId)} not found`);
    return {
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
    };
  }

  /** azure-native's Update (a PUT or PATCH of the declared inputs). */
  update(type: string, id: string, inputs: Record<string, unknown>): void {
    const l = lower(id);
    switch (type) {
      case SERVER: {
        const s = this.servers.get(l);
        if (!s) throw new Error(`ResourceNotFound: ${id}`);
        this.assertReady(s, `update server ${s.name}`);
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
      case DATABASE: {
        const s = this.serverOf(id);
        const name = s && databaseOf(s, lastSegment(id));
        if (s && name !== undefined) s.databases.delete(name);
        return;
      }
      case CONFIGURATION: {
        // Delete resets the parameter to its default (ENGINE.md §8a)
        const s = this.serverOf(id);
        if (s) s.parameters.delete(this.parameterName(s, lastSegment(id)));
        return;
      }
      case SETTING:
        this.settings.delete(l);
        return;
      default:
        this.generic.delete(l);
    }
  }

  /** Record a resource as deployed (the stack's first `up`, or a test's set-up, before the test begins). */
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
    const s = type === CONFIGURATION ? this.serverOf(id) : undefined;
    if (s) s.pendingRestart.delete(this.parameterName(s, str(inputs.configurationName) ?? lastSegment(id)));
    return created;
  }
}
