/**
 * The runbook's scenarios as ordered steps. Every step calls only Platform and DataTools methods,
 * and is idempotent: running a done step again changes nothing (config already says so; a backup
 * that exists is found; a restore is all or nothing).
 *
 * validate comes after start (the issue lists it before start for revive): the app cannot answer
 * its health check while scaled to 0. It checks platform.healthTargets(), which are the temporary
 * hosts while maintenance is on.
 */
import { runHolder } from "../ops/pipeline-holds";
import { ToolError, UsageError } from "../errors";
import type { Platform, StepResult } from "./ports";
import type { ScenarioInputs, ScenarioName, StepContext } from "./run-model";
import { compareAndDecide, decisionToCarryOut, surgicalInto } from "./bring-back";
import { withConnection } from "./connections";
import { DECISION_STEP } from "./decision";

type StepFn = (ctx: StepContext) => Promise<StepResult>;

export interface StepDef {
  name: string;
  run: StepFn;
  /** Inputs recorded in the journal (no secrets). */
  inputs?: (ctx: StepContext) => Record<string, string>;
}

/** Backup names are fixed per run, so a re-run of the step finds its own backup. */
const safetyBackupName = (stack: string, runId: string) => `aytq_${stack}_${runId}_safety.sql.gz`;
export const copyBackupName = (stack: string, runId: string) => `aytq_${stack}_${runId}_copy.sql.gz`;

function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`this scenario needs ${what}`, "start the run again with it");
  return value;
}

async function backupOnce(ctx: StepContext, db: Parameters<Platform["connect"]>[0], name: string, what: string): Promise<StepResult> {
  const storage = await ctx.platform.storage();
  if ((await ctx.data.latestBackup(storage)) === name) {
    return { status: "unchanged", summary: `${what} ${name} already exists`, details: { backup: name } };
  }
  const result = await withConnection(ctx.platform, db, (conn) => ctx.data.backup(conn, storage, { name }));
  return { status: "done", summary: `${what} ${result.name} (${result.bytes} bytes, sha256 ${result.sha256.slice(0, 12)})`, details: { backup: result.name, bytes: result.bytes } };
}

async function restoreInto(ctx: StepContext, name: string): Promise<StepResult> {
  const storage = await ctx.platform.storage();
  const result = await withConnection(ctx.platform, { kind: "live" }, (conn) => ctx.data.restore(storage, name, conn));
  const asOf = result.consistentAt ? `, data as of ${result.consistentAt}` : ", its moment not recorded (an older backup)";
  return { status: "done", summary: `restored ${result.name} (${result.bytes} bytes${asOf}) into the live database`, details: { backup: result.name, ...(result.consistentAt ? { consistentAt: result.consistentAt } : {}) } };
}

const step = (name: string, run: StepFn, inputs?: StepDef["inputs"]): StepDef => ({ name, run, inputs });

