/**
 * What the driver reads from a stack's outputs before it changes anything: the PTR copies and the
 * live server's earliest restore point. A read that fails is an error naming what could not be
 * read (nothing has been changed yet, so stopping is safe); only a stack that has never been
 * deployed (no outputs at all) falls back, and every fallback says so.
 */
import type { PtrCopy } from "../../infra/config";
import { DEFAULT_BACKUP_RETENTION_DAYS } from "../../infra/config";
import { DrError, InterruptedError, ToolError } from "../errors";
import type { StackPort } from "../stack/port";
import { clipInput } from "../util/clip";

/** The stack's outputs, or a ToolError naming the output that was wanted and why. */
async function readOutputs(port: StackPort, wanted: string): Promise<Record<string, unknown>> {
  try {
    return await port.outputs();
  } catch (err) {
    if (err instanceof InterruptedError) throw err;
    const cause = err instanceof DrError || err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new ToolError(
      `could not read the outputs of stack "${port.stackName}" (${wanted}), so nothing was changed: ${cause}`,
      `check that \`pulumi stack output --stack ${port.stackName}\` works here (pulumi login to the stack's backend, network), then run this again`,
    );
  }
}

/** Copies known from config and outputs, config first. A stack never deployed has only its config. */
export async function existingCopies(port: StackPort): Promise<PtrCopy[]> {
  const fromConfig = ((await port.getConfig("recovery.ptrCopies")) as PtrCopy[] | undefined) ?? [];
  const outputs = await readOutputs(port, "ptrCopies: the point-in-time copies that exist");
  const listed = outputs.ptrCopies;
  if (listed !== undefined && listed !== null && !Array.isArray(listed)) {
    throw new ToolError(
      `the output ptrCopies of stack "${port.stackName}" is not a list (${clipInput(JSON.stringify(listed))}), so the existing copies are unknown; nothing was changed`,
      `run \`pulumi up --stack ${port.stackName}\` (or any converging aytq-dr command) so that the outputs are written again`,
    );
  }
  const fromOutputs = (listed ?? []) as PtrCopy[];
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
    throw new ToolError(
      `the output earliestRestoreDate of stack "${port.stackName}" is not a time (${clipInput(JSON.stringify(value))}), so the restore window is unknown; nothing was changed`,
      `run \`pulumi refresh --stack ${port.stackName}\` and \`pulumi up\` so that the output is read from Azure again`,
    );
  }
  return { earliestRestore: date, source: `from ${date.toISOString().replace(/\.000Z$/, "Z")} (the server's earliest restore date)` };
}
