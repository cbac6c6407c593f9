/**
 * A stack in memory for runbook, gate and driver tests: a fake Pulumi engine as strict as the real
 * one, over a simulated Azure. Its view of the program is the program itself: every preview and
 * up evaluates `createInfra` under Pulumi mocks with the config in effect at that call, so a
 * program change cannot drift away from the fake. Config, the call log, failures and read-only
 * are the one stub's (stack-stub.ts).
 *
 * The engine's rules it implements, each from ../../../shared/reference/ENGINE.md:
 * - `import` is read during preview too; a missing import target fails the preview (§1);
 * - an import whose id differs from the id in state (case included) plans an import-replacement,
 *   and the up ends by deleting the old id, which in case-insensitive Azure is the same resource (§2);
 * - refresh drops what the cloud no longer has, protected or not; other resources are untouched (§4);
 * - a planned delete or replace of a protected resource fails the preview and the up (§5);
 * - `up` with a saved plan fails at the first step that deviates from it; earlier steps stay applied (§6);
 * - azure-native refuses to create what exists, except a server parameter (§8a), and keeps the
 *   id Azure returns on create (§8d);
 * - azure-native diffs by its replace keys (§11): the path parameters of the type's PUT (with case,
 *   except `location` and `resourceGroupName`) and the create-only properties of Azure's REST spec,
 *   both from infra/azure-native-replace-keys.json (extracted from the spec); a key the old inputs
 *   have and the new ones lack is a change; `ignoreChanges` resets each path to its old value as
 *   the engine's `PropertyPath.Reset` does (v3.248 sdk/go/common/resource/properties_path.go);
 * - an import's inputs are the id's path values (verbatim; `resourceUri` with or without its leading
 *   slash: a switch, pulumi-azure-native#4812) plus the whole GET of the simulated Azure (§11), and
 *   a replace of an imported resource that still specifies its id is a warning in preview and an
 *   error in up (step_generator.go "previously-imported resources ...");
 * - a create cut off after Azure accepted it: either the process died (Azure has the resource,
 *   state does not, a pending create is left in state) or the provider reported the failure
 *   (kept in state with init errors, and the next up updates it) (§8c, §12);
 * - pending operations survive every up; `forget` (a `pulumi stack import`) clears all of them (§12).
 */
import { parseSettings, RawConfig, Settings } from "../../infra/config";
import { AZURE_NATIVE_PREFIX, PULUMI_TYPES } from "../../infra/types";
import { FakeAzure } from "./azure/port";
import { StackStub, StackStubOptions } from "./stack-stub";
import { ToolError } from "../../recovery/errors";
import { Evaluation, PlannedResource, evaluateProgram, redactSecrets, resourceKey } from "../../recovery/plan/evaluate";
import { PLAN_SUBSCRIPTION_ID } from "../../recovery/plan/mocks";
import { resourceName } from "../../recovery/stack/engine-results";
import { pathValues, replaceKeysOf, ResourceUriSlash } from "../../infra/replace-keys";
import type {
  ForgetResult,
  PreviewOptions,
  PreviewResult,
  PreviewStep,
  StateResource,
  StepOp,
  UpOptions,
  UpResult,
} from "../../recovery/stack/port";

/** One resource in the fake state. */
export interface FakeResource {
  urn: string;
  type: string;
  /** The cloud name (as the preview reports it), else the logical name. */
  name: string;
  /** Provider id: for azure-native the resource id Azure returned (or the import id). */
  id: string;
  importId?: string;
  protect: boolean;
  /** The inputs last applied. */
  inputs: Record<string, unknown>;
  /** Set when the provider reported the create failed after Azure accepted it: the next up updates it. */
  initErrors?: string[];
}

/** An operation the engine started and never saw finish (the process died), as kept in state. */
export interface FakePendingOperation {
  urn: string;
  type: string;
  op: "creating" | "updating" | "deleting";
}

