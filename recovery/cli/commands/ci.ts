/**
 * `ci ...`: what the GitHub Actions workflows (.github/workflows) need from aytq-dr beyond the
 * recovery commands themselves, so that the YAML only calls commands: a stack's Azure and Pulumi
 * names, a run's journal across workflow runs, this month's drill, a chat message on failure.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { checkStackName, PROJECT_ROOT } from "../../config/stackfile";
import { UsageError } from "../../errors";
import { Notifier, webhooksFrom, type NotifyMessage } from "../../notify/webhooks";
import { appendStepSummary, exportToJob, setStepOutputs } from "../../ci/actions";
import { drillScenarioFor, THIS_MONTH } from "../../ci/drill-schedule";
import { checkSecretsProvider, ciEnvironmentVariables } from "../../ci/environments";
import { findJournalArtifact } from "../../ci/journal-artifact";
import { importedJournalMarkdown, importJournal } from "../../ci/journal-import";
import type { CliIO } from "../io";
import { act } from "../command";
import { stateDir } from "./driver-common";

const TONES: readonly NotifyMessage["tone"][] = ["info", "attention", "failure", "success"];

export function registerCi(program: Command, io: CliIO): void {
  const ci = program.command("ci").description("for the GitHub Actions workflows: a stack's names, journals across workflow runs, the monthly drill, notifications");

  ci.command("env")
    .description("print (and export to GITHUB_ENV) where the stack's Pulumi state, secrets and cluster are; checks the stack file's secrets provider")
    .requiredOption("--stack <stack>", "test | preproduction | production")
    .action(act(io, async ({ io }, f: { stack: string }) => {
      const stack = checkStackName(f.stack);
      const note = checkSecretsProvider(stack, readFileSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8"));
      const vars = ciEnvironmentVariables(stack);
      io.out(Object.entries(vars).map(([k, v]) => `${k}=${v}`).join("\n"));
      io.err(note);
      if (exportToJob(io.env, vars, (l) => io.err(l))) io.err("exported to the job's later steps (GITHUB_ENV)");
    }));

  ci.command("find-journal")
    .description("find the newest trusted journal artifact of a run (uploaded by recover.yml, dispatched on the default branch of this repository; GitHub's API, GITHUB_TOKEN with actions: read); sets the outputs artifact-name and workflow-run-id")
    .requiredOption("--stack <stack>", "test | preproduction | production")
    .requiredOption("--run-id <id>", "the aytq-dr run id to resume")
    .option("--repository <owner/name>", "default GITHUB_REPOSITORY")
    .action(act(io, async ({ io }, f: { stack: string; runId: string; repository?: string }) => {
      const stack = checkStackName(f.stack);
      const token = io.env.GITHUB_TOKEN?.trim();
      if (!token) throw new UsageError("GITHUB_TOKEN is not set", "give the step env GITHUB_TOKEN: ${{ github.token }} and the job permissions: actions: read");
      const found = await findJournalArtifact({ stack, runId: f.runId.trim(), repository: (f.repository ?? io.env.GITHUB_REPOSITORY ?? "").trim(), token, apiUrl: io.env.GITHUB_API_URL?.trim() || undefined, log: (l) => io.err(l) });
      io.out(`journal of run ${f.runId}: artifact ${found.artifactName} (id ${found.artifactId}) of workflow run ${found.workflowRunId}, uploaded ${found.createdAt}`);
      setStepOutputs(io.env, { "artifact-name": found.artifactName, "artifact-id": String(found.artifactId), "workflow-run-id": String(found.workflowRunId) }, (l) => io.err(l));
    }));

  ci.command("import-journal")
    .description("put a downloaded journal where run --resume finds it (AYTQ_DR_STATE_DIR), check it is that run, and put the run's stack config back")
    .requiredOption("--stack <stack>", "test | preproduction | production")
    .requiredOption("--run-id <id>", "the run id being resumed")
    .requiredOption("--from <dir>", "where the journal artifact was downloaded")
    .action(act(io, async ({ io }, f: { stack: string; runId: string; from: string }) => {
      const stack = checkStackName(f.stack);
      const imported = importJournal({ from: f.from, stateDir: stateDir(io), stack, runId: f.runId.trim(), root: PROJECT_ROOT });
      io.out(`run ${imported.meta.runId} (${imported.meta.scenario} on ${stack}) is in ${imported.dir}`);
      io.out(`done: ${imported.done.join(", ") || "nothing yet"}; next: ${imported.next ?? "nothing (it had completed)"}`);
      for (const r of imported.restored) io.out(`stack config ${r.key}: ${JSON.stringify(r.from) ?? "(absent)"} -> ${JSON.stringify(r.to) ?? "(absent)"}`);
      if (!imported.hadSnapshot) io.err("WARNING: the journal carries no stack config: the steps already done are not in this checkout's stack file, so the next preview may be refused by the gate");
      appendStepSummary(io.env, importedJournalMarkdown(imported), (l) => io.err(l));
    }));

  ci.command("drill-scenario")
    .description(`the scenario the monthly drill rehearses (the three in turn, by month), or the one chosen; sets the output scenario`)
    .option("--scenario <choice>", `${THIS_MONTH} (default) or a scenario name`)
    .action(act(io, async ({ io }, f: { scenario?: string }) => {
      const scenario = drillScenarioFor(f.scenario, new Date());
      io.out(scenario);
      setStepOutputs(io.env, { scenario }, (l) => io.err(l));
    }));

  ci.command("notify")
    .description("send one message to the Slack and Teams webhooks (AYTQ_DR_SLACK_WEBHOOK, AYTQ_DR_TEAMS_WEBHOOK); a webhook that fails is a warning")
    .requiredOption("--title <text>", "the message's title")
    .option("--text <text>", "the message's body", "")
    .option("--tone <tone>", TONES.join(" | "), "info")
    .action(act(io, async ({ io }, f: { title: string; text: string; tone: string }) => {
      if (!(TONES as readonly string[]).includes(f.tone)) throw new UsageError(`--tone "${f.tone}" is not known`, `use one of: ${TONES.join(", ")}`);
      const notifier = new Notifier({ ...webhooksFrom({}, io.env), log: (l) => io.err(l) });
      if (notifier.enabled.length === 0) {
        io.err("no webhook configured (AYTQ_DR_SLACK_WEBHOOK, AYTQ_DR_TEAMS_WEBHOOK): nothing sent");
        return;
      }
      notifier.send({ title: f.title, text: f.text, tone: f.tone as NotifyMessage["tone"] });
      await notifier.flush();
      io.out(`sent to ${notifier.enabled.join(" and ")}${notifier.failures ? ` (${notifier.failures} failed, see above)` : ""}`);
    }));
}
