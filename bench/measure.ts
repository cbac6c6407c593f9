/**
 * Where CPU goes during a benchmark phase: this process (and the children it reaped, i.e. pg_dump),
 * the PostgreSQL server (postmaster plus its exited backends), Azurite, and the whole machine.
 * Linux /proc only; clock ticks are 100 per second on every Linux we run.
 */
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

/** utime + stime (+ reaped children's cutime + cstime) of a process, in seconds. */
function processCpuSeconds(pid: number | "self", withChildren = true): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  const [utime, stime, cutime, cstime] = [fields[11], fields[12], fields[13], fields[14]];
  return (utime + stime + (withChildren ? cutime + cstime : 0)) / TICKS_PER_SECOND;
}

/** Busy CPU seconds of the whole machine (all CPUs), from /proc/stat. */
function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return (total - idle) / TICKS_PER_SECOND;
}

export interface CpuSplit {
  wallS: number;
  /** This Node process itself (hashing, HTTP client, stream plumbing). */
  nodeS: number;
  /** Children this process spawned and reaped: pg_dump (and sh/gunzip/psql in the baselines). */
  childrenS: number;
  /** PostgreSQL: the backend serving pg_dump's COPY (counted when it exits) and the postmaster. */
  postgresS: number;
  /** Azurite (or the discarding blob server). */
  storageS: number;
  /** Everything on the machine, including other people's work: the contention signal. */
  machineS: number;
}

/** Measure a phase: wall time and CPU seconds per party. */
export async function measured<T>(pids: { postgres: number; storage?: number }, fn: () => Promise<T>): Promise<[T, CpuSplit]> {
  const read = (): { t: bigint; self: number; all: number; pg: number; st: number; m: number } => ({
    t: process.hrtime.bigint(),
    self: processCpuSeconds("self", false),
    all: processCpuSeconds("self", true),
    pg: processCpuSeconds(pids.postgres),
    st: pids.storage ? processCpuSeconds(pids.storage) : 0,
    m: machineBusySeconds(),
  });
  const a = read();
  const result = await fn();
  const wallEnd = process.hrtime.bigint();
  const machineEnd = machineBusySeconds();
  // The backend serving pg_dump is counted in the postmaster's children only once it has been
  // reaped, a moment after pg_dump exits: wait for that before reading (outside the wall time).
  await new Promise((r) => setTimeout(r, 300));
  const b = { ...read(), t: wallEnd, m: machineEnd };
  return [
    result,
    {
      wallS: Number(b.t - a.t) / 1e9,
      nodeS: b.self - a.self,
      childrenS: b.all - b.self - (a.all - a.self),
      postgresS: b.pg - a.pg,
      storageS: b.st - a.st,
      machineS: b.m - a.m,
    },
  ];
}

/** "4.1 s  cpu: node 0.6, pg_dump 2.9, postgres 1.1, storage 0.9, machine 5.8 of 8.2" */
export function formatSplit(s: CpuSplit, cpus: number): string {
  const f = (n: number): string => n.toFixed(1);
  return `cpu s: node ${f(s.nodeS)}, tools ${f(s.childrenS)}, postgres ${f(s.postgresS)}, storage ${f(s.storageS)}; machine busy ${f(s.machineS)} of ${f(s.wallS * cpus)}`;
}