/** How a create of one type is cut off after Azure accepted it. */
export type CreateCutOff = "process-killed" | "init-failed";

/**
 * Replace keys of the other providers' resources (kubernetes, github, statuscake): `name`, as the
 * fake had it before the azure-native table. Not derived from those providers' schemas, whose
 * replaces no recovery relies on (ENGINE.md models their create, update and import only).
 */
const OTHER_REPLACE_KEYS = ["name"];

/** The value at a dotted path. */
function at(value: unknown, path: string): unknown {
  let v = value;
  for (const k of path.split(".")) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * `ignoreChanges`, as the engine applies it (`PropertyPath.Reset`, v3.248): each path of the new
 * inputs takes its old value; a leaf the old inputs lack is removed from the new; no intermediate
 * object is created, so a path whose parent the new inputs lack stays as it is.
 */
function resetIgnored(old: Record<string, unknown>, inputs: Record<string, unknown>, paths: readonly string[]): Record<string, unknown> {
  const out = structuredClone(inputs);
  for (const path of paths) {
    const keys = path.split(".");
    let o: unknown = old;
    let n: unknown = out;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (i === keys.length - 1) {
        if (isObject(o) && k in o) {
          if (isObject(n)) n[k] = structuredClone(o[k]);
        } else if (isObject(n)) delete n[k];
        break;
      }
      if (!isObject(o) || !isObject(n)) break;
      const hasOld = k in o;
      const hasNew = k in n;
      if (!hasNew) break; // a path error when old has it, nothing to do when neither has
      o = hasOld ? o[k] : undefined;
      n = n[k];
    }
  }
  return out;
}

/** The replace keys that differ between old and new inputs, as azure-native's Diff finds them (ENGINE.md §11). */
function changedReplaceKeys(type: string, old: Record<string, unknown>, inputs: Record<string, unknown>): string[] {
  const table = replaceKeysOf(type);
  if (!table) {
    if (type.startsWith(AZURE_NATIVE_PREFIX)) throw new Error(`the fake engine has no replace keys for ${type}: add it to infra/azure-native-replace-keys.json`);
    return OTHER_REPLACE_KEYS.filter((k) => canonical(old[k]) !== canonical(inputs[k]));
  }
  return table.replaceKeys.filter((k) => {
    const a = at(old, k);
    const b = at(inputs, k);
    // applyAzureSpecificDiff: resourceGroupName equal but for case, location but for case and spaces
    const fold = (v: string) => (k === "location" ? v.replace(/\s+/g, "") : v).toLowerCase();
    if (table.caseInsensitive.includes(k) && typeof a === "string" && typeof b === "string") return fold(a) !== fold(b);
    return canonical(a) !== canonical(b);
  });
}

interface PlannedStep {
  op: StepOp;
  inputs: string;
}

interface Step extends PreviewStep {
  desired?: PlannedResource;
  /** The inputs the step leaves in state (the declaration with ignored paths reset). */
  goal?: Record<string, unknown>;
  /** The id an import adopts. */
  importId?: string;
  /** The id an import-replacement ends by deleting. */
  deleteReplacedId?: string;
}

const isAzure = (type: string) => type.startsWith(AZURE_NATIVE_PREFIX);

/** JSON with sorted keys, so that two equal objects always compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** Freeze an evaluation all the way down, so that a test that changed one could not change another's. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Evaluations of the program, shared by every fake stack in the process: the program is a pure
 * function of the stack, the subscription, the settings and the environment (the mocks derive every
 * id from names), and most tests evaluate the same few configs. Frozen, since they are shared.
 */
const EVALUATIONS = new Map<string, Promise<Evaluation>>();

export interface FakeStackOptions extends Pick<StackStubOptions, "readOnly"> {
  /** The simulated Azure. @default a new one for the stack's subscription */
  azure?: FakeAzure;
  /** Whether azure-native's import drops the leading slash of a `resourceUri` (pulumi-azure-native#4812). @default "dropped" */
  resourceUriSlash?: ResourceUriSlash;
}

