/**
 * A drill on the local platform: set up, write heartbeats, inject the incident, recover through
 * the same runbook as Azure (runScenario), measure RTO and RPO, check, tear down, report.
 */
import * as path from "node:path";
import { createDataTools } from "../data";
import { PROJECT_ROOT } from "../config/stackfile";
import { rmSync } from "node:fs";
import { InterruptedError } from "../errors";
import { psql, psqlValue } from "../pg/psql";
import {
  EXPECTED_TABLES,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TABLE,
  HeartbeatWriter,
  LocalEnvironment,
} from "../platforms/local";
import { runScenario } from "../runbook/runner";
import type { DataTools, DecideFn, RunEvent, RunOutcome, RunRequest, ScenarioName } from "../runbook/ports";
import { measureRpo, measureRto, pickRestorePoint } from "./measure";
import { DrillCheck, DrillReport, improvementsFor, stepsFrom } from "./report";

/** The tables of the sample dataset (the heartbeat table is measured separately). */
const DATASET_TABLES = EXPECTED_TABLES.filter((t) => t !== HEARTBEAT_TABLE);
/** Heartbeat rows written before the incident, so there is something to lose. */
export const WARMUP_ROWS = 12;
/** How far before the incident the data-loss restore point lies. */
export const RESTORE_POINT_LEAD_MS = 1000;

export interface LocalDrillOptions {
  scenario: ScenarioName;
  /** Total rows of the sample dataset. */
  rows: number;
  /** @default `.drill-work/` in the project */
  workRoot?: string;
  /** Journals. @default `.aytq-dr/` in the project */
  stateDir?: string;
  log: (line: string) => void;
  onEvent?: (event: RunEvent) => void;
  /** For tests. @default runScenario */
  run?: (req: RunRequest) => Promise<RunOutcome>;
  /** For tests. @default createDataTools with quick health retries */
  data?: DataTools;
  /** Aborted on Ctrl-C: the running step stops, everything is torn down. */
  signal?: AbortSignal;
}

const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

async function datasetChecksums(url: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of DATASET_TABLES) {
    out[table] = (await psqlValue(url, `select count(*) || ':' || coalesce(sum(hashtext(t::text)::bigint), 0) from ${table} t`).catch(() => "missing")) ?? "missing";
  }
  return out;
}

async function heartbeatIds(url: string): Promise<Set<number>> {
  const out = await psql(url, `select id from ${HEARTBEAT_TABLE}`).catch(() => "");
  return new Set(out.split("\n").filter(Boolean).map(Number));
}

