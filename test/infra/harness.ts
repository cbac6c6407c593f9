/** Build a stack's program under mocks and look resources up by logical name, for assertions that name the resource. */
import * as assert from "node:assert/strict";
import { PIPELINE_STACK, StackName } from "../../infra/config";
import { loadPipelineSettings, loadStackSettings } from "../../recovery/config/stackfile";
import { Evaluation, PlannedResource, evaluatePipelineProgram, evaluateProgram } from "../../recovery/plan/evaluate";

export async function build(stack: StackName, sets: readonly string[] = []): Promise<Evaluation> {
  return evaluateProgram(loadStackSettings(stack, sets), { stack });
}

/** The pipeline stack's program (main's branch protection) under mocks. */
export async function buildPipeline(sets: readonly string[] = []): Promise<Evaluation> {
  return evaluatePipelineProgram(loadPipelineSettings(sets), { stack: PIPELINE_STACK });
}

export function resource(e: Evaluation, type: string, name: string): PlannedResource {
  const r = e.resources.find((x) => x.type === type && x.name === name);
  assert.ok(r, `expected ${type} "${name}" to be declared; declared: ${e.resources.map((x) => x.name).join(", ")}`);
  return r;
}

export function absent(e: Evaluation, type: string, name: string): void {
  assert.ok(!e.resources.some((x) => x.type === type && x.name === name), `expected ${type} "${name}" not to be declared`);
}

/** A nested input by dotted path (`network.publicNetworkAccess`, `spec.rules.0.host`). */
export function input(r: PlannedResource, path: string): unknown {
  let v: unknown = r.inputs;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

export function expectInput(r: PlannedResource, path: string, expected: unknown): void {
  assert.deepEqual(input(r, path), expected, `${r.type} "${r.name}": input ${path}`);
}

