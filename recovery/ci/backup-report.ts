/**
 * `backup` and `backups verify` inside GitHub Actions: the backup's name, size, duration and
 * checksum, then the verification's result, in the job summary; the name as a step output, so the
 * workflow verifies that very backup. Outside Actions nothing is written.
 */
import { formatBytes } from "../data/streams";
import type { VerifyOutcome } from "../data/verify";
import { appendStepSummary, cell, duration, setStepOutputs, type Log } from "./actions";

/** What a finished backup says about itself (the data tools' BackupOutcome has at least this). */
export interface BackupFacts {
  name: string;
  bytes: number;
  sha256: string;
  elapsedMs: number;
}

/** What a verification says: the data tools' own outcome. */
export type VerifyFacts = VerifyOutcome;

export interface BackupContext {
  /** The stack, when the backup was taken through one. */
  stack?: string;
  /** The blob container it went to. */
  container?: string;
}

export function backupMarkdown(b: BackupFacts, c: BackupContext = {}): string {
  return [
    `### Backup${c.stack ? ` of ${c.stack}` : ""}: \`${b.name}\``,
    "",
    "| name | size | duration | sha256 | container |",
    "| --- | --- | --- | --- | --- |",
    `| \`${cell(b.name)}\` | ${formatBytes(b.bytes)} | ${duration(b.elapsedMs)} | \`${b.sha256}\` | ${cell(c.container ?? "")} |`,
    "",
  ].join("\n");
}

export function verifyMarkdown(v: VerifyFacts): string {
  const ok = v.sha256Verified && v.tables > 0;
  const head = ok ? "✅ **verified**" : v.tables === 0 ? "⚠️ **restored, but it holds no tables**" : "⚠️ **restored without a checksum to check**";
  const recorded = v.recorded ? "marked verified on the blob" : `not marked on the blob (${cell(v.recordError ?? "unknown reason")})`;
  return `${head}: \`${v.name}\` restored into a throwaway PostgreSQL: ${v.tables} table${v.tables === 1 ? "" : "s"}, ${v.rows} row${v.rows === 1 ? "" : "s"}; sha256 ${v.sha256Verified ? "matches" : "not in the blob's metadata"}; ${recorded}.\n`;
}

/** Summary and outputs (`name`, `bytes`, `sha256`, `elapsed-ms`) of a backup. */
export function reportBackup(env: NodeJS.ProcessEnv, b: BackupFacts, c: BackupContext = {}, log?: Log): void {
  setStepOutputs(env, { name: b.name, bytes: String(b.bytes), sha256: b.sha256, "elapsed-ms": String(b.elapsedMs) }, log);
  appendStepSummary(env, backupMarkdown(b, c), log);
}

/** Summary and outputs (`verified`, `tables`, `rows`) of a verification. */
export function reportVerify(env: NodeJS.ProcessEnv, v: VerifyFacts, log?: Log): void {
  setStepOutputs(env, { verified: String(v.sha256Verified && v.tables > 0), tables: String(v.tables), rows: String(v.rows) }, log);
  appendStepSummary(env, verifyMarkdown(v), log);
}
