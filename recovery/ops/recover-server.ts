/**
 * Revive and rebuild in phases the real engine accepts (../../../shared/reference/ENGINE.md).
 * No preview may import, read or depend on what does not exist in Azure at that moment, so:
 *
 *   look     ask Azure whether the live server is already there (a re-run after a crash): then it
 *            is never revived or rebuilt again, only finished;
 *   refresh  refresh the live server and its children, so state forgets what was deleted, and
 *            forget a diagnostic setting of the server (Azure's answer for it while the server is
 *            gone is undocumented; it is looked for again once the server is back);
 *   create   converge `reviveDropped` / `rebuild`: the server and its parameters, no import;
 *   adopt    ask Azure what came back with the server or lingered (database, diagnostic setting)
 *            and converge `normal`, importing each by the exact id Azure reports, unless state
 *            already holds it (never an import whose id differs from the one in state);
 *   finish   converge `normal` with no adopted ids left in config;
 *   verify   read the real server and converge what Azure did not restore (HA, SKU, storage,
 *            parameters) through ARM, since azure-native never shows that as a diff; restart the
 *            server when a static parameter is set but pending a restart (ENGINE.md §12), so a
 *            parameter is reported as matching only once it is applied (verify-server.ts).
 *
 * Every phase is idempotent by asking Azure and the state first, so a re-run continues from the
 * phase reached, and each one is reported as it completes.
 */
import { confirmProductionFlag } from "../config/production";
import { Settings } from "../../infra/config";
import { flexibleServerId } from "../../infra/ids";
import type { AzureServerApi } from "../azure/arm";
import { actionAllowed, LOCK_ROLES, LOCK_WRITE } from "../azure/permissions";
import { RecoveredNotNormalError, ToolError, UsageError, describeError } from "../errors";
import type { StateResource } from "../stack/port";
import { ConvergeOptions, ConvergeResult, converge } from "./converge";
import type { AdoptIds, Operation } from "./operations";
import { verifyServer, type ReadyPoll } from "./verify-server";
import { AZURE_NATIVE_PREFIX, PULUMI_TYPES } from "../../infra/types";

const SERVER = PULUMI_TYPES.server;
const DATABASE = PULUMI_TYPES.database;
const SETTING = PULUMI_TYPES.diagnosticSetting;

type RecoveryPhase = "look" | "refresh" | "create" | "adopt" | "finish" | "verify";

/** What a phase did, for the log, the step's summary and the journal. */
interface PhaseReport {
  phase: RecoveryPhase;
  summary: string;
}

export interface RecoveryOptions extends ConvergeOptions {
  azure: AzureServerApi;
  settings: Settings;
  /** Subscription of the stack, for the ids we build. */
  subscriptionId: string;
  /** rebuild: the credentials the app already uses, from its DATABASE_URL Secret. */
  appCredentials?: () => Promise<{ login: string; password: string }>;
  /** Told as each phase completes. */
  onPhase?: (report: PhaseReport) => void;
  /** How the server is polled until Ready after a restart or an update. @default DEFAULT_READY_POLL of verify-server.ts */
  readyPoll?: ReadyPoll;
}

export interface RecoveryResult extends ConvergeResult {
  phases: PhaseReport[];
  /** What verify found different on the real server and could not change in place (e.g. the major version). */
  warnings: string[];
}

const lower = (s: string) => s.toLowerCase();

/** The live server's id as we build it (Azure compares ids without case). */
function serverIdOf(s: Settings, subscriptionId: string): string {
  return flexibleServerId(subscriptionId, s.resourceGroupName, s.database.serverName);
}

/** True for the live server itself or anything whose id lies under it (database, parameters, diagnostic setting). */
function onServer(r: StateResource, serverId: string): boolean {
  const id = lower(r.id);
  const sid = lower(serverId);
  return id === sid || id.startsWith(`${sid}/`);
}

/**
 * Whether this recovery leaves the live server's delete lock out. Creating a lock needs
 * Microsoft.Authorization/locks/write (Owner or User Access Administrator, not Contributor), and a
 * recovery must never end in a failed update because of it: when Azure says the identity may not
 * (or cannot say), the lock is left out (`recovery.serverLockDeferred`) and the run ends with the
 * one command that creates it, for someone who has the role.
 */
async function defersServerLock(o: RecoveryOptions): Promise<boolean | undefined> {
  const s = o.settings;
  if (!s.locks.enabled) return undefined;
  const rg = s.resourceGroupName;
  let may: boolean;
  try {
    may = actionAllowed(await o.azure.getPermissions(rg), LOCK_WRITE);
  } catch (err) {
    o.log(`locks: could not read what this identity may do on ${rg} (${describeError(err).message.split("\n")[0]}): the live server's delete lock is left out, so that creating it cannot fail the recovery`);
    return true;
  }
  // false (remove the key) only when an earlier run left the lock out: otherwise the key is not touched
  if (may) return (await o.port.getConfig("recovery.serverLockDeferred")) === true ? false : undefined;
  o.log(`locks: the identity running this may not write locks on ${rg} (${LOCK_WRITE} needs ${LOCK_ROLES}): the live server's delete lock is left out of this recovery, and the run ends with the command that creates it`);
  return true;
}

