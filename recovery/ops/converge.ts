/**
 * The converge flow of every recovery operation: set config -> preview (diff shown, plan saved)
 * -> gate -> up with that plan -> outputs. The plan binds `up` to what the gate approved: anything
 * that changed in between fails the up instead of going through unchecked. On a refusal, a
 * failure, a declined prompt or a dry run, the config keys are put back as they were. revive and
 * rebuild run in phases (recover-server.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InterruptedError, RefusedError, SIGNAL_WORDS, stopSignalOf, type StopSignal } from "../errors";
import { removeOnExit } from "../util/exit-cleanup";
import type { PreviewResult, StackPort } from "../stack/port";
import { applyPatch, patchIsNoop, readPrevious, SECRET_CONFIG_KEYS } from "./apply";
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
  /**
   * Path keys written as secret config with the patch (a rebuild's credentials): never printed,
   * never read back for a rollback (they are removed instead). @default none
   */
  secrets?: Readonly<Record<string, string>>;
  /** Folder for the update plan of each converge. @default a private temporary folder, removed after */
  planDir?: string;
  /**
   * Dry runs of revive and rebuild only: URNs whose steps the gate leaves out, because the real run
   * refreshes or forgets them before it previews (the deleted server's resources). @default none
   */
  gateIgnores?: readonly string[];
  /**
   * Ctrl-C, SIGHUP or SIGTERM (the reason names which; cli/interrupt.ts): checked between the steps
   * of the converge (after the config is written, after the preview, before up); once aborted, the
   * config is put back and an InterruptedError (exit 130, 129, 143) says what was and was not
   * applied. The stack port gets the same signal, so a running preview or up is stopped too; a
   * pending confirmation is abandoned by the prompt itself. @default not interruptible
   */
  signal?: AbortSignal;
}

export interface ConvergeResult {
  status: "applied" | "unchanged" | "dry-run";
  operation: string;
  preview: PreviewResult;
  gate: GateResult;
  outputs?: Record<string, unknown>;
}


/** The pulumi commands that put config keys back to these values (undefined: the key was not set). */
function restoreCommands(previous: ConfigPatch, stack: string): string[] {
  return Object.entries(previous).map(([k, v]) =>
    v === undefined
      ? `pulumi config rm --path aytq:${k} --stack ${stack}`
      : SECRET_CONFIG_KEYS.has(k)
        ? `pulumi config set --secret --path aytq:${k} <its value in the app's DATABASE_URL Secret> --stack ${stack}`
      : Array.isArray(v) || typeof v === "object"
        ? `aytq:${k} back to ${JSON.stringify(v)} (pulumi config set --path aytq:${k}[i].<field> <value> --stack ${stack})`
        : `pulumi config set --path aytq:${k} ${String(v)} --stack ${stack}`,
  );
}

function summaryLine(p: PreviewResult): string {
  const parts = Object.entries(p.changeSummary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0).map(([op, n]) => `${n} to ${op}`);
  return parts.length ? parts.join(", ") : "no changes";
}

/** The confirmation refused without a yes or no (the input ended): rolled back and reported as such, not as a decline. */
class NoAnswer extends Error {
  constructor(override readonly cause: RefusedError) {
    super(cause.message);
  }
}

async function confirmed(ask: (question: string) => Promise<boolean>, question: string): Promise<boolean> {
  try {
    return await ask(question);
  } catch (err) {
    throw err instanceof RefusedError ? new NoAnswer(err) : err;
  }
}

