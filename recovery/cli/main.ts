/**
 * The aytq-dr command line: parses arguments and prints results. Decisions live below it.
 * Every command module registers itself in commands/index.ts.
 */
import { Command, CommanderError } from "commander";
import { EXIT } from "../errors";
import { CliIO, processIO } from "./io";
import { withClippedEchoes } from "./echo";
import { refuseRepeatedFlags } from "./flags";
import { COMMANDS } from "./commands";
import { exitCodeOf, reportFailure } from "./command";

export function buildProgram(io: CliIO): Command {
  const program = new Command("aytq-dr")
    .description("Disaster recovery for AYTQ and CTR: every runbook step as a safe, resumable, measured command.")
    // commander's own errors (unknown flag, missing value) then end in a fix line like ours
    .showHelpAfterError("  fix: correct the command line; aytq-dr help <command> lists what each command takes")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  for (const register of COMMANDS) register(program, io);
  refuseRepeatedFlags(program);
  program.commands.forEach(function override(c: Command) {
    c.exitOverride();
    c.commands.forEach(override);
  });
  return program;
}

/** Run the command line; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], cliIO: CliIO = processIO()): Promise<number> {
  // every echo of an argument is cut to 200 characters, whoever prints it
  const io = withClippedEchoes(cliIO, argv);
  const program = buildProgram(io);
  let exitCode: number = EXIT.ok;
  program.hook("postAction", (_this, action) => {
    const code = exitCodeOf(action);
    if (code !== undefined) exitCode = code;
  });
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are not failures; commander has already printed its message
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // a flag's own check (a number, a repeated flag) fails while commander parses, before any action (act reports the actions' own)
    return reportFailure(io, err);
  }
}
