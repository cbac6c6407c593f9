/**
 * Freezes held until the last holder releases them. main's branch protection belongs to one stack,
 * the pipeline stack; every environment's freeze (a recovery, a drill, `aytq-dr freeze`) is a hold:
 * a git ref `refs/aytq-dr/freeze/<environment>-<holder>` in the app repository, created atomically
 * (GitHub answers 422 when it exists) and pointing at main's current commit. `pipeline.frozen` of the
 * pipeline stack is derived from the holds: true while any exists.
 *
 * Freezing creates the hold, then converges the pipeline stack frozen; releasing deletes the hold,
 * lists the rest, and converges unfrozen only when none remain. Two runners can interleave (one
 * freezing while another unfreezes), so after each up the holds are read again and the stack is
 * converged again if the rule no longer matches them, a bounded number of times; a pipeline stack
 * locked by the other runner's update is waited for, with backoff, for a bounded time.
 */
import { PIPELINE_STACK, STACK_NAMES, type StackName } from "../../infra/config";
import { LockedError, ToolError, UsageError } from "../errors";
import { GithubFailure, type GitRefsApi } from "../github/client";
import type { StackPort } from "../stack/port";
import { clipInput } from "../util/clip";
import { converge } from "./converge";

/** Where the holds live in the app repository: `refs/aytq-dr/freeze/<environment>-<holder>`. */
export const HOLD_PREFIX = "aytq-dr/freeze/";
/** The holder of a runbook run's freeze (a recovery or a drill) in one environment: see {@link holdName}. */
export const RUN_HOLDER = "run";
/** The holder of `aytq-dr freeze` in one environment. */
export const MANUAL_HOLDER = "manual";
/** Converges of the pipeline stack before giving up on holds that keep changing. */
const DEFAULT_MAX_ROUNDS = 5;
/** How long a converge waits for another update of the pipeline stack to finish. */
const DEFAULT_LOCK_WAIT_MS = 10 * 60_000;
const FIRST_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 60_000;

const HOLDER = /^[a-z0-9][a-z0-9._-]{0,79}$/;

/**
 * The hold's name: `<environment>-<holder>`. A run or drill holds as `run-<its run id>`
 * ({@link runHolder}): a resumed run (a new process, perhaps another machine) has the same id and
 * releases its own hold, and a drill never releases a recovery's hold in the same environment.
 * `aytq-dr freeze` holds as `manual`; `run` alone is the fallback of a platform given no run.
 */
export function runHolder(runId: string): string {
  return `${RUN_HOLDER}-${runId.toLowerCase()}`;
}

export function holdName(environment: StackName, holder: string): string {
  if (!HOLDER.test(holder)) throw new UsageError(`"${clipInput(holder)}" is not a freeze holder`, "use lowercase letters, digits, dots, hyphens and underscores, e.g. manual");
  return `${environment}-${holder}`;
}

/**
 * A hold's name as an operator types it (`unfreeze --release production-run`): `<environment>-<holder>`,
 * or a UsageError naming the form. Returns the environment it belongs to (production's needs --confirm-production).
 */
export function parseHoldName(name: string): { environment: StackName; holder: string } {
  const environment = STACK_NAMES.find((e) => name.startsWith(`${e}-`));
  const holder = environment ? name.slice(environment.length + 1) : "";
  if (!environment || !HOLDER.test(holder)) {
    throw new UsageError(
      `"${clipInput(name)}" is not a freeze hold: a hold is <environment>-<holder>, e.g. production-run or test-manual`,
      "aytq-dr status --stack <environment> lists the holds on main; pass one of them to --release, or --all",
    );
  }
  return { environment, holder };
}

/** A hold as a reader says it: `refs/aytq-dr/freeze/production-run` -> `production run`. */
function describeHold(ref: string): string {
  const name = ref.replace(/^refs\//, "").replace(HOLD_PREFIX, "");
  const env = STACK_NAMES.find((e) => name.startsWith(`${e}-`));
  return env ? `${env} ${name.slice(env.length + 1)}` : name;
}

/** The hold names (`production-run`) of full ref names. */
const holdNames = (refs: readonly string[]): string[] => refs.map((r) => r.replace(/^refs\//, "").replace(HOLD_PREFIX, "")).sort();

export interface PipelineFreezeContext {
  /** The app repository's refs (github.ts). */
  refs: GitRefsApi;
  /** The protected branch (aytq:pipeline.branch): holds point at its commit. */
  branch: string;
  /** Opens the pipeline stack; called once per freeze or release. */
  openPort: (signal?: AbortSignal) => Promise<StackPort>;
  log: (text: string) => void;
  /** @default DEFAULT_MAX_ROUNDS */
  maxRounds?: number;
  /** @default DEFAULT_LOCK_WAIT_MS */
  lockWaitMs?: number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
}

export interface HoldOutcome {
  /** Whether main's rule was changed. */
  applied: boolean;
  /** Whether main is frozen now. */
  frozen: boolean;
  /** Every hold after the converge (`production-run`, `test-manual`). */
  holds: string[];
  summary: string;
}

/** A GitHub failure as our error: one line and its fix (the token never appears in either). */
async function onGithub<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof GithubFailure) throw new ToolError(err.detail, err.fix);
    throw err;
  }
}

/** Hold main frozen for `hold` (`test-run`): create the hold, then converge the pipeline stack frozen. */
export async function holdFreeze(hold: string, c: PipelineFreezeContext): Promise<HoldOutcome> {
  const sha = await onGithub(() => c.refs.branchSha(c.branch));
  const created = await onGithub(() => c.refs.createRef(HOLD_PREFIX + hold, sha));
  c.log(created === "created" ? `freeze: hold ${hold} created (refs/${HOLD_PREFIX}${hold})` : `freeze: hold ${hold} already held (refs/${HOLD_PREFIX}${hold}); checking main is frozen`);
  const r = await settle(c);
  return { ...r, summary: `${r.applied ? "main frozen" : "main already frozen"}; held by ${r.holds.map(describeHoldName).join(", ")}` };
}

