/**
 * A point-in-time copy's name: the one rule for the `ptr` command, the runbook and both platforms.
 * How a name is made (`<live>-ptr-<yyyymmddhhmm>`, with `-2`, `-3`... or a run's own suffix), what
 * an operator may give (`--copy`, `--server`, `--name`: the config model's rule, so a name the CLI
 * accepts is one the stack accepts), and what happens when the name exists already. Here, not with
 * the data tools' names (data/names.ts), because the data tools know nothing of stacks.
 */
import { AZURE_SERVER_NAME, type PtrCopy } from "../../infra/config";
import { refused, type Refusal } from "../data/names";
import { RefusedError } from "../errors";
import { utcToSecond } from "../util/utc";

/** A server name's most characters (Azure). */
const MAX_SERVER_NAME = 63;

/**
 * Why `name` cannot be a point-in-time copy (a flexible server): the config model's rule
 * (AZURE_SERVER_NAME), so a name the CLI accepts is one the stack accepts.
 */
function copyNameProblem(name: string): Refusal | undefined {
  if (AZURE_SERVER_NAME.test(name)) return undefined;
  const fix = "server names are 3 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen (e.g. s189t01-aytq-ts-pg-ptr-2); leave --name out for a unique default";
  if (name.length < 3 || name.length > 63) return { problem: `is not a server name: it has ${name.length} characters, Azure allows 3 to 63`, fix };
  return { problem: "is not a server name: Azure allows lowercase letters, digits and hyphens, not starting or ending with a hyphen", fix };
}

/** The copy name unchanged; a UsageError naming `label` when the stack could not hold it. */
export function checkCopyName(name: string, label = "--name"): string {
  const problem = copyNameProblem(name);
  if (problem) throw refused(label, name, problem);
  return name;
}

/** `base-<suffix>`, `base` cut so the whole stays within a server name's 63 characters. */
function withSuffix(base: string, suffix: string): string {
  return `${base.slice(0, MAX_SERVER_NAME - suffix.length - 1)}-${suffix}`;
}

/** Default PTR copy name: `<live>-ptr-<yyyymmddhhmm>` of the run time (UTC), within 63 characters. */
export function defaultCopyName(liveServerName: string, runTime: Date): string {
  const stamp = runTime.toISOString().slice(0, 16).replace(/[-:T]/g, "");
  return `${liveServerName}-ptr-${stamp}`.slice(0, MAX_SERVER_NAME);
}

/** `base`, or `base-2`, `base-3`... : the first that is not taken, within a server name's 63 characters. */
export function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const name = withSuffix(base, String(i));
    if (!taken.has(name)) return name;
  }
}

/**
 * The PTR copy's name for a run that was given none: the per-minute default plus the run id's own
 * random suffix, so two runs started in the same minute never share (and later tidy away) one copy.
 */
export function runCopyName(liveServerName: string, started: Date, runId: string): string {
  return withSuffix(defaultCopyName(liveServerName, started), runId.slice(runId.lastIndexOf("-") + 1));
}

/** A copy's creation time as it is recorded (config `createdAtUTC`, the `dr-created-at` tag): UTC to the second, `2024-07-24T08:00:00Z`. */
export function copyCreatedAt(now: Date): string {
  return utcToSecond(now);
}

/** What a request for a copy comes to: the copy, and whether it is one that exists already. */
export interface CopyFor {
  copy: PtrCopy;
  /** True when a copy of this name and restore point exists: asking again (a resumed step, a repeated command) changes nothing. */
  reused: boolean;
}

/**
 * The rule for a name that exists, wherever a copy is asked for: the copy of that name when it
 * has the same restore point (so a resumed step or a repeated command changes nothing), refused
 * when it is the live server's name or a copy at another restore point (never overwritten).
 */
export function ptrCopyFor(req: { name: string; restorePointUTC: string; liveServerName: string; existing: readonly PtrCopy[]; now: Date }): CopyFor {
  const same = req.existing.find((c) => c.name === req.name);
  if (same && same.restorePointUTC === req.restorePointUTC) return { copy: same, reused: true };
  if (same || req.name === req.liveServerName) {
    // the copies are listed with their restore points: a name asked for at another one shows why it is refused
    throw new RefusedError(
      `a server named ${req.name} already exists; existing copies: ${req.existing.map((c) => `${c.name} (at ${c.restorePointUTC})`).join(", ") || "none"}`,
      "choose another --name, or leave --name out for a unique default",
    );
  }
  return { copy: { name: req.name, restorePointUTC: req.restorePointUTC, createdAtUTC: copyCreatedAt(req.now) }, reused: false };
}
