/** `aytq-dr plan`: print the stack's declared resources offline (thin: the logic is in recovery/plan). */
import { Command } from "commander";
import { checkStackName } from "../../config/stackfile";
import { runPlan } from "../../plan/plan";
import { act, type RegisterCommand } from "../command";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const registerPlan: RegisterCommand = (program: Command, io) => {
  program
    .command("plan")
    .description("show the resources the program declares for a stack (offline, under mocks: no Pulumi CLI, no credentials)")
    .option("--stack <stack>", "test | preproduction | production")
    .option("--set <key=value>", "override a config key (dotted path under aytq:), repeatable", collect, [])
    .option("--json", "print JSON", false)
    .option("--diff-from-stack-config", "print what the --set overrides change compared with the stack file alone", false)
    .action(
      act(io, async ({ io }, opts: { stack?: string; set: string[]; json: boolean; diffFromStackConfig: boolean }) => {
        const stack = checkStackName(opts.stack);
        const result = await runPlan({ stack, sets: opts.set, diffFromStackConfig: opts.diffFromStackConfig });
        io.out(opts.json ? JSON.stringify(result.document, null, 2) : result.text);
      }),
    );
};
