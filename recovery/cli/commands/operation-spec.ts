/**
 * One converging command (stop, maintenance, revive, ...) as data, and how it becomes a commander
 * command: switches.ts, freeze.ts and restore-ops.ts each list theirs, and `preview` registers the
 * same specs again as dry runs. Its own file, so those lists never import one another for it.
 */
import type { Command } from "commander";
import type { CliIO } from "../io";
import { addCommonFlags, type CommonFlags } from "./driver-common";

/** A converging command: its name, help and what it runs (checks that need no stack, then the operation). */
export interface OperationSpec {
  name: string;
  description: string;
  /** Extra arguments and options. */
  define?: (c: Command) => Command;
  /** Checks that need no stack (times), then the builder. */
  run: (io: CliIO, flags: CommonFlags & Record<string, unknown>, args: string[], forceDryRun: boolean) => Promise<void>;
}

/** Adds `spec` under `parent`, with the common flags (a preview's without --dry-run, and the confirmation flags hidden from its help). */
export function registerSpec(parent: Command, spec: OperationSpec, forceDryRun: boolean): void {
  let c = parent.command(spec.name).description(forceDryRun ? `preview: ${spec.description}` : spec.description);
  if (spec.define) c = spec.define(c);
  addCommonFlags(c, !forceDryRun);
  c.action(async (...params: unknown[]) => {
    // commander passes the declared arguments, then the options object, then the command
    const cmd = params[params.length - 1] as Command;
    const args = params.slice(0, -2).map(String);
    await spec.run(io(cmd), cmd.opts() as CommonFlags & Record<string, unknown>, args, forceDryRun);
  });
}

const IO = new WeakMap<Command, CliIO>();
function io(cmd: Command): CliIO {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const found = IO.get(c);
    if (found) return found;
  }
  throw new Error("no io registered for the program");
}
/** The IO every spec registered under `program` prints to (commander hands an action only its command). */
export function rememberIO(program: Command, cliIO: CliIO): void {
  IO.set(program, cliIO);
}

