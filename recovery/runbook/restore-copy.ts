/**
 * `aytq-dr restore-copy`: data-loss's compare, decision and copy-into-live as one command, for an
 * operator who works step by step (a PTR copy made with `ptr`, the app stopped by hand). The same
 * comparison, the same ways with the same plans and wording as `run data-loss`'s decision, the
 * same tools; a safety backup of live first (unless refused), then one transaction on live.
 */
import { RefusedError, ToolError } from "../errors";
import { comparePlanned, decisionText } from "./bring-back";
import { refusedPlan, surgicalSummary } from "./restore-ways";
import type { DatabaseConnection, DataTools, RestoreWay, StorageLocation } from "./ports";
import { compactUtc } from "../util/utc";

export interface RestoreCopyRequest {
  data: DataTools;
  live: DatabaseConnection;
  copy: DatabaseConnection;
  /** The copy's name as the operator gave it (the question names it). */
  copyName: string;
  storage: StorageLocation;
  /** --tables: the tables the surgical ways take. @default those where live lost or changed rows */
  tables?: readonly string[];
  /** Answers the question: a terminal prompt, or the --way flag (which still shows what it answers). */
  choose: (question: string, context: string, choices: readonly string[]) => Promise<string>;
  /** Back up live first. @default true */
  safetyBackup?: boolean;
  /** Names the safety and copy backups. */
  now: () => Date;
  log: (line: string) => void;
}

export interface RestoreCopyOutcome {
  way: RestoreWay;
  summary: string;
  safetyBackup?: string;
}

/** The safety backup of live before the copy's data comes back: names the copy and the moment. */
const restoreCopySafetyName = (copyName: string, now: Date): string => `safety_before_restore_copy_${copyName}_${compactUtc(now)}.sql.gz`;
/** `whole` keeps the copy's dump as a backup, as data-loss's step does. */
const restoreCopyBackupName = (copyName: string, now: Date): string => `restore_copy_${copyName}_${compactUtc(now)}.sql.gz`;

/** Compare, ask, back live up, bring the data back by the way chosen. `no` (or a refused plan) changes nothing. */
export async function restoreCopy(req: RestoreCopyRequest): Promise<RestoreCopyOutcome> {
  const planned = await comparePlanned(req.data, req.live, req.copy, req.tables);
  const asked = decisionText(req.copyName, planned);
  const choice = await req.choose(asked.question, asked.context, asked.choices);
  if (!asked.choices.includes(choice)) throw new ToolError(`the answer "${choice}" is not one of ${asked.choices.join(", ")}`, "report this: the answer should have been checked before");
  if (choice === "no") throw new RefusedError(`declined: the copy ${req.copyName} was not restored into ${req.live.label}; nothing was changed`, "look at the comparison above; run it again with the way you choose");
  const way = choice as RestoreWay;
  const plan = way === "whole" ? undefined : planned.plans[way];
  if (plan?.refused.length) throw refusedPlan(plan);
  const now = req.now();
  let safetyBackup: string | undefined;
  if (req.safetyBackup ?? true) {
    safetyBackup = restoreCopySafetyName(req.copyName, now);
    req.log(`safety backup of ${req.live.label} to ${safetyBackup}`);
    await req.data.backup(req.live, req.storage, { name: safetyBackup });
  }
  try {
    if (way === "whole") return { way, safetyBackup, summary: await whole(req, now) };
    req.log(`bringing ${req.copyName}'s rows back by "${way}" (${[...plan!.chosen, ...plan!.forced.map((f) => f.table)].join(", ")})`);
    const result = await req.data.restoreSurgical!(req.copy, req.live, plan!);
    return { way, safetyBackup, summary: surgicalSummary(req.copyName, result) };
  } catch (err) {
    if (safetyBackup && err instanceof Error) err.message += `; the safety backup ${safetyBackup} holds ${req.live.label} as it was before`;
    throw err;
  }
}

async function whole(req: RestoreCopyRequest, now: Date): Promise<string> {
  const name = restoreCopyBackupName(req.copyName, now);
  req.log(`copying ${req.copy.label} into ${req.live.label} (whole), kept as backup ${name}`);
  if (req.data.copyInto) {
    const r = await req.data.copyInto(req.copy, req.storage, { name }, req.live);
    return `copied ${req.copyName} into ${req.live.label} in one pass, kept as backup ${r.name} (${r.bytes} bytes)`;
  }
  await req.data.backup(req.copy, req.storage, { name });
  const r = await req.data.restore(req.storage, name, req.live);
  return `restored ${r.name} (${r.bytes} bytes) into ${req.live.label}`;
}
