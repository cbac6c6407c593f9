/**
 * The converge flow of every recovery operation: set config -> preview (diff shown) -> gate ->
 * up -> outputs. On a refusal, a failure, a declined prompt or a dry run, the config keys are put
 * back as they were. revive and rebuild refresh the server and its children first (a deleted
 * server still in state would plan nothing) and return to recovery.mode=normal after their up.
 */
import { describeError, InterruptedError, RecoveredNotNormalError, RefusedError } from "../errors";
import type { PreviewResult, StackPort } from "../stack/port";
import { applyPatch, patchIsNoop, readPrevious } from "./apply";
import { redact } from "../util/redact";
import { checkPreview, describeOffences, GateResult } from "./gate";
import { ConfigPatch, configPatchFor, describeOperation, Operation } from "./operations";

export interface ConvergeOptions {
  port: StackPort;
  liveServerName: string;
  /** Progress and diff go here (stderr). */
  log: (text: string) => void;
  /** Stop after the preview; config is put back. */
  dryRun?: boolean;
  /** Asked after a clean preview with changes; false stops (config put back). @default always yes */
  confirm?: (question: string) => Promise<boolean>;
  /** Show the full diff text. @default true */
  showDiff?: boolean;
}

export interface ConvergeResult {
  status: "applied" | "unchanged" | "dry-run";
  operation: string;
  preview: PreviewResult;
  gate: GateResult;
  outputs?: Record<string, unknown>;
}

/** The resource types a revive/rebuild refreshes: the server and what lives on it. */
const refreshed = (type: string) => type.startsWith("azure-native:dbforpostgresql:") || /^azure-native:[a-z]+:(DiagnosticSetting|MetricAlert)$/.test(type);

export async function refreshServer(o: ConvergeOptions): Promise<string[]> {
  const urns = (await o.port.resourceUrns()).filter((r) => refreshed(r.type)).map((r) => r.urn);
  if (urns.length === 0) {
    o.log("refresh: no server resources in state, nothing to refresh");
    return [];
  }
  o.log(`refresh: ${urns.length} resources of the server, so that state knows what was deleted`);
  await o.port.refresh(urns);
  return urns;
}

/** The pulumi commands that put config keys back to these values (undefined: the key was not set). */
export function restoreCommands(previous: ConfigPatch, stack: string): string[] {
  return Object.entries(previous).map(([k, v]) =>
    v === undefined
      ? `pulumi config rm --path aytq:${k} --stack ${stack}`
      : Array.isArray(v)
        ? `aytq:${k} back to ${JSON.stringify(v)} (pulumi config set --path aytq:${k}[i].<field> <value> --stack ${stack})`
        : `pulumi config set --path aytq:${k} ${String(v)} --stack ${stack}`,
  );
}

function summaryLine(p: PreviewResult): string {
  const parts = Object.entries(p.changeSummary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0).map(([op, n]) => `${n} to ${op}`);
  return parts.length ? parts.join(", ") : "no changes";
}

/** One operation: patch, preview, gate, up. Does not refresh or finish (see runOperation). */
export async function converge(op: Operation, o: ConvergeOptions): Promise<ConvergeResult> {
  const what = describeOperation(op);
  const patch = configPatchFor(op);
  const previous = await readPrevious(o.port, patch);
  const changedConfig = !patchIsNoop(patch, previous);
  if (changedConfig) {
    o.log(`${what}: setting ${Object.keys(patch).map((k) => `aytq:${k}`).join(", ")}`);
    await applyPatch(o.port, patch);
  } else {
    o.log(`${what}: config already says so; checking the stack matches`);
  }
  /** Put the changed keys back; says what happened to them, for the message that follows. */
  const rollback = async (why: string): Promise<string> => {
    if (!changedConfig) return "the config was not changed (it already said so)";
    try {
      await applyPatch(o.port, previous);
      o.log(`${what}: config put back as it was (${why})`);
      return `the config change was rolled back (${Object.keys(patch).map((k) => `aytq:${k}`).join(", ")} as before)`;
    } catch (err) {
      const byHand = `put these keys back by hand: ${restoreCommands(previous, o.port.stackName).join("; ")}`;
      o.log(`${what}: could NOT put config back (${err instanceof Error ? err.message : String(err)}); ${byHand}`);
      return `the config could NOT be rolled back: ${byHand}`;
    }
  };
  try {
    const preview = await o.port.preview();
    if (o.showDiff ?? true) {
      // the CLI masks secret values, but a password inside a plain input (a URL) would still show
      const diff = redact(preview.diffText).trim();
      if (diff) o.log(diff);
    }
    o.log(`preview: ${summaryLine(preview)}`);
    const gate = checkPreview(op, preview.steps, { liveServerName: o.liveServerName });
    if (!gate.ok) {
      const config = await rollback("the gate refused");
      throw new RefusedError(
        `the gate refused ${what}: the preview touches what it must not:\n${describeOffences(gate.offences)}\nnothing was applied; ${config}`,
        `do not force it. Run \`pulumi preview --diff --stack ${o.port.stackName}\` and find why these resources would change (a program change not yet deployed, or state that drifted); fix that, then run this again`,
      );
    }
    if (o.dryRun) {
      await rollback("dry run");
      return { status: "dry-run", operation: what, preview, gate };
    }
    // Skipped only when the config already said so: a config change with no resource change still
    // goes up, so the stack's outputs (recoveryMode, ...) say what the config says.
    if (gate.changes.length === 0 && !changedConfig) {
      o.log(`${what}: nothing to change`);
      return { status: "unchanged", operation: what, preview, gate };
    }
    if (o.confirm && !(await o.confirm(`Apply ${what} (${summaryLine(preview)}) to stack ${o.port.stackName}?`))) {
      const config = await rollback("declined");
      throw new RefusedError(`${what} declined: nothing was applied; ${config}`);
    }
    o.log(`up: applying ${what}`);
    const up = await o.port.up();
    return { status: "applied", operation: what, preview, gate, outputs: up.outputs };
  } catch (err) {
    if (!(err instanceof RefusedError)) await rollback(err instanceof InterruptedError ? "interrupted" : "it failed");
    throw err;
  }
}