/** One operation: patch, preview, gate, up. Does not refresh or finish (see runOperation). */
export async function converge(op: Operation, o: ConvergeOptions): Promise<ConvergeResult> {
  const what = describeOperation(op);
  const patch = configPatchFor(op);
  const previous = await readPrevious(o.port, patch);
  const secretKeys = Object.keys(o.secrets ?? {});
  const changedConfig = !patchIsNoop(patch, previous) || secretKeys.length > 0;
  if (changedConfig) {
    o.log(`${what}: setting ${[...Object.keys(patch), ...secretKeys].map((k) => `aytq:${k}`).join(", ")}${secretKeys.length ? ` (${secretKeys.map((k) => `aytq:${k}`).join(", ")} as secret${secretKeys.length > 1 ? "s" : ""})` : ""}`);
    await applyPatch(o.port, patch, previous);
    if (secretKeys.length > 0) await o.port.setConfig(o.secrets as Record<string, string>, { secret: true });
  } else {
    o.log(`${what}: config already says so; checking the stack matches`);
  }
  /** Whether rollback ran: a refusal thrown after it needs no second one. */
  let rolledBack = false;
  /** Put the changed keys back; says what happened to them, for the message that follows. */
  const rollback = async (why: string): Promise<string> => {
    rolledBack = true;
    if (!changedConfig) return "the config was not changed (it already said so)";
    try {
      for (const k of secretKeys) await o.port.removeConfig(k);
      await applyPatch(o.port, previous);
      o.log(`${what}: config put back as it was (${why})`);
      return `the config change was rolled back (${Object.keys(patch).map((k) => `aytq:${k}`).join(", ")} as before)`;
    } catch (err) {
      const byHand = `put these keys back by hand: ${restoreCommands(previous, o.port.stackName).join("; ")}`;
      o.log(`${what}: could NOT put config back (${err instanceof Error ? err.message : String(err)}); ${byHand}`);
      return `the config could NOT be rolled back: ${byHand}`;
    }
  };
  const planDir = o.planDir ?? mkdtempSync(path.join(os.tmpdir(), "aytq-dr-plan-"));
  const planFile = path.join(planDir, `${o.port.stackName}-${op.kind}-${Date.now()}.plan.json`);
  // a second signal leaves through process.exit, which runs no finally: the plan still goes
  const keepUntilExit = removeOnExit(o.planDir === undefined ? planDir : planFile);
  let upStarted = false;
  const stopIfInterrupted = (): void => {
    if (o.signal?.aborted) throw new InterruptedError(`${what} interrupted (${SIGNAL_WORDS[stopSignalOf(o.signal)]})`, undefined, stopSignalOf(o.signal));
  };
  try {
    stopIfInterrupted();
    const preview = await o.port.preview({ savePlan: planFile });
    stopIfInterrupted();
    if (o.showDiff ?? true) {
      // the CLI masks secret values, but a password inside a plain input (a URL) would still show
      const diff = redact(preview.diffText).trim();
      if (diff) o.log(diff);
    }
    o.log(`preview: ${summaryLine(preview)}`);
    const ignored = preview.steps.filter((x) => x.op !== "same" && o.gateIgnores?.includes(x.urn));
    if (ignored.length > 0) o.log(`dry run: ${ignored.length} step${ignored.length === 1 ? "" : "s"} on the deleted server's resources left out of the gate: the real run refreshes them first`);
    const gate = checkPreview(op, preview.steps.filter((x) => !ignored.includes(x)), { liveServerName: o.liveServerName });
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
    if (o.confirm && !(await confirmed(o.confirm, `Apply ${what} (${summaryLine(preview)}) to stack ${o.port.stackName}?`))) {
      const config = await rollback("declined");
      throw new RefusedError(`${what} declined: nothing was applied; ${config}`);
    }
    stopIfInterrupted();
    o.log(`up: applying ${what}, bound to the plan the gate approved`);
    upStarted = true;
    const up = await o.port.up({ plan: planFile });
    return { status: "applied", operation: what, preview, gate, outputs: up.outputs };
  } catch (err) {
    // the gate's and the prompt's refusals put the config back already; a port's refusal (a preview
    // without a summary) did not
    if (err instanceof RefusedError && rolledBack) throw err;
    // a port call that failed because a signal stopped its pulumi process is an interruption, not a tool failure
    const interrupted = err instanceof InterruptedError || o.signal?.aborted === true;
    const by: StopSignal = err instanceof InterruptedError ? err.by : stopSignalOf(o.signal);
    const config = await rollback(interrupted ? "interrupted" : err instanceof NoAnswer ? "no answer" : err instanceof RefusedError ? "refused" : "it failed");
    if (interrupted) {
      throw new InterruptedError(
        `${what} interrupted (${SIGNAL_WORDS[by]}): ${upStarted ? "the update was stopped part-way, so some of its changes may be applied" : "nothing was applied"}; ${config}`,
        `see where the stack stands with aytq-dr status --stack ${o.port.stackName}, then run the command again to finish it`,
        by,
      );
    }
    if (err instanceof NoAnswer) throw new RefusedError(`${what}: ${err.cause.message}; nothing was applied; ${config}`, err.cause.hint);
    throw err;
  } finally {
    // the plan may hold resolved inputs: never left behind
    if (o.planDir === undefined) rmSync(planDir, { recursive: true, force: true });
    else rmSync(planFile, { force: true });
    keepUntilExit();
  }
}
