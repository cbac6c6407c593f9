/**
 * What a command module and the program share, kept apart from main.ts so that the commands, which
 * main.ts registers, never import main.ts back: how a module adds its command, and the exit code of
 * a command that succeeded with a non-zero result (compare: different).
 */
import type { Command } from "commander";
import type { CliIO } from "./io";

/** Adds one command (or a group) to the program; commands/index.ts lists them in `--help` order. */
export type RegisterCommand = (program: Command, io: CliIO) => void;

type WithExitCode = Command & { aytqExitCode?: number };

/** Set the exit code of a finished command that succeeded but has a non-zero result (compare: different). */
export function setExitCode(command: Command, code: number): void {
  (command as WithExitCode).aytqExitCode = code;
}

/** The exit code a finished command set, or undefined when it set none (main.ts then exits 0). */
export function exitCodeOf(command: Command): number | undefined {
  return (command as WithExitCode).aytqExitCode;
}
