/** Guards checked before anything touches a stack or a database. */
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
  /** The refusals in the words of the change guarded (a restore says what it replaces). @default a converge's */
  refusals?: GuardRefusals;
}

/** What a guard says when it refuses: the message and its fix. */
interface GuardRefusals {
  production: [message: string, fix: string];
  noTerminal: [message: string, fix: string];
}

const CONVERGE_REFUSALS: GuardRefusals = {
  production: ["refusing to touch production without --confirm-production", "add --confirm-production if you mean production (to only look, use aytq-dr preview <operation> or aytq-dr status: they need no confirmation)"],
  noTerminal: ["no terminal to confirm the change on", "add --yes to apply without a prompt, or --dry-run to only preview"],
};

/** A restore into a database (restore, restore-copy): production's refusal. */
export const RESTORE_PRODUCTION: GuardRefusals["production"] = ["restoring into production needs --confirm-production", "add --confirm-production once you are sure; nothing was changed"];

/**
 * Production needs --confirm-production, and on a terminal the stack name typed back. A dry run
 * (`preview <op>` or `--dry-run`) applies nothing and puts the config back, so it needs none of
 * this, on production too: it only reads production's state, as `status` does.
 */
export async function checkProduction(o: GuardOptions): Promise<void> {
  if (o.dryRun || o.stack !== "production") return;
  if (!o.confirmProduction) throw new RefusedError(...(o.refusals ?? CONVERGE_REFUSALS).production);
  if (o.isTTY && o.prompt) {
    const typed = (await o.prompt(`Type the stack name (production) to go on: `)).trim();
    if (typed !== "production") throw new RefusedError(`you typed "${clipInput(typed)}", not "production": nothing was changed`);
  }
}

/** A change needs a terminal to confirm on, or --yes; a dry run needs neither. */
export function checkConfirmable(o: GuardOptions): void {
  if (o.dryRun || o.yes || (o.isTTY && o.prompt)) return;
  throw new RefusedError(...(o.refusals ?? CONVERGE_REFUSALS).noTerminal);
}

/** Both guards, production's first. */
export async function checkGuards(o: GuardOptions): Promise<void> {
  await checkProduction(o);
  checkConfirmable(o);
}

/** Ask y/N on a terminal; --yes answers yes. */
export async function confirm(question: string, o: Pick<GuardOptions, "yes" | "isTTY" | "prompt">): Promise<boolean> {
  if (o.yes) return true;
  if (!o.isTTY || !o.prompt) return false;
  return /^y(es)?$/i.test((await o.prompt(`${question} [y/N] `)).trim());
}
