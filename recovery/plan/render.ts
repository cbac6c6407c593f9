/** How a plan is printed: JSON for machines, an indented tree for people. */
import { PlannedResource, resourceKey } from "./evaluate";
import { PlanDiff, flatten } from "./diff";
import { checkImports, ImportCheck } from "./imports";

/** The JSON document `aytq-dr plan --json` prints (custom resources only: components have no inputs). */
export interface PlanDocument {
  stack: string;
  resources: { type: string; name: string; parent?: string; inputs: Record<string, unknown>; options: PlannedResource["options"] }[];
  /** Each adopted resource, with what an import by its id would replace (nothing, when it is safe). */
  imports: ImportCheck[];
}

export function planDocument(stack: string, resources: readonly PlannedResource[]): PlanDocument {
  return {
    stack,
    resources: resources
      .filter((r) => r.custom)
      .map((r) => ({ type: r.type, name: r.name, ...(r.parent ? { parent: r.parent } : {}), inputs: r.inputs, options: r.options })),
    imports: checkImports(resources),
  };
}

/** Lines saying, for each adopted resource, whether its import can be a replace. */
function importLines(resources: readonly PlannedResource[]): string[] {
  return checkImports(resources).map((c) =>
    c.wouldReplace.length === 0
      ? `import ${c.name} (${c.type}): safe, no replace key can read differently from the declaration`
      : `import ${c.name} (${c.type}): WOULD BE A REPLACE, which the engine refuses for an imported resource:\n${c.wouldReplace.map((w) => `    ${w.key}: ${w.reason}`).join("\n")}`,
  );
}

export interface PlanDiffDocument {
  stack: string;
  overrides: string[];
  added: PlanDocument["resources"];
  removed: PlanDocument["resources"];
  changed: PlanDiff["changed"];
}

export function planDiffDocument(stack: string, overrides: readonly string[], diff: PlanDiff): PlanDiffDocument {
  const custom = (rs: readonly PlannedResource[]) => planDocument(stack, rs).resources;
  return { stack, overrides: [...overrides], added: custom(diff.added), removed: custom(diff.removed), changed: diff.changed };
}

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function optionTags(r: PlannedResource): string {
  const tags: string[] = [];
  if (r.options.protect) tags.push("protect");
  if (r.options.ignoreChanges.length > 0) tags.push(`ignoreChanges: ${r.options.ignoreChanges.join(", ")}`);
  if (r.options.import !== undefined) tags.push(`import: ${r.options.import}`);
  return tags.length > 0 ? `  [${tags.join("; ")}]` : "";
}

/** An indented tree: components, their resources, each resource's inputs one per line. */
export function renderTree(stack: string, resources: readonly PlannedResource[]): string {
  const children = new Map<string | undefined, PlannedResource[]>();
  for (const r of resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const lines: string[] = [`stack ${stack}: ${resources.filter((r) => r.custom).length} resources`];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const r of children.get(parent) ?? []) {
      const pad = "  ".repeat(depth + 1);
      lines.push(`${pad}${r.custom ? "-" : "+"} ${r.name} (${r.type})${optionTags(r)}`);
      if (r.custom) {
        for (const [path, value] of flatten(r.inputs, "")) {
          if (path !== "") lines.push(`${pad}    ${path}: ${show(value)}`);
        }
      }
      walk(resourceKey(r), depth + 1);
    }
  };
  walk(undefined, 0);
  lines.push(...importLines(resources));
  return lines.join("\n");
}

/** What the overrides change, compared with the stack file alone. */
export function renderDiff(stack: string, overrides: readonly string[], diff: PlanDiff): string {
  const lines = [`stack ${stack}: changes from --set ${overrides.length > 0 ? overrides.join(" --set ") : "(none)"} versus Pulumi.${stack}.yaml`];
  const customAdded = diff.added.filter((r) => r.custom);
  const customRemoved = diff.removed.filter((r) => r.custom);
  if (customAdded.length + customRemoved.length + diff.changed.length === 0) {
    lines.push("  no changes");
    return lines.join("\n");
  }
  for (const r of customAdded) {
    lines.push(`  + ${r.name} (${r.type})${optionTags(r)}`);
    for (const [path, value] of flatten(r.inputs, "")) if (path !== "") lines.push(`      ${path}: ${show(value)}`);
  }
  for (const r of customRemoved) lines.push(`  - ${r.name} (${r.type})`);
  for (const c of diff.changed) {
    lines.push(`  ~ ${c.name} (${c.type})`);
    for (const p of c.changes) {
      const before = p.before === undefined ? "(absent)" : show(p.before);
      const after = p.after === undefined ? "(absent)" : show(p.after);
      lines.push(`      ${p.path}: ${before} => ${after}`);
    }
  }
  return lines.join("\n");
}
