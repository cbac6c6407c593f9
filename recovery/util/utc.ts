/**
 * The two ways a moment is written into a name or a record, each made in one place. Both are UTC
 * to the second: milliseconds are dropped, never rounded, so a name made twice in one second is
 * the same name. A time that must read back exactly (a config value, an operator's `--at`) is
 * written by the config model's toIsoUtc instead, which keeps milliseconds that are not zero.
 */

/** `2024-07-24T06:00:00Z`: recorded times (a copy's `createdAtUTC`, a backup's "data as of"). */
export function utcToSecond(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `20240724T060000Z`: a moment inside a name (run ids, safety backups, drill reports); sorts as it reads. */
export function compactUtc(date: Date): string {
  return utcToSecond(date).replace(/[-:]/g, "");
}
