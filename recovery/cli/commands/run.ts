/**
 * `run <scenario>` and `run --resume <run-id>`: a whole runbook scenario as journalled steps on
 * Azure. Everything that can be refused (times, production guard, decisions without a terminal)
 * is refused before the first step. Ctrl-C records the running step as interrupted; exit 130.
 */
import type { Command } from "commander";
import { checkStackName, loadStackSettings } from "../../config/stackfile";
import { createDataTools } from "../../runbook/data-tools";
import { EXIT, RefusedError, UsageError } from "../../errors";
import { checkGuards, confirm } from "../../ops/guard";
import { AzurePlatform, AzurePlatformOptions, backupStorage } from "../../platforms/azure/platform";
import { Notifier, webhooksFrom } from "../../notify/webhooks";
import { readStackConfig } from "../../config/stackfile";
import { checkOperationConfig } from "../../ops/model-check";
import { checkPtrWindowOnStack } from "../../ops/ptr-copy";
import { Journal, RunMeta } from "../../runbook/journal";
import { openRunForResume } from "../../runbook/open-run";
import { checkResumedTimes, checkResumeOnStack, pendingSteps } from "../../runbook/resume";
import { DataTools, Platform, RestoreDecision } from "../../runbook/ports";
import { DecideFn, RunEvent, SCENARIOS, ScenarioInputs, ScenarioName, StepRecord } from "../../runbook/run-model";
import { askForChoice, knownWay, parseTablesFlag, readDecisionFlags, recordedDecision, WAYS_HINT } from "../../runbook/decision";
import { runScenario } from "../../runbook/runner";
import { RunKeeper } from "../../runbook/run-keeper";
import { checkRunReady } from "../../runbook/readiness";
import { toolVersion } from "../../data/pgtools";
import { githubRunReporter } from "../../ci/run-report";
import { DECISION_STEPS, SCENARIO_STEPS } from "../../runbook/scenarios";
import { checkPtrTime, checkReviveTimes, echoTime, parseOperatorTime } from "../../time";
import type { CliIO } from "../io";
import { setExitCode } from "../command";
import { clipInput } from "../../util/clip";
import { listenForInterrupt } from "../interrupt";
import { addStackFlag, openPort, PortFactory, recoveryFor, stateDir } from "./driver-common";

export interface RunFlags {
  stack?: string;
  at?: string;
  deletedAt?: string;
  timezone?: string;
  name?: string;
  yes?: boolean;
  restoreCopy?: string;
  tables?: string;
  resume?: string;
  confirmProduction?: boolean;
  adoptRunConfig?: boolean;
  slackWebhook?: string;
  teamsWebhook?: string;
}

/** The command that resumes a run; production needs its confirmation again. */
export function resumeCommand(runId: string, stack: string): string {
  return `aytq-dr run --resume ${runId} --stack ${stack}${stack === "production" ? " --confirm-production" : ""}`;
}

function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** Times checked and converted before anything runs. */
function scenarioInputs(scenario: ScenarioName, f: RunFlags, now: Date, log: (t: string) => void): ScenarioInputs {
  if (scenario === "server-lost-rebuild") {
    if (f.at || f.deletedAt) throw new UsageError("server-lost-rebuild takes no --at or --deleted-at: it restores the latest backup", "leave out --at and --deleted-at");
    return {};
  }
  if (!f.at) throw new UsageError(`${scenario} needs --at <time>`, "e.g. --at 2024-07-24T06:00:00Z (UTC), or a local time with --timezone Europe/London");
  const at = parseOperatorTime(f.at, "--at", f.timezone);
  if (scenario === "server-lost-revive") {
    const deleted = f.deletedAt ? parseOperatorTime(f.deletedAt, "--deleted-at", f.timezone) : undefined;
    checkReviveTimes(at.date, deleted?.date, now, f.stack);
    log(`restore point: ${echoTime(at.date)}`);
    if (deleted) log(`deleted at:    ${echoTime(deleted.date)}`);
    return { restorePointUTC: at.utc, ...(deleted ? { deletedAtUTC: deleted.utc } : {}) };
  }
  if (f.deletedAt) throw new UsageError("--deleted-at is only for server-lost-revive", `leave out --deleted-at for ${scenario}`);
  // the window needs the server's earliest restore date: checked once the stack is open, before the first step
  checkPtrTime(at.date, { now, windowLater: true });
  log(`restore point: ${echoTime(at.date)}`);
  return { restorePointUTC: at.utc, ...(f.name ? { copyName: f.name } : {}) };
}

/**
 * Flags a scenario does not use are refused, never ignored: an operator who typed `--restore-copy
 * yes` for a revive believes it meant something. Checked before anything else is read.
 */
