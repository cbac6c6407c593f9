/**
 * `drill`: rehearse a scenario for real and write a report. `--platform local` (what `npm run drill`
 * runs) sets up PostgreSQL, Azurite and an app on this machine; `--stack test` is the Azure drill.
 * Ctrl-C stops the running step and tears everything down (exit 130).
 */
import * as path from "node:path";
import type { Command } from "commander";
import { PROJECT_ROOT, checkStackName, loadStackSettings } from "../../config/stackfile";
import { EXIT, ToolError, UsageError } from "../../errors";
import { clipInput } from "../../util/clip";
import { localPreflight, preflightFailed, preflightTable } from "../../preflight";
import { AzureDrillEnvironment, DrillReport, confirmAzureDrill, liveServerId, runAzureDrill, runLocalDrill, summaryLines, writeReport } from "../../drill";
import { ArmAzureIncidents } from "../../drill/azure-incidents";
import { toMarkdown } from "../../drill/report";
import { appendStepSummary } from "../../ci/actions";
import { createDataTools } from "../../runbook/data-tools";
import { AzurePlatform } from "../../platforms/azure/platform";
import { Notifier, webhooksFrom } from "../../notify/webhooks";
import { parseDatasetSize } from "../../platforms/local/dataset";
import type { RestoreWay } from "../../runbook/ports";
import { SCENARIOS, ScenarioName } from "../../runbook/run-model";
import { RESTORE_WAYS } from "../../data/types";
import type { CliIO } from "../io";
import { setExitCode } from "../command";
import { openPort, recoveryFor, stateDir } from "./driver-common";

interface DrillFlags {
  platform?: string;
  stack?: string;
  scenario?: string;
  size?: string;
  reports?: string;
  workDir?: string;
  yes?: boolean;
  slackWebhook?: string;
  teamsWebhook?: string;
  way?: string;
}

/**
 * data-loss's way for the drill: whole (the default), or tables / undelete for the surgical
 * variant (local only: the Azure drill's incident drops a table, which only whole brings back).
 */
export function drillWay(value: string | undefined, scenarios: readonly ScenarioName[], local: boolean): RestoreWay | undefined {
  if (value === undefined) return undefined;
  if (!(RESTORE_WAYS as readonly string[]).includes(value)) throw new UsageError(`unknown way "${clipInput(value)}"`, `use one of: ${RESTORE_WAYS.join(", ")}`);
  if (!scenarios.includes("data-loss")) throw new UsageError("--way does not apply here: only data-loss brings data back by a way; nothing was changed", "leave out --way, or drill --scenario data-loss");
  if (!local && value !== "whole") throw new UsageError(`--way ${value} is drilled on the local platform only: the Azure drill's incident drops a table, which only whole brings back; nothing was changed`, "drill it with --platform local, or leave out --way");
  return value as RestoreWay;
}

/** `all` or one scenario name; anything else is refused with the list. */
export function drillScenarios(value: string | undefined): ScenarioName[] {
  if (value === undefined) throw new UsageError("missing --scenario", `use one of: ${[...SCENARIOS, "all"].join(", ")}`);
  if (value === "all") return [...SCENARIOS];
  if ((SCENARIOS as readonly string[]).includes(value)) return [value as ScenarioName];
  throw new UsageError(`unknown scenario "${clipInput(value)}"`, `use one of: ${[...SCENARIOS, "all"].join(", ")}`);
}