/** The warning a recovery that left the lock out ends with: what is missing and the one command that fixes it. */
function deferredLockWarning(stack: string, s: Settings): string {
  const production = confirmProductionFlag(stack);
  return `the live server ${s.database.serverName} has NO delete lock: the identity that ran this recovery may not write locks (${LOCK_WRITE}). Someone with ${LOCK_ROLES} on ${s.resourceGroupName} runs: aytq-dr lock --stack ${stack}${production}`;
}

function report(o: RecoveryOptions, phases: PhaseReport[], phase: RecoveryPhase, summary: string): void {
  const r = { phase, summary };
  phases.push(r);
  o.log(`${phase}: ${summary}`);
  o.onPhase?.(r);
}

/** The credentials the app holds, checked before anything changes. */
async function readCredentials(o: RecoveryOptions): Promise<{ login: string; password: string }> {
  if (!o.appCredentials) {
    throw new UsageError("rebuild needs the app's database credentials and has no way to read them", "run it where kubectl can read the app's DATABASE_URL Secret (az aks get-credentials)");
  }
  return o.appCredentials();
}

/** Revive or rebuild the live server, phase by phase; ends back in `normal` with the server verified. */
export async function recoverServer(op: Extract<Operation, { kind: "revive" | "rebuild" }>, o: RecoveryOptions): Promise<RecoveryResult> {
  const s = o.settings;
  const phases: PhaseReport[] = [];
  const serverId = serverIdOf(s, o.subscriptionId);

  // rebuild: read the app's credentials first, so a missing Secret changes nothing
  const credentials = op.kind === "rebuild" ? await readCredentials(o) : undefined;

  // look
  const there = await o.azure.getServer(s.resourceGroupName, s.database.serverName);
  let created: ConvergeResult | undefined;
  if (there) {
    report(o, phases, "look", `the live server ${s.database.serverName} exists in Azure (${there.state ?? "state unknown"}): it is not ${op.kind === "revive" ? "revived" : "rebuilt"} again, only finished`);
  } else {
    report(o, phases, "look", `the live server ${s.database.serverName} is not in Azure: ${op.kind === "revive" ? "reviving it" : "rebuilding it"}`);
    let gateIgnores: string[] | undefined;
    if (o.dryRun) {
      // the refresh changes state, so a dry run skips it: what it would drop is left out of the gate instead
      gateIgnores = (await o.port.resourceUrns()).filter((r) => r.type.startsWith(AZURE_NATIVE_PREFIX) && onServer(r, serverId)).map((r) => r.urn);
      o.log("dry run: the refresh of the deleted server is skipped, so the preview still shows what state holds of it (the server unchanged, its children deleted)");
    } else {
      await refreshPhase(o, serverId, phases);
    }
    const secrets = credentials ? { "recovery.adminLogin": credentials.login, "recovery.adminPassword": credentials.password } : undefined;
    created = await converge({ ...op, deferServerLock: await defersServerLock(o) }, { ...o, secrets, gateIgnores });
    if (created.status === "dry-run") return { ...created, phases, warnings: [] };
    // static parameters the create set wait for a restart: verify, the first phase to read them, restarts the server once
    report(o, phases, "create", op.kind === "revive" ? `Azure revived ${s.database.serverName} as it was at ${op.restorePointUTC}` : `Azure created an empty ${s.database.serverName} with the app's credentials`);
  }
  try {
    const finished = await finishPhases(o, phases, serverId);
    return { ...(created ?? finished), phases, warnings: finished.warnings };
  } catch (err) {
    throw await notBackToNormal(op, o, phases, err);
  }
}

async function refreshPhase(o: RecoveryOptions, serverId: string, phases: PhaseReport[]): Promise<void> {
  const state = await o.port.resourceUrns();
  const ours = state.filter((r) => r.type.startsWith(AZURE_NATIVE_PREFIX) && onServer(r, serverId));
  const settings = ours.filter((r) => r.type === SETTING);
  const refreshed = ours.filter((r) => r.type !== SETTING);
  if (refreshed.length > 0) await o.port.refresh(refreshed.map((r) => r.urn));
  if (settings.length > 0) {
    const { clearedPendingOperations: cleared } = await o.port.forget(settings.map((r) => r.urn));
    // `pulumi stack import` clears every pending operation, not only the forgotten resources' (ENGINE.md §12)
    for (const p of cleared) {
      o.log(`refresh: writing the state back cleared a pending ${p.type} of ${p.urn} (an earlier update died during it); what it may have created in Azure is looked for and adopted once the server is back`);
    }
  }
  report(
    o,
    phases,
    "refresh",
    `${refreshed.length} resource${refreshed.length === 1 ? "" : "s"} of the server refreshed, so state knows what was deleted` +
      (settings.length ? `; its diagnostic setting dropped from state, to be looked for in Azure once the server is back` : ""),
  );
}

