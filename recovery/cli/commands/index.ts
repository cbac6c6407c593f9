/** Every command of aytq-dr, in the order `--help` lists them. Each module adds one command (or a group). */
import type { RegisterCommand } from "../command";
import { registerPlan } from "./plan";
import { registerSwitches } from "./switches";
import { registerRestoreOps } from "./restore-ops";
import { registerPreview } from "./preview";
import { registerStatus } from "./status";
import { registerRun } from "./run";
import { registerBackup } from "./backup";
import { registerRestore } from "./restore";
import { registerBackups } from "./backups";
import { registerCompare, registerValidate } from "./compare";
import { registerRestoreCopy } from "./restore-copy";
import { registerDrill } from "./drill";
import { registerPreflight } from "./preflight";
import { registerCi } from "./ci";

export const COMMANDS: RegisterCommand[] = [
  // offline view of the program (issue 2)
  registerPlan,
  // converging operations and scenarios (issue 3)
  registerSwitches,
  registerRestoreOps,
  registerPreview,
  registerStatus,
  registerRun,
  // data tools (issue 4): backup, restore, backups, compare, validate
  registerBackup,
  registerRestore,
  registerBackups,
  registerCompare,
  registerValidate,
  // data-loss's decision as one command (issue 18)
  registerRestoreCopy,
  // rehearsal (issue 5)
  registerDrill,
  registerPreflight,
  // what the GitHub Actions workflows call (issue 10)
  registerCi,
];
