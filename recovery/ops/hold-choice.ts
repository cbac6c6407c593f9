/**
 * Which holds on main's freeze an `unfreeze` releases, and whether one is production's (then it
 * needs --confirm-production): the stack's own manual hold, a named one (`--release`, a run that
 * died holding it), or every hold (`--all`, read from the app repository first; a read changes nothing).
 */
import { STACK_NAMES, type StackName } from "../../infra/config";
import { checkStackName } from "../config/stackfile";
import { UsageError } from "../errors";
import { holdName, listHolds, MANUAL_HOLDER, parseHoldName, type PipelineFreezeContext } from "./pipeline-holds";

export interface HoldChoice {
  stack?: string;
  release?: string;
  all?: boolean;
}

const ownerOf = (hold: string): StackName | undefined => STACK_NAMES.find((e) => hold.startsWith(`${e}-`));

/** The holds `choice` releases; `context` is asked for only when --all must read them. */
export async function holdsToRelease(choice: HoldChoice, context: () => PipelineFreezeContext): Promise<{ holds: string[]; production: boolean }> {
  if (choice.release !== undefined && choice.all) throw new UsageError("--release and --all together: choose one", "aytq-dr unfreeze --release production-run, or aytq-dr unfreeze --all");
  const stack: StackName | undefined = choice.stack === undefined && (choice.release !== undefined || choice.all) ? undefined : checkStackName(choice.stack);
  if (choice.release !== undefined) {
    const { environment } = parseHoldName(choice.release);
    return { holds: [choice.release], production: environment === "production" || stack === "production" };
  }
  if (choice.all) {
    const holds = await listHolds(context().refs);
    return { holds, production: stack === "production" || holds.some((h) => ownerOf(h) === "production") };
  }
  return { holds: [holdName(stack as StackName, MANUAL_HOLDER)], production: stack === "production" };
}