function checkScenarioFlags(scenario: ScenarioName, f: RunFlags): void {
  const hasDecision = SCENARIO_STEPS[scenario].some((s) => DECISION_STEPS.includes(s));
  const unused: [boolean, string, string][] = [
    [f.restoreCopy !== undefined && !hasDecision, "--restore-copy", `${scenario} asks no question about data`],
    [f.tables !== undefined && !hasDecision, "--tables", `${scenario} asks no question about data`],
    [f.name !== undefined && scenario !== "data-loss", "--name", `${scenario} makes no point-in-time copy`],
    [f.timezone !== undefined && !f.at && !f.deletedAt, "--timezone", "it only says how to read --at and --deleted-at, and neither is given"],
  ];
  for (const [given, flag, why] of unused) {
    if (given) throw new UsageError(`${flag} does not apply here: ${why}; nothing was changed`, `leave out ${flag}`);
  }
}

/**
 * How the data decision is answered: its own flag (--restore-copy whole|tables|undelete|no, with
 * --tables for tables), or a person at a terminal who has just been shown the comparison and what
 * each way loses. --yes confirms changes (starting the run), never a decision about data; without
 * a terminal and without the flag, the run is refused before anything is done. The flags are
 * checked in runbook/decision.ts.
 */
export function decider(scenario: ScenarioName, f: RunFlags, io: CliIO, steps: readonly string[] = SCENARIO_STEPS[scenario], decided?: RestoreDecision): DecideFn {
  // a resumed run past its decision asks nothing, and refuses the decision's flags
  const asks = steps.some((s) => DECISION_STEPS.includes(s));
  const { choice } = readDecisionFlags(f, { asks, atTerminal: Boolean(io.isTTY && io.prompt), decided });
  if (choice !== undefined) {
    const fn: DecideFn = async (question, context) => {
      io.err(`${context}\n${question} ${choice} (--restore-copy)`);
      return choice;
    };
    fn.answersBy = "flag";
    return fn;
  }
  if (asks && !(io.isTTY && io.prompt)) {
    throw new RefusedError(
      `${scenario} asks how to bring the copy's data back into live, and there is no terminal to ask on (--yes starts the run but never answers a question about data); nothing was changed`,
      `add --restore-copy no to stop at the comparison and look, or --restore-copy whole|tables|undelete once you know the way: ${WAYS_HINT}`,
    );
  }
  const fn: DecideFn = async (question, context, choices) => {
    // the comparison and what each way loses first, then the question: nobody answers without having seen them
    io.err(context);
    return io.prompt ? askForChoice(io.prompt, question, choices, (line) => io.err(line)) : "no";
  };
  fn.answersBy = "prompt";
  return fn;
}

export function progressPrinter(io: CliIO, steps: readonly string[], clock: () => number = Date.now): (e: RunEvent) => void {
  const runStart = clock();
  let stepStart = runStart;
  return (e) => {
    switch (e.type) {
      case "run-start":
        io.err(`run ${e.runId}: ${e.scenario} on ${e.stack} (resume with: ${resumeCommand(e.runId, e.stack)})`);
        break;
      case "step-start":
        stepStart = clock();
        io.err(`[${e.step}] starting: step ${steps.indexOf(e.step) + 1} of ${steps.length} (${seconds(stepStart - runStart)} elapsed)`);
        break;
      case "step-end":
        io.err(`[${e.record.step}] ${e.record.status} in ${seconds(clock() - stepStart)} (total ${seconds(clock() - runStart)})${e.record.summary ? `: ${e.record.summary}` : ""}${e.record.error ? `\n  ${e.record.error}` : ""}`);
        break;
      case "decision":
        io.err(`decision: ${e.question} -> ${e.answer} (${e.by})`);
        break;
      case "run-end":
        io.err(`run ${e.runId}: ${e.outcome} after ${seconds(clock() - runStart)}`);
        break;
    }
  };
}

