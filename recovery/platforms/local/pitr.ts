/**
 * Point-in-time recovery of a local cluster from a base backup plus archived WAL: the local
 * equivalent of Azure's point-in-time restore and ReviveDropped. Every restore is verified from
 * the server's own log; a target the archive does not cover is an error, never a partial copy.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DrError, ToolError } from "../../errors";
import { PgCluster, handToServerUser, pgBin, runAsServerUser } from "../../pg/cluster";
import { psqlValue } from "../../pg/psql";

/** How long a restore may take to reach its target and promote. */
const RESTORE_TIMEOUT_MS = 180_000;
/** How long to wait for the archiver to copy a switched WAL segment. */
const ARCHIVE_WAIT_TIMEOUT_MS = 30_000;

/** The restore target is outside what the base backup and the WAL archive cover. */
export class RecoveryTargetError extends DrError {}

/** archive_command / restore_command for a folder archive (paths are ours, no quotes in them). */
export function archiveSettings(walArchiveDir: string): Record<string, string | number> {
  return {
    wal_level: "replica",
    archive_mode: "on",
    archive_command: `test ! -f ${walArchiveDir}/%f && cp %p ${walArchiveDir}/%f`,
    // a small timeout so a restore target a couple of seconds old is already in the archive
    archive_timeout: 1,
    log_timezone: "UTC",
    timezone: "UTC",
  };
}

/** Take a base backup of a running cluster into `dir` (plain format, WAL included). */
export async function takeBaseBackup(cluster: PgCluster, dir: string): Promise<{ finishedAt: Date }> {
  rmSync(dir, { recursive: true, force: true });
  const res = await runAsServerUser(pgBin("pg_basebackup"), [
    "-d", cluster.url(), "-D", dir, "-X", "stream", "-c", "fast", "--no-sync",
  ]);
  if (res.code !== 0) throw new ToolError("pg_basebackup failed", "see the live server's log", res.stderr.trim());
  return { finishedAt: new Date() };
}

