/**
 * The rules restore times must follow, checked before anything touches the stack. Pure, with the
 * clock passed in; every problem is reported at once.
 */
import { DEFAULT_BACKUP_RETENTION_DAYS } from "../../infra/config";
import { PITR_NEWEST_MINUTES, REVIVE_MIN_MINUTES_AFTER_DELETE, REVIVE_WINDOW_DAYS } from "./azure-limits";
import { UsageError } from "../errors";
import { confirmProductionFlag } from "../config/production";
import { echoTime, toIsoUtc } from "./parse";

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export interface PtrTimeRules {
  now: Date;
  /** Point-in-time restore window. @default DEFAULT_BACKUP_RETENTION_DAYS */
  retentionDays?: number;
  /** The server's earliest restore date, when known; replaces the retention window. */
  earliestRestore?: Date;
  /**
   * Check only what needs no server (in the future, newer than 5 minutes ago): the window is
   * checked later, once the server's earliest restore date has been read from the stack.
   * @default false
   */
  windowLater?: boolean;
}

function refuse(problems: string[], hint: string): void {
  if (problems.length === 0) return;
  throw new UsageError(problems.length === 1 ? problems[0] : `${problems.length} problems with the times:\n  - ${problems.join("\n  - ")}`, hint);
}

/** Problems with a PTR restore point: in the future, older than the window, newer than 5 minutes ago. */
export function ptrTimeProblems(at: Date, rules: PtrTimeRules): string[] {
  const problems: string[] = [];
  const now = rules.now.getTime();
  const earliest = rules.earliestRestore?.getTime() ?? now - (rules.retentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS) * DAY_MS;
  const newest = now - PITR_NEWEST_MINUTES * MINUTE_MS;
  if (at.getTime() > now) {
    problems.push(`--at ${echoTime(at)} is in the future (now is ${toIsoUtc(rules.now)})`);
  } else if (at.getTime() > newest) {
    problems.push(`--at ${echoTime(at)} is newer than ${PITR_NEWEST_MINUTES} minutes ago; the newest restorable point is ${toIsoUtc(new Date(newest))}`);
  }
  if (!rules.windowLater && at.getTime() < earliest) {
    const why = rules.earliestRestore ? "the server's earliest restore point" : `${rules.retentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS} days of backup retention`;
    problems.push(`--at ${echoTime(at)} is older than ${why}: the earliest restorable point is ${toIsoUtc(new Date(earliest))}`);
  }
  return problems;
}

export function checkPtrTime(at: Date, rules: PtrTimeRules): void {
  refuse(ptrTimeProblems(at, rules), "choose a restore point inside the point-in-time restore window, in UTC");
}

/** Problems with a revive: deletion in the future or too long ago, restore point in the future or too early. */
export function reviveTimeProblems(at: Date, deletedAt: Date | undefined, now: Date): string[] {
  const problems: string[] = [];
  const n = now.getTime();
  const windowStart = n - REVIVE_WINDOW_DAYS * DAY_MS;
  if (at.getTime() > n) problems.push(`--at ${echoTime(at)} is in the future (now is ${toIsoUtc(now)})`);
  if (deletedAt) {
    if (deletedAt.getTime() > n) problems.push(`--deleted-at ${echoTime(deletedAt)} is in the future (now is ${toIsoUtc(now)})`);
    if (deletedAt.getTime() < windowStart) {
      problems.push(`--deleted-at ${echoTime(deletedAt)} is more than ${REVIVE_WINDOW_DAYS} days ago: a dropped server can only be revived for ${REVIVE_WINDOW_DAYS} days (since ${toIsoUtc(new Date(windowStart))})`);
    }
    const minAt = deletedAt.getTime() + REVIVE_MIN_MINUTES_AFTER_DELETE * MINUTE_MS;
    if (at.getTime() < minAt) {
      problems.push(`--at ${echoTime(at)} is earlier than ${REVIVE_MIN_MINUTES_AFTER_DELETE} minutes after the deletion: use ${toIsoUtc(new Date(minAt))} or later`);
    }
  } else if (at.getTime() < windowStart) {
    problems.push(`--at ${echoTime(at)} is more than ${REVIVE_WINDOW_DAYS} days ago: it cannot be after a deletion that can still be revived`);
  }
  return problems;
}

export function checkReviveTimes(at: Date, deletedAt: Date | undefined, now: Date, stack = "<stack>"): void {
  const windowStart = now.getTime() - REVIVE_WINDOW_DAYS * DAY_MS;
  const rebuild = `aytq-dr run server-lost-rebuild --stack ${stack}${confirmProductionFlag(stack)}`;
  // Azure keeps a dropped server for 5 days: after that no restore point can bring it back
  const hint =
    deletedAt !== undefined && deletedAt.getTime() < windowStart
      ? `a server deleted more than ${REVIVE_WINDOW_DAYS} days ago can no longer be revived: use server-lost-rebuild (an empty server, then the latest backup): ${rebuild}`
      : deletedAt === undefined && at.getTime() < windowStart
        ? `if the server was deleted less than ${REVIVE_WINDOW_DAYS} days ago, give a newer --at (at least ${REVIVE_MIN_MINUTES_AFTER_DELETE} minutes after the deletion); otherwise it can no longer be revived: use server-lost-rebuild: ${rebuild}`
        : `use the time of the "Delete server" activity-log event for --deleted-at and a restore point at least ${REVIVE_MIN_MINUTES_AFTER_DELETE} minutes after it, in the past`;
  refuse(reviveTimeProblems(at, deletedAt, now), hint);
}