export function registerRun(program: Command, io: CliIO): void {
  addStackFlag(program.command("run").description(`run a whole scenario (${SCENARIOS.join(", ")}) as journalled, resumable steps`))
    .argument("[scenario]", SCENARIOS.join(" | "))
    .option("--at <time>", "restore point (server-lost-revive, data-loss)")
    .option("--deleted-at <time>", "when the server was deleted (server-lost-revive)")
    .option("--timezone <zone>", "IANA zone a time without Z/offset is read in, e.g. Europe/London")
    .option("--name <name>", "name of the PTR copy (data-loss); default unique per run")
    .option("--yes", "start without asking (required without a terminal); never answers the data decision")
    .option("--restore-copy <way>", "whole | tables | undelete | no: how the copy's data comes back into live (data-loss only; required without a terminal); whole loses everything written since the restore point")
    .option("--tables <a,b>", "with --restore-copy tables (or tables chosen at a terminal): the tables to replace; default those where live lost or changed rows since the restore point")
    .option("--resume <run-id>", "continue a run after its last completed step")
    .option("--confirm-production", "required to run on production")
    .option("--adopt-run-config", "with --resume: write the recovery keys the run left (app.stopped, maintenance, freeze, recovery.*) into this checkout's stack file")
    .option("--slack-webhook <url>", "Slack incoming webhook for start, decisions, failures and the end (or AYTQ_DR_SLACK_WEBHOOK); never printed")
    .option("--teams-webhook <url>", "Microsoft Teams webhook, the same messages (or AYTQ_DR_TEAMS_WEBHOOK); never printed")
    .action(async (scenarioArg: string | undefined, flags: RunFlags, command: Command) => {
      setExitCode(command, await runAction(scenarioArg, flags, io));
    });
}

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
}

