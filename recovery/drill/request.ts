/**
 * `drill`'s flags read into a request, every flag checked before anything starts: the scenarios,
 * the platform, the way (the surgical variant is local only), the webhooks, then the stack (Azure)
 * or the dataset size (local).
 */
import * as path from "node:path";
import type { StackName } from "../../infra/config";
import { PROJECT_ROOT, checkStackName } from "../config/stackfile";
import { RESTORE_WAYS } from "../data/types";
import { UsageError } from "../errors";
import { webhooksFrom } from "../notify/webhooks";
import { parseDatasetSize } from "../platforms/local/dataset";
import type { RestoreWay } from "../runbook/ports";
import { SCENARIOS, type ScenarioName } from "../runbook/run-model";
import { clipInput } from "../util/clip";

/** The flags as commander gives them. */
export interface DrillFlags {
  platform?: string;
  stack?: string;
  scenario?: string;
  size?: string;
  reports?: string;
  workDir?: string;
  yes?: boolean;
  slackWebhook?: string;
  teamsWebhook?: string;
  way?: string;
}

interface Common {
  scenarios: ScenarioName[];
  /** data-loss's way. @default whole (DEFAULT_DRILL_WAY) */
  way?: RestoreWay;
  reportDir: string;
  webhooks: ReturnType<typeof webhooksFrom>;
}

export type DrillRequest =
  | (Common & { platform: "local"; rows: number; workDir?: string })
  | (Common & { platform: "azure"; stack: StackName; yes: boolean });

/**
 * data-loss's way for the drill: whole (the default), or tables / undelete for the surgical
 * variant (local only: the Azure drill's incident drops a table, which only whole brings back).
 */
export function drillWay(value: string | undefined, scenarios: readonly ScenarioName[], local: boolean): RestoreWay | undefined {
  if (value === undefined) return undefined;
  if (!(RESTORE_WAYS as readonly string[]).includes(value)) throw new UsageError(`unknown way "${clipInput(value)}"`, `use one of: ${RESTORE_WAYS.join(", ")}`);
  if (!scenarios.includes("data-loss")) throw new UsageError("--way does not apply here: only data-loss brings data back by a way; nothing was changed", "leave out --way, or drill --scenario data-loss");
  if (!local && value !== "whole") throw new UsageError(`--way ${value} is drilled on the local platform only: the Azure drill's incident drops a table, which only whole brings back; nothing was changed`, "drill it with --platform local, or leave out --way");
  return value as RestoreWay;
}

/** `all` or one scenario name; anything else is refused with the list. */
export function drillScenarios(value: string | undefined): ScenarioName[] {
  if (value === undefined) throw new UsageError("missing --scenario", `use one of: ${[...SCENARIOS, "all"].join(", ")}`);
  if (value === "all") return [...SCENARIOS];
  if ((SCENARIOS as readonly string[]).includes(value)) return [value as ScenarioName];
  throw new UsageError(`unknown scenario "${clipInput(value)}"`, `use one of: ${[...SCENARIOS, "all"].join(", ")}`);
}

export function drillRequest(f: DrillFlags, env: NodeJS.ProcessEnv): DrillRequest {
  const scenarios = drillScenarios(f.scenario);
  if (f.platform !== undefined && f.platform !== "local" && f.platform !== "azure") {
    throw new UsageError(`unknown platform "${clipInput(f.platform)}"`, "use --platform local, or --stack test for the Azure drill");
  }
  const local = f.platform === "local" || (f.platform === undefined && f.stack === undefined);
  const way = drillWay(f.way, scenarios, local);
  const common: Common = { scenarios, ...(way ? { way } : {}), reportDir: f.reports ?? path.join(PROJECT_ROOT, "dr-reports"), webhooks: webhooksFrom(f, env) };
  if (!local) return { ...common, platform: "azure", stack: checkStackName(f.stack), yes: f.yes === true };
  if (f.stack !== undefined) throw new UsageError("--stack and --platform local conflict: --stack is for the Azure drill, --platform local for this machine", "give one of them: aytq-dr drill --platform local --scenario <name>, or aytq-dr drill --stack test --scenario <name>");
  return { ...common, platform: "local", rows: parseDatasetSize(f.size), workDir: f.workDir };
}