export class FakeStackPort extends StackStub {
  /** Resources in state, by URN (filled by the first call: the stack as deployed from the initial config). */
  state = new Map<string, FakeResource>();
  readonly azure: FakeAzure;
  /** Steps added to every following preview (and applied by up as no-ops). */
  extraSteps: PreviewStep[] = [];
  /** Text added to every preview's diff. */
  extraDiff = "";
  /** The live server's earliest restore date as Azure reports it (stack output `earliestRestoreDate`); null when not reported. */
  earliestRestoreDate: string | null = null;
  /** Every step an up applied, in order: `import azure-native:dbforpostgresql:Database aytq_production`. */
  readonly history: string[] = [];
  /** The plan file given to each `up`, in order (undefined: none). */
  readonly upPlans: (string | undefined)[] = [];
  /** Operations started and never finished, as kept in state (ENGINE.md §12). */
  pendingOperations: FakePendingOperation[] = [];
  /** Warnings of the last preview (the engine prints them; a preview with one still succeeds). */
  warnings: string[] = [];
  readonly resourceUriSlash: ResourceUriSlash;
  /** The next create of each type is cut off after Azure accepted it. */
  private cutOffs = new Map<string, CreateCutOff>();
  private appliedConfig: RawConfig;
  private plans = new Map<string, Map<string, PlannedStep[]>>();
  private deployed?: Promise<void>;
  readonly subscriptionId: string;

  constructor(stackName: string, raw: RawConfig, options: FakeStackOptions = {}) {
    super(stackName, raw, { readOnly: options.readOnly });
    this.appliedConfig = structuredClone(raw);
    this.subscriptionId = parseSettings(raw).subscriptionId ?? options.azure?.subscriptionId ?? PLAN_SUBSCRIPTION_ID;
    this.azure = options.azure ?? new FakeAzure({ subscriptionId: this.subscriptionId });
    this.resourceUriSlash = options.resourceUriSlash ?? "dropped";
  }

  /**
   * Cut off the next create of `type` after Azure accepted it: `process-killed` (the runner died:
   * Azure has it, state does not, a pending create stays in state) or `init-failed` (azure-native
   * reported the failure: state keeps it with init errors). Either way the up fails.
   */
  cutOffNextCreate(type: string, how: CreateCutOff): void {
    this.cutOffs.set(type, how);
  }

  settings(raw: RawConfig = this.config): Settings {
    return parseSettings(raw);
  }

  /** The stack as deployed from its initial config, in state and in the simulated Azure. */
  ready(): Promise<void> {
    this.deployed ??= (async () => {
      const e = await this.evaluate(this.appliedConfig);
      for (const r of this.customResources(e)) {
        const urn = this.urnOf(e, r);
        const id = isAzure(r.type) ? this.azure.seed(r.type, this.armId(r), r.inputs) : `${r.name}_id`;
        this.state.set(urn, { urn, type: r.type, name: resourceName(urn, r.inputs, r.type), id, protect: r.options.protect, inputs: r.inputs });
      }
    })();
    return this.deployed;
  }

  /** Delete the live server (or a copy) in the simulated Azure, as an incident does. */
  async deleteServerInAzure(name?: string, at?: Date): Promise<void> {
    await this.ready();
    const s = this.settings(this.appliedConfig);
    const id = this.azure.serverId(s.resourceGroupName, name ?? s.database.serverName);
    // a locked server cannot be deleted: the incident begins with someone removing its lock
    this.azure.removeLocks(id);
    this.azure.dropServer(id, at);
  }

  /** Every call begins once the stack is deployed. */
  protected override prepare(): Promise<void> {
    return this.ready();
  }

  private engineError(what: string, message: string): ToolError {
    return new ToolError(`pulumi failed during ${what} on stack "${this.stackName}": ${message}`, "read the message above; nothing after this step ran");
  }

