/**
 * `freeze` / `unfreeze`: a hold on main's freeze, never an environment stack's config. The pipeline
 * stack alone owns main's branch protection (infra/pipeline.ts); `freeze --stack <env>` holds it as
 * `<env>-manual` (recovery/ops/pipeline-holds.ts), `unfreeze --stack <env>` releases that hold,
 * `unfreeze --release <hold>` a named one (a run that died holding it), `--all` every one. main is
 * unfrozen only once no hold remains. Each needs the confirmation every change needs; production's
 * --confirm-production when the environment or a released hold is production's.
 */
import type { Command } from "commander";
import { PIPELINE_STACK } from "../../../infra/config";
import { RefusedError } from "../../errors";
import { checkStackName } from "../../config/stackfile";
import { checkGuards, confirm } from "../../ops/guard";
import { holdsToRelease, type HoldChoice } from "../../ops/hold-choice";
import { holdFreeze, holdName, MANUAL_HOLDER, previewHolds, releaseHolds, type HoldOutcome, type PipelineFreezeContext } from "../../ops/pipeline-holds";
import { pipelineFreezeFromEnv } from "../../platforms/azure/pipeline-freeze";
import type { ActionContext } from "../command";
import type { CliIO } from "../io";
import { portFor, type CommonFlags } from "./driver-common";
import type { OperationSpec } from "./operation-spec";

type UnfreezeFlags = CommonFlags & HoldChoice;

/** What the first stop signal prints during a freeze or an unfreeze. */
const FREEZE_STOPPING = "interrupted: stopping (press Ctrl-C again to leave at once); run the same command again to finish the freeze or the release";

/** The freeze context of this command line: GITHUB_TOKEN from its environment, the pipeline stack through its opener. */
function freezeContext(io: CliIO, signal: AbortSignal): PipelineFreezeContext {
  return pipelineFreezeFromEnv(io.env, (t) => io.err(t), signal, (stack, s) => portFor(io)(stack, s));
}

/** Guards (production, --yes or a terminal), then the confirmation; a dry run needs neither. */
async function guarded(io: CliIO, flags: CommonFlags, production: boolean, dryRun: boolean, what: string): Promise<void> {
  const guard = { stack: production ? "production" : (flags.stack ?? PIPELINE_STACK), confirmProduction: Boolean(flags.confirmProduction), yes: Boolean(flags.yes), dryRun, isTTY: io.isTTY, prompt: io.prompt };
  await checkGuards(guard);
  if (dryRun) return;
  if (io.isTTY && !flags.yes && !(await confirm(`${what}?`, guard))) throw new RefusedError(`${what}: declined, nothing was changed`);
}

function report(io: CliIO, command: string, r: HoldOutcome): void {
  io.out(`${command}: ${r.summary}`);
  io.out(`  main: ${r.frozen ? "FROZEN" : "open"}`);
  io.out(`  holds: ${r.holds.length ? r.holds.join(", ") : "none"}`);
}

async function freeze({ io, interruptible }: ActionContext, flags: CommonFlags, forceDryRun: boolean): Promise<void> {
  const stack = checkStackName(flags.stack);
  const hold = holdName(stack, MANUAL_HOLDER);
  const dryRun = Boolean(flags.dryRun || forceDryRun);
  await guarded(io, flags, stack === "production", dryRun, `Hold main frozen as ${hold} (through the ${PIPELINE_STACK} stack)`);
  await interruptible(async (signal) => {
    const c = freezeContext(io, signal);
    if (dryRun) {
      const p = await previewHolds({ create: hold }, c);
      io.out(`dry run: freeze would hold ${hold}; ${p.summary}; nothing created or applied`);
      return;
    }
    report(io, "freeze", await holdFreeze(hold, c));
  });
}

async function unfreeze({ io, interruptible }: ActionContext, flags: UnfreezeFlags, forceDryRun: boolean): Promise<void> {
  const dryRun = Boolean(flags.dryRun || forceDryRun);
  await interruptible(async (signal) => {
    // made once, and only when needed: --all reads the holds before the guards (a read changes nothing)
    let context: PipelineFreezeContext | undefined;
    const c = () => (context ??= freezeContext(io, signal));
    const { holds, production } = await holdsToRelease(flags, c);
    const what = holds.length ? `Release ${holds.join(", ")} on main (unfrozen only once no hold remains)` : "Release every hold on main (there is none now) and converge main unfrozen";
    await guarded(io, flags, production, dryRun, what);
    if (dryRun) {
      const p = await previewHolds({ release: holds }, c());
      io.out(`dry run: unfreeze would release ${holds.length ? holds.join(", ") : "no hold (none is held)"}; ${p.summary}; nothing deleted or applied`);
      return;
    }
    report(io, "unfreeze", await releaseHolds(holds, c()));
  });
}

export const FREEZE_SPECS: OperationSpec[] = [
  {
    name: "freeze",
    description: `freeze main: hold it frozen as <stack>-manual through the ${PIPELINE_STACK} stack (main needs the frozen number of approvals while any hold remains)`,
    run: (ctx, flags, _args, forceDryRun) => freeze(ctx, flags, forceDryRun),
    onStop: FREEZE_STOPPING,
  },
  {
    name: "unfreeze",
    description: "release <stack>-manual's hold on main (main is unfrozen once no hold remains); --release <hold> a stale hold of a run that died, --all every hold",
    define: (c: Command) =>
      c
        .option("--release <hold>", "release this hold instead (e.g. production-run, left by a run that died); --stack is then optional")
        .option("--all", "release every hold on main (a production hold needs --confirm-production); --stack is then optional"),
    run: (ctx, flags, _args, forceDryRun) => unfreeze(ctx, flags as UnfreezeFlags, forceDryRun),
    onStop: FREEZE_STOPPING,
  },
];
