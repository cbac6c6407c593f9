/**
 * The safety gate: a preview passes only when it changes exactly what the operation expects, and
 * never deletes or replaces a protected resource (the live server, the storage account, the
 * immutability policy, or anything marked `protect`). Pure.
 */
import type { PreviewStep, StepOp } from "../stack/port";
import type { Operation } from "./operations";
import { PULUMI_TYPES } from "../../infra/types";

/** Ops that remove the resource as it is (a replace deletes the old one). */
const DESTRUCTIVE: readonly StepOp[] = ["delete", "replace", "create-replacement", "delete-replaced", "import-replacement", "read-replacement", "discard-replaced"];
/** Ops that change nothing in the cloud. */
const NEUTRAL: readonly StepOp[] = ["same", "read", "refresh", "discard"];

const SERVER = PULUMI_TYPES.server;
const ALWAYS_PROTECTED_TYPES: readonly string[] = [PULUMI_TYPES.storageAccount, PULUMI_TYPES.immutability];

/** What an operation may touch: a type (its last `:` part, e.g. `BranchProtection`), the ops, optionally the names. */
interface Expectation {
  types: readonly string[];
  ops: readonly StepOp[];
  names?: readonly string[];
  /** At most this many matching steps. */
  max?: number;
}

export interface GateContext {
  liveServerName: string;
}

export interface Offence {
  step: PreviewStep;
  reason: string;
}

export interface GateResult {
  ok: boolean;
  offences: Offence[];
  /** Steps that change something. */
  changes: PreviewStep[];
}

const shortType = (type: string) => type.slice(type.lastIndexOf(":") + 1);

/** Created with the server: its parameters (an upsert) and its delete lock (gone with the deleted server). */
const SERVER_CHILDREN = ["Configuration", "ManagementLockByScope"];
const ADOPTED_CHILDREN = ["Database", "DiagnosticSetting"];
/** The maintenance page, the ingresses, and the uptime checks that pause and resume with it. */
const MAINTENANCE_TYPES = ["Deployment", "Service", "Ingress", "IngressPatch", "ConfigMap", "UptimeCheck"];

/** What each operation expects its preview to contain. */
function expectationsFor(op: Operation, ctx: GateContext): Expectation[] {
  switch (op.kind) {
    case "freeze":
    case "unfreeze":
      return [{ types: ["BranchProtection"], ops: ["update"] }];
    case "stop":
    case "start":
      return [{ types: ["DeploymentPatch"], ops: ["update"] }];
    case "maintenance":
      return [{ types: MAINTENANCE_TYPES, ops: ["create", "update", "delete", "replace", "create-replacement", "delete-replaced"] }];
    case "revive":
    case "rebuild":
      // the server is created; its parameters are (re-)applied; nothing is imported, nothing else changes
      return [
        { types: ["Server"], ops: ["create"], names: [ctx.liveServerName], max: 1 },
        { types: SERVER_CHILDREN, ops: ["create", "update"] },
      ];
    case "adopt":
      // once the server exists: what came back with it is imported (by Azure's own id) or created
      return [
        { types: ["Server"], ops: ["import"], names: [ctx.liveServerName], max: 1 },
        { types: ["Server"], ops: ["update"], names: [ctx.liveServerName], max: 1 },
        { types: [...ADOPTED_CHILDREN, ...SERVER_CHILDREN], ops: ["import", "create", "update"] },
      ];
    case "normal":
      return [{ types: ["Server"], ops: ["update"], names: [ctx.liveServerName], max: 1 }];
    case "lock":
      // the one lock a recovery left out: created, nothing else
      return [{ types: ["ManagementLockByScope"], ops: ["create"], max: 1 }];
    case "ptr":
      return [{ types: ["Server"], ops: ["create"], names: [op.copy.name], max: 1 }];
    case "tidy":
      return [{ types: ["Server"], ops: ["delete"], names: op.names.filter((n) => n !== ctx.liveServerName) }];
    default: {
      const unknown: never = op;
      throw new Error(`unknown operation ${JSON.stringify(unknown)}`);
    }
  }
}

function isProtected(step: PreviewStep, ctx: GateContext): boolean {
  if (step.protected) return true;
  if (ALWAYS_PROTECTED_TYPES.includes(step.type)) return true;
  return step.type === SERVER && step.name === ctx.liveServerName;
}

/** Steps that do nothing in the cloud, or only to the program's own components and the stack itself. */
function ignorable(step: PreviewStep): boolean {
  if (NEUTRAL.includes(step.op)) return true;
  if (step.type === "pulumi:pulumi:Stack") return true;
  // A provider's own step changes nothing in the cloud: a rotated GITHUB_TOKEN, or the preview
  // environment's read-only identity without one, updates the GitHub provider's inputs on every
  // run. Whatever a provider change does to the cloud shows as its resources' own steps, judged below.
  if (step.type.startsWith("pulumi:providers:") && (step.op === "update" || step.op === "create")) return true;
  // component resources (aytq:<module>:<Type>) hold no cloud resource; their children are listed on their own
  return step.type.startsWith("aytq:");
}

/** Check a preview against an operation. */
export function checkPreview(op: Operation, steps: readonly PreviewStep[], ctx: GateContext): GateResult {
  const expectations = expectationsFor(op, ctx);
  const used = expectations.map(() => 0);
  const offences: Offence[] = [];
  const changes = steps.filter((s) => !ignorable(s));
  for (const step of changes) {
    if (DESTRUCTIVE.includes(step.op) && isProtected(step, ctx)) {
      offences.push({ step, reason: `would ${step.op === "delete" ? "delete" : "replace"} a protected resource` });
      continue;
    }
    const i = expectations.findIndex(
      (e, idx) =>
        e.types.includes(shortType(step.type)) &&
        e.ops.includes(step.op) &&
        (e.names === undefined || e.names.includes(step.name)) &&
        (e.max === undefined || used[idx] < e.max),
    );
    if (i < 0) {
      offences.push({ step, reason: `not expected by ${op.kind}` });
      continue;
    }
    used[i]++;
  }
  return { ok: offences.length === 0, offences, changes };
}

/** `  - delete azure-native:dbforpostgresql:Server "s189t01-aytq-ts-pg": would delete a protected resource (urn ...)` */
export function describeOffences(offences: readonly Offence[]): string {
  return offences.map((o) => `  - ${o.step.op} ${o.step.type} "${o.step.name}": ${o.reason}\n      ${o.step.urn}`).join("\n");
}

/**
 * A change made outside any operation (a pull request's program or stack file, previewed as
 * committed): refused only when it deletes or replaces a protected resource. The other changes
 * are listed, not refused: every operation's gate refuses what it does not expect, so such a
 * change, left unapplied, stops the next recovery at its first preview.
 */
export function checkChange(steps: readonly PreviewStep[], ctx: GateContext): GateResult {
  const changes = steps.filter((s) => !ignorable(s));
  const offences = changes
    .filter((step) => DESTRUCTIVE.includes(step.op) && isProtected(step, ctx))
    .map((step) => ({ step, reason: `would ${step.op === "delete" ? "delete" : "replace"} a protected resource` }));
  return { ok: offences.length === 0, offences, changes };
}
