/**
 * What every drill shares, whatever the environment: recovery through the runbook (runScenario)
 * with the drill answering the decision, then the same measurements and checks (RPO and rows lost
 * from the heartbeat table, RTO from the journal, data equal to before the incident, health, app
 * state, freeze, copies) and the same report. Only setting up, the incident and tearing down differ
 * between the local and the Azure drill.
 */
import { psql, psqlValue } from "../pg/psql";
import { ToolError, UsageError } from "../errors";
import { HEARTBEAT_TABLE, type HeartbeatRow, type HeartbeatWriter } from "../platforms/local/dataset";
import { runScenario } from "../runbook/runner";
import type { DataTools, Platform, RestoreWay, SurgicalPlan, SurgicalWay, TableComparison } from "../runbook/ports";
import type { DecideFn, RunEvent, RunOutcome, RunRequest, ScenarioInputs, ScenarioName } from "../runbook/run-model";
import { waysCompared } from "../runbook/restore-ways";
import { measureRpo, measureRto } from "./measure";
import { DrillCheck, DrillReport, improvementsFor, stepsFrom } from "./report";

/** Count and content checksum of each table ("missing" when it does not exist). */
export async function tableChecksums(url: string, tables: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of tables) {
    out[table] = (await psqlValue(url, `select count(*) || ':' || coalesce(sum(hashtext(t::text)::bigint), 0) from ${table} t`).catch(() => "missing")) ?? "missing";
  }
  return out;
}

async function heartbeatIds(url: string): Promise<Set<number>> {
  const out = await psql(url, `select id from ${HEARTBEAT_TABLE}`).catch(() => "");
  return new Set(out.split("\n").filter(Boolean).map(Number));
}

/** Failed heartbeat inserts before the warm-up gives up (at least 100 ms apart each, 2 s connect timeout). */
export const WARMUP_MAX_FAILURES = 25;

/**
 * Wait until the heartbeat writer has committed `rows` rows. Inserts that keep failing (table
 * missing, database unreachable) end the wait with the writer's last error, instead of waiting forever.
 */
