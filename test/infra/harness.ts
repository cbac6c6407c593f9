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

export const T = {
  server: "azure-native:dbforpostgresql:Server",
  database: "azure-native:dbforpostgresql:Database",
  configuration: "azure-native:dbforpostgresql:Configuration",
  workspace: "azure-native:operationalinsights:Workspace",
  diagnostic: "azure-native:monitor:DiagnosticSetting",
  alert: "azure-native:monitor:MetricAlert",
  account: "azure-native:storage:StorageAccount",
  blobService: "azure-native:storage:BlobServiceProperties",
  container: "azure-native:storage:BlobContainer",
  lifecycle: "azure-native:storage:ManagementPolicy",
  immutability: "azure-native:storage:BlobContainerImmutabilityPolicy",
  deploymentPatch: "kubernetes:apps/v1:DeploymentPatch",
  deployment: "kubernetes:apps/v1:Deployment",
  service: "kubernetes:core/v1:Service",
  configMap: "kubernetes:core/v1:ConfigMap",
  ingressPatch: "kubernetes:networking.k8s.io/v1:IngressPatch",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  branchProtection: "github:index/branchProtection:BranchProtection",
  githubProvider: "pulumi:providers:github",
  password: "random:index/randomPassword:RandomPassword",
} as const;