  // ---------------------------------------------------------------------------------------------
  // The program, as the engine sees it.

  private evaluate(raw: RawConfig): Promise<Evaluation> {
    const settings = parseSettings(raw);
    // the program also reads the environment (its providers' tokens: infra/uptime.ts, infra/pipeline.ts)
    const key = canonical([this.stackName, this.subscriptionId, settings, process.env]);
    let e = EVALUATIONS.get(key);
    if (!e) {
      e = evaluateProgram(settings, { stack: this.stackName, subscriptionId: this.subscriptionId, revealSecrets: true }).then(deepFreeze);
      // a failed evaluation is not kept: the next call evaluates (and fails) again
      e.catch(() => EVALUATIONS.delete(key));
      EVALUATIONS.set(key, e);
    }
    return e;
  }

  private customResources(e: Evaluation): PlannedResource[] {
    return e.resources.filter((r) => r.custom);
  }

  /** `urn:pulumi:<stack>::aytq::<parent types joined by $>$<type>::<name>` */
  private urnOf(e: Evaluation, r: PlannedResource): string {
    const byKey = new Map(e.resources.map((x) => [resourceKey(x), x]));
    const types = [r.type];
    for (let p = r.parent ? byKey.get(r.parent) : undefined; p; p = p.parent ? byKey.get(p.parent) : undefined) types.unshift(p.type);
    return `urn:pulumi:${this.stackName}::aytq::${types.join("$")}::${r.name}`;
  }

