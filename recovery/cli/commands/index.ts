/** Every command of aytq-dr. Each module adds one command (or a group) to the program. */
import type { Command } from "commander";
import type { CliIO } from "../io";

export type RegisterCommand = (program: Command, io: CliIO) => void;

export const COMMANDS: RegisterCommand[] = [];
COMMANDS.push(require("./plan").registerPlan as RegisterCommand); // eslint-disable-line @typescript-eslint/no-require-imports -- one line, so concurrent command registrations do not conflict
COMMANDS.push(require("./switches").registerSwitches as RegisterCommand); // eslint-disable-line @typescript-eslint/no-require-imports -- recovery driver (issue 3)
COMMANDS.push(require("./restore-ops").registerRestoreOps as RegisterCommand); // eslint-disable-line @typescript-eslint/no-require-imports -- recovery driver (issue 3)
COMMANDS.push(require("./preview").registerPreview as RegisterCommand); // eslint-disable-line @typescript-eslint/no-require-imports -- recovery driver (issue 3)
COMMANDS.push(require("./status").registerStatus as RegisterCommand); // eslint-disable-line @typescript-eslint/no-require-imports -- recovery driver (issue 3)
COMMANDS.push(require("./run").registerRun as RegisterCommand); // eslint-disable-line @typescript-eslint/no-require-imports -- recovery driver (issue 3)
COMMANDS.push(...(require("./data").DATA_COMMANDS as RegisterCommand[])); // eslint-disable-line @typescript-eslint/no-require-imports -- data tools (issue 4): backup, restore, backups, compare, validate
COMMANDS.push(require("./drill").registerDrill as RegisterCommand); // eslint-disable-line @typescript-eslint/no-require-imports -- drills (issue 5)
COMMANDS.push(require("./preflight").registerPreflight as RegisterCommand); // eslint-disable-line @typescript-eslint/no-require-imports -- pre-flight (issue 5)
