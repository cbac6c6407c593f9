/**
 * One converging command (stop, maintenance, revive, ...) as data, and how it becomes a commander
 * command: switches.ts, freeze.ts and restore-ops.ts each list theirs, and `preview` registers the
 * same specs again as dry runs. Its own file, so those lists never import one another for it.
 */
import type { Command } from "commander";
import { act, type ActionContext } from "../command";
import type { CliIO } from "../io";
import { addCommonFlags, type CommonFlags } from "./driver-common";
import { CONVERGE_STOPPING } from "./operation-run";

/** A converging command: its name, help and what it runs (checks that need no stack, then the operation). */
export interface OperationSpec {
  name: string;
  description: string;
  /** Extra arguments and options. */
  define?: (c: Command) => Command;
  /** Checks that need no stack (times), then the builder. */
  run: (ctx: ActionContext, flags: CommonFlags & Record<string, unknown>, args: string[], forceDryRun: boolean) => Promise<void>;
  /** What the first stop signal prints. @default CONVERGE_STOPPING: the config is put back */
  onStop?: string;
}

/** Adds `spec` under `parent`, with the common flags (a preview's without --dry-run, and the confirmation flags hidden from its help). */
export function registerSpec(parent: Command, spec: OperationSpec, forceDryRun: boolean, io: CliIO): void {
  let c = parent.command(spec.name).description(forceDryRun ? `preview: ${spec.description}` : spec.description);
  if (spec.define) c = spec.define(c);
  addCommonFlags(c, !forceDryRun);
  c.action(
    act(
      io,
      (ctx, ...params: unknown[]) => {
        // commander passes the declared arguments, then the options object, then the command
        const cmd = params[params.length - 1] as Command;
        return spec.run(ctx, cmd.opts() as CommonFlags & Record<string, unknown>, params.slice(0, -2).map(String), forceDryRun);
      },
      spec.onStop ?? CONVERGE_STOPPING,
    ),
  );
}
