/**
 * Azure's limits on when a server can be restored to or revived, which only recovery reads: the
 * times an operator gives are checked against them before anything touches a stack.
 */

/** Azure keeps point-in-time restore data for the backup retention period; the newest restorable point is about 5 minutes old. */
export const PITR_NEWEST_MINUTES = 5;
/** A dropped flexible server can be revived for 5 days after deletion. */
export const REVIVE_WINDOW_DAYS = 5;
/** The runbook: a revive point at least 10 minutes after the deletion. */
export const REVIVE_MIN_MINUTES_AFTER_DELETE = 10;
