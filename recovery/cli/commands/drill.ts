/**
 * `drill`: rehearse a scenario for real and write a report. `--platform local` (what `npm run drill`
 * runs) sets up PostgreSQL, Azurite and an app on this machine; `--stack test` is the Azure drill.
 * Ctrl-C (or SIGHUP, SIGTERM) stops the running step and tears everything down (exit 130; a second
 * one leaves at once), as every command stops (cli/command.ts). The drill itself is
 * recovery/drill (action.ts, driver.ts); this reads the flags, calls it and prints the summary.
 */
import type { Command } from "commander";
import { drill, type DrillsOutcome } from "../../drill/action";
import { summaryLines } from "../../drill/report";
import { drillRequest, type DrillFlags } from "../../drill/request";
import { SCENARIOS } from "../../runbook/run-model";
import { act, interruptibleFor } from "../command";
import type { CliIO } from "../io";
import { recoveryFor, stateDir } from "./driver-common";

/** Ctrl-C: what each platform says as it stops. */
const INTERRUPTED = {
  local: "interrupted: stopping the running step and tearing everything down...",
  azure: "interrupted: stopping the running step (the journal says where to resume)",
};

/** The drill for these flags, under the one stop-signal handling (interrupt.ts) with its platform's message. */
export async function drillAction(f: DrillFlags, io: CliIO): Promise<DrillsOutcome> {
  const request = drillRequest(f, io.env);
  const outcome = await interruptibleFor(io, INTERRUPTED[request.platform])((signal) =>
    drill(request, {
      log: (l) => io.err(l),
      env: io.env,
      signal,
      stateDir: () => stateDir(io),
      confirm: io.isTTY && io.prompt ? async (q: string) => (await io.prompt!(q)).trim() === "yes" : undefined,
      recovery: (settings) => recoveryFor(io, settings),
    }),
  );
  io.out("Drill summary:");
  for (const r of outcome.reports) for (const line of summaryLines(r)) io.out(line);
  io.out(`total ${outcome.seconds.toFixed(0)} s`);
  return outcome;
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
    .action(act(io, async (ctx, f: DrillFlags) => (await drillAction(f, ctx.io)).code));
}