const STEPS: Record<string, StepDef> = {
  stop: step("stop", (c) => c.platform.setAppStopped(true)),
  start: step("start", (c) => c.platform.setAppStopped(false)),
  "maintenance-on": step("maintenance-on", (c) => c.platform.setMaintenance(true)),
  "maintenance-off": step("maintenance-off", (c) => c.platform.setMaintenance(false)),
  // the run's own hold on main: released by this run (or its resume) only, never by another run's unfreeze
  freeze: step("freeze", (c) => c.platform.setPipelineFrozen(true, runHolder(c.runId))),
  unfreeze: step("unfreeze", (c) => c.platform.setPipelineFrozen(false, runHolder(c.runId))),
  revive: step(
    "revive",
    (c) => c.platform.reviveServer(need(c.inputs.restorePointUTC, "--at (the restore point)"), c.phase),
    (c) => ({ restorePointUTC: c.inputs.restorePointUTC ?? "", ...(c.inputs.deletedAtUTC ? { deletedAtUTC: c.inputs.deletedAtUTC } : {}) }),
  ),
  rebuild: step("rebuild", (c) => c.platform.rebuildServer(c.phase)),
  "restore-latest-backup": step("restore-latest-backup", async (c) => {
    const latest = await c.data.latestBackup(await c.platform.storage());
    if (!latest) throw new ToolError("there is no backup to restore", "check the backup container; restore a named backup by hand if it lives elsewhere");
    return restoreInto(c, latest);
  }),
  validate: step("validate", async (c) => {
    const targets = c.platform.healthTargets();
    const results = await c.data.validate(targets);
    const bad = results.filter((r) => !r.ok);
    const lines = results.map((r) => `${r.service} ${r.url}: ${r.ok ? "ok" : `FAILED (${r.status ?? r.error ?? "no answer"})`}`);
    if (bad.length) throw new ToolError(`health checks failed:\n  ${lines.join("\n  ")}`, "look at the app's logs, fix, and resume the run");
    return { status: "done", summary: `health checks passed: ${lines.join("; ")}` };
  }),
  "safety-backup": step(
    "safety-backup",
    (c) => backupOnce(c, { kind: "live" }, safetyBackupName(c.platform.stack, c.runId), "safety backup of the live database"),
    (c) => ({ backup: safetyBackupName(c.platform.stack, c.runId) }),
  ),
  ptr: step(
    "ptr",
    (c) => c.platform.createPtrCopy(c.inputs.copyName, need(c.inputs.restorePointUTC, "--at (the restore point)")),
    (c) => ({ copyName: c.inputs.copyName, restorePointUTC: c.inputs.restorePointUTC ?? "" }),
  ),
  compare: step("compare", compareAndDecide, (c) => ({ copyName: c.inputs.copyName })),
  "copy-into-live": step(
    "copy-into-live",
    async (c) => {
      const decision = decisionToCarryOut(c);
      if (decision.way !== "whole") return surgicalInto(c, decision.way, decision.tables ?? []);
      const name = copyBackupName(c.platform.stack, c.runId);
      const storage = await c.platform.storage();
      const copy = { kind: "copy", name: c.inputs.copyName } as const;
      // The copy's backup exists already: a run journalled with the old two steps (backup-copy done,
      // restore-live not), or one that died after the blob was committed and before live's COMMIT.
      // Restoring that backup gives the same result.
      if ((await c.data.latestBackup(storage)) === name) return restoreInto(c, name);
      if (!c.data.copyInto) {
        await withConnection(c.platform, copy, (conn) => c.data.backup(conn, storage, { name }));
        return restoreInto(c, name);
      }
      const result = await withConnection(c.platform, copy, (source) => withConnection(c.platform, { kind: "live" }, (live) => c.data.copyInto!(source, storage, { name }, live)));
      return {
        status: "done",
        summary: `copied ${c.inputs.copyName} into the live database in one pass, kept as backup ${result.name} (${result.bytes} bytes, sha256 ${result.sha256.slice(0, 12)})`,
        details: { backup: result.name, bytes: result.bytes },
      };
    },
    (c): Record<string, string> => {
      const d = decisionToCarryOut(c);
      return d.way === "whole" ? { copyName: c.inputs.copyName, backup: copyBackupName(c.platform.stack, c.runId) } : { copyName: c.inputs.copyName, way: d.way, tables: (d.tables ?? []).join(",") };
    },
  ),
  tidy: step("tidy", (c) => c.platform.removePtrCopies([c.inputs.copyName]), (c) => ({ copyName: c.inputs.copyName })),
};

/**
 * The maintenance page goes on before the app stops, and off only after it has started and passed
 * its checks: the public hosts never answer with errors in between.
 */
export const SCENARIO_STEPS: Record<ScenarioName, readonly string[]> = {
  "server-lost-revive": ["maintenance-on", "stop", "freeze", "revive", "start", "validate", "maintenance-off", "unfreeze"],
  "server-lost-rebuild": ["maintenance-on", "stop", "freeze", "rebuild", "restore-latest-backup", "start", "validate", "maintenance-off", "unfreeze"],
  "data-loss": ["maintenance-on", "stop", "freeze", "safety-backup", "ptr", "compare", "copy-into-live", "start", "validate", "maintenance-off", "unfreeze", "tidy"],
};

/**
 * Orders earlier versions of aytq-dr journalled, newest first. A run started by one of them may
 * still be resumed (order.ts resumePoint): its journal is trusted when its completed steps follow
 * one of these, then the current order for the rest; the resume runs every step not completed,
 * in the current order. Keep an order here for as long as a run started with it may be resumed.
 * - until issue 20, every scenario stopped the app before the maintenance page went on;
 * - before that, data-loss copied the copy into live in two steps, backup-copy then restore-live.
 */
export const EARLIER_SCENARIO_STEPS: Record<ScenarioName, readonly (readonly string[])[]> = {
  "server-lost-revive": [["stop", "maintenance-on", "freeze", "revive", "start", "validate", "maintenance-off", "unfreeze"]],
  "server-lost-rebuild": [["stop", "maintenance-on", "freeze", "rebuild", "restore-latest-backup", "start", "validate", "maintenance-off", "unfreeze"]],
  "data-loss": [
    ["stop", "maintenance-on", "freeze", "safety-backup", "ptr", "compare", "copy-into-live", "start", "validate", "maintenance-off", "unfreeze", "tidy"],
    ["stop", "maintenance-on", "freeze", "safety-backup", "ptr", "compare", "backup-copy", "restore-live", "start", "validate", "maintenance-off", "unfreeze", "tidy"],
  ],
};

/** Steps that ask a human. */
export const DECISION_STEPS: readonly string[] = [DECISION_STEP];

export function stepsOf(scenario: ScenarioName): StepDef[] {
  return SCENARIO_STEPS[scenario].map((name) => STEPS[name]);
}

/** Inputs each scenario needs before it starts. */
export function missingInputs(scenario: ScenarioName, inputs: ScenarioInputs): string[] {
  if ((scenario === "server-lost-revive" || scenario === "data-loss") && !inputs.restorePointUTC) return ["--at"];
  return [];
}

