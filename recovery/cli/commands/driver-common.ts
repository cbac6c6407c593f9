/**
 * What the recovery commands share: the common flags, the order of checks (stack name, times,
 * production guard, confirmation) before anything touches the stack, opening the stack, and
 * printing the outputs that matter.
 */
import { accessSync, constants, mkdirSync, mkdtempSync, rmdirSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { UsageError } from "../../errors";
import { clipInput } from "../../util/clip";
import { Option, type Command } from "commander";
import { parseSettings, type Settings } from "../../../infra/config";
import { checkStackName, PROJECT_ROOT, readStackConfig } from "../../config/stackfile";
import { checkGuards, confirm } from "../../ops/guard";
import type { ConvergeResult } from "../../ops/converge";
import { runOperation } from "../../ops/run-operation";
import { checkOperationConfig } from "../../ops/model-check";
import { listenForInterrupt } from "../interrupt";
import type { RecoveryResult } from "../../ops/recover-server";
import { recoveryContext } from "../../platforms/azure/recovery-context";
import type { Operation } from "../../ops/operations";
import { AutomationStackPort } from "../../stack/automation";
import type { StackPort } from "../../stack/port";
import type { CliIO } from "../io";
import { envValue } from "../../util/env";

export interface CommonFlags {
  stack?: string;
  confirmProduction?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

/** Env var: folder for run journals. @default `<project>/.aytq-dr` */
const STATE_DIR_ENV = "AYTQ_DR_STATE_DIR";

/** The state folder, made if missing and checked usable (usableFolder) before a command writes anything. */
export function stateDir(io: CliIO): string {
  const given = envValue(io.env, STATE_DIR_ENV);
  return usableFolder(given ?? path.join(PROJECT_ROOT, ".aytq-dr"), given === undefined ? "the state folder" : `the state folder (${STATE_DIR_ENV})`);
}

const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);

/**
 * `dir` as a folder this process can write in, made one level at a time where missing. Never
 * `mkdirSync(..., { recursive: true })`: under /proc it loops for ever at 100 % CPU (Node 20),
 * where no signal handler can run. A file in the way, a folder that cannot be made (a pseudo file
 * system such as /proc) or one that is not writable is a UsageError (exit 2) naming it.
 */
function usableFolder(dir: string, what: string): string {
  const full = path.resolve(dir);
  const fix = `point ${STATE_DIR_ENV} at a folder you can write in (or unset it to use <project>/.aytq-dr), then run this again`;
  const shown = clipInput(full);
  const parts = full.split(path.sep).filter(Boolean);
  /** Folders made here: removed again if the folder turns out unusable (nothing changed). */
  const made: string[] = [];
  const refuse = (message: string): never => {
    for (const m of made.reverse()) rmSync(m, { recursive: true, force: true });
    throw new UsageError(message, fix);
  };
  for (let i = 1; i <= parts.length; i++) {
    const p = path.sep + parts.slice(0, i).join(path.sep);
    let isDir: boolean | undefined;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") refuse(`${what} ${shown} cannot be used: ${clipInput(p)} cannot be read (${codeOf(err)}); nothing was changed`);
    }
    if (isDir === false) refuse(`${what} ${shown} cannot be used: ${clipInput(p)} is a file, not a folder; nothing was changed`);
    if (isDir === undefined) {
      try {
        mkdirSync(p, { mode: 0o700 });
        made.push(p);
      } catch (err) {
        refuse(`${what} ${shown} cannot be made: creating ${clipInput(p)} failed (${codeOf(err)}); nothing was changed`);
      }
    }
  }
  try {
    accessSync(full, constants.W_OK | constants.X_OK);
    // a folder of a pseudo file system (/proc/self) passes access() and still takes no new folder: try one
    rmdirSync(mkdtempSync(path.join(full, ".aytq-dr-probe-")));
  } catch (err) {
    refuse(`${what} ${shown} is not writable (${codeOf(err)}); nothing was changed`);
  }
  return full;
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

/** Builds the operation once the stack is open (ptr needs the existing copies). */
type OperationBuilder = (port: StackPort, settings: Settings) => Promise<Operation>;

export interface OperationRun {
  io: CliIO;
  flags: CommonFlags;
  /** Everything checked without the stack (times) has run before this is called. */
  build: OperationBuilder;
  /** Output keys worth printing after up. */
  outputKeys: readonly string[];
  /** Printed before the stack is opened (e.g. the times echoed back). */
  notes?: readonly string[];
  /** Printed at the end, also after a dry run. */
  after?: (settings: Settings) => string[];
  forceDryRun?: boolean;
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

export async function executeOperation(r: OperationRun): Promise<ConvergeResult | RecoveryResult> {
  const { io, flags } = r;
  const stack = checkStackName(flags.stack);
  const raw = readStackConfig(stack);
  const settings = parseSettings(raw);
  const dryRun = Boolean(flags.dryRun || r.forceDryRun);
  const guard = { stack, confirmProduction: Boolean(flags.confirmProduction), yes: Boolean(flags.yes), dryRun, isTTY: io.isTTY, prompt: io.prompt };
  await checkGuards(guard);
  if (dryRun && stack === "production") io.err("production: preview only, nothing is applied and the config is put back (no --confirm-production needed)");
  for (const n of r.notes ?? []) io.err(n);
  // Ctrl-C from here on: the converge puts the config back and the command exits 130, as `run` does
  const interrupt = listenForInterrupt(io, "interrupted: stopping and putting the config back (press Ctrl-C again to leave at once, which may leave the config changed)");
  let result: ConvergeResult | RecoveryResult;
  try {
    const port = await portFor(io)(stack, interrupt.signal);
    const op = await r.build(port, settings);
    // what the operation would write is checked by the config model before anything is written
    checkOperationConfig(op, raw);
    const recovery = op.kind === "revive" || op.kind === "rebuild" || op.kind === "normal" ? await recoveryFor(io, settings) : undefined;
    result = await runOperation(op, {
      port,
      liveServerName: settings.database.serverName,
      log: (t) => io.err(t),
      dryRun,
      confirm: io.isTTY && !flags.yes ? (q) => confirm(q, guard) : undefined,
      recovery,
      signal: interrupt.signal,
    });
  } finally {
    interrupt.dispose();
  }
  if (result.status === "dry-run") io.out(`dry run: ${result.operation} passes the gate (${result.gate.changes.length} changes); nothing applied, config put back`);
  else if (result.status === "unchanged") io.out(`${result.operation}: nothing to change`);
  else io.out(`${result.operation}: applied`);
  if (result.outputs) {
    for (const k of r.outputKeys) if (k in result.outputs) io.out(`  ${k}: ${JSON.stringify(result.outputs[k])}`);
  }
  if ("warnings" in result) for (const w of result.warnings) io.out(`WARNING: ${w}`);
  for (const line of r.after?.(settings) ?? []) io.out(line);
  return result;
}