/** Force the current WAL segment into the archive and wait until the archiver has copied it. */
export async function switchAndWaitArchived(url: string, walArchiveDir: string, timeoutMs = ARCHIVE_WAIT_TIMEOUT_MS): Promise<void> {
  const segment = await psqlValue(url, "select pg_walfile_name(pg_switch_wal())");
  if (!segment) throw new ToolError("could not switch WAL on the live server");
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path.join(walArchiveDir, segment))) {
    if (Date.now() > deadline) {
      throw new ToolError(`WAL segment ${segment} did not reach the archive within ${timeoutMs / 1000} s`, "check archive_command in the live server's log");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `2026-11-22 02:45:01.123456+00` (log_timezone UTC) -> ISO 8601 with Z. */
function logTimeToIso(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)\+00$/.exec(text.trim());
  if (!m) return text.trim();
  return `${m[1]}T${m[2]}Z`;
}

/** recovery_target_time wants `2026-11-22 02:45:01.123+00`; it rejects ISO 8601's `T...Z` form. */
function pgTimestamp(at: Date): string {
  return at.toISOString().replace("T", " ").replace("Z", "+00");
}

/** What the server's log says about how recovery ended. Pure, tested from log excerpts. */
export interface RecoveryLogFacts {
  /** "recovery stopping before commit of transaction N, time T": the first commit past the target. */
  stoppedBeforeCommitAt?: string;
  /** "last completed transaction was at log time T". */
  lastCompletedAt?: string;
  /** FATAL: the archive ended before the target. */
  endedBeforeTarget: boolean;
  /** FATAL: the target is before the base backup's consistent point. */
  beforeConsistentPoint: boolean;
  /** "archive recovery complete" / "database system is ready to accept connections" after promotion. */
  promoted: boolean;
  /** The last FATAL or PANIC line, if any. */
  fatal?: string;
}

export function readRecoveryLog(log: string): RecoveryLogFacts {
  const facts: RecoveryLogFacts = { endedBeforeTarget: false, beforeConsistentPoint: false, promoted: false };
  for (const line of log.split("\n")) {
    const stop = /recovery stopping before commit of transaction \d+, time (.+)$/.exec(line);
    if (stop) facts.stoppedBeforeCommitAt = logTimeToIso(stop[1]);
    const last = /last completed transaction was at log time (.+)$/.exec(line);
    if (last) facts.lastCompletedAt = logTimeToIso(last[1]);
    if (/recovery ended before configured recovery target was reached/.test(line)) facts.endedBeforeTarget = true;
    if (/requested recovery stop point is before consistent recovery point/.test(line)) facts.beforeConsistentPoint = true;
    if (/archive recovery complete/.test(line)) facts.promoted = true;
    if (/\b(FATAL|PANIC):/.test(line)) facts.fatal = line.trim();
  }
  return facts;
}

export interface RestoreRequest {
  baseBackupDir: string;
  /** When the base backup finished: nothing earlier can be restored. */
  baseBackupAt: Date;
  walArchiveDir: string;
  /** Data folder of the new cluster (deleted first if present). */
  dataDir: string;
  port: number;
  /** Restore target; undefined replays the whole archive. */
  target?: Date;
  /**
   * `exact`: the archive must reach past the target (PTR copy).
   * `up-to`: when the archive ends before the target, replay all of it (revive after a deletion:
   * the un-archived tail is lost, as on Azure) and report where it ended.
   */
  mode: "exact" | "up-to";
  /** The restored server archives into the same folder (a revived live server) or not (a copy). */
  archive: boolean;
}

export interface RestoreReport {
  cluster: PgCluster;
  /** Where replay ended, from the log: the last replayed commit. */
  lastReplayedCommitAt?: string;
  /** The first commit past the target that was not replayed (proof the archive covered the target). */
  stoppedBeforeCommitAt?: string;
  /** True when replay ended at the end of the archive rather than at the target. */
  endOfArchive: boolean;
  summary: string;
}

/** Restore a new cluster from the base backup and archived WAL, verify where recovery stopped, leave it running. */
export async function restoreFromArchive(req: RestoreRequest): Promise<RestoreReport> {
  if (req.target && req.target.getTime() <= req.baseBackupAt.getTime()) {
    throw new RecoveryTargetError(
      `restore point ${req.target.toISOString()} is before the base backup (${req.baseBackupAt.toISOString()})`,
      "choose a time after the base backup: nothing earlier is in the archive",
    );
  }
  if (req.target && req.target.getTime() > Date.now()) {
    throw new RecoveryTargetError(`restore point ${req.target.toISOString()} is in the future`, "choose a time in the past");
  }
  const first = await attempt(req, req.target);
  if (first.kind === "ok") return first.report;
  if (first.kind === "ended-before-target" && req.mode === "up-to") {
    const whole = await attempt(req, undefined);
    if (whole.kind === "ended-before-target") throw new RecoveryTargetError("replaying the whole archive did not finish");
    if (whole.kind === "ok") {
      return {
        ...whole.report,
        endOfArchive: true,
        summary: `replayed the whole archive; last commit ${whole.report.lastReplayedCommitAt ?? "unknown"} (the requested point ${req.target?.toISOString() ?? ""} is after the archive's end: the un-archived tail is lost)`,
      };
    }
    throw whole.error;
  }
  throw first.kind === "ended-before-target"
    ? new RecoveryTargetError(
        `the WAL archive ends before the restore point ${req.target?.toISOString() ?? ""}`,
        "choose an earlier restore point, or wait for the archive to cover it; a partial copy was refused and deleted",
      )
    : first.error;
}

type Attempt = { kind: "ok"; report: RestoreReport } | { kind: "ended-before-target" } | { kind: "error"; error: Error };

async function attempt(req: RestoreRequest, target: Date | undefined): Promise<Attempt> {
  const cluster = PgCluster.adopt(req.dataDir, req.port);
  await cluster.destroy();
  const copy = await runAsServerUser("cp", ["-a", req.baseBackupDir, req.dataDir]);
  if (copy.code !== 0) return { kind: "error", error: new ToolError("could not copy the base backup", undefined, copy.stderr) };
  for (const leftover of ["postmaster.pid", "postmaster.opts"]) rmSync(path.join(req.dataDir, leftover), { force: true });
  // WAL the base backup streamed is fine to keep; anything newer must come from the archive
  writeFileSync(path.join(req.dataDir, "recovery.signal"), "");
  handToServerUser(path.join(req.dataDir, "recovery.signal"));
  const settings: Record<string, string | number | boolean> = {
    port: req.port,
    restore_command: `cp ${req.walArchiveDir}/%f %p`,
    recovery_target_timeline: "latest",
    log_timezone: "UTC",
    timezone: "UTC",
    hot_standby: "on",
  };
  if (!req.archive) settings.archive_mode = "off";
  if (target) {
    settings.recovery_target_time = pgTimestamp(target);
    settings.recovery_target_action = "promote";
    settings.recovery_target_inclusive = "on";
  }
  cluster.configure(settings);

  try {
    await cluster.start();
  } catch (err) {
    return classify(cluster, err instanceof Error ? err : new Error(String(err)));
  }
  const deadline = Date.now() + RESTORE_TIMEOUT_MS;
  for (;;) {
    const inRecovery = await psqlValue(cluster.url(), "select pg_is_in_recovery()").catch(() => undefined);
    if (inRecovery === "f") break;
    if (inRecovery === undefined && !(await cluster.isRunning())) {
      return classify(cluster, new ToolError("the restored server stopped during recovery", `see ${cluster.logFile}`));
    }
    if (Date.now() > deadline) {
      await cluster.destroy();
      return { kind: "error", error: new ToolError(`recovery did not finish within ${RESTORE_TIMEOUT_MS / 1000} s`) };
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const facts = readRecoveryLog(readLog(cluster));
  const lastReplayed =
    facts.lastCompletedAt ?? (await psqlValue(cluster.url(), "select to_char(pg_last_xact_replay_timestamp() at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
  if (target) {
    // Proof the target was covered: replay stopped at a commit after the target, and nothing replayed is after it.
    const stopped = facts.stoppedBeforeCommitAt;
    const problems: string[] = [];
    if (!stopped) problems.push("the log does not say recovery stopped at the target");
    else if (new Date(stopped).getTime() <= target.getTime()) problems.push(`recovery stopped at ${stopped}, not after the target`);
    if (lastReplayed && new Date(lastReplayed).getTime() > target.getTime()) problems.push(`a commit after the target was replayed (${lastReplayed})`);
    if (problems.length > 0) {
      await cluster.destroy();
      return { kind: "error", error: new RecoveryTargetError(`restore to ${target.toISOString()} could not be verified: ${problems.join("; ")}`, "see the copy's log; the copy was deleted") };
    }
    return {
      kind: "ok",
      report: {
        cluster,
        lastReplayedCommitAt: lastReplayed,
        stoppedBeforeCommitAt: stopped,
        endOfArchive: false,
        summary: `recovered to ${target.toISOString()}: last replayed commit ${lastReplayed ?? "none"}, stopped before the commit of ${stopped ?? "?"}`,
      },
    };
  }
  return {
    kind: "ok",
    report: { cluster, lastReplayedCommitAt: lastReplayed, endOfArchive: true, summary: `replayed the whole archive; last commit ${lastReplayed ?? "none"}` },
  };
}

function readLog(cluster: PgCluster): string {
  return existsSync(cluster.logFile) ? readFileSync(cluster.logFile, "utf8") : "";
}

async function classify(cluster: PgCluster, error: Error): Promise<Attempt> {
  // give the postmaster a moment to write its last lines
  await new Promise((r) => setTimeout(r, 200));
  const facts = readRecoveryLog(readLog(cluster));
  await cluster.destroy();
  if (facts.endedBeforeTarget) return { kind: "ended-before-target" };
  if (facts.beforeConsistentPoint) {
    return { kind: "error", error: new RecoveryTargetError("the restore point is before the base backup's consistent point", "choose a later time") };
  }
  return { kind: "error", error: facts.fatal ? new ToolError(error.message, undefined, facts.fatal) : error };
}