/**
 * Release `hold` (or several, for a stale hold released by hand): delete each, list the rest,
 * converge unfrozen only when none remain; otherwise say who still holds main.
 */
export async function releaseHolds(holds: readonly string[], c: PipelineFreezeContext): Promise<HoldOutcome> {
  for (const hold of holds) {
    const gone = await onGithub(() => c.refs.deleteRef(HOLD_PREFIX + hold));
    c.log(gone === "deleted" ? `unfreeze: hold ${hold} released` : `unfreeze: hold ${hold} was not held (already released)`);
  }
  const r = await settle(c);
  const summary = r.frozen ? `main stays frozen: held by ${r.holds.map(describeHoldName).join(", ")}` : r.applied ? "main unfrozen: no holds remain" : "main already unfrozen: no holds remain";
  return { ...r, summary };
}

/** What a freeze or a release would do, read without changing anything. */
export interface HoldPreview {
  /** The holds now. */
  holds: string[];
  /** The holds there would be after it. */
  after: string[];
  /** Whether main would be frozen after it. */
  frozen: boolean;
  /** Whether the pipeline stack's preview changes main's rule (the rule as it is against what the holds would want). */
  mainChanges: boolean;
  summary: string;
}

/**
 * `freeze --dry-run` / `unfreeze --dry-run`: the holds now, the holds after `create` or `release`,
 * and the pipeline stack's preview for that (config put back): nothing is created, deleted or applied.
 */
export async function previewHolds(change: { create?: string; release?: readonly string[] }, c: PipelineFreezeContext): Promise<HoldPreview> {
  const holds = await listHolds(c.refs);
  const after = [...new Set([...holds.filter((h) => !(change.release ?? []).includes(h)), ...(change.create ? [change.create] : [])])].sort();
  const frozen = after.length > 0;
  const port = await c.openPort(c.signal);
  const r = await converge({ kind: frozen ? "freeze" : "unfreeze" }, { port, liveServerName: "", log: c.log, dryRun: true, signal: c.signal });
  const mainChanges = r.gate.changes.length > 0;
  const now = holds.length ? `held by ${holds.map(describeHoldName).join(", ")}` : "open (no holds)";
  const then = frozen ? `frozen, held by ${after.map(describeHoldName).join(", ")}` : "open (no holds)";
  return { holds, after, frozen, mainChanges, summary: `main now: ${now}; after: ${then}; main's rule ${mainChanges ? "would change" : "would not change"}` };
}

/** The holds there are now (`production-run`, ...). */
export async function listHolds(refs: GitRefsApi): Promise<string[]> {
  return holdNames(await onGithub(() => refs.listRefs(HOLD_PREFIX)));
}

const describeHoldName = (name: string): string => describeHold(HOLD_PREFIX + name);

/** Converge the pipeline stack to what the holds say, re-reading them after each up until they agree. */
async function settle(c: PipelineFreezeContext): Promise<Omit<HoldOutcome, "summary">> {
  const port = await c.openPort(c.signal);
  const rounds = c.maxRounds ?? DEFAULT_MAX_ROUNDS;
  let applied = false;
  let holds = await listHolds(c.refs);
  for (let round = 1; round <= rounds; round++) {
    const frozen = holds.length > 0;
    applied = (await convergeWaiting(frozen, port, c)) || applied;
    const after = await listHolds(c.refs);
    if (after.length > 0 === frozen) return { applied, frozen, holds: after };
    c.log(`pipeline: the holds changed while converging (now ${after.length ? after.join(", ") : "none"}); converging main ${after.length ? "frozen" : "unfrozen"} again`);
    holds = after;
  }
  throw new ToolError(
    `main's branch protection did not settle: the freeze holds kept changing over ${rounds} converges of the ${PIPELINE_STACK} stack (now ${holds.length ? holds.join(", ") : "none"})`,
    `list the holds with git ls-remote <the app repository> 'refs/${HOLD_PREFIX}*', then run the same command again once the other runs are done`,
  );
}

/** One converge of the pipeline stack; a stack locked by another runner's update is waited for. True when it applied a change. */
async function convergeWaiting(frozen: boolean, port: StackPort, c: PipelineFreezeContext): Promise<boolean> {
  const sleep = c.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + (c.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  let wait = FIRST_BACKOFF_MS;
  for (;;) {
    try {
      const r = await converge({ kind: frozen ? "freeze" : "unfreeze" }, { port, liveServerName: "", log: c.log, signal: c.signal });
      return r.status === "applied";
    } catch (err) {
      if (!(err instanceof LockedError)) throw err;
      if (Date.now() + wait > deadline) {
        throw new LockedError(
          `the ${PIPELINE_STACK} stack stayed locked by another update for ${Math.round((c.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS) / 60_000)} min, so main was not ${frozen ? "frozen" : "unfrozen"}; the hold is ${frozen ? "in place" : "released"}`,
          `run the same command again once the other update is done (pulumi stack --stack ${PIPELINE_STACK} shows it)`,
        );
      }
      c.log(`pipeline: the ${PIPELINE_STACK} stack is locked by another update; trying again in ${Math.round(wait / 1000)} s`);
      await sleep(wait);
      wait = Math.min(wait * 2, MAX_BACKOFF_MS);
    }
  }
}
