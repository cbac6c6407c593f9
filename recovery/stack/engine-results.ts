/**
 * What the port returns, read from the engine: a preview's steps from its events, a summary's
 * counts by operation, a resource's cloud name. Pure.
 */
import type { EngineEvent, OpMap } from "@pulumi/pulumi/automation";
import type { PreviewStep, StepOp } from "./port";
import { urnName } from "./port";

/** A summary's counts by operation. */
export function countsOf(map: OpMap | undefined): Partial<Record<StepOp, number>> {
  const out: Partial<Record<StepOp, number>> = {};
  for (const [op, n] of Object.entries(map ?? {})) if (typeof n === "number") out[op as StepOp] = n;
  return out;
}

/** The cloud name of a resource from its inputs, else the logical name of its URN. */
export function resourceName(urn: string, inputs?: Record<string, unknown>, type = ""): string {
  // children of a server (Database, Configuration) also carry `serverName`: only a Server is named by it
  const keys = type.endsWith(":Server") ? ["serverName", "name"] : ["accountName", "databaseName", "configurationName", "name"];
  for (const k of keys) {
    const v = inputs?.[k];
    if (typeof v === "string" && v) return v;
  }
  return urnName(urn);
}

/** The steps a preview announced, from its engine events. */
export function stepsFromEvents(events: readonly EngineEvent[]): PreviewStep[] {
  const steps: PreviewStep[] = [];
  for (const e of events) {
    const m = e.resourcePreEvent?.metadata;
    if (!m) continue;
    // metadata inputs are `Record<string, any>` in the SDK's types; only plain strings are read from them
    const inputs = (m.new?.inputs ?? m.old?.inputs) as Record<string, unknown> | undefined;
    steps.push({
      op: m.op as StepOp,
      type: m.type,
      urn: m.urn,
      protected: Boolean(m.old?.protect || m.new?.protect),
      name: resourceName(m.urn, inputs, m.type),
    });
  }
  return steps;
}