/** adopt, finish, verify: from a server that exists to `normal` with the server as declared. */
async function finishPhases(o: RecoveryOptions, phases: PhaseReport[], serverId: string): Promise<ConvergeResult & { warnings: string[] }> {
  const s = o.settings;
  const state = await o.port.resourceUrns();
  const inState = (type: string, match: (r: StateResource) => boolean) => state.some((r) => r.type === type && match(r));
  const server = await o.azure.getServer(s.resourceGroupName, s.database.serverName);
  if (!server) throw new ToolError(`the live server ${s.database.serverName} is not in Azure`, `revive or rebuild it first (aytq-dr run server-lost-revive / server-lost-rebuild)`);

  const ids: AdoptIds = {};
  const found: string[] = [];
  if (!inState(SERVER, (r) => lower(r.id) === lower(serverId))) {
    ids.serverId = server.id;
    found.push(`the server (${server.id})`);
  }
  if (!inState(DATABASE, (r) => onServer(r, serverId) && lower(r.id).endsWith(`/databases/${lower(s.database.databaseName)}`))) {
    const db = await o.azure.getDatabase(s.resourceGroupName, s.database.serverName, s.database.databaseName);
    if (db) {
      ids.databaseId = db.id;
      found.push(`database ${s.database.databaseName}`);
    }
  }
  if (s.monitoring.enabled && !inState(SETTING, (r) => onServer(r, serverId))) {
    const setting = await o.azure.getDiagnosticSetting(server.id, s.monitoring.diagnosticSettingName);
    if (setting) {
      ids.diagnosticSettingId = setting.id;
      found.push(`diagnostic setting ${s.monitoring.diagnosticSettingName} (${setting.id})`);
    }
  }
  const deferLock = await defersServerLock(o);
  const adopted = await converge({ kind: "adopt", ids, deferServerLock: deferLock }, { ...o, confirm: undefined });
  if (adopted.status === "dry-run") return { ...adopted, warnings: [] };
  report(o, phases, "adopt", found.length ? `adopted by Azure's own ids: ${found.join(", ")}; the rest created` : "nothing to adopt: what the server needs was created or is already in state");
  let last = adopted;
  if (Object.keys(ids).length > 0) {
    last = await converge({ kind: "normal" }, { ...o, confirm: undefined });
    report(o, phases, "finish", "recovery.mode=normal with no recovery keys left in config");
  }
  const verified = await verifyServer(o);
  const fixed = verified.fixed;
  const warnings = [...verified.warnings, ...(deferLock === true ? [deferredLockWarning(o.port.stackName, s)] : [])];
  report(o, phases, "verify", fixed.length ? `converged what Azure did not restore: ${fixed.join("; ")}` : "the real server matches the stack (HA, SKU, storage, version, parameters)");
  for (const w of warnings) o.log(`WARNING: ${w}`);
  return { ...last, warnings };
}

/** `aytq-dr normal`: finish a revive or rebuild whose server exists (adopt, finish, verify). */
export async function finishRecovery(o: RecoveryOptions): Promise<RecoveryResult> {
  const phases: PhaseReport[] = [];
  const r = await finishPhases(o, phases, serverIdOf(o.settings, o.subscriptionId));
  return { ...r, phases };
}

/**
 * The server came back but a later phase was refused or failed: say plainly that the server is
 * recovered, where the config stands, and the exact way to finish.
 */
async function notBackToNormal(op: Extract<Operation, { kind: "revive" | "rebuild" }>, o: RecoveryOptions, phases: PhaseReport[], err: unknown): Promise<RecoveredNotNormalError> {
  const stack = o.port.stackName;
  let mode: string;
  try {
    mode = String((await o.port.getConfig("recovery.mode")) ?? "normal (not set)");
  } catch {
    mode = "unknown (it could not be read)";
  }
  const production = confirmProductionFlag(stack);
  const rerun = op.kind === "revive" ? `aytq-dr revive --stack ${stack} --at ${op.restorePointUTC}${production}` : `aytq-dr rebuild --stack ${stack}${production}`;
  const message = [
    `${op.kind}: the live server ${o.liveServerName} IS recovered${op.kind === "rebuild" ? " (empty: restore the latest backup into it next)" : ""}; phases done: ${phases.map((p) => p.phase).join(", ")}.`,
    `But the way back to recovery.mode=normal did not finish:`,
    `  ${describeError(err)
      .message.replace(/the config could NOT be rolled back: put these keys back by hand: [^\n]*/, `the config could not be put back either (see "Where you are")`)
      .replace(/\n/g, "\n  ")}`,
    `Where you are: the server exists; the stack config says recovery.mode=${mode}. Do not put recovery.mode back by hand and do not revive or rebuild from scratch: only the return to normal is left.`,
  ].join("\n");
  const hint = [
    `finish the return to normal (it adopts what Azure has, converges, and checks the real server; it never deletes or replaces the server):`,
    `    1. see what it would change: aytq-dr preview normal --stack ${stack}`,
    `    2. then: aytq-dr normal --stack ${stack}${production}`,
    `       or re-run ${rerun} : it finds the server there and only finishes (in \`aytq-dr run\`, resume the run)`,
  ].join("\n");
  return new RecoveredNotNormalError(message, hint, err);
}
