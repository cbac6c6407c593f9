/**
 * What a run's folder holds, checked: `run.json` (RunMeta) and the lines of `journal.jsonl`
 * (StepRecord), by schema. A file that is not what aytq-dr writes (damaged, hand-edited, from an
 * older version) is refused with exit 2 and what to do, never a stack trace. A torn LAST line of
 * the journal is a crash mid-write and is tolerated (that step runs again); a damaged line before
 * the last is not.
 */
import { z } from "zod";
import { isIsoUtc } from "../../infra/config";
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";
import { RESTORE_WAYS } from "../data/types";
import { DECISION_STEP } from "./decision";
import { SCENARIOS, type ScenarioInputs, type ScenarioName, type StepRecord } from "./run-model";

export interface RunMeta {
  runId: string;
  scenario: ScenarioName;
  stack: string;
  platform: string;
  createdAt: string;
  inputs: ScenarioInputs;
}

const isoUtc = z.string().refine(isIsoUtc, { error: "must be an ISO 8601 time in UTC" });
const text = z.string().max(100_000);

const RunMetaSchema = z.strictObject({
  runId: z.string().max(200),
  scenario: z.enum(SCENARIOS, { error: `must be one of ${SCENARIOS.join(", ")}` }),
  stack: z.string().max(200),
  platform: z.string().max(200),
  createdAt: isoUtc,
  inputs: z.strictObject({ restorePointUTC: isoUtc.optional(), deletedAtUTC: isoUtc.optional(), copyName: z.string().min(1).max(200).optional() }),
}) satisfies z.ZodType<RunMeta>;

/** The decision's way: whole names no tables; a surgical way names the tables (compare's names, each once) it was planned for. */
const DecisionSchema = z
  .strictObject({
    way: z.enum(RESTORE_WAYS, { error: `must be one of ${RESTORE_WAYS.join(", ")}` }),
    tables: z.array(z.string().min(1).max(1000)).max(100_000).optional(),
  })
  .superRefine((d, ctx) => {
    if (d.way === "whole" && d.tables !== undefined) ctx.addIssue({ code: "custom", path: ["tables"], message: "whole replaces every table and names none" });
    if (d.way !== "whole" && d.tables === undefined) ctx.addIssue({ code: "custom", path: ["tables"], message: `${d.way} must name the tables it was planned for` });
    if (d.tables && new Set(d.tables).size !== d.tables.length) ctx.addIssue({ code: "custom", path: ["tables"], message: "names a table twice" });
  });

const StepRecordSchema = z
  .strictObject({
    step: z.string().min(1).max(200),
    status: z.enum(["done", "unchanged", "not-applicable", "failed", "interrupted"]),
    startedAt: isoUtc,
    endedAt: isoUtc.optional(),
    summary: text.optional(),
    error: text.optional(),
    inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    decision: DecisionSchema.optional(),
  })
  // a decision belongs to the step that asks it, once it has been answered
  .refine((r) => r.decision === undefined || (r.step === DECISION_STEP && r.status === "done"), { path: ["decision"], error: `only a done ${DECISION_STEP} step records a decision` }) satisfies z.ZodType<StepRecord>;

/** `inputs.copyName: must be a string` for the first few issues. */
function issues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((i) => `${i.path.length ? clipInput(i.path.join("."), 60) : "(the whole record)"}: ${i.code === "unrecognized_keys" ? `unknown field(s) ${i.keys.map((k) => clipInput(k, 40)).join(", ")}` : i.message}`);
  return shown.join("; ") + (error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : "");
}

/** Parse a run.json's text. `where` names the file; `fix` is the fix line. */
export function parseRunMeta(content: string, where: string, fix: string): RunMeta {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    throw new UsageError(`${where} is not JSON (damaged, or cut off): the run cannot be resumed; nothing was changed`, fix);
  }
  const parsed = RunMetaSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`${where} is not a run.json aytq-dr can resume (${issues(parsed.error)}); nothing was changed`, fix);
  return parsed.data;
}

export interface ParsedJournal {
  records: StepRecord[];
  /** 1 when the last line was cut off by a crash mid-write (that step runs again), else 0. */
  tornLines: number;
}

/** Parse a journal.jsonl's text: every line a StepRecord, except a torn last line. */
export function parseJournal(content: string, where: string, fix: string): ParsedJournal {
  const lines = content.split("\n");
  const records: StepRecord[] = [];
  let tornLines = 0;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (!line.trim()) continue;
    const last = lines.slice(n + 1).every((l) => !l.trim());
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      // a crash mid-write leaves a last line without its newline; anything else is damage
      if (last && !content.endsWith("\n")) {
        tornLines++;
        continue;
      }
      throw new UsageError(`${where} line ${n + 1} is not JSON, and it is not a last line cut off by a crash: the journal is damaged; nothing was changed`, fix);
    }
    const parsed = StepRecordSchema.safeParse(json);
    if (!parsed.success) throw new UsageError(`${where} line ${n + 1} is not a step record (${issues(parsed.error)}); nothing was changed`, fix);
    records.push(parsed.data);
  }
  return { records, tornLines };
}