/** An operation end to end: revive/rebuild refresh first and return to normal after a successful up. */
export async function runOperation(op: Operation, o: ConvergeOptions): Promise<ConvergeResult> {
  const restore = op.kind === "revive" || op.kind === "rebuild";
  if (restore && !o.dryRun) await refreshServer(o);
  if (restore && o.dryRun) o.log("dry run: the refresh of the server is skipped, so the preview may show the server as unchanged");
  const result = await converge(op, o);
  if (restore && result.status !== "dry-run") {
    o.log("back to recovery.mode=normal, so the next deploy is ordinary");
    try {
      await converge({ kind: "normal" }, { ...o, confirm: undefined });
    } catch (err) {
      throw await notBackToNormal(op, result, o, err);
    }
  }
  return result;
}

/**
 * The server came back but the second step (recovery.mode=normal) was refused or failed: say plainly
 * that the server is recovered, where the config stands, and the exact way to finish.
 */
async function notBackToNormal(op: Operation, result: ConvergeResult, o: ConvergeOptions, err: unknown): Promise<RecoveredNotNormalError> {
  const stack = o.port.stackName;
  let mode: string;
  try {
    mode = String((await o.port.getConfig("recovery.mode")) ?? "normal (not set)");
  } catch {
    mode = "unknown (it could not be read)";
  }
  const production = stack === "production" ? " --confirm-production" : "";
  const rerun =
    op.kind === "revive"
      ? `aytq-dr revive --stack ${stack} --at ${op.restorePointUTC}${production}`
      : `aytq-dr rebuild --stack ${stack}${production}`;
  const removed = [
    ...(op.kind === "revive" ? ["recovery.restorePointUTC"] : []),
    ...(op.kind === "rebuild" && op.staleDiagnosticSettingId ? ["recovery.staleDiagnosticSettingId"] : []),
  ];
  const byHand = [
    `pulumi config set --path aytq:recovery.mode normal --stack ${stack}`,
    ...removed.map((k) => `pulumi config rm --path aytq:${k} --stack ${stack}`),
    `pulumi preview --diff --stack ${stack}`,
    `pulumi up --stack ${stack}   (only if that diff changes at most the live server, as an update)`,
  ];
  const message = [
    `${result.operation}: ${result.status === "applied" ? "applied" : "already so"}. The live server ${o.liveServerName} IS recovered${op.kind === "rebuild" ? " (empty: restore the latest backup into it next)" : ""}.`,
    `But the return to recovery.mode=normal did not finish, so the stack is not back to an ordinary deploy:`,
    // The inner error may ask to put the keys back to reviveDropped/rebuild by hand: here that is the
    // wrong advice (the server exists), so that clause gives way to the state and the steps below.
    `  ${describeError(err)
      .message.replace(/the config could NOT be rolled back: put these keys back by hand: [^\n]*/, `the config could not be put back either (see "Where you are")`)
      .replace(/\n/g, "\n  ")}`,
    `Where you are: the server exists; the stack config says recovery.mode=${mode}. Do not put recovery.mode back by hand and do not revive or rebuild from scratch: only the return to normal is left.`,
  ].join("\n");
  const hint = [
    `finish the return to normal (the gate allows at most an update of the live server, never its delete or replace):`,
    `    1. see what it would change: aytq-dr preview normal --stack ${stack}`,
    `    2. once that passes the gate: aytq-dr normal --stack ${stack}${production}`,
    `       or re-run ${rerun} : it finds the server there and only finishes the return to normal (in \`aytq-dr run\`, resume the run)`,
    `       or by hand: ${byHand.join("; ")}`,
  ].join("\n");
  return new RecoveredNotNormalError(message, hint, err);
}
