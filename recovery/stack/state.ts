/**
 * The stack's state as `pulumi stack export` writes it (apitype DeploymentV3), read for resource
 * ids and edited to forget resources. Pure: automation.ts exports and imports; every field this
 * module does not know is carried over untouched.
 */
import type { PendingOperation, StateResource } from "./port";

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
interface StateReference {
  /** The resource that would be left pointing at nothing. */
  from: string;
  /** The forgotten resource it points at. */
  to: string;
  via: "parent" | "dependencies" | "propertyDependencies" | "deletedWith" | "provider";
}

export type ForgetOutcome =
  | {
      ok: true;
      /** The deployment to import: without the forgotten resources, and without pending operations. */
      deployment: DeploymentState;
      forgotten: string[];
      /** Every pending operation of the export, on any resource: importing the deployment clears them all. */
      clearedPendingOperations: PendingOperation[];
    }
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
 * The deployment to import so that the given resources are forgotten (every entry of each URN, e.g.
 * also a pending delete of a replaced one). Refused when a resource that stays still names one of
 * them as parent, dependency, deletedWith or provider: the CLI would reject that state, and the
 * engine would lose the edge. URNs not in state are ignored, so forgetting again after a crash is
 * harmless; `forgotten` lists those that were there (as a resource or as a pending operation).
 *
 * `pulumi stack import` clears EVERY pending operation of the stack, whatever the file holds
 * (pkg/cmd/pulumi/stack/io.go at v3.248.0: `snapshot.PendingOperations = nil`, with a warning per
 * operation), not only those of the forgotten resources. So the deployment returned has none, and
 * `clearedPendingOperations` lists all of them: a pending `creating` may be a resource that exists
 * in the cloud and that state, after the import, no longer knows.
 */
export function forgetResources(d: DeploymentState, urns: readonly string[]): ForgetOutcome {
  const resources = d.resources ?? [];
  const gone = new Set(urns.filter((u) => resources.some((r) => r.urn === u)));
  const kept = resources.filter((r) => !gone.has(r.urn));
  const references = kept.flatMap((r) => referencesOf(r, gone));
  if (references.length > 0) return { ok: false, references };
  const pending = d.pending_operations ?? [];
  const pendingUrns = new Set(pending.map((op) => op.resource.urn));
  // left out: the import would drop them anyway, and the file should be the state the stack will hold
  const { pending_operations: _cleared, ...rest } = d;
  const deployment: DeploymentState = { ...rest, resources: kept };
  const forgotten = [...new Set(urns)].filter((u) => gone.has(u) || pendingUrns.has(u));
  const clearedPendingOperations = pending.map((op) => ({ urn: op.resource.urn, type: op.type }));
  return { ok: true, deployment, forgotten, clearedPendingOperations };
}
