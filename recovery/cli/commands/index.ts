/** Every command of aytq-dr. Each module adds one command (or a group) to the program. */
import type { Command } from "commander";
import type { CliIO } from "../io";

export type RegisterCommand = (program: Command, io: CliIO) => void;

export const COMMANDS: RegisterCommand[] = [];
COMMANDS.push(require("./plan").registerPlan as RegisterCommand); // eslint-disable-line @typescript-eslint/no-require-imports -- one line, so concurrent command registrations do not conflict
