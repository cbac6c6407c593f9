/** `aytq-dr run`'s action: connects the stack, Azure, the data tools, the journal's keeper and the notifications to the runbook, which decides. */
import { checkStackName, loadStackSettings } from "../../config/stackfile";
import { createDataTools } from "../../runbook/data-tools";
import { RefusedError } from "../../errors";
import { checkGuards, confirm } from "../../ops/guard";
import { AzurePlatform, AzurePlatformOptions, backupStorage } from "../../platforms/azure/platform";
import { Notifier, webhooksFrom } from "../../notify/webhooks";
import { Journal } from "../../runbook/journal";
import { pendingSteps } from "../../runbook/resume";
import type { DataTools, Platform } from "../../runbook/ports";
import type { RunEvent } from "../../runbook/run-model";
import { knownWay, parseTablesFlag, recordedDecision } from "../../runbook/decision";
import { decider } from "../../runbook/decider";
import { runScenario } from "../../runbook/runner";
import { RunKeeper } from "../../runbook/run-keeper";
import { checkRunReady } from "../../runbook/readiness";
import { newRunInputs, type RunInputFlags } from "../../runbook/scenario-inputs";
import { checkAdoptRunConfig, openResume, resumeCommand } from "../../runbook/resume-check";
import { checkAppCredentials, checkAzureReachable, checkWindowOnStack, runExitCode, scenarioNeedsAzure } from "../../runbook/run-checks";
import { SCENARIO_STEPS } from "../../runbook/scenarios";
import { toolVersion } from "../../data/pgtools";
import { githubRunReporter } from "../../ci/run-report";
import type { CliIO } from "../io";
import { interruptibleFor, type ActionContext } from "../command";
import { openPort, PortFactory, recoveryFor, stateDir } from "./driver-common";
import { printOutcome, progressPrinter } from "./run-progress";

export interface RunFlags extends RunInputFlags {
  yes?: boolean;
  resume?: string;
  confirmProduction?: boolean;
  adoptRunConfig?: boolean;
  slackWebhook?: string;
  teamsWebhook?: string;
}

/** What the first stop signal prints during a run. */
export const RUN_STOPPING = "interrupted: finishing the journal (press Ctrl-C again to leave at once)";

/** What the run action needs from outside; tests give fakes. */
export interface RunDeps {
  /** @default the Automation API (openPort) */
  openPort?: PortFactory;
  /** @default AzurePlatform (its connect() opens a Kubernetes tunnel) */
  platform?: (options: AzurePlatformOptions) => Platform;
  /** @default createDataTools */
  data?: DataTools;
  /** For the notifier. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** One webhook call's limit. @default WEBHOOK_TIMEOUT_MS */
  webhookTimeoutMs?: number;
  /** The command's stop-signal listener (cli/command.ts act). @default one printing RUN_STOPPING */
  interruptible?: ActionContext["interruptible"];
}

