/**
 * What a drill measures, as pure functions over what the heartbeat writer saw committed and what
 * the recovered database holds: the restore point between two rows, rows lost, RPO and RTO.
 */
import type { HeartbeatRow } from "../platforms/local/dataset";
import type { StepRecord } from "../runbook/run-model";

const ms = (iso: string): number => new Date(iso).getTime();

/**
 * A restore point strictly between two heartbeat rows, at least `marginMs` before `before`: half
 * way past the newest row written before then, so no row's commit can straddle it.
 */
export function pickRestorePoint(rows: readonly HeartbeatRow[], before: Date, halfGapMs: number): Date | undefined {
  const candidates = rows.filter((r) => ms(r.writtenAt) + halfGapMs < before.getTime());
  const last = candidates[candidates.length - 1];
  return last ? new Date(ms(last.writtenAt) + halfGapMs) : undefined;
}

export interface RpoMeasurement {
  /** Writer rows committed before the incident and missing after recovery. */
  rowsLost: number;
  /** Newest writer row present after recovery: the point the data really came back to. */
  recoveredTo?: string;
  /** Incident minus recoveredTo, in seconds (the window of data lost). */
  rpoSeconds: number | null;
  /** Rows written at or before `recoveredTo` that are missing (holes: must be 0). */
  holes: number[];
  /** Rows written after `mustNotExceed` that came back (must be none). */
  beyondRestorePoint: number[];
  /** Rows written at or before `mustInclude` that are missing (must be none). */
  missingBeforeRestorePoint: number[];
}

/**
 * @param mustInclude every row written up to here must be back (an exact PTR); undefined when the
 *   scenario cannot promise it (revive loses the un-archived tail; a rebuild loses what came after the backup)
 * @param mustNotExceed no row written after here may be back
 */
export function measureRpo(args: {
  written: readonly HeartbeatRow[];
  presentIds: ReadonlySet<number>;
  incidentAt: Date;
  mustInclude?: Date;
  mustNotExceed?: Date;
}): RpoMeasurement {
  const { written, presentIds, incidentAt } = args;
  const present = written.filter((r) => presentIds.has(r.id));
  const newest = present.reduce<HeartbeatRow | undefined>((a, r) => (!a || ms(r.writtenAt) > ms(a.writtenAt) ? r : a), undefined);
  const recoveredTo = newest?.writtenAt;
  const holes = recoveredTo ? written.filter((r) => ms(r.writtenAt) <= ms(recoveredTo) && !presentIds.has(r.id)).map((r) => r.id) : [];
  const beyondRestorePoint = args.mustNotExceed ? present.filter((r) => ms(r.writtenAt) > args.mustNotExceed!.getTime()).map((r) => r.id) : [];
  const missingBeforeRestorePoint = args.mustInclude
    ? written.filter((r) => ms(r.writtenAt) <= args.mustInclude!.getTime() && !presentIds.has(r.id)).map((r) => r.id)
    : [];
  const rowsLost = written.filter((r) => ms(r.writtenAt) < incidentAt.getTime() && !presentIds.has(r.id)).length;
  const rpoSeconds = recoveredTo ? Math.max(0, (incidentAt.getTime() - ms(recoveredTo)) / 1000) : null;
  return { rowsLost, recoveredTo, rpoSeconds, holes, beyondRestorePoint, missingBeforeRestorePoint };
}

/** Seconds from the incident to the end of the step that validated the service, or null if it never did. */
export function measureRto(incidentAt: Date, steps: readonly StepRecord[]): { rtoSeconds: number | null; validatedAt?: string } {
  const validate = [...steps].reverse().find((s) => s.step === "validate" && s.status === "done" && s.endedAt);
  if (!validate?.endedAt) return { rtoSeconds: null };
  return { rtoSeconds: (ms(validate.endedAt) - incidentAt.getTime()) / 1000, validatedAt: validate.endedAt };
}

export function durationSeconds(startedAt: string, endedAt: string | undefined): number | null {
  return endedAt ? (ms(endedAt) - ms(startedAt)) / 1000 : null;
}
