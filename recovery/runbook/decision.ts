/**
 * data-loss's decision as a choice of way (issue 18): the answers it takes, how `--restore-copy`
 * and `--tables` are read, how a person's table names match compare's, how a terminal is asked,
 * and the decision a run journalled. The command only hands its flags here; the runbook asks and
 * records, so a resume does what was chosen without asking again.
 */
import { RESTORE_WAYS, type RestoreWay } from "../data/types";
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";
import type { DataTools, RestoreDecision, TableComparison } from "./ports";
import type { StepRecord } from "./run-model";

/** The step that asks; its record keeps the answer. */
export const DECISION_STEP = "compare";

/** Every answer the decision takes: a way, or `no` (stop at the comparison). */
const DATA_CHOICES = [...RESTORE_WAYS, "no"] as const;
export type DataChoice = (typeof DATA_CHOICES)[number];

/** What each way loses, for every message that asks for a way: nobody picks one without reading it. */
export const WAYS_HINT =
  `"whole" replaces all of live with the copy: everything written since the restore point is lost, in every table; ` +
  `"tables" replaces only the damaged tables (and those foreign keys force in): what was written to them since is lost, every other table keeps everything; ` +
  `"undelete" only puts back the rows live no longer has: nothing is lost, rows changed since stay as live has them; ` +
  `"no" stops at the comparison and changes nothing`;

/** The surgical ways are offered only when the data tools can plan and carry them out. */
export function surgicalOffered(data: Pick<DataTools, "planSurgical" | "restoreSurgical">): boolean {
  return typeof data.planSurgical === "function" && typeof data.restoreSurgical === "function";
}

/**
 * `--restore-copy`'s value. `yes` is refused: it meant "the whole copy" when that was the only way,
 * and a way that loses every table's recent writes must be named, never implied.
 */
export function parseRestoreCopy(value: string): DataChoice {
  if ((DATA_CHOICES as readonly string[]).includes(value)) return value as DataChoice;
  const ways = "--restore-copy whole|tables|undelete|no";
  if (value === "yes") throw new UsageError("--restore-copy yes no longer answers the data decision: name the way the copy's data comes back; nothing was changed", `${ways}: ${WAYS_HINT}`);
  throw new UsageError(`--restore-copy "${clipInput(value)}": expected whole, tables, undelete or no; nothing was changed`, `${ways}: ${WAYS_HINT}`);
}

/** `--tables a,b`: the names as given, each once; an empty name is refused. */
export function parseTablesFlag(value: string): string[] {
  const names = value.split(",").map((n) => n.trim());
  if (names.some((n) => n === "")) throw new UsageError(`--tables "${clipInput(value)}" has an empty table name; nothing was changed`, "give table names separated by commas, e.g. --tables public.users,public.orders");
  return [...new Set(names)];
}

export interface DecisionFlags {
  restoreCopy?: string;
  tables?: string;
}

export interface DecisionFlagsContext {
  /** A step still to run asks the decision (false on a resume past it). */
  asks: boolean;
  /** A person can be asked (a terminal with a prompt). */
  atTerminal: boolean;
  /** What the run journalled, on a resume past the decision (for the message). */
  decided?: RestoreDecision;
}

/**
 * The decision flags, checked before anything runs: `--restore-copy` and `--tables` on a resume
 * past the decision are refused (the run keeps its way), and `--tables` only goes with the
 * `tables` way (given by flag, or chosen at a terminal).
 */