/** `aytq-dr run`: resolves to the exit code. Everything that can be refused is refused before the first step. */
export async function runAction(scenarioArg: string | undefined, flags: RunFlags, io: CliIO, deps: RunDeps = {}): Promise<number> {
  const stack = checkStackName(flags.stack);
  // the stack file must describe this stack before anything trusts its name
  const settings = loadStackSettings(stack);
  const dir = stateDir(io);
  checkAdoptRunConfig(flags);
  // the run's journal and config are also kept beside the backups: a resume from another checkout finds them there
  const keeper = new RunKeeper({ store: deps.data ? deps.data.runs : (io.runStore ?? createDataTools().runs), storage: backupStorage(settings), stack, stateDir: dir, log: (l) => io.err(l) });
  if (flags.resume) await keeper.fetchIfMissing(flags.resume);
  const resumed = flags.resume ? openResume(dir, stack, flags.resume, scenarioArg, flags, new Date()) : undefined;
  const { scenario, inputs } = resumed ? { scenario: resumed.scenario, inputs: {} } : newRunInputs(scenarioArg, flags, stack, new Date(), (t) => io.err(t));
  const pending = resumed ? pendingSteps(scenario, resumed.records) : SCENARIO_STEPS[scenario];
  const decide = decider(scenario, flags, io, pending, resumed ? recordedDecision(resumed.records) : undefined);
  // a webhook that is not a URL is refused now, before anything runs (a failed delivery later only warns)
  const webhooks = webhooksFrom(flags, io.env);
  await checkGuards({ stack, confirmProduction: Boolean(flags.confirmProduction), yes: Boolean(flags.yes), dryRun: false, isTTY: io.isTTY, prompt: io.prompt });
  if (io.isTTY && io.prompt && !flags.yes && !(await confirm(`Run ${scenario} on ${stack} now?`, { yes: false, isTTY: io.isTTY, prompt: io.prompt }))) {
    throw new RefusedError("not started: nothing was changed");
  }
  const progress = progressPrinter(io, SCENARIO_STEPS[scenario]);
  // a webhook that fails is logged by the notifier and never fails the run
  const notifier = new Notifier({ ...webhooks, log: (l) => io.err(l), label: "recovery", fetch: deps.fetch, timeoutMs: deps.webhookTimeoutMs });
  // inside GitHub Actions: the job summary, the run's outputs and report, the stack config a later workflow run resumes with
  const github = githubRunReporter(io.env, { stateDir: dir, stack, resumeCommand: (id) => resumeCommand(id, stack), log: (l) => io.err(l) });
  if (notifier.enabled.length) io.err(`notifications: ${notifier.enabled.join(" and ")}`);
  try {
    return await (deps.interruptible ?? interruptibleFor(io, RUN_STOPPING))(async (signal) => {
      // the engine's steps as they happen, under the step that runs them
      const port = await (deps.openPort ?? ((st: string, s?: AbortSignal) => openPort(st, s, (line) => io.err(`    ${line}`))))(stack, signal);
      keeper.port = port;
      // a checkout that lost what the run left (git checkout ., another machine) says so before any step
      if (resumed) {
        for (const k of await keeper.checkCheckout(port, resumed.meta.runId, Boolean(flags.adoptRunConfig), resumeCommand(resumed.meta.runId, stack))) {
          io.err(`took ${k.key} from the run: ${JSON.stringify(k.from)} -> ${JSON.stringify(k.to)}`);
        }
      }
      await checkWindowOnStack(port, { stack, scenario, inputs, resumed }, new Date(), (t) => io.err(t));
      const recovery = scenarioNeedsAzure(scenario) ? await recoveryFor(io, settings) : undefined;
      if (!deps.platform) checkAzureReachable(scenario, recovery !== undefined);
      await checkAppCredentials(scenario, recovery);
      const options: AzurePlatformOptions = { port, settings, log: (t) => io.err(`  ${t}`), recovery, signal, env: io.env };
      const platform = deps.platform ? deps.platform(options) : new AzurePlatform(options);
      const data = deps.data ?? createDataTools({ signal });
      // every credential and tool the steps still to run will use, tried before the first one changes anything
      const ready = await checkRunReady(pending, { env: io.env, settings, port, platform, data, recovery, toolVersion, way: knownWay(resumed?.records ?? [], flags.restoreCopy) });
      io.err(`ready: ${ready.join("; ")}`);
      const tables = flags.tables === undefined ? {} : { tables: parseTablesFlag(flags.tables) };
      const onEvent = (e: RunEvent): void => {
        progress(e);
        notifier.onEvent(e);
        github?.(e);
        keeper.onEvent(e);
      };
      const outcome = await runScenario({ scenario, platform, data, inputs, stateDir: dir, resumeRunId: flags.resume, decide, ...tables, signal, onEvent });
      printOutcome(io, outcome, new Journal(dir, stack, outcome.runId).file, stack);
      return runExitCode(outcome, signal.aborted);
    });
  } finally {
    await keeper.flush();
    await notifier.flush();
  }
}