/** `aytq-dr run`: resolves to the exit code. Everything that can be refused is refused before the first step. */
export async function runAction(scenarioArg: string | undefined, flags: RunFlags, io: CliIO, deps: RunDeps = {}): Promise<number> {
  const stack = checkStackName(flags.stack);
  // the stack file must describe this stack before anything trusts its name
  const settings = loadStackSettings(stack);
  let scenario: ScenarioName;
  let inputs: ScenarioInputs = {};
  const dir = stateDir(io);
  let resumed: { meta: RunMeta; records: StepRecord[] } | undefined;
  if (flags.adoptRunConfig && !flags.resume) throw new UsageError("--adopt-run-config takes a run's config into this checkout, and there is no --resume <run-id>", "leave out --adopt-run-config");
  // the run's journal and config are also kept beside the backups: a resume from another checkout finds them there
  const keeper = new RunKeeper({ store: deps.data ? deps.data.runs : (io.runStore ?? createDataTools().runs), storage: backupStorage(settings), stack, stateDir: dir, log: (l) => io.err(l) });
  if (flags.resume) {
    await keeper.fetchIfMissing(flags.resume);
    // refused here, before anything runs: a journal with a gap, of another stack, damaged, or through a link
    const opened = openRunForResume(dir, stack, flags.resume);
    const meta = opened.meta;
    if (scenarioArg && scenarioArg !== meta.scenario) throw new UsageError(`run ${meta.runId} is ${meta.scenario}, not ${clipInput(scenarioArg)}`, `resume it as it started: ${resumeCommand(meta.runId, stack)}`);
    if (flags.at || flags.deletedAt || flags.name) throw new UsageError("--resume continues with the run's own inputs; leave out --at, --deleted-at and --name", `resume it as it started: ${resumeCommand(meta.runId, stack)}`);
    scenario = meta.scenario;
    checkScenarioFlags(scenario, flags);
    resumed = { meta, records: opened.records };
    // revive's window needs no stack: checked before anything else
    checkResumedTimes(meta, resumed.records, "revive", new Date(), stack);
  } else {
    if (!scenarioArg) throw new UsageError("run needs a scenario or --resume <run-id>", `scenarios: ${SCENARIOS.join(", ")}`);
    if (!(SCENARIOS as readonly string[]).includes(scenarioArg)) throw new UsageError(`unknown scenario "${clipInput(scenarioArg)}"`, `use one of: ${SCENARIOS.join(", ")}`);
    scenario = scenarioArg as ScenarioName;
    checkScenarioFlags(scenario, flags);
    inputs = scenarioInputs(scenario, flags, new Date(), (t) => io.err(t));
    // a copy name the config model refuses is refused now, before the first step (never at the ptr step)
    if (inputs.copyName !== undefined && inputs.restorePointUTC !== undefined) {
      checkOperationConfig({ kind: "ptr", copy: { name: inputs.copyName, restorePointUTC: inputs.restorePointUTC }, existing: [] }, readStackConfig(stack));
    }
  }
  const decided = resumed ? recordedDecision(resumed.records) : undefined;
  const decide = decider(scenario, flags, io, resumed ? pendingSteps(scenario, resumed.records) : SCENARIO_STEPS[scenario], decided);
  // a webhook that is not a URL is refused now, before anything runs (a failed delivery later only warns)
  const webhooks = webhooksFrom(flags, io.env);
  await checkGuards({ stack, confirmProduction: Boolean(flags.confirmProduction), yes: Boolean(flags.yes), dryRun: false, isTTY: io.isTTY, prompt: io.prompt });
  if (io.isTTY && io.prompt && !flags.yes && !(await confirm(`Run ${scenario} on ${stack} now?`, { yes: false, isTTY: io.isTTY, prompt: io.prompt }))) {
    throw new RefusedError("not started: nothing was changed");
  }
  const controller = listenForInterrupt(io, "interrupted: finishing the journal (press Ctrl-C again to leave at once)");
  const progress = progressPrinter(io, SCENARIO_STEPS[scenario]);
  // a webhook that fails is logged by the notifier and never fails the run
  const notifier = new Notifier({ ...webhooks, log: (l) => io.err(l), label: "recovery", fetch: deps.fetch, timeoutMs: deps.webhookTimeoutMs });
  // inside GitHub Actions: the job summary, the run's outputs and report, the stack config a later workflow run resumes with
  const github = githubRunReporter(io.env, { stateDir: dir, stack, resumeCommand: (id) => resumeCommand(id, stack), log: (l) => io.err(l) });
  if (notifier.enabled.length) io.err(`notifications: ${notifier.enabled.join(" and ")}`);
  try {
    // the engine's steps as they happen, under the step that runs them
    const port = await (deps.openPort ?? ((st: string, signal?: AbortSignal) => openPort(st, signal, (line) => io.err(`    ${line}`))))(stack, controller.signal);
    keeper.port = port;
    // a checkout that lost what the run left (git checkout ., another machine) says so before any step
    if (resumed) {
      for (const k of await keeper.checkCheckout(port, resumed.meta.runId, Boolean(flags.adoptRunConfig), resumeCommand(resumed.meta.runId, stack))) {
        io.err(`took ${k.key} from the run: ${JSON.stringify(k.from)} -> ${JSON.stringify(k.to)}`);
      }
    }
    if (scenario === "data-loss" && !flags.resume && inputs.restorePointUTC) await checkPtrWindowOnStack(port, new Date(inputs.restorePointUTC), new Date(), (t) => io.err(t));
    // the ptr step has not run (and its copy does not exist): the restore point may have left the window since the run started
    const stillInside = resumed ? await checkResumeOnStack(resumed.meta, resumed.records, port, new Date(), stack) : undefined;
    if (stillInside) io.err(stillInside);
    const recovery = scenario === "data-loss" ? undefined : await recoveryFor(io, settings);
    if (scenario !== "data-loss" && recovery === undefined && !deps.platform) {
      throw new UsageError(
        `${scenario} asks Azure about the live server before and after it converges, and the stack's subscription is unknown; nothing was changed`,
        "set aytq:subscriptionId in the stack file, or export AZURE_SUBSCRIPTION_ID=<subscription GUID>",
      );
    }
    // the rebuild creates the server with the app's own credentials: make sure they can be read before the app is stopped
    if (scenario === "server-lost-rebuild" && recovery?.appCredentials) await recovery.appCredentials();
    const options: AzurePlatformOptions = { port, settings, log: (t) => io.err(`  ${t}`), recovery, signal: controller.signal, env: io.env };
    const platform = deps.platform ? deps.platform(options) : new AzurePlatform(options);
    const data = deps.data ?? createDataTools({ signal: controller.signal });
    // every credential and tool the steps still to run will use, tried before the first one changes anything
    const pending = resumed ? pendingSteps(scenario, resumed.records) : SCENARIO_STEPS[scenario];
    const way = knownWay(resumed?.records ?? [], flags.restoreCopy);
    const ready = await checkRunReady(pending, { env: io.env, settings, port, platform, data, recovery, toolVersion, way });
    io.err(`ready: ${ready.join("; ")}`);
    const outcome = await runScenario({
      scenario,
      platform,
      data,
      inputs,
      stateDir: dir,
      resumeRunId: flags.resume,
      decide,
      ...(flags.tables === undefined ? {} : { tables: parseTablesFlag(flags.tables) }),
      signal: controller.signal,
      onEvent: (e) => {
        progress(e);
        notifier.onEvent(e);
        github?.(e);
        keeper.onEvent(e);
      },
    });
    io.out(`run ${outcome.runId}: ${outcome.outcome}`);
    const last = outcome.steps[outcome.steps.length - 1];
    if (outcome.outcome !== "completed") {
      io.out(`stopped at ${last?.step ?? "the start"}: ${last?.error ?? "interrupted"}`);
      io.out(`journal: ${new Journal(dir, stack, outcome.runId).file}`);
      io.out(`resume with: ${resumeCommand(outcome.runId, stack)}`);
    }
    // The stopping error's own code first (a locked stack is 5, not a generic failure).
    const code =
      outcome.outcome === "completed"
        ? EXIT.ok
        : last?.status === "interrupted" || controller.signal.aborted
          ? EXIT.interrupted
          : (outcome.exitCode ?? (outcome.outcome === "stopped" ? EXIT.refused : EXIT.failed));
    return code;
  } finally {
    controller.dispose();
    await keeper.flush();
    await notifier.flush();
  }
}
