/**
 * Before a run's first step: can every step still to run get what it needs? A data-loss run whose
 * safety backup cannot reach the storage account would otherwise stop the app, turn maintenance on
 * and freeze `main`, then fail with the service down. So each credential and tool a pending step
 * will use is tried now (a token is looked for, storage is listed, the live database is opened,
 * Azure is asked a read, the client tools are run), and every problem is named at once.
 */
import type { Settings } from "../../infra/config";
import { DrError, UsageError } from "../errors";
import type { RecoveryContext } from "../ops/run-operation";
import type { PgTool } from "../pg/tools";
import type { StackPort } from "../stack/port";
import { envValue } from "../util/env";
import type { DataTools, Platform, RestoreWay } from "./ports";

export interface ReadinessProbes {
  env: NodeJS.ProcessEnv;
  settings: Settings;
  port: StackPort;
  platform: Platform;
  data: DataTools;
  /** Azure Resource Manager; undefined when the subscription is unknown. */
  recovery?: RecoveryContext;
  /** Runs `<tool> --version`. */
  toolVersion: (tool: PgTool) => Promise<unknown>;
  /** The way data-loss's copy-into-live will take, when known (journalled, or --restore-copy); unknown counts as whole, which needs the most. */
  way?: RestoreWay;
}

type Need = "stack" | "statuscake" | "github" | "storage" | "backup" | "live-database" | "pg_dump" | "psql" | "azure";

const CONVERGING = ["stop", "start", "maintenance-on", "maintenance-off", "freeze", "unfreeze", "revive", "rebuild", "ptr", "tidy"];

/**
 * What each step uses; a converging step runs the whole program, so it needs every provider's token.
 * copy-into-live: `whole` dumps the copy (pg_dump), keeps it as a backup (storage) and loads it
 * into live (psql); `tables` and `undelete` are SQL from live to the copy (psql) and store nothing.
 */
export function needsOf(step: string, settings: Settings, way?: RestoreWay): Need[] {
  const needs: Need[] = [];
  if (CONVERGING.includes(step)) {
    needs.push("stack");
    if (settings.monitoring.statusCake.enabled) needs.push("statuscake");
  }
  if (step === "freeze" || step === "unfreeze") needs.push("github");
  // ptr converges through the engine with its own credentials (the stack check reaches its backend)
  if (step === "revive" || step === "rebuild") needs.push("azure");
  if (step === "safety-backup") needs.push("storage", "live-database", "pg_dump");
  if (step === "compare") needs.push("live-database", "psql");
  if (step === "copy-into-live") needs.push(...(way === "tables" || way === "undelete" ? (["psql"] as const) : (["storage", "pg_dump", "psql"] as const)));
  if (step === "restore-latest-backup") needs.push("storage", "backup", "psql");
  return needs;
}

const LABEL: Record<Need, string> = {
  stack: "the stack's state",
  statuscake: "StatusCake",
  github: "GitHub",
  azure: "Azure",
  storage: "the backup storage",
  backup: "the backup storage",
  "live-database": "the live database",
  pg_dump: "pg_dump",
  psql: "psql",
};

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split("\n")[0];

/** What was tried, or the problem with its fix. */
async function probe(need: Need, p: ReadinessProbes): Promise<{ ok: true; said: string } | { ok: false; problem: string; fix: string }> {
  const fail = (problem: string, fix: string) => ({ ok: false as const, problem, fix });
  try {
    switch (need) {
      case "stack":
        await p.port.outputs();
        return { ok: true, said: `the stack's state can be read` };
      case "statuscake":
        return envValue(p.env, "STATUSCAKE_API_TOKEN")
          ? { ok: true, said: "STATUSCAKE_API_TOKEN is set" }
          : fail("STATUSCAKE_API_TOKEN is not set, and every update of this stack runs the StatusCake provider", "export STATUSCAKE_API_TOKEN=<the team's StatusCake API token>");
      case "github":
        return envValue(p.env, "GITHUB_TOKEN")
          ? { ok: true, said: "GITHUB_TOKEN is set" }
          : fail("GITHUB_TOKEN is not set, and freezing main's branch protection needs it", "export GITHUB_TOKEN=<a token with administration: write on the app repository>");
      case "azure": {
        // without a subscription the command refuses revive and rebuild before this (run.ts); only a platform given by a test has none
        if (!p.recovery) return { ok: true, said: "Azure: not asked (the platform given brings its own)" };
        await p.recovery.azure.getPermissions(p.settings.resourceGroupName);
        return { ok: true, said: `Azure answers for ${p.settings.resourceGroupName}` };
      }
      case "storage":
      case "backup": {
        const latest = await p.data.latestBackup(await p.platform.storage());
        if (need === "backup" && latest === undefined) return fail("the backup container holds no backup to restore", "check the container (aytq-dr backups list), or restore a backup kept elsewhere by hand");
        return { ok: true, said: need === "backup" ? `latest backup: ${latest}` : "the backup storage can be listed" };
      }
      case "live-database": {
        const conn = await p.platform.connect({ kind: "live" });
        await conn.release();
        return { ok: true, said: "the live database can be reached" };
      }
      case "pg_dump":
      case "psql":
        await p.toolVersion(need);
        return { ok: true, said: `${need} runs` };
    }
  } catch (err) {
    const hint = err instanceof DrError && err.hint ? err.hint : "fix access from this machine (az login, kubectl, the client tools), then run again";
    return fail(`${LABEL[need]}: ${firstLine(err)}`, hint);
  }
}

/**
 * Try every need of the pending steps; resolves with what was checked, or throws one UsageError
 * naming every problem (nothing has been changed yet).
 */
export async function checkRunReady(pending: readonly string[], p: ReadinessProbes): Promise<string[]> {
  const needs = [...new Set(pending.flatMap((s) => needsOf(s, p.settings, p.way)))];
  const problems: string[] = [];
  const fixes: string[] = [];
  const said: string[] = [];
  for (const need of needs) {
    const r = await probe(need, p);
    if (r.ok) said.push(r.said);
    else {
      const steps = pending.filter((s) => needsOf(s, p.settings, p.way).includes(need));
      problems.push(`${r.problem} (needed by ${steps.join(", ")})`);
      if (!fixes.includes(r.fix)) fixes.push(r.fix);
    }
  }
  if (problems.length) {
    throw new UsageError(`not started: ${problems.length === 1 ? "a step would fail" : `${problems.length} things would fail`} after the app is stopped:\n  - ${problems.join("\n  - ")}\n  nothing was changed`, fixes.join("; "));
  }
  return said;
}
