/**
 * The simulated Azure in-process: the fake engine's azure-native calls (engine.ts) and the
 * driver's direct ARM questions ({@link AzureServerApi}), over one state (state.ts). The https
 * stand-in (arm-http.ts) can serve the same state to the real SDK clients.
 */
import { ToolError } from "../../../recovery/errors";
import type { ActionGroupFacts, ArmResource, AzureServerApi, ConfigurationFacts, LockFacts, ServerFacts, ServerPatch } from "../../../recovery/azure/arm";
import type { ReadyPoll } from "../../../recovery/ops/verify-server";
import type { AzurePermission } from "../../../recovery/azure/permissions";
import { actionGroupBody } from "./bodies";
import { AzureResources, databaseOf } from "./engine";
import { lower, reportedSettingId, SimServer, str } from "./state";

/** Polling the simulated Azure's busy servers without waiting (its busy state ends after a number of polls, not of seconds). */
export const NO_WAIT_POLL: ReadyPoll = { firstIntervalMs: 1, maxIntervalMs: 1, timeoutMs: 10_000 };

export class FakeAzure extends AzureResources implements AzureServerApi {
  /** Every direct ARM call the driver made (`updateServer s189... {"highAvailability":"ZoneRedundant"}`), for assertions. */
  readonly armCalls: string[] = [];
  /** Make the next call of this ARM method throw (once). */
  private failures = new Map<string, Error>();
  /** Called with each ARM call as recorded in `armCalls`, before it runs; a test throws from it to fail it. */
  onArm?: (call: string) => void;

  failNext(method: keyof AzureServerApi, error: Error): void {
    this.failures.set(method, error);
  }

  private arm(method: keyof AzureServerApi, detail: string): void {
    this.armCalls.push(`${method} ${detail}`);
    this.onArm?.(this.armCalls[this.armCalls.length - 1]);
    const err = this.failures.get(method);
    if (err) {
      this.failures.delete(method);
      throw err;
    }
  }

  private live(resourceGroupName: string, serverName: string): SimServer | undefined {
    return this.serverAt(this.serverId(resourceGroupName, serverName));
  }

  private liveOrThrow(resourceGroupName: string, serverName: string): SimServer {
    const s = this.live(resourceGroupName, serverName);
    if (!s) throw new ToolError(`ResourceNotFound: server ${serverName} does not exist`);
    return s;
  }

  async getServer(resourceGroupName: string, serverName: string): Promise<ServerFacts | undefined> {
    this.arm("getServer", serverName);
    const s = this.live(resourceGroupName, serverName);
    if (!s) return undefined;
    const state = this.observe(s);
    // no highAvailability block reads as Disabled, as the SDK adapter reads it
    return { id: s.id, name: s.name, state, version: s.version, skuName: s.skuName, skuTier: s.skuTier, storageSizeGB: s.storageSizeGB, highAvailability: s.highAvailability ?? "Disabled" };
  }

  async getDatabase(resourceGroupName: string, serverName: string, databaseName: string): Promise<ArmResource | undefined> {
    this.arm("getDatabase", `${serverName}/${databaseName}`);
    const s = this.live(resourceGroupName, serverName);
    const name = s && databaseOf(s, databaseName);
    if (!s || name === undefined) return undefined;
    return { id: `${s.id}/databases/${name}`, name };
  }

  async getConfiguration(resourceGroupName: string, serverName: string, name: string): Promise<ConfigurationFacts | undefined> {
    this.arm("getConfiguration", `${serverName}/${name}`);
    const s = this.live(resourceGroupName, serverName);
    const p = s && this.parameter(s, name);
    if (!s || !p) return undefined;
    return { id: `${s.id}/configurations/${p.name}`, name: p.name, value: p.value, source: p.source, pendingRestart: p.pendingRestart };
  }

