/** What changes between two evaluations of the program: resources added, removed, and changed property by property. */
import { PlannedResource, resourceKey } from "./evaluate";

interface PropertyChange {
  /** Dotted path: `inputs.createMode`, `options.protect`, `inputs.rules[0].host`. */
  path: string;
  before?: unknown;
  after?: unknown;
}

interface ResourceChange {
  type: string;
  name: string;
  changes: PropertyChange[];
}

export interface PlanDiff {
  added: PlannedResource[];
  removed: PlannedResource[];
  changed: ResourceChange[];
}

/** Leaves of a JSON-like value by dotted path. Empty arrays and objects are leaves too, so they show up. */
export function flatten(value: unknown, prefix: string, out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function propertyChanges(before: PlannedResource, after: PlannedResource): PropertyChange[] {
  const a = flatten({ inputs: before.inputs, options: before.options }, "");
  const b = flatten({ inputs: after.inputs, options: after.options }, "");
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: PropertyChange[] = [];
  for (const path of paths) {
    const x = a.get(path);
    const y = b.get(path);
    if (!same(x, y)) changes.push({ path, ...(a.has(path) ? { before: x } : {}), ...(b.has(path) ? { after: y } : {}) });
  }
  return changes;
}

/** Compare two evaluations' resources (components included, since they carry no inputs they only add or remove). */
export function diffResources(before: readonly PlannedResource[], after: readonly PlannedResource[]): PlanDiff {
  const old = new Map(before.map((r) => [resourceKey(r), r]));
  const now = new Map(after.map((r) => [resourceKey(r), r]));
  const added = after.filter((r) => !old.has(resourceKey(r)));
  const removed = before.filter((r) => !now.has(resourceKey(r)));
  const changed: ResourceChange[] = [];
  for (const r of after) {
    const prior = old.get(resourceKey(r));
    if (!prior) continue;
    const changes = propertyChanges(prior, r);
    if (changes.length > 0) changed.push({ type: r.type, name: r.name, changes });
  }
  return { added, removed, changed };
}
