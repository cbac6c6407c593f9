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
  | { kind: "revive"; restorePointUTC: string }
  /** An empty live server, adopting a leftover diagnostic setting. */
  | { kind: "rebuild"; staleDiagnosticSettingId?: string }
  /** Back to an ordinary deploy after revive or rebuild. */
  | { kind: "normal" }
  /** Add one PTR copy to the existing ones. */
  | { kind: "ptr"; copy: PtrCopy; existing: readonly PtrCopy[] }
  /** Remove the named copies. */
  | { kind: "tidy"; names: readonly string[]; existing: readonly PtrCopy[] };

export type OperationKind = Operation["kind"];

/** Path key (without `aytq:`) to its new value; `undefined` removes the key. */
export type ConfigPatch = Record<string, boolean | string | PtrCopy[] | undefined>;

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
      return { "recovery.mode": "reviveDropped", "recovery.restorePointUTC": op.restorePointUTC };
    case "rebuild":
      return { "recovery.mode": "rebuild", "recovery.restorePointUTC": undefined, ...(op.staleDiagnosticSettingId ? { "recovery.staleDiagnosticSettingId": op.staleDiagnosticSettingId } : {}) };
    case "normal":
      return { "recovery.mode": "normal", "recovery.restorePointUTC": undefined, "recovery.staleDiagnosticSettingId": undefined };
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
    case "normal":
      return "return to recovery.mode=normal";
    case "ptr":
      return `create PTR copy ${op.copy.name} at ${op.copy.restorePointUTC}`;
    case "tidy":
      return `remove PTR copies ${op.names.join(", ")}`;
    default:
      return op.kind;
  }
}

/** Default PTR copy name: `<live>-ptr-<yyyymmddhhmm>` of the run time (UTC), unique per run. */
export function defaultCopyName(liveServerName: string, runTime: Date): string {
  const stamp = runTime.toISOString().slice(0, 16).replace(/[-:T]/g, "");
  return `${liveServerName}-ptr-${stamp}`.slice(0, 63);
}
