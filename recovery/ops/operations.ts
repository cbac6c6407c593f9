/**
 * Recovery operations as data, and each one's config patch. Pure: `configPatchFor(op)` is what a
 * command or a runbook step writes into the stack config before converging.
 */
import type { PtrCopy } from "../../infra/config";

export type Operation =
  | { kind: "freeze" }
  | { kind: "unfreeze" }
  | { kind: "stop" }
  | { kind: "start" }
  | { kind: "maintenance"; on: boolean }
  /** Bring the deleted live server back as it was at the restore point. */
  | { kind: "revive"; restorePointUTC: string; deferServerLock?: boolean }
  /** An empty live server, created with the credentials the app already has (handed over as secret config, not here). */
  | { kind: "rebuild"; deferServerLock?: boolean }
  /**
   * Once the server exists: back to `normal`, adopting by the exact ids Azure reported what came
   * back with the server or lingered from the deleted one (absent ids: created, or already in state).
   */
  | { kind: "adopt"; ids: AdoptIds; deferServerLock?: boolean }
  /** Create the live server's delete lock that a recovery left out (its identity could not write locks). */
  | { kind: "lock" }
  /** Back to an ordinary deploy after revive or rebuild: no restore inputs, credentials or adopted ids left in config. */
  | { kind: "normal" }
  /** Add one PTR copy to the existing ones. */
  | { kind: "ptr"; copy: PtrCopy; existing: readonly PtrCopy[] }
  /** Remove the named copies. */
  | { kind: "tidy"; names: readonly string[]; existing: readonly PtrCopy[] };

/** How an operation asks Azure about the live server, beyond the stack (azureUse). */
type AzureUse = "needs" | "uses" | "none";

/**
 * What an operation asks of Azure beyond the stack: revive and rebuild read and create the live
 * server there ("needs"); normal finishes a recovery when Azure can be asked and otherwise only
 * converges ("uses"); the rest never ask it. A runbook step named after an operation asks the same.
 */
export function azureUse(kind: string): AzureUse {
  if (kind === "revive" || kind === "rebuild") return "needs";
  return kind === "normal" ? "uses" : "none";
}

/** What a recovery adopts, by the ids Azure reported (config `recovery.adopt.*`). */
export interface AdoptIds {
  serverId?: string;
  databaseId?: string;
  diagnosticSettingId?: string;
}

/**
 * The config keys (path keys without `aytq:`) a recovery owns on an environment stack: every key an
 * operation below writes there is one of these or under one (test/runbook/stack-config.test.ts holds
 * configPatchFor to it), and a run carries exactly these between checkouts (runbook/stack-config.ts).
 * Not `pipeline.frozen`: freeze and unfreeze write the pipeline stack, and main's freeze is a hold (a
 * git ref in the app repository, ops/pipeline-holds.ts) that outlives the runner by itself.
 */
export const RECOVERY_OWNED_KEYS = ["app.stopped", "app.maintenance", "recovery"] as const;

/** Config keys a recovery writes while the server is being created, all removed on the way back to normal. */
const RECOVERY_INPUTS = {
  "recovery.restorePointUTC": undefined,
  "recovery.adminLogin": undefined,
  "recovery.adminPassword": undefined,
} as const;

/**
 * `recovery.serverLockDeferred` as a recovery decides it each time it creates or adopts the server:
 * true sets it (its identity may not write locks), false removes it (a later run that may declares
 * the lock again), undefined leaves the key alone.
 */
const lockDecision = (defer: boolean | undefined): ConfigPatch => (defer === undefined ? {} : { "recovery.serverLockDeferred": defer ? true : undefined });

/** Path key (without `aytq:`) to its new value; `undefined` removes the key. */
export type ConfigPatch = Record<string, boolean | string | PtrCopy[] | Record<string, string> | undefined>;

function adoptObject(ids: AdoptIds): Record<string, string> | undefined {
  const set = Object.entries(ids).filter((e): e is [string, string] => typeof e[1] === "string");
  return set.length > 0 ? Object.fromEntries(set) : undefined;
}

/** The config keys this operation sets, and to what. */
export function configPatchFor(op: Operation): ConfigPatch {
  switch (op.kind) {
    case "freeze":
      return { "pipeline.frozen": true };
    case "unfreeze":
      return { "pipeline.frozen": false };
    case "stop":
      return { "app.stopped": true };
    case "start":
      return { "app.stopped": false };
    case "maintenance":
      return { "app.maintenance": op.on };
    case "revive":
      return { "recovery.mode": "reviveDropped", "recovery.restorePointUTC": op.restorePointUTC, ...lockDecision(op.deferServerLock) };
    case "rebuild":
      // the credentials are secret config, written on their own (ConvergeOptions.secrets)
      return { "recovery.mode": "rebuild", "recovery.restorePointUTC": undefined, "recovery.adopt": undefined, ...lockDecision(op.deferServerLock) };
    case "adopt":
      return {
        "recovery.mode": "normal",
        ...RECOVERY_INPUTS,
        // written whole, so that ids left by an interrupted run never linger
        "recovery.adopt": adoptObject(op.ids),
        ...lockDecision(op.deferServerLock),
      };
    case "lock":
      return { "recovery.serverLockDeferred": undefined };
    case "normal":
      return { "recovery.mode": "normal", ...RECOVERY_INPUTS, "recovery.adopt": undefined };
    case "ptr":
      return { "recovery.ptrCopies": [...op.existing.filter((c) => c.name !== op.copy.name), op.copy] };
    case "tidy":
      return { "recovery.ptrCopies": op.existing.filter((c) => !op.names.includes(c.name)) };
    default: {
      const unknown: never = op;
      throw new Error(`unknown operation ${JSON.stringify(unknown)}`);
    }
  }
}

/** A one-line description for messages and the journal. */
export function describeOperation(op: Operation): string {
  switch (op.kind) {
    case "maintenance":
      return `maintenance ${op.on ? "on" : "off"}`;
    case "revive":
      return `revive the live server at ${op.restorePointUTC}`;
    case "rebuild":
      return "rebuild an empty live server";
    case "adopt": {
      const names: Record<keyof AdoptIds, string> = { serverId: "server", databaseId: "database", diagnosticSettingId: "diagnostic setting" };
      const what = (Object.keys(op.ids) as (keyof AdoptIds)[]).filter((k) => op.ids[k] !== undefined).map((k) => names[k]);
      return `return to recovery.mode=normal${what.length ? `, adopting the ${what.join(", ")} Azure has` : ""}`;
    }
    case "normal":
      return "return to recovery.mode=normal";
    case "lock":
      return "create the live server's delete lock";
    case "ptr":
      return `create PTR copy ${op.copy.name} at ${op.copy.restorePointUTC}`;
    case "tidy":
      return `remove PTR copies ${op.names.join(", ")}`;
    default:
      return op.kind;
  }
}
