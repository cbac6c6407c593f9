/**
 * What the driver reads from a stack's outputs before it changes anything: the PTR copies and the
 * live server's earliest restore point. A read that fails is an error naming what could not be
 * read (nothing has been changed yet, so stopping is safe); only a stack that has never been
 * deployed (no outputs at all) falls back, and every fallback says so. An output or config value
 * of the wrong shape (a damaged stack) is a UsageError (exit 2) naming it, before anything changes.
 */
import { z } from "zod";
import type { PtrCopy } from "../../infra/config";
import { DEFAULT_BACKUP_RETENTION_DAYS, toIsoUtc } from "../../infra/config";
import { DrError, InterruptedError, ToolError, UsageError } from "../errors";
import type { StackPort } from "../stack/port";
import { clipInput } from "../util/clip";

/** The stack's outputs, or a ToolError naming the output that was wanted and why. */
async function readOutputs(port: StackPort, wanted: string): Promise<Record<string, unknown>> {
  let outputs: unknown;
  try {
    outputs = await port.outputs();
  } catch (err) {
    if (err instanceof InterruptedError) throw err;
    const cause = err instanceof DrError || err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new ToolError(
      `could not read the outputs of stack "${port.stackName}" (${wanted}), so nothing was changed: ${cause}`,
      `check that \`pulumi stack output --stack ${port.stackName}\` works here (pulumi login to the stack's backend, network), then run this again`,
    );
  }
  return checkStatusOutputs(port.stackName, outputs);
}

/** A PTR copy as the program exports it and the config lists it; other fields are kept, not read. */
const COPY = z.looseObject({ name: z.string().min(1), restorePointUTC: z.string(), createdAtUTC: z.string().optional() });
const COPIES = z.array(COPY).nullish();

/** The first problem zod found, as `item 0: name: expected string` (one line). */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.map((k) => (typeof k === "number" ? `item ${k}` : String(k))).join(": ")}: ` : "";
  return `${where}${issue?.message ?? "not the expected shape"}`;
}

/** The ptrCopies stack output as a list of copies, or a UsageError saying what is wrong with it. Undefined or null: none. */
function ptrCopiesOutput(stackName: string, value: unknown): PtrCopy[] {
  const parsed = COPIES.safeParse(value);
  if (parsed.success) return (parsed.data ?? []) as PtrCopy[];
  throw new UsageError(
    `the output ptrCopies of stack "${stackName}" is not a list of copies ({ name, restorePointUTC }): ${clipInput(firstIssue(parsed.error))} (it is ${clipInput(JSON.stringify(value) ?? String(value))}), so the existing copies are unknown; nothing was changed`,
    `run \`pulumi up --stack ${stackName}\` (or any converging aytq-dr command) so that the outputs are written again`,
  );
}

/** The outputs `status` prints, checked: a damaged ptrCopies is a UsageError, never a crash half-way through the lines. */
export function checkStatusOutputs(stackName: string, outputs: unknown): Record<string, unknown> {
  if (outputs === null || typeof outputs !== "object" || Array.isArray(outputs)) {
    throw new UsageError(`the outputs of stack "${stackName}" are not a map of names to values (${clipInput(JSON.stringify(outputs) ?? String(outputs))}); nothing was changed`, `run \`pulumi stack output --stack ${stackName} --json\` to see them, and \`pulumi up --stack ${stackName}\` to write them again`);
  }
  const o = outputs as Record<string, unknown>;
  ptrCopiesOutput(stackName, o.ptrCopies);
  return o;
}

/** Copies known from config and outputs, config first. A stack never deployed has only its config. */
export async function existingCopies(port: StackPort): Promise<PtrCopy[]> {
  const configured = await port.getConfig("recovery.ptrCopies");
  const fromConfigParsed = COPIES.safeParse(configured);
  if (!fromConfigParsed.success) {
    throw new UsageError(
      `the stack config aytq:recovery.ptrCopies of stack "${port.stackName}" is not a list of copies ({ name, restorePointUTC }): ${clipInput(firstIssue(fromConfigParsed.error))}; nothing was changed`,
      `correct it (\`pulumi config get --path aytq:recovery.ptrCopies --stack ${port.stackName}\` shows it; each entry needs a name and a restorePointUTC), then run this again`,
    );
  }
  const fromConfig = (fromConfigParsed.data ?? []) as PtrCopy[];
  const outputs = await readOutputs(port, "ptrCopies: the point-in-time copies that exist");
  const fromOutputs = ptrCopiesOutput(port.stackName, outputs.ptrCopies);
  const byName = new Map<string, PtrCopy>();
  for (const c of [...fromOutputs, ...fromConfig]) byName.set(c.name, { name: c.name, restorePointUTC: c.restorePointUTC, ...(c.createdAtUTC ? { createdAtUTC: c.createdAtUTC } : {}) });
  return [...byName.values()];
}

/** Where a PTR window starts. */
export interface RestoreWindowStart {
  /** The live server's earliest restore point; undefined when it is not known and the retention window applies. */
  earliestRestore?: Date;
  /** Where the window comes from, in words, for the log. */
  source: string;
}

/**
 * The live server's earliest restore point, from the stack output `earliestRestoreDate` (Azure's
 * `backup.earliestRestoreDate`). Falls back to the retention window, saying why, only when the
 * stack has never been deployed (no outputs), when Azure has not reported the date yet (the
 * program exports null until it does), or when the stack was deployed before the program
 * exported it. A failed read, or a value that is not a time, is an error.
 */
export async function readEarliestRestore(port: StackPort): Promise<RestoreWindowStart> {
  const outputs = await readOutputs(port, "earliestRestoreDate: the server's earliest restore point, which bounds --at");
  const retention = `the last ${DEFAULT_BACKUP_RETENTION_DAYS} days (backup retention)`;
  if (Object.keys(outputs).length === 0) {
    return { source: `${retention}: stack "${port.stackName}" has never been deployed (it has no outputs), so the server's earliest restore date is unknown` };
  }
  const value = outputs.earliestRestoreDate;
  if (value === null) return { source: `${retention}: Azure has not reported the server's earliest restore date yet (the stack's earliestRestoreDate output is null)` };
  if (value === undefined) return { source: `${retention}: the stack has no earliestRestoreDate output yet (deployed before the program exported it)` };
  const date = typeof value === "string" && value !== "" ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new UsageError(
      `the output earliestRestoreDate of stack "${port.stackName}" is not a time (${clipInput(JSON.stringify(value))}), so the restore window is unknown; nothing was changed`,
      `run \`pulumi refresh --stack ${port.stackName}\` and \`pulumi up\` so that the output is read from Azure again`,
    );
  }
  return { earliestRestore: date, source: `from ${toIsoUtc(date)} (the server's earliest restore date)` };
}