export async function waitForWarmup(writer: Pick<HeartbeatWriter, "rows" | "failures" | "lastError">, rows: number, interrupted: () => void, pollMs = 50): Promise<void> {
  while (writer.rows.length < rows) {
    interrupted();
    if (writer.failures >= WARMUP_MAX_FAILURES) {
      throw new ToolError(
        `the heartbeat writer could not insert into ${HEARTBEAT_TABLE} (${writer.failures} failed inserts, ${writer.rows.length} of ${rows} rows before the incident): ${writer.lastError ?? "no error reported"}`,
        "check the live database answers and the heartbeat table exists (the error above says which); nothing was broken yet, run the drill again",
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Run `fn` against the live database through the platform (a tunnel on Azure), released after. */
async function withLive<T>(platform: Platform, fn: (url: string) => Promise<T>): Promise<T> {
  const conn = await platform.connect({ kind: "live" });
  try {
    return await fn(conn.url);
  } finally {
    await conn.release();
  }
}

/** The incident as injected: when, what, and what the recovery must bring back. */
export interface DrillIncident {
  description: string;
  at: Date;
  restorePoint: Date;
  inputs: ScenarioInputs;
  /** Every heartbeat row written up to here must be back (an exact PTR). */
  mustInclude?: Date;
  /** No heartbeat row written after here may be back. */
  mustNotExceed?: Date;
}

export interface DrillRecovery {
  scenario: ScenarioName;
  platform: Platform;
  data: DataTools;
  stateDir: string;
  log: (line: string) => void;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
  /** How the drill answers data-loss's decision. @default DEFAULT_DRILL_WAY (whole) */
  way?: RestoreWay;
  /** For tests. @default runScenario */
  run?: (req: RunRequest) => Promise<RunOutcome>;
}

/** A drill's run: the runbook's outcome, and what compare found at the decision (data-loss). */
export type DrillOutcome = RunOutcome & { comparison?: TableComparison[]; plans?: Partial<Record<SurgicalWay, SurgicalPlan>> };

/** The way a drill brings data back unless told otherwise: the whole copy, as drills always have. */
export const DEFAULT_DRILL_WAY: RestoreWay = "whole";

/**
 * Recover through the runbook; the drill answers the decision with its way (whole unless set) and
 * says so in the journal (`flag`). What the compare step found is kept for the report.
 */
export async function recover(r: DrillRecovery, inputs: ScenarioInputs): Promise<DrillOutcome> {
  let comparison: TableComparison[] | undefined;
  const compare: DataTools["compare"] = async (a, b) => {
    const result = await r.data.compare(a, b);
    comparison = result.tables;
    return result;
  };
  // the plans shown at the decision (the first of each way; copy-into-live plans its way again)
  const plans: Partial<Record<SurgicalWay, SurgicalPlan>> = {};
  const planSurgical: DataTools["planSurgical"] = r.data.planSurgical
    ? async (live, copy, way, tables) => {
        const plan = await r.data.planSurgical!.call(r.data, live, copy, way, tables);
        plans[way] ??= plan;
        return plan;
      }
    : undefined;
  const data = new Proxy(r.data, {
    get: (target, prop) => {
      if (prop === "compare") return compare;
      if (prop === "planSurgical") return planSurgical;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const way = r.way ?? DEFAULT_DRILL_WAY;
  const decide: DecideFn = Object.assign(
    async (question: string, context: string, choices: readonly string[]) => {
      if (!choices.includes(way)) throw new UsageError(`the drill was set to answer "${way}", and this run offers only ${choices.join(", ")}`, "drill with the way these data tools offer (whole)");
      r.log(`decision: ${question} -> ${way} (answered by the drill)\n  ${context.replace(/\n/g, "\n  ")}`);
      return way;
    },
    { answersBy: "flag" as const },
  );
  const outcome = await (r.run ?? runScenario)({
    scenario: r.scenario,
    platform: r.platform,
    data,
    inputs,
    stateDir: r.stateDir,
    decide,
    signal: r.signal,
    onEvent: (e) => {
      if (e.type === "step-end") r.log(`  ${e.record.step}: ${e.record.status}${e.record.error ? ` - ${e.record.error}` : ""}`);
      r.onEvent?.(e);
    },
  });
  return comparison ? { ...outcome, comparison, plans } : outcome;
}

export interface MeasureRequest {
  scenario: ScenarioName;
  /** The report's stack: the Azure stack, or "local". */
  stack: string;
  platform: Platform;
  data: DataTools;
  outcome: DrillOutcome;
  incident: DrillIncident;
  writer: { rows: readonly HeartbeatRow[]; failures: number };
  /** Tables whose count and checksum must equal `before` after recovery. */
  tables: readonly string[];
  before: Record<string, string>;
  datasetRows: number;
  /**
   * A surgical way (data-loss by tables or undelete): rows written since the restore point are
   * kept, so every heartbeat row must be back, not only those up to the restore point; and the
   * tables named here are expected to keep what undelete leaves (rows changed since), each with why.
   */
  surgical?: { way: SurgicalWay; leftAsLive: { table: string; why: string }[] };
  /** Whether the app is stopped and maintenance on now (local: the app; Azure: the stack config). */
  appState: () => Promise<{ stopped: boolean; maintenance: boolean }>;
  /** What the environment could not exercise. */
  notApplicable: string[];
  startedAt: Date;
}

/** The checks and the report (without the teardown check: see finishReport). */
export async function measureDrill(m: MeasureRequest): Promise<DrillReport> {
  const { outcome, incident, platform } = m;
  const checks: DrillCheck[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, status: ok ? "pass" : "fail", detail });
  check("runbook completed", outcome.outcome === "completed", `run ${outcome.runId} ${outcome.outcome}`);

  const { present, after } = await withLive(platform, async (url) => ({ present: await heartbeatIds(url), after: await tableChecksums(url, m.tables) })).catch(() => ({
    present: new Set<number>(),
    after: Object.fromEntries(m.tables.map((t) => [t, "unreachable"])) as Record<string, string>,
  }));
  const rpo = measureRpo({ written: m.writer.rows, presentIds: present, incidentAt: incident.at, mustInclude: incident.mustInclude, mustNotExceed: incident.mustNotExceed });
  const rpoProblems = [
    rpo.holes.length ? `${rpo.holes.length} rows missing before the recovered point (ids ${rpo.holes.slice(0, 5).join(", ")})` : "",
    rpo.missingBeforeRestorePoint.length ? `${rpo.missingBeforeRestorePoint.length} rows written before the restore point are missing` : "",
    rpo.beyondRestorePoint.length ? `${rpo.beyondRestorePoint.length} rows written after the restore point came back` : "",
    rpo.recoveredTo ? "" : "no heartbeat row came back",
  ].filter(Boolean);
  check(
    "RPO measured",
    rpoProblems.length === 0,
    rpoProblems.length
      ? rpoProblems.join("; ")
      : `recovered to ${rpo.recoveredTo}; ${m.writer.rows.filter((r) => present.has(r.id)).length} heartbeat rows back, ${rpo.rowsLost} committed before the incident lost, none after the restore point`,
  );
  const rto = measureRto(incident.at, outcome.steps);
  check("RTO measured", rto.rtoSeconds !== null, rto.rtoSeconds !== null ? `incident ${incident.at.toISOString()} to validated service ${rto.validatedAt}` : "the service was never validated");

  if (m.surgical) {
    const missing = m.writer.rows.filter((r) => !present.has(r.id));
    check(
      "heartbeat rows kept",
      missing.length === 0,
      missing.length
        ? `${missing.length} of ${m.writer.rows.length} heartbeat rows committed before the app stopped are missing (ids ${missing.slice(0, 5).map((r) => r.id).join(", ")}): "${m.surgical.way}" must keep every row written since the restore point`
        : `all ${m.writer.rows.length} heartbeat rows committed before the app stopped are back, ${m.writer.rows.filter((r) => new Date(r.writtenAt) > incident.restorePoint).length} of them written after the restore point: "${m.surgical.way}" lost none`,
    );
  }
  const leftAsLive = new Map((m.surgical?.leftAsLive ?? []).map((l) => [l.table, l.why]));
  const differing = m.tables.filter((t) => m.before[t] !== after[t] && !leftAsLive.has(t));
  const left = m.tables.filter((t) => leftAsLive.has(t));
  if (left.length) {
    checks.push({ name: "left as live has them", status: "n/a", detail: left.map((t) => `${t}: ${leftAsLive.get(t)} (${m.before[t] === after[t] ? "equal to before the incident after all" : "differs from before the incident, as the plan said"})`).join("; ") });
  }
  check(
    "data equal to the restore point",
    differing.length === 0 && rpoProblems.length === 0,
    differing.length
      ? `differs from before the incident: ${differing.map((t) => `${t} ${m.before[t]} -> ${after[t]}`).join(", ")}`
      : `${m.tables.filter((t) => !leftAsLive.has(t)).join(", ")}: same count and content checksum as before the incident; ${m.surgical ? "heartbeat rows all kept" : "heartbeat rows as at the restore point"}`,
  );
  const health = await m.data.validate(platform.healthTargets()).catch((err: Error) => [{ service: "all", url: "", ok: false, status: null, latencyMs: null, error: err.message }]);
  check("health green", health.every((h) => h.ok), health.map((h) => `${h.service} ${h.ok ? "ok" : `failed (${h.status ?? h.error ?? "?"})`}`).join(", "));
  const app = await m.appState();
  check("app started", !app.stopped, app.stopped ? "the app is still stopped" : "the app is running");
  check("maintenance off", !app.maintenance, app.maintenance ? "the maintenance page is still on" : "public hosts reach the app");
  const unfreeze = outcome.steps.find((s) => s.step === "unfreeze");
  checks.push({
    name: "freeze lifted",
    status: unfreeze?.status === "not-applicable" ? "n/a" : unfreeze?.status === "done" || unfreeze?.status === "unchanged" ? "pass" : "fail",
    detail: unfreeze ? `${unfreeze.status}: ${unfreeze.summary ?? unfreeze.error ?? ""}` : "the unfreeze step did not run",
  });
  const copies = await platform.listPtrCopies();
  check("copies tidied", copies.length === 0, copies.length ? `left: ${copies.map((c) => c.name).join(", ")}` : m.scenario === "data-loss" ? "the PTR copy was removed" : "no copies were made");

  const steps = stepsFrom(outcome);
  return {
    scenario: m.scenario,
    platform: platform.kind,
    stack: m.stack,
    runId: outcome.runId,
    outcome: outcome.outcome,
    green: false,
    startedAt: m.startedAt.toISOString(),
    finishedAt: "",
    datasetRows: m.datasetRows,
    incidentAt: incident.at.toISOString(),
    incident: incident.description,
    restorePoint: incident.restorePoint.toISOString(),
    recoveredTo: rpo.recoveredTo ?? null,
    validatedAt: rto.validatedAt ?? null,
    rtoSeconds: rto.rtoSeconds,
    rpoSeconds: rpo.rpoSeconds,
    rowsLost: rpo.rowsLost,
    writer: { rowsCommitted: m.writer.rows.length, failedInserts: m.writer.failures },
    steps,
    checks,
    decisions: outcome.decisions,
    ...(outcome.comparison ? { comparison: outcome.comparison, waysCompared: waysCompared({ equal: false, tables: outcome.comparison }, outcome.plans ?? {}) } : {}),
    ...(m.surgical ? { way: m.surgical.way } : outcome.comparison ? { way: "whole" as const } : {}),
    notApplicable: [...steps.filter((s) => s.status === "not-applicable").map((s) => `${s.name}: ${s.summary ?? ""}`), ...m.notApplicable],
    improvements: [],
  };
}

/** Add the teardown check, then the verdict and the improvements. */
export function finishReport(report: DrillReport, teardownProblems: readonly string[], tornDownDetail: string): DrillReport {
  report.checks.push({ name: "torn down", status: teardownProblems.length ? "fail" : "pass", detail: teardownProblems.length ? teardownProblems.join("; ") : tornDownDetail });
  report.finishedAt = new Date().toISOString();
  report.green = report.outcome === "completed" && report.checks.every((c) => c.status !== "fail");
  report.improvements = improvementsFor(report);
  return report;
}