  async putConfiguration(resourceGroupName: string, serverName: string, name: string, value: string): Promise<void> {
    this.arm("putConfiguration", `${serverName}/${name}=${value}`);
    const s = this.liveOrThrow(resourceGroupName, serverName);
    this.assertReady(s, `set parameter ${name}`);
    this.setParameter(s, name, value);
  }

  /**
   * Restart: pending static parameters take effect. Azure's long-running operation ends when the
   * restart is accepted and done; the server still reports Restarting for a few polls after it.
   */
  async restartServer(resourceGroupName: string, serverName: string): Promise<void> {
    this.arm("restartServer", serverName);
    const s = this.liveOrThrow(resourceGroupName, serverName);
    this.assertReady(s, `restart server ${s.name}`);
    this.restarted(s);
  }

  /** The operation is done, but the server still reports Updating for a few polls. */
  async updateServer(resourceGroupName: string, serverName: string, patch: ServerPatch): Promise<void> {
    this.arm("updateServer", `${serverName} ${JSON.stringify(patch)}`);
    const s = this.liveOrThrow(resourceGroupName, serverName);
    this.assertReady(s, `update server ${s.name}`);
    this.patched(s, patch);
  }

  async deleteServer(resourceGroupName: string, serverName: string): Promise<void> {
    this.arm("deleteServer", serverName);
    const id = this.serverId(resourceGroupName, serverName);
    if (this.servers.has(lower(id))) this.dropServer(id);
  }

  async getDiagnosticSetting(resourceUri: string, name: string): Promise<ArmResource | undefined> {
    this.arm("getDiagnosticSetting", `${resourceUri}/${name}`);
    const found = this.readSetting(resourceUri, name);
    if (found === "orphan-error") {
      const message = `ResourceNotFound: the resource '${resourceUri}' of diagnostic setting '${name}' was not found (HTTP 404 on a GET of the setting)`;
      throw new ToolError(`Azure did not answer for diagnostic setting ${name}: ${message}`);
    }
    return found === "absent" ? undefined : { id: reportedSettingId(resourceUri, name), name };
  }

  async deleteDiagnosticSetting(resourceUri: string, name: string): Promise<void> {
    this.arm("deleteDiagnosticSetting", `${resourceUri}/${name}`);
    this.settings.delete(lower(reportedSettingId(resourceUri, name)));
  }

  /** The action group the program declared (azure-native:monitor:ActionGroup), read from the inputs it was created with. */
  async getActionGroup(resourceGroupName: string, name: string): Promise<ActionGroupFacts | undefined> {
    this.arm("getActionGroup", `${resourceGroupName}/${name}`);
    const g = this.actionGroup(resourceGroupName, name);
    if (!g) return undefined;
    const body = actionGroupBody(this, g);
    const props = body.properties as Record<string, unknown>;
    const list = (field: string) => props[field] as Record<string, unknown>[];
    const receivers: Record<string, number> = {};
    for (const [field, kind] of [["emailReceivers", "email"], ["smsReceivers", "sms"], ["webhookReceivers", "webhook"], ["voiceReceivers", "voice"]] as const) {
      if (list(field).length > 0) receivers[kind] = list(field).length;
    }
    return { id: body.id as string, name, enabled: props.enabled as boolean, emailAddresses: list("emailReceivers").map((r) => str(r.emailAddress) ?? ""), receivers };
  }

  async getPermissions(resourceGroupName: string): Promise<AzurePermission[]> {
    this.arm("getPermissions", resourceGroupName);
    return [...this.permissions];
  }

  /** A lock the program declared on a resource (`<resource id>/providers/Microsoft.Authorization/locks/<name>`). */
  async getLock(resourceId: string, lockName: string): Promise<LockFacts | undefined> {
    this.arm("getLock", `${resourceId}/${lockName}`);
    const g = this.lock(resourceId, lockName);
    return g ? { id: g.id, name: lockName, level: str(g.props.level) ?? "NotSpecified" } : undefined;
  }
}
