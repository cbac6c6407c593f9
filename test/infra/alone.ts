/**
 * Build one component on its own under Pulumi's mocks, from hand-written arguments: what it
 * declares depends on its Args alone, not on a stack's settings. The same mocks as `plan`.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { PlanMocks } from "../../recovery/plan/mocks";
import { redactSecrets, resourceKey, type Evaluation, type PlannedResource } from "../../recovery/plan/evaluate";

/** A declared resource (its parent as `type::name`), with the logical names of what it waits for. */
export interface AloneResource extends PlannedResource {
  dependsOn: string[];
}

/** What the component declared and the outputs it returned, resolved. */
export interface Alone extends Evaluation {
  resources: AloneResource[];
}

/** Run `declare` (which constructs the component and returns the outputs to resolve) as a stack of its own. */
export async function buildAlone(declare: () => Record<string, unknown>): Promise<Alone> {
  const mocks = new PlanMocks();
  await pulumi.runtime.setMocks(mocks, "aytq", "test", false);
  const recorded: Omit<AloneResource, "inputs">[] = [];
  const seen = new Map<pulumi.Resource, { key: string; name: string }>();
  const outputs = await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      const opts = args.opts as pulumi.CustomResourceOptions;
      seen.set(args.resource, { key: resourceKey(args), name: args.name });
      const after = opts.dependsOn === undefined ? [] : Array.isArray(opts.dependsOn) ? opts.dependsOn : [opts.dependsOn];
      recorded.push({
        type: args.type,
        name: args.name,
        ...(opts.parent && seen.has(opts.parent) ? { parent: seen.get(opts.parent)?.key } : {}),
        custom: args.resource instanceof pulumi.CustomResource,
        options: {
          protect: opts.protect ?? false,
          ignoreChanges: [...(opts.ignoreChanges ?? [])],
          ...(opts.customTimeouts !== undefined ? { customTimeouts: { ...opts.customTimeouts } } : {}),
          ...(opts.import !== undefined ? { import: opts.import } : {}),
        },
        // components pass plain resources, never outputs of them
        dependsOn: after.map((r) => seen.get(r as pulumi.Resource)?.name ?? "?"),
      });
      return undefined;
    });
    return declare();
  });
  await pulumi.runtime.disconnect();
  const inputs = new Map(mocks.seen.map((m) => [resourceKey(m), m.inputs]));
  return {
    resources: recorded.map((r) => ({ ...r, inputs: r.custom ? (redactSecrets(inputs.get(resourceKey(r)) ?? {}) as Record<string, unknown>) : {} })),
    outputs: redactSecrets(outputs ?? {}) as Record<string, unknown>,
  };
}

/** The resources of one type, by logical name. */
export function namesOf(e: Alone, type: string): string[] {
  return e.resources.filter((r) => r.type === type).map((r) => r.name);
}

/** The one resource of this type and name, with its dependencies. */
export function declared(e: Alone, type: string, name: string): AloneResource {
  const r = e.resources.find((x) => x.type === type && x.name === name);
  assert.ok(r, `expected ${type} "${name}"; declared: ${e.resources.map((x) => `${x.type} ${x.name}`).join(", ")}`);
  return r;
}
