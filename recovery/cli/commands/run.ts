/**
 * `run <scenario>` and `run --resume <run-id>`: a whole runbook scenario as journalled steps on
 * Azure (run-action.ts). Everything that can be refused (times, production guard, decisions without
 * a terminal) is refused before the first step. Ctrl-C records the running step as interrupted; exit 130.
 */
import type { Command } from "commander";
import { SCENARIOS } from "../../runbook/run-model";
import type { CliIO } from "../io";
import { act } from "../command";
import { addStackFlag } from "./driver-common";
import { RUN_STOPPING, runAction, type RunFlags } from "./run-action";

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
    .action(act(io, ({ io: cli, interruptible }, scenario: string | undefined, flags: RunFlags) => runAction(scenario, flags, cli, { interruptible }), RUN_STOPPING));
}