  /** The ARM id azure-native builds from a resource's inputs. */
  private armId(r: PlannedResource): string {
    const i = r.inputs;
    const s = (k: string) => (typeof i[k] === "string" ? (i[k] as string) : "");
    const server = (name: string) => this.azure.serverId(s("resourceGroupName"), name);
    switch (r.type) {
      case PULUMI_TYPES.server:
        return server(s("serverName"));
      case PULUMI_TYPES.database:
        return `${server(s("serverName"))}/databases/${s("databaseName")}`;
      case PULUMI_TYPES.configuration:
        return `${server(s("serverName"))}/configurations/${s("configurationName")}`;
      case PULUMI_TYPES.diagnosticSetting:
        return `${s("resourceUri")}/providers/Microsoft.Insights/diagnosticSettings/${s("name")}`;
      case PULUMI_TYPES.lock:
        return `${s("scope")}/providers/Microsoft.Authorization/locks/${s("lockName")}`;
      default:
        return `/subscriptions/${this.subscriptionId}/resourceGroups/${s("resourceGroupName")}/providers/${r.type}/${r.name}`;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Step generation, as step_generator.go does it.

  private async steps(dryRun: boolean): Promise<Step[]> {
    const e = await this.evaluate(this.config);
    const steps: Step[] = [];
    const errors: string[] = [];
    const warnings: string[] = [];
    /** A replace of a resource whose goal still specifies an import id (step_generator.go): a warning in preview, an error in up. */
    const importedReplace = (urn: string, keys: string[], old: Record<string, unknown>, goal: Record<string, unknown>) => {
      const message =
        `${urn}: previously-imported resources that still specify an ID may not be replaced; please remove the \`import\` declaration from your program;\n` +
        keys.map((k) => `${k}: ${JSON.stringify(at(old, k))} => ${JSON.stringify(at(goal, k))}`).join("\n");
      if (!dryRun) throw this.engineError("up", message);
      warnings.push(message);
    };
    const protectedReplace = (urn: string) =>
      `unable to replace resource "${urn}"\nas it is currently marked for protection. To unprotect the resource, remove the \`protect\` flag from the resource in your Pulumi program and run \`pulumi up\``;
    const wanted = new Set<string>();
    for (const r of this.customResources(e)) {
      const urn = this.urnOf(e, r);
      wanted.add(urn);
      const old = this.state.get(urn);
      const base = { type: r.type, urn, name: resourceName(urn, r.inputs, r.type), protected: r.options.protect || Boolean(old?.protect), desired: r };
      const importId = r.options.import;
      if (importId !== undefined && (!old || (old.importId ?? old.id) !== importId)) {
        // ImportStep.Apply reads the resource in preview too (ENGINE.md §1)
        const read = isAzure(r.type) ? this.azure.read(r.type, importId) : {};
        if (read === undefined) throw this.engineError(dryRun ? "preview" : "up", `${dryRun ? "Preview failed: " : ""}resource '${importId}' does not exist`);
        if (old) {
          // a different id, even by case only: import-replacement, then delete-replaced of the old id (§2)
          steps.push({ ...base, op: "import-replacement", importId, deleteReplacedId: old.id });
          steps.push({ ...base, op: "replace", importId });
        } else {
          // azure-native's import: the id's path values plus the whole GET (ResponseToSdkInputs, §11);
          // then Check/Diff of the declaration, ignored paths reset to what was imported
          const imported = isAzure(r.type) ? { ...read, ...(pathValues(r.type, importId, this.resourceUriSlash) ?? {}) } : r.inputs;
          const goal = resetIgnored(imported, r.inputs, r.options.ignoreChanges);
          steps.push({ ...base, op: "import", importId, goal: imported });
          const keys = isAzure(r.type) ? changedReplaceKeys(r.type, imported, goal) : [];
          if (keys.length > 0) {
            if (r.options.protect) errors.push(protectedReplace(urn));
            importedReplace(urn, keys, imported, goal);
            steps.push({ ...base, op: "replace", goal });
          } else if (canonical(imported) !== canonical(goal)) {
            steps.push({ ...base, op: "update", importId, goal });
          }
        }
        continue;
      }
      if (!old) {
        steps.push({ ...base, op: "create", goal: r.inputs });
        continue;
      }
      const goal = resetIgnored(old.inputs, r.inputs, r.options.ignoreChanges);
      if (old.initErrors) {
        // a resource whose create failed after Azure accepted it is updated by the next up (§8c)
        steps.push({ ...base, op: "update", goal });
        continue;
      }
      if (canonical(old.inputs) === canonical(goal)) {
        steps.push({ ...base, op: "same", goal });
        continue;
      }
      const keys = changedReplaceKeys(r.type, old.inputs, goal);
      if (keys.length > 0) {
        if (r.options.protect && old.protect) errors.push(protectedReplace(urn));
        if (importId !== undefined) importedReplace(urn, keys, old.inputs, goal);
        steps.push({ ...base, op: "replace", goal });
      } else {
        steps.push({ ...base, op: "update", goal });
      }
    }
    for (const old of this.state.values()) {
      if (wanted.has(old.urn)) continue;
      if (old.protect) {
        errors.push(
          `resource "${old.urn}" cannot be deleted\nbecause it is protected. To unprotect the resource, either remove the \`protect\` flag from the resource in your Pulumi program and run \`pulumi up\`, or use the command:\n\`pulumi state unprotect '${old.urn}'\``,
        );
      }
      steps.push({ op: "delete", type: old.type, urn: old.urn, name: old.name, protected: old.protect });
    }
    if (errors.length > 0) throw this.engineError(dryRun ? "preview" : "up", errors.join("\n"));
    this.warnings = warnings;
    return [...steps, ...this.extraSteps];
  }

  private static summary(steps: readonly PreviewStep[]): Partial<Record<StepOp, number>> {
    const out: Partial<Record<StepOp, number>> = {};
    for (const s of steps) out[s.op] = (out[s.op] ?? 0) + 1;
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // StackPort.

  override async refresh(targets: readonly string[]): Promise<void> {
    await this.enter("refresh", targets.join(" "));
    for (const urn of targets) {
      if (!this.state.has(urn)) throw this.engineError("refresh", `Target '${urn}' could not be found in the stack.`);
    }
    for (const urn of targets) {
      const r = this.state.get(urn);
      if (!r || !isAzure(r.type)) continue;
      let found: Record<string, unknown> | undefined;
      try {
        found = this.azure.read(r.type, r.id);
      } catch (err) {
        throw this.engineError("refresh", `${urn}: ${(err as Error).message}`);
      }
      // "If the ID is blank treat this as a delete": no protect check (ENGINE.md §4)
      if (found === undefined) this.state.delete(urn);
    }
  }

  override async resourceUrns(): Promise<StateResource[]> {
    await this.enter("resourceUrns");
    return [...this.state.values()].map((r) => ({ urn: r.urn, type: r.type, id: r.id, ...(r.importId ? { importId: r.importId } : {}) }));
  }

  /** `pulumi stack export`, drop, `pulumi stack import`: the import clears every pending operation of the stack (§12). */
  override async forget(urns: readonly string[]): Promise<ForgetResult> {
    await this.enter("forget", urns.join(" "));
    for (const urn of urns) this.state.delete(urn);
    const cleared = this.pendingOperations.map((p) => ({ urn: p.urn, type: p.op }));
    this.pendingOperations = [];
    return { clearedPendingOperations: cleared };
  }

  override async preview(options: PreviewOptions = {}): Promise<PreviewResult> {
    await this.enter("preview");
    const steps = await this.steps(true);
    if (options.savePlan !== undefined) {
      const plan = new Map<string, PlannedStep[]>();
      for (const s of steps) {
        plan.set(s.urn, [...(plan.get(s.urn) ?? []), { op: s.op, inputs: canonical(s.desired?.inputs ?? null) }]);
      }
      this.plans.set(options.savePlan, plan);
    }
    const diffText = [
      ...steps.filter((s) => s.op !== "same").map((s) => `  ${s.op} ${s.type} ${s.name}`),
      ...this.warnings.map((w) => `warning: ${w}`),
      ...(this.extraDiff ? [this.extraDiff] : []),
    ].join("\n");
    return { changeSummary: FakeStackPort.summary(steps), steps: steps.map(({ op, type, urn, name, protected: p }) => ({ op, type, urn, name, protected: p })), diffText };
  }

  /** The engine's plan check for one step (plan.go); undefined when the step is allowed. */
  private violation(step: Step, plan: Map<string, PlannedStep[]>): string | undefined {
    // "a same step is allowed in place of an update or a replace step" (plan.go)
    if (step.op === "same") return undefined;
    const planned = (plan.get(step.urn) ?? []).filter((p) => p.op !== "same");
    if (planned.length === 0) return `${step.op} is not allowed by the plan: no steps were expected for this resource`;
    const match = planned.find((p) => p.op === step.op);
    if (!match) return `${step.op} is not allowed by the plan: this resource is constrained to ${planned.map((p) => p.op).join(", ")}`;
    if (step.desired && canonical(step.desired.inputs) !== match.inputs) return `resource ${step.urn} violates plan: properties changed`;
    return undefined;
  }

  override async up(options: UpOptions = {}): Promise<UpResult> {
    await this.enter("up");
    this.upPlans.push(options.plan);
    let plan: Map<string, PlannedStep[]> | undefined;
    if (options.plan !== undefined) {
      plan = this.plans.get(options.plan);
      if (!plan) throw this.engineError("up", `could not read plan file ${options.plan}`);
    }
    const steps = await this.steps(false);
    const seen = new Set<string>();
    const deleteReplaced: Step[] = [];
    const applied: Step[] = [];
    for (const step of steps) {
      seen.add(step.urn);
      const bad = plan ? this.violation(step, plan) : undefined;
      // errors are raised at step generation, so the steps before this one stay applied (ENGINE.md §6)
      if (bad) throw this.engineError("up", bad);
      if (step.op === "delete") continue;
      try {
        this.apply(step);
      } catch (err) {
        throw this.engineError("up", `${step.urn}: ${(err as Error).message}`);
      }
      if (step.deleteReplacedId !== undefined) deleteReplaced.push(step);
      applied.push(step);
      if (step.op !== "same") this.history.push(`${step.op} ${step.type} ${step.name}`);
    }
    if (plan) {
      for (const [urn, ps] of plan) {
        if (ps.some((p) => p.op !== "same") && !seen.has(urn)) throw this.engineError("up", `expected resource operations for ${urn} but none were seen`);
      }
    }
    for (const step of steps.filter((s) => s.op === "delete")) {
      const r = this.state.get(step.urn);
      if (!r) continue;
      if (isAzure(r.type)) this.azure.delete(r.type, r.id);
      this.state.delete(step.urn);
      applied.push(step);
      this.history.push(`delete ${step.type} ${step.name}`);
    }
    // delete-replaced: Delete(oldID), which Azure resolves case-insensitively (ENGINE.md §2)
    for (const step of deleteReplaced) {
      this.azure.delete(step.type, step.deleteReplacedId as string);
      applied.push({ ...step, op: "delete-replaced" });
      this.history.push(`delete-replaced ${step.type} ${step.name}`);
    }
    this.appliedConfig = structuredClone(this.config);
    return { changeSummary: FakeStackPort.summary(applied), outputs: await this.currentOutputs() };
  }

  private apply(step: Step): void {
    const r = step.desired;
    if (!r) return; // an extra step added by a test: a no-op
    const existing = this.state.get(step.urn);
    const inputs = step.goal ?? r.inputs;
    const entry = (id: string, importId?: string): FakeResource => ({
      urn: step.urn,
      type: r.type,
      name: step.name,
      id,
      ...(importId !== undefined ? { importId } : existing?.importId !== undefined ? { importId: existing.importId } : {}),
      protect: r.options.protect,
      inputs,
    });
    const create = (): string => {
      if (!isAzure(r.type)) return `${r.name}_id`;
      const id = this.azure.create(r.type, this.armId(r), r.inputs);
      const cut = this.cutOffs.get(r.type);
      if (cut !== undefined) {
        this.cutOffs.delete(r.type);
        if (cut === "process-killed") {
          // Azure finished the create; the engine never heard back: state keeps only a pending create
          this.pendingOperations.push({ urn: step.urn, type: r.type, op: "creating" });
          throw new Error("the pulumi process was killed while the create was running (the runner died)");
        }
        this.state.set(step.urn, { ...entry(id), initErrors: ["the resource was created but did not become ready"] });
        throw new Error(`${step.urn}: resource partially created: the create failed after Azure accepted it (ErrorResourceInitFailed)`);
      }
      return id;
    };
    switch (step.op) {
      case "create":
        this.state.set(step.urn, entry(create()));
        return;
      case "import":
      case "import-replacement":
        // the state id becomes the import id, and the import id is kept (TestImportOption)
        this.state.set(step.urn, entry(step.importId as string, step.importId));
        return;
      case "replace":
        if (step.importId !== undefined) return; // the second half of an import-replacement
        // azure-native replaces delete-before-create (§11)
        if (existing && isAzure(r.type)) this.azure.delete(r.type, existing.id);
        this.state.set(step.urn, entry(create()));
        return;
      case "update": {
        const id = existing?.id ?? step.importId ?? this.armId(r);
        if (isAzure(r.type)) this.azure.update(r.type, id, inputs);
        this.state.set(step.urn, entry(id));
        return;
      }
      case "same":
        if (existing) existing.protect = r.options.protect;
        return;
      default:
        return;
    }
  }

  protected override async currentOutputs(): Promise<Record<string, unknown>> {
    const e = await this.evaluate(this.appliedConfig);
    const outputs = redactSecrets(e.outputs) as Record<string, unknown>;
    return { ...outputs, earliestRestoreDate: this.earliestRestoreDate };
  }
}