export async function runLocalDrill(o: LocalDrillOptions): Promise<DrillReport> {
  const startedAt = new Date();
  const name = `drill-${o.scenario}`;
  const env = await LocalEnvironment.create({ name, rows: o.rows, workRoot: o.workRoot, log: o.log });
  const stateDir = o.stateDir ?? path.join(PROJECT_ROOT, ".aytq-dr");
  const writer = new HeartbeatWriter(env.platform.liveUrl, HEARTBEAT_INTERVAL_MS);
  env.state.onAppStopped = () => writer.stop();
  env.onTeardown("heartbeat writer", () => writer.stop());
  const data = o.data ?? createDataTools({ validate: { attempts: 8, backoffMs: 250, deadlineMs: 30_000 } });
  const interrupted = () => {
    if (o.signal?.aborted) throw new InterruptedError("drill interrupted (Ctrl-C): everything it started has been stopped", "run it again; nothing is left to clean");
  };
  try {
    interrupted();
    writer.start();
    const before = await datasetChecksums(env.platform.liveUrl);
    while (writer.rows.length < WARMUP_ROWS) {
      interrupted();
      if (!writer.isRunning) throw new Error(`the heartbeat writer stopped: ${writer.lastError ?? "unknown"}`);
      await sleep(50);
    }

    // --- the incident ---
    let incident: string;
    let incidentAt: Date;
    let restorePoint: Date;
    const inputs: RunRequest["inputs"] = {};
    let mustInclude: Date | undefined;
    let mustNotExceed: Date | undefined;
    switch (o.scenario) {
      case "data-loss": {
        await sleep(RESTORE_POINT_LEAD_MS + HEARTBEAT_INTERVAL_MS);
        const now = new Date();
        const point = pickRestorePoint(writer.rows, new Date(now.getTime() - RESTORE_POINT_LEAD_MS), HEARTBEAT_INTERVAL_MS / 2);
        if (!point) throw new Error("no heartbeat row early enough for a restore point");
        restorePoint = point;
        incidentAt = new Date();
        incident = "dropped table qualifications and deleted every other induction";
        await psql(env.platform.liveUrl, "drop table qualifications; delete from inductions where id % 2 = 0;");
        o.log(`incident at ${incidentAt.toISOString()}: ${incident}; restore point ${restorePoint.toISOString()}`);
        inputs.restorePointUTC = restorePoint.toISOString();
        mustInclude = restorePoint;
        mustNotExceed = restorePoint;
        break;
      }
      case "server-lost-revive":
      case "server-lost-rebuild": {
        if (o.scenario === "server-lost-rebuild") {
          // the nightly backup the rebuild restores; rows after it are what this scenario loses
          const storage = await env.platform.storage();
          const conn = await env.platform.connect({ kind: "live" });
          const backupName = `aytq_local_${new Date().toISOString().slice(0, 10)}.sql.gz`;
          mustNotExceed = new Date();
          await data.backup(conn, storage, { name: backupName });
          mustNotExceed = new Date(); // pg_dump's snapshot is taken between the two instants
          await conn.release();
          o.log(`nightly backup ${backupName} taken`);
          await sleep(RESTORE_POINT_LEAD_MS);
        } else {
          await sleep(RESTORE_POINT_LEAD_MS + 1000); // archive_timeout ships what was written
        }
        incidentAt = new Date();
        incident = "deleted the live server (stopped it hard and deleted its data folder)";
        const live = env.platform.live;
        await live.stop("immediate");
        rmSync(live.dataDir, { recursive: true, force: true });
        o.log(`incident at ${incidentAt.toISOString()}: ${incident}`);
        restorePoint = o.scenario === "server-lost-revive" ? new Date(Date.now()) : (mustNotExceed ?? incidentAt);
        if (o.scenario === "server-lost-revive") {
          inputs.restorePointUTC = restorePoint.toISOString();
          inputs.deletedAtUTC = incidentAt.toISOString();
          mustNotExceed = incidentAt;
        }
        break;
      }
      default: {
        const _exhaustive: never = o.scenario;
        throw new Error(`unknown scenario ${String(_exhaustive)}`);
      }
    }

    // --- recovery, through the same runbook as Azure ---
    const decide: DecideFn = Object.assign(
      async (question: string, context: string) => {
        o.log(`decision: ${question} -> yes (answered by the drill)\n  ${context.replace(/\n/g, "\n  ")}`);
        return true;
      },
      { answersBy: "flag" as const },
    );
    const outcome = await (o.run ?? runScenario)({
      scenario: o.scenario,
      platform: env.platform,
      data,
      inputs,
      stateDir,
      decide,
      signal: o.signal,
      onEvent: (e) => {
        if (e.type === "step-end") o.log(`  ${e.record.step}: ${e.record.status}${e.record.error ? ` - ${e.record.error}` : ""}`);
        o.onEvent?.(e);
      },
    });

    interrupted();
    // --- checks ---
    const checks: DrillCheck[] = [];
    const check = (name: string, ok: boolean, detail: string) => checks.push({ name, status: ok ? "pass" : "fail", detail });
    check("runbook completed", outcome.outcome === "completed", `run ${outcome.runId} ${outcome.outcome}`);

    const liveUrl = env.platform.liveUrl;
    const present = await heartbeatIds(liveUrl);
    const rpo = measureRpo({ written: writer.rows, presentIds: present, incidentAt, mustInclude, mustNotExceed });
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
        : `recovered to ${rpo.recoveredTo}; ${writer.rows.filter((r) => present.has(r.id)).length} heartbeat rows back, ${rpo.rowsLost} committed before the incident lost, none after the restore point`,
    );
    const rto = measureRto(incidentAt, outcome.steps);
    check("RTO measured", rto.rtoSeconds !== null, rto.rtoSeconds !== null ? `incident ${incidentAt.toISOString()} to validated service ${rto.validatedAt}` : "the service was never validated");

    const after = await datasetChecksums(liveUrl);
    const differing = DATASET_TABLES.filter((t) => before[t] !== after[t]);
    check(
      "data equal to the restore point",
      differing.length === 0 && rpoProblems.length === 0,
      differing.length ? `differs from before the incident: ${differing.map((t) => `${t} ${before[t]} -> ${after[t]}`).join(", ")}` : `${DATASET_TABLES.join(", ")}: same count and content checksum as before the incident; heartbeat rows as at the restore point`,
    );
    const health = await data.validate(env.platform.healthTargets()).catch((err: Error) => [{ service: "all", url: "", ok: false, status: null, latencyMs: null, error: err.message }]);
    check("health green", health.every((h) => h.ok), health.map((h) => `${h.service} ${h.ok ? "ok" : `failed (${h.status ?? h.error ?? "?"})`}`).join(", "));
    check("app started", !env.platform.app.stopped, env.platform.app.stopped ? "the app is still stopped" : "the app is running");
    check("maintenance off", !env.platform.app.maintenance, env.platform.app.maintenance ? "the maintenance page is still on" : "public hosts reach the app");
    const unfreeze = outcome.steps.find((s) => s.step === "unfreeze");
    checks.push({
      name: "freeze lifted",
      status: unfreeze?.status === "not-applicable" ? "n/a" : unfreeze?.status === "done" || unfreeze?.status === "unchanged" ? "pass" : "fail",
      detail: unfreeze ? `${unfreeze.status}: ${unfreeze.summary ?? unfreeze.error ?? ""}` : "the unfreeze step did not run",
    });
    const copies = await env.platform.listPtrCopies();
    check("copies tidied", copies.length === 0, copies.length ? `left: ${copies.map((c) => c.name).join(", ")}` : o.scenario === "data-loss" ? "the PTR copy was removed" : "no copies were made");

    const steps = stepsFrom(outcome);
    const report: DrillReport = {
      scenario: o.scenario,
      platform: "local",
      stack: "local",
      runId: outcome.runId,
      outcome: outcome.outcome,
      green: false,
      startedAt: startedAt.toISOString(),
      finishedAt: "",
      datasetRows: o.rows,
      incidentAt: incidentAt.toISOString(),
      incident,
      restorePoint: restorePoint.toISOString(),
      recoveredTo: rpo.recoveredTo ?? null,
      validatedAt: rto.validatedAt ?? null,
      rtoSeconds: rto.rtoSeconds,
      rpoSeconds: rpo.rpoSeconds,
      rowsLost: rpo.rowsLost,
      writer: { rowsCommitted: writer.rows.length, failedInserts: writer.failures },
      steps,
      checks,
      decisions: outcome.decisions,
      notApplicable: [
        ...steps.filter((s) => s.status === "not-applicable").map((s) => `${s.name}: ${s.summary ?? ""}`),
        ...env.platform.notApplicable.filter((n) => !/^pipeline /.test(n)),
        "the tunnel (konduit pod + port-forward): the local databases are reached directly",
      ],
      improvements: [],
    };
    await env.teardown().then((problems) => {
      report.checks.push({ name: "torn down", status: problems.length ? "fail" : "pass", detail: problems.length ? problems.join("; ") : "every process stopped, work folder deleted" });
    });
    report.finishedAt = new Date().toISOString();
    report.green = report.outcome === "completed" && report.checks.every((c) => c.status !== "fail");
    report.improvements = improvementsFor(report);
    return report;
  } finally {
    await env.teardown();
  }
}
