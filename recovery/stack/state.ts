/**
 * The stack's state as `pulumi stack export` writes it (apitype DeploymentV3), read for resource
 * ids and edited to forget resources. Pure: automation.ts exports and imports; every field this
 * module does not know is carried over untouched.
 */
import type { StateResource } from "./port";

/** One resource of a deployment (apitype ResourceV3): the fields recovery reads or must keep consistent. */
export interface DeploymentResource {
  urn: string;
  type: string;
  id?: string;
  /** Spelled `importID` in the deployment JSON (apitype ResourceV3 `json:"importID,omitempty"`). */
  importID?: string;
  parent?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  deletedWith?: string;
  /** `<provider urn>::<provider id>`. */
  provider?: string;
  [field: string]: unknown;
}

/** The deployment inside an export (apitype DeploymentV3). */
export interface DeploymentState {
  resources?: DeploymentResource[];
  /** Operations the engine had started and not finished when it stopped. */
  pending_operations?: { resource: DeploymentResource; type: string; [field: string]: unknown }[];
  [field: string]: unknown;
}

/** The export as the Automation API returns it (`Deployment`, whose `deployment` is untyped). */
export interface ExportedState {
  version: number;
  deployment: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The deployment of an export, checked enough to be read: an empty stack has no `resources`. */
export function deploymentOf(exported: ExportedState): DeploymentState {
  const d = exported.deployment;
  if (d === undefined || d === null) return {};
  if (!isObject(d)) throw new Error(`pulumi stack export returned a deployment that is not an object (version ${exported.version})`);
  const resources = d.resources;
  if (resources !== undefined && !(Array.isArray(resources) && resources.every((r) => isObject(r) && typeof r.urn === "string" && typeof r.type === "string"))) {
    throw new Error("pulumi stack export returned resources without a urn and type");
  }
  return d as DeploymentState;
}

/** Resources in state with their ids, in state order. */
export function stateResources(d: DeploymentState): StateResource[] {
  return (d.resources ?? []).map((r) => ({
    urn: r.urn,
    type: r.type,
    id: typeof r.id === "string" ? r.id : "",
    ...(typeof r.importID === "string" && r.importID ? { importId: r.importID } : {}),
  }));
}

/** A resource that still points at one being forgotten, and how. */
export interface StateReference {
  /** The resource that would be left pointing at nothing. */
  from: string;
  /** The forgotten resource it points at. */
  to: string;
  via: "parent" | "dependencies" | "propertyDependencies" | "deletedWith" | "provider";
}

export type ForgetOutcome =
  | { ok: true; deployment: DeploymentState; forgotten: string[] }
  | { ok: false; references: StateReference[] };

/** The provider URN of a provider reference `<urn>::<id>`. */
function providerUrn(ref: string): string {
  const i = ref.lastIndexOf("::");
  return i < 0 ? ref : ref.slice(0, i);
}

/** How `r` points at resources of `gone`. */
function referencesOf(r: DeploymentResource, gone: ReadonlySet<string>): StateReference[] {
  const refs: StateReference[] = [];
  const add = (to: string | undefined, via: StateReference["via"]) => {
    if (to && gone.has(to) && !refs.some((x) => x.to === to && x.via === via)) refs.push({ from: r.urn, to, via });
  };
  add(r.parent, "parent");
  for (const dep of r.dependencies ?? []) add(dep, "dependencies");
  for (const deps of Object.values(r.propertyDependencies ?? {})) for (const dep of deps ?? []) add(dep, "propertyDependencies");
  add(r.deletedWith, "deletedWith");
  if (r.provider) add(providerUrn(r.provider), "provider");
  return refs;
}

/**
 * The deployment without the given resources (every entry of each URN, e.g. also a pending delete of
 * a replaced one) and without pending operations on them, like `pulumi state delete`. Refused when a
 * resource that stays still names one of them as parent, dependency, deletedWith or provider: the
 * CLI would reject that state, and the engine would lose the edge. URNs not in state are ignored, so
 * forgetting again after a crash is harmless; `forgotten` lists those that were there.
 */
export function forgetResources(d: DeploymentState, urns: readonly string[]): ForgetOutcome {
  const resources = d.resources ?? [];
  const gone = new Set(urns.filter((u) => resources.some((r) => r.urn === u)));
  const kept = resources.filter((r) => !gone.has(r.urn));
  const references = kept.flatMap((r) => referencesOf(r, gone));
  if (references.length > 0) return { ok: false, references };
  const pending = d.pending_operations ?? [];
  const pendingGone = new Set(pending.filter((op) => urns.includes(op.resource.urn)).map((op) => op.resource.urn));
  const deployment: DeploymentState = { ...d, resources: kept };
  if (d.pending_operations) deployment.pending_operations = pending.filter((op) => !pendingGone.has(op.resource.urn));
  const forgotten = [...new Set(urns)].filter((u) => gone.has(u) || pendingGone.has(u));
  return { ok: true, deployment, forgotten };
}
