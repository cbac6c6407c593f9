/**
 * pg_restore's parallel restore (custom archives, `--jobs`), only where it wins. Parallel restore
 * cannot run in one transaction, so ours restores into a fresh database and swaps names
 * (restore.ts): that costs a CREATE DATABASE, a swap and a drop, and needs CREATEDB. Its workers
 * (pg_restore, and each one's server backend) compete for the same cores as decompression. Measured
 * by `npm run bench` on 2 cores, `--jobs 2` took 0.92x to 1.51x the time of one transaction (three
 * runs): no reliable gain there, for the loss of the single transaction.
 * Pure: the caller passes the cores and the archive's size.
 */

/** Below this many cores parallel restore showed no reliable gain (2 cores: 0.92x-1.51x of one transaction). */
export const MIN_PARALLEL_CPUS = 4;
/** Below this archive size the fresh database and the swap cost more than parallel work saves. */
export const MIN_PARALLEL_ARCHIVE_BYTES = 256 * 1024 * 1024;
/** More workers than this mostly wait on the server's disk. */
export const MAX_AUTO_JOBS = 8;

export interface JobsChoice {
  jobs: number;
  /** Why, in one sentence, for the log. */
  reason: string;
}

/** The `--jobs auto` choice: 1 (one transaction) unless there are cores to spare and data enough. */
export function chooseRestoreJobs(cpus: number, archiveBytes: number): JobsChoice {
  const mb = Math.round(archiveBytes / (1024 * 1024));
  if (cpus < MIN_PARALLEL_CPUS) {
    return { jobs: 1, reason: `${cpus} cores: parallel restore is no faster here, often slower (on 2 cores it took 0.92x-1.51x the time of one transaction: its workers, their server backends and decompression share the cores), so one transaction` };
  }
  if (archiveBytes < MIN_PARALLEL_ARCHIVE_BYTES) {
    return { jobs: 1, reason: `a ${mb} MB archive: the fresh database and the swap cost more than parallel work saves below ${MIN_PARALLEL_ARCHIVE_BYTES / (1024 * 1024)} MB, so one transaction` };
  }
  const jobs = Math.min(MAX_AUTO_JOBS, Math.floor(cpus / 2));
  return { jobs, reason: `${cpus} cores and a ${mb} MB archive: ${jobs} parallel jobs (half the cores: the server's backends need the rest when it runs here), into a fresh database, then swap` };
}

/** What `--jobs N` will do, with a warning when the choice above says it will be no faster. */
export function jobsWarning(requested: number, cpus: number, archiveBytes: number): string | undefined {
  if (requested <= 1) return undefined;
  const choice = chooseRestoreJobs(cpus, archiveBytes);
  return choice.jobs === 1 ? `--jobs ${requested} as asked, though it will probably be no faster: ${choice.reason}` : undefined;
}
