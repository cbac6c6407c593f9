/**
 * A converging command end to end: the order of checks (stack name, production guard,
 * confirmation) before anything touches the stack, then the operation (ops/run-operation.ts) with
 * Azure where it asks for it (ops azureUse), then the outputs that matter.
 */
import { parseSettings, type Settings } from "../../../infra/config";
import { checkStackName, readStackConfig } from "../../config/stackfile";
import { checkGuards, confirm } from "../../ops/guard";
import type { ConvergeResult } from "../../ops/converge";
import { runOperation } from "../../ops/run-operation";
import { checkOperationConfig } from "../../ops/model-check";
import { azureUse, type Operation } from "../../ops/operations";
import type { RecoveryResult } from "../../ops/recover-server";
import type { StackPort } from "../../stack/port";
import type { ActionContext } from "../command";
import { portFor, recoveryFor, type CommonFlags } from "./driver-common";

/** What the first stop signal prints while an operation converges. */
export const CONVERGE_STOPPING = "interrupted: stopping and putting the config back (press Ctrl-C again to leave at once, which may leave the config changed)";

interface OperationRun {
  ctx: ActionContext;
  flags: CommonFlags;
  /** Builds the operation once the stack is open (ptr needs the existing copies); everything checked without the stack (times) has run before. */
  build: (port: StackPort, settings: Settings) => Promise<Operation>;
  /** Output keys worth printing after up. */
  outputKeys: readonly string[];
  /** Printed before the stack is opened (e.g. the times echoed back). */
  notes?: readonly string[];
  /** Printed at the end, also after a dry run. */
  after?: (settings: Settings) => string[];
  forceDryRun?: boolean;
}

export async function executeOperation(r: OperationRun): Promise<ConvergeResult | RecoveryResult> {
  const { ctx, flags } = r;
  const io = ctx.io;
  const stack = checkStackName(flags.stack);
  const raw = readStackConfig(stack);
  const settings = parseSettings(raw);
  const dryRun = Boolean(flags.dryRun || r.forceDryRun);
  const guard = { stack, confirmProduction: Boolean(flags.confirmProduction), yes: Boolean(flags.yes), dryRun, isTTY: io.isTTY, prompt: io.prompt };
  await checkGuards(guard);
  if (dryRun && stack === "production") io.err("production: preview only, nothing is applied and the config is put back (no --confirm-production needed)");
  for (const n of r.notes ?? []) io.err(n);
  // Ctrl-C from here on: the converge puts the config back and the command exits 130, as `run` does
  const result = await ctx.interruptible(async (signal) => {
    const port = await portFor(io)(stack, signal);
    const op = await r.build(port, settings);
    // what the operation would write is checked by the config model before anything is written
    checkOperationConfig(op, raw);
    const recovery = azureUse(op.kind) === "none" ? undefined : await recoveryFor(io, settings);
    return runOperation(op, {
      port,
      liveServerName: settings.database.serverName,
      log: (t) => io.err(t),
      dryRun,
      confirm: io.isTTY && !flags.yes ? (q) => confirm(q, guard) : undefined,
      recovery,
      signal,
    });
  });
  if (result.status === "dry-run") io.out(`dry run: ${result.operation} passes the gate (${result.gate.changes.length} changes); nothing applied, config put back`);
  else if (result.status === "unchanged") io.out(`${result.operation}: nothing to change`);
  else io.out(`${result.operation}: applied`);
  if (result.outputs) {
    for (const k of r.outputKeys) if (k in result.outputs) io.out(`  ${k}: ${JSON.stringify(result.outputs[k])}`);
  }
  if ("warnings" in result) for (const w of result.warnings) io.out(`WARNING: ${w}`);
  for (const line of r.after?.(settings) ?? []) io.out(line);
  return result;
}
