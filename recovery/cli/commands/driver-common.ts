/**
 * What the recovery commands share: the common flags, the state folder, opening the stack, and
 * reaching Azure, each as this command line reaches them (a test's fakes in its CliIO, or the real ones).
 */
import { Option, type Command } from "commander";
import type { Settings } from "../../../infra/config";
import { stateDirFrom } from "../../config/state-dir";
import { recoveryContext } from "../../platforms/azure/recovery-context";
import { AutomationStackPort } from "../../stack/automation";
import type { StackPort } from "../../stack/port";
import type { CliIO } from "../io";

export interface CommonFlags {
  stack?: string;
  confirmProduction?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

/** The state folder (config/state-dir.ts), made if missing and checked usable before a command writes anything. */
export function stateDir(io: CliIO): string {
  return stateDirFrom(io.env);
}

export function addStackFlag(c: Command): Command {
  return c.option("--stack <stack>", "test | preproduction | production");
}

/** The flags of a converging command; a preview's (`applies` false) has no --dry-run and needs no confirmation. */
export function addCommonFlags(c: Command, applies = true): Command {
  addStackFlag(c);
  const confirmations = [
    new Option("--confirm-production", "required to change production (on a terminal you also type the stack name)"),
    new Option("--yes", "do not ask for confirmation (needed when there is no terminal)"),
  ];
  // a preview still takes them, so a command line that passes them keeps working, but its help does not offer them
  for (const o of confirmations) c.addOption(applies ? o : o.hideHelp());
  if (applies) c.option("--dry-run", "stop after the preview; config is put back");
  return c;
}

/** Opens the stack through the Automation API. Tests of the CLI point AYTQ_DR_PULUMI_ROOT at a fake pulumi. */
export type PortFactory = (stack: string, signal?: AbortSignal) => Promise<StackPort>;
/** `onProgress` receives a line per engine step of refresh, preview and up as it happens (and one a minute while a step runs). */
export const openPort = (stack: string, signal?: AbortSignal, onProgress?: (line: string) => void): Promise<StackPort> => AutomationStackPort.open(stack, { signal, onProgress });

/** The stack opener of this command line: the CliIO's (a test's fake) or the Automation API. */
export function portFor(io: CliIO): PortFactory {
  return io.openStack ? (stack, signal) => (io.openStack as PortFactory)(stack, signal) : (stack, signal) => openPort(stack, signal, (line) => io.err(line));
}

/** Azure and the app's credentials for a stack, as this command line reaches them (a test's fakes, or the real ones). */
export function recoveryFor(io: CliIO, settings: Settings): ReturnType<typeof recoveryContext> {
  return recoveryContext(settings, {
    env: io.env,
    openAzure: io.openAzure ? (sub) => (io.openAzure as NonNullable<CliIO["openAzure"]>)(sub) : undefined,
    readSecret: io.readSecret ? (ns, name, key) => (io.readSecret as NonNullable<CliIO["readSecret"]>)(ns, name, key) : undefined,
    readyPoll: io.readyPoll,
  });
}