export async function drillAction(f: DrillFlags, io: CliIO): Promise<{ code: number; reports: DrillReport[] }> {
  const scenarios = drillScenarios(f.scenario);
  if (f.platform !== undefined && f.platform !== "local" && f.platform !== "azure") {
    throw new UsageError(`unknown platform "${clipInput(f.platform)}"`, "use --platform local, or --stack test for the Azure drill");
  }
  const local = f.platform === "local" || (f.platform === undefined && f.stack === undefined);
  const way = drillWay(f.way, scenarios, local);
  const notifier = new Notifier({ ...webhooksFrom(f, io.env), log: (l) => io.err(l), label: "drill" });
  const reportDir = f.reports ?? path.join(PROJECT_ROOT, "dr-reports");
  if (!local) return azureDrill(f, scenarios, io, notifier, reportDir, way);
  if (f.stack !== undefined) throw new UsageError("--stack and --platform local conflict: --stack is for the Azure drill, --platform local for this machine", "give one of them: aytq-dr drill --platform local --scenario <name>, or aytq-dr drill --stack test --scenario <name>");
  const rows = parseDatasetSize(f.size);
  const checks = await localPreflight(f.workDir);
  if (preflightFailed(checks)) {
    io.err(preflightTable(checks));
    throw new ToolError("this machine cannot run the local drill (pre-flight failed)", "fix the failed checks above; aytq-dr preflight --platform local shows them again");
  }
  const controller = new AbortController();
  const onSignal = () => {
    io.err("interrupted: stopping the running step and tearing everything down...");
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const reports: DrillReport[] = [];
  const started = Date.now();
  try {
    for (const scenario of scenarios) {
      if (controller.signal.aborted) break;
      const variant = scenario === "data-loss" && way ? `, by ${way}` : "";
      io.err(`=== drill ${scenario} (local, ${rows} rows${variant}) ===`);
      const report = await runLocalDrill({ scenario, rows, workRoot: f.workDir, stateDir: stateDir(io), log: (l) => io.err(l), onEvent: notifier.onEvent, signal: controller.signal, ...(scenario === "data-loss" && way ? { way } : {}) });
      const files = writeReport(reportDir, report);
      appendStepSummary(io.env, toMarkdown(report), (l) => io.err(l));
      notifier.send({
        title: `DR drill ${scenario}: ${report.green ? "green" : "RED"}`,
        text: summaryLines(report).join("\n"),
        tone: report.green ? "success" : "failure",
      });
      io.err(`report: ${path.relative(process.cwd(), files.markdown)}, .json and .html`);
      reports.push(report);
    }
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await notifier.flush();
  }
  io.out("Drill summary:");
  for (const r of reports) for (const line of summaryLines(r)) io.out(line);
  io.out(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (controller.signal.aborted) return { code: EXIT.interrupted, reports };
  return { code: reports.every((r) => r.green) ? EXIT.ok : EXIT.failed, reports };
}

/** The Azure drill: production refused, subscription known, incident confirmed, all before the stack is opened. */
async function azureDrill(f: DrillFlags, scenarios: ScenarioName[], io: CliIO, notifier: Notifier, reportDir: string, way?: RestoreWay): Promise<{ code: number; reports: DrillReport[] }> {
  const stack = checkStackName(f.stack);
  if (stack === "production") await confirmAzureDrill({ stack, scenario: scenarios[0], yes: false });
  const settings = loadStackSettings(stack);
  const serverId = liveServerId(settings, io.env);
  for (const scenario of scenarios) {
    await confirmAzureDrill({
      stack,
      scenario,
      yes: f.yes === true,
      confirm: io.isTTY && io.prompt ? async (q: string) => (await io.prompt!(q)).trim() === "yes" : undefined,
      lockedServer: settings.locks.enabled ? settings.database.serverName : undefined,
    });
  }
  const controller = new AbortController();
  const onSignal = () => {
    io.err("interrupted: stopping the running step (the journal says where to resume)");
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  const reports: DrillReport[] = [];
  try {
    const port = await openPort(stack, controller.signal, (line) => io.err(`    ${line}`));
    const log = (l: string) => io.err(l);
    const env: AzureDrillEnvironment = {
      platform: new AzurePlatform({ port, settings, log: (t) => io.err(`  ${t}`), recovery: await recoveryFor(io, settings), env: io.env }),
      port,
      data: createDataTools({ signal: controller.signal }),
      incidents: new ArmAzureIncidents({ serverId, log }),
      stateDir: stateDir(io),
      log,
      onEvent: notifier.onEvent,
      signal: controller.signal,
      ...(way ? { way } : {}),
    };
    for (const scenario of scenarios) {
      if (controller.signal.aborted) break;
      io.err(`=== drill ${scenario} (azure, ${stack}) ===`);
      const report = await runAzureDrill(scenario, env);
      const files = writeReport(reportDir, report);
      appendStepSummary(io.env, toMarkdown(report), (l) => io.err(l));
      notifier.send({ title: `DR drill ${scenario} on ${stack}: ${report.green ? "green" : "RED"}`, text: summaryLines(report).join("\n"), tone: report.green ? "success" : "failure" });
      io.err(`report: ${path.relative(process.cwd(), files.markdown)}, .json and .html`);
      reports.push(report);
    }
  } finally {
    process.removeListener("SIGINT", onSignal);
    await notifier.flush();
  }
  io.out("Drill summary:");
  for (const r of reports) for (const line of summaryLines(r)) io.out(line);
  if (controller.signal.aborted) return { code: EXIT.interrupted, reports };
  return { code: reports.every((r) => r.green) ? EXIT.ok : EXIT.failed, reports };
}

export function registerDrill(program: Command, io: CliIO): void {
  program
    .command("drill")
    .description("rehearse a DR scenario for real (incident, recovery, checks) and write a report to dr-reports/")
    .option("--platform <platform>", "local: PostgreSQL, Azurite and an app on this machine (default unless --stack is given)")
    .option("--stack <stack>", "drill on an Azure stack (test or preproduction; never production)")
    .option("--scenario <name>", `${SCENARIOS.join(" | ")} | all`)
    .option("--size <size>", "local dataset: small | medium | large | a number of rows | a size on disk up to 1g (500m, 1g)", "small")
    .option("--reports <dir>", "where reports go (default dr-reports/ in the project)")
    .option("--work-dir <dir>", "parent of the local work folder (default .drill-work/ in the project)")
    .option("--way <way>", "data-loss: how the drill brings data back: whole (default) | tables | undelete (local only: the surgical variant, where the incident deletes a third of one table and changes another while the app keeps writing)")
    .option("--yes", "Azure: confirm the incident without a prompt")
    .option("--slack-webhook <url>", "Slack incoming webhook (or AYTQ_DR_SLACK_WEBHOOK); never printed")
    .option("--teams-webhook <url>", "Microsoft Teams webhook (or AYTQ_DR_TEAMS_WEBHOOK); never printed")
    .action(async function (this: Command, f: DrillFlags) {
      const { code } = await drillAction(f, io);
      setExitCode(this, code);
    });
}
