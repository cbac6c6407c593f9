/** Guards checked before anything touches a stack. */
import { RefusedError } from "../errors";
import { clipInput } from "../util/clip";

export interface GuardOptions {
  stack: string;
  confirmProduction: boolean;
  /** --yes: no interactive confirmation. */
  yes: boolean;
  dryRun: boolean;
  isTTY: boolean;
  prompt?: (question: string) => Promise<string>;
}

/**
 * Production needs --confirm-production, and on a terminal the stack name typed back. Elsewhere
 * a change needs a terminal to confirm on, or --yes. A dry run (`preview <op>` or `--dry-run`)
 * applies nothing and puts the config back, so it needs none of these, on production too: it only
 * reads production's state, as `status` does.
 */
export async function checkGuards(o: GuardOptions): Promise<void> {
  if (o.dryRun) return;
  if (o.stack === "production") {
    if (!o.confirmProduction) {
      throw new RefusedError("refusing to touch production without --confirm-production", "add --confirm-production if you mean production (to only look, use aytq-dr preview <operation> or aytq-dr status: they need no confirmation)");
    }
    if (o.isTTY && o.prompt) {
      const typed = (await o.prompt(`Type the stack name (production) to go on: `)).trim();
      if (typed !== "production") throw new RefusedError(`you typed "${clipInput(typed)}", not "production": nothing was changed`);
    }
  }
  if (!o.yes && !(o.isTTY && o.prompt)) {
    throw new RefusedError("no terminal to confirm the change on", "add --yes to apply without a prompt, or --dry-run to only preview");
  }
}

/** Ask y/N on a terminal; --yes answers yes. */
export async function confirm(question: string, o: Pick<GuardOptions, "yes" | "isTTY" | "prompt">): Promise<boolean> {
  if (o.yes) return true;
  if (!o.isTTY || !o.prompt) return false;
  return /^y(es)?$/i.test((await o.prompt(`${question} [y/N] `)).trim());
}
