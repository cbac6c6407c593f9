/**
 * `aytq-dr plan`: the declared desired state of a stack, offline. The stack file's config plus
 * `--set` overrides is validated by the program's own rules (a bad override fails with the
 * program's message), then the program is evaluated under mocks.
 */
import { StackName, parseSettings } from "../../infra/config";
import { applyOverrides, readStackConfig } from "../config/stackfile";
import { evaluateProgram } from "./evaluate";
import { diffResources } from "./diff";
import { PlanDiffDocument, PlanDocument, planDiffDocument, planDocument, renderDiff, renderTree } from "./render";

export interface PlanRequest {
  stack: StackName;
  /** `key=value` overrides, dotted paths under `aytq:`. */
  sets: readonly string[];
  /** Compare with the stack file alone instead of listing everything. */
  diffFromStackConfig: boolean;
  /** Folder holding the stack files. @default the project root */
  root?: string;
}

export type PlanResult =
  | { kind: "plan"; document: PlanDocument; text: string }
  | { kind: "diff"; document: PlanDiffDocument; text: string };

export async function runPlan(request: PlanRequest): Promise<PlanResult> {
  const base = readStackConfig(request.stack, request.root);
  // Both configs are validated before anything is evaluated, so a bad --set fails fast.
  const settings = parseSettings(applyOverrides(base, request.sets));
  if (!request.diffFromStackConfig) {
    const { resources } = await evaluateProgram(settings, { stack: request.stack });
    return { kind: "plan", document: planDocument(request.stack, resources), text: renderTree(request.stack, resources) };
  }
  const baseSettings = parseSettings(base);
  const before = await evaluateProgram(baseSettings, { stack: request.stack });
  const after = await evaluateProgram(settings, { stack: request.stack });
  const diff = diffResources(before.resources, after.resources);
  return {
    kind: "diff",
    document: planDiffDocument(request.stack, request.sets, diff),
    text: renderDiff(request.stack, request.sets, diff),
  };
}
