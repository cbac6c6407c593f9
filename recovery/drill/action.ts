/**
 * `drill`, below the command line: for a request (request.ts) make ready the platform (local: this
 * machine's pre-flight; Azure: no production, the incident confirmed, the stack opened), then for
 * each scenario open its site, run the one driver (driver.ts), write the report (Markdown, JSON,
 * HTML), add it to the job summary and notify. The command prints the summary.
 */
import * as path from "node:path";
import type { Settings } from "../../infra/config";
import { appendStepSummary } from "../ci/actions";
import { loadStackSettings } from "../config/stackfile";
import { EXIT, ToolError } from "../errors";
import { Notifier } from "../notify/webhooks";
import { AzurePlatform } from "../platforms/azure/platform";
import type { recoveryContext } from "../platforms/azure/recovery-context";
import { preflightFailed, preflightTable } from "../preflight/checks";
import { localPreflight } from "../preflight/probes";
import { createDataTools } from "../runbook/data-tools";
import type { ScenarioName } from "../runbook/run-model";
import { AutomationStackPort } from "../stack/automation";
import { confirmAzureDrill, liveServerId } from "./azure/confirm";
import { ArmAzureIncidents } from "./azure/incidents";
import { azureSite } from "./azure/site";
import { runDrill } from "./driver";
import type { DrillSite } from "./incidents";
import { openLocalSite } from "./local/site";
import { summaryLines, toMarkdown, type DrillReport } from "./report";
import type { DrillRequest } from "./request";
import { writeReport } from "./write-report";

interface DrillDeps {
  /** Progress, for stderr. */
  log: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: the running step stops, the site is torn down, no further scenario starts. */
  signal: AbortSignal;
  /** The journals' folder, checked usable when first asked. */
  stateDir: () => string;
  /** Azure: ask a person to confirm the incident; undefined when there is no terminal. */
  confirm?: (question: string) => Promise<boolean>;
  /** Azure: ARM and the app's credentials, for revive and rebuild. */
  recovery: (settings: Settings) => ReturnType<typeof recoveryContext>;
}

export interface DrillsOutcome {
  code: number;
  reports: DrillReport[];
  seconds: number;
}

/** A platform made ready: a site per scenario, and how headings and notifications name it. */
interface Ready {
  open(scenario: ScenarioName): Promise<DrillSite>;
  heading(scenario: ScenarioName): string;
  title(scenario: ScenarioName): string;
}

async function readyLocal(req: Extract<DrillRequest, { platform: "local" }>, deps: DrillDeps): Promise<Ready> {
  const checks = await localPreflight(req.workDir);
  if (preflightFailed(checks)) {
    deps.log(preflightTable(checks));
    throw new ToolError("this machine cannot run the local drill (pre-flight failed)", "fix the failed checks above; aytq-dr preflight --platform local shows them again");
  }
  return {
    open: (scenario) => openLocalSite({ scenario, rows: req.rows, workRoot: req.workDir, log: deps.log }),
    heading: (scenario) => `local, ${req.rows} rows${scenario === "data-loss" && req.way ? `, by ${req.way}` : ""}`,
    title: (scenario) => `DR drill ${scenario}`,
  };
}

/** Production refused, subscription known, every incident confirmed, all before the stack is opened. */
async function readyAzure(req: Extract<DrillRequest, { platform: "azure" }>, deps: DrillDeps): Promise<Ready> {
  const { stack } = req;
  if (stack === "production") await confirmAzureDrill({ stack, scenario: req.scenarios[0], yes: false });
  const settings = loadStackSettings(stack);
  const serverId = liveServerId(settings, deps.env);
  for (const scenario of req.scenarios) {
    await confirmAzureDrill({ stack, scenario, yes: req.yes, confirm: deps.confirm, lockedServer: settings.locks.enabled ? settings.database.serverName : undefined });
  }
  const port = await AutomationStackPort.open(stack, { signal: deps.signal, onProgress: (line) => deps.log(`    ${line}`) });
  const site = azureSite({
    platform: new AzurePlatform({ port, settings, log: (t) => deps.log(`  ${t}`), recovery: await deps.recovery(settings), env: deps.env }),
    port,
    data: createDataTools({ signal: deps.signal }),
    incidents: new ArmAzureIncidents({ serverId, log: deps.log }),
    log: deps.log,
  });
  return { open: async () => site, heading: () => `azure, ${stack}`, title: (scenario) => `DR drill ${scenario} on ${stack}` };
}

export async function drill(req: DrillRequest, deps: DrillDeps): Promise<DrillsOutcome> {
  const notifier = new Notifier({ ...req.webhooks, log: deps.log, label: "drill" });
  const reports: DrillReport[] = [];
  let started = Date.now();
  try {
    const ready = req.platform === "local" ? await readyLocal(req, deps) : await readyAzure(req, deps);
    started = Date.now();
    for (const scenario of req.scenarios) {
      if (deps.signal.aborted) break;
      deps.log(`=== drill ${scenario} (${ready.heading(scenario)}) ===`);
      const stateDir = deps.stateDir();
      const report = await runDrill(scenario, await ready.open(scenario), { stateDir, log: deps.log, onEvent: notifier.onEvent, signal: deps.signal, ...(scenario === "data-loss" && req.way ? { way: req.way } : {}) });
      const files = writeReport(req.reportDir, report);
      appendStepSummary(deps.env, toMarkdown(report), deps.log);
      notifier.send({ title: `${ready.title(scenario)}: ${report.green ? "green" : "RED"}`, text: summaryLines(report).join("\n"), tone: report.green ? "success" : "failure" });
      deps.log(`report: ${path.relative(process.cwd(), files.markdown)}, .json and .html`);
      reports.push(report);
    }
  } finally {
    await notifier.flush();
  }
  const code = deps.signal.aborted ? EXIT.interrupted : reports.every((r) => r.green) ? EXIT.ok : EXIT.failed;
  return { code, reports, seconds: (Date.now() - started) / 1000 };
}