export function readDecisionFlags(f: DecisionFlags, o: DecisionFlagsContext): { choice?: DataChoice; tables?: string[] } {
  if (!o.asks) {
    const flag = f.restoreCopy !== undefined ? "--restore-copy" : f.tables !== undefined ? "--tables" : undefined;
    if (flag) {
      const way = o.decided ? `"${o.decided.way}"${o.decided.tables?.length ? ` (${o.decided.tables.join(", ")})` : ""}` : "already";
      throw new UsageError(`${flag} does not apply here: this run has decided ${way} at its compare step and a resume keeps that way; nothing was changed`, `leave out ${flag}`);
    }
    return {};
  }
  const choice = f.restoreCopy === undefined ? undefined : parseRestoreCopy(f.restoreCopy);
  const tables = f.tables === undefined ? undefined : parseTablesFlag(f.tables);
  if (tables && choice !== undefined && choice !== "tables") {
    throw new UsageError(`--tables does not apply with --restore-copy ${choice}: it names the tables the "tables" way replaces; nothing was changed`, "leave out --tables, or use --restore-copy tables");
  }
  if (tables && choice === undefined && !o.atTerminal) {
    throw new UsageError("--tables does not apply here: without a terminal only --restore-copy tables takes it; nothing was changed", "add --restore-copy tables, or leave out --tables");
  }
  return { ...(choice === undefined ? {} : { choice }), ...(tables ? { tables } : {}) };
}

/**
 * Ask on a terminal for one of `choices` until the answer is one of them; an empty answer is `no`
 * (the input ending, Ctrl-D, is the prompt's own refusal, as for every question).
 */
export async function askForChoice(prompt: (question: string) => Promise<string>, question: string, choices: readonly string[], say: (line: string) => void): Promise<string> {
  const list = choices.join(", ");
  for (;;) {
    const typed = (await prompt(`${question} [${choices.join("/")}; empty = no] `)).trim().toLowerCase();
    if (typed === "" && choices.includes("no")) return "no";
    if (choices.includes(typed)) return typed;
    say(`"${clipInput(typed)}" is not one of ${list}. ${WAYS_HINT}.`);
  }
}

/**
 * The decision a run journalled: the last completed compare record's, `whole` when that record
 * has none (journalled before the ways existed), undefined when compare has not completed.
 */
export function recordedDecision(records: readonly StepRecord[]): RestoreDecision | undefined {
  const compare = [...records].reverse().find((r) => r.step === DECISION_STEP && (r.status === "done" || r.status === "unchanged"));
  if (!compare) return undefined;
  return compare.decision ?? { way: "whole" };
}

/** The way a run's copy-into-live will take, when known before it starts: journalled, or given by `--restore-copy`. */
export function knownWay(records: readonly StepRecord[], restoreCopy: string | undefined): RestoreWay | undefined {
  const choice = restoreCopy === undefined ? undefined : parseRestoreCopy(restoreCopy);
  return recordedDecision(records)?.way ?? (choice === "no" ? undefined : choice);
}

/** `public.users` -> `users`; `"My.Schema"."Users"` -> `"Users"` (the last name outside quotes). */
export function bareName(qualified: string): string {
  let quoted = false;
  let cut = -1;
  for (let i = 0; i < qualified.length; i++) {
    if (qualified[i] === '"') quoted = !quoted;
    else if (qualified[i] === "." && !quoted) cut = i;
  }
  return qualified.slice(cut + 1);
}

const unquote = (name: string): string => (name.startsWith('"') && name.endsWith('"') && name.length > 1 ? name.slice(1, -1).replace(/""/g, '"') : name);

/**
 * `--tables` names as compare's qualified names: a qualified name as compare prints it, or a bare
 * name that only one compared table has. Every unknown or ambiguous name is named at once, before
 * anything is written.
 */
export function resolveTables(requested: readonly string[], compared: readonly TableComparison[]): string[] {
  const names = compared.map((t) => t.table);
  const out: string[] = [];
  const problems: string[] = [];
  for (const r of requested) {
    if (names.includes(r)) {
      out.push(r);
      continue;
    }
    const matches = names.filter((n) => bareName(n) === r || unquote(bareName(n)) === r);
    if (matches.length === 1) out.push(matches[0]);
    else if (matches.length === 0) problems.push(`"${clipInput(r, 60)}" is not a table compare found`);
    else problems.push(`"${clipInput(r, 60)}" is ambiguous (${matches.join(", ")})`);
  }
  if (problems.length) {
    const known = names.length > 12 ? `${names.slice(0, 12).join(", ")}, ...` : names.join(", ") || "none";
    throw new UsageError(`--tables: ${problems.join("; ")}; tables compared: ${known}; nothing was written to live`, "resume the run with --tables naming tables as compare prints them, e.g. --tables public.users");
  }
  return [...new Set(out)];
}
