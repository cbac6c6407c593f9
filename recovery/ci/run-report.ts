/**
 * `aytq-dr run` inside GitHub Actions: as the run goes, each step's end is added to the job
 * summary, the stack's recovery config is snapshotted into the run's folder (so another workflow
 * run can resume it, see runbook/stack-config.ts), and at the end the run's report is written beside its
 * journal. Step outputs name the run, its folder and its artifacts as soon as it starts, so the
 * workflow uploads them even when the run fails or is cancelled. A listener only: it never
 * changes what the run does, and a file it cannot write is a warning.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { StackName } from "../../infra/config";
import { PROJECT_ROOT } from "../config/stackfile";
import { Journal, type RunMeta } from "../runbook/journal";
import type { RunEvent, RunOutcome, StepRecord } from "../runbook/run-model";
import { ganttBlock } from "../runbook/mermaid";
import { appendStepSummary, cell, duration, setStepOutputs, STEP_OUTPUT_ENV, STEP_SUMMARY_ENV, type Log } from "./actions";
import { journalArtifactName, reportArtifactName } from "./journal-artifact";
import { saveStackConfigSnapshot, snapshotStackConfig } from "../runbook/stack-config";

/** The report's file name in the run's folder. */
export const RUN_REPORT_FILE = "report.md";

export interface RunReporterOptions {
  stateDir: string;
  stack: StackName;
  /** The terminal command that resumes a run (the workflow's way is said too). */
  resumeCommand: (runId: string) => string;
  /** The checkout whose Pulumi.<stack>.yaml the run changes. @default PROJECT_ROOT */
  root?: string;
  log?: Log;
  now?: () => Date;
}

const STATUS: Record<StepRecord["status"], string> = {
  done: "✅ done",
  unchanged: "✅ unchanged",
  "not-applicable": "⚪ not applicable",
  failed: "❌ failed",
  interrupted: "⏸️ interrupted",
};

function stepRow(r: StepRecord, earlier = false): string {
  const took = r.endedAt ? duration(Date.parse(r.endedAt) - Date.parse(r.startedAt)) : "";
  const what = r.error ? `**${cell(r.error)}**` : cell(r.summary ?? "");
  return `| ${r.step}${earlier ? " (earlier run)" : ""} | ${STATUS[r.status] ?? r.status} | ${took} | ${what} |`;
}

const TABLE_HEAD = "| step | status | took | what happened |\n| --- | --- | --- | --- |";

type Decision = RunOutcome["decisions"][number];
type Ending = RunOutcome["outcome"];

/** How to go on after a run that did not complete, in the workflow and from a terminal. */
function resumeHint(meta: Pick<RunMeta, "runId" | "stack" | "scenario">, terminalCommand: string): string {
  return [
    `**To resume**: run the *Recover* workflow again with environment \`${meta.stack}\`, scenario \`${meta.scenario}\` and resume \`${meta.runId}\`` +
      `${meta.stack === "production" ? " (and confirm production)" : ""}; it fetches this run's journal and stack config and continues after the last completed step.`,
    `From a terminal, in the checkout that ran it: \`${terminalCommand}\`.`,
  ].join("\n");
}

/** The run's steps (those of the workflow runs before too) as a Mermaid gantt chart, times UTC; "" when there is no step. */
function runGantt(meta: { stack: string; scenario: string }, records: readonly StepRecord[], until?: string): string {
  if (records.length === 0) return "";
  return ganttBlock({
    title: `Recovery run ${meta.scenario} on ${meta.stack}, times UTC`,
    sections: [{ name: "steps", tasks: records.map((r) => ({ name: r.step, status: r.status, startedAt: r.startedAt, endedAt: r.endedAt })) }],
    until,
  });
}

/** The whole run as Markdown: inputs, every step (also those of the workflow runs before), a gantt chart of them, decisions, outcome. */
function runReportMarkdown(meta: RunMeta, records: readonly StepRecord[], decisions: readonly Decision[], outcome: Ending, terminalResume: string): string {
  const inputs = Object.entries(meta.inputs).filter(([, v]) => v !== undefined);
  const lines = [
    `# Recovery run ${meta.runId}`,
    "",
    `**${meta.scenario}** on **${meta.stack}** (${meta.platform}), started ${meta.createdAt}: **${outcome}**`,
    "",
    ...(inputs.length ? ["Inputs: " + inputs.map(([k, v]) => `${k} \`${String(v)}\``).join(", "), ""] : []),
    TABLE_HEAD,
    ...records.map((r) => stepRow(r)),
    "",
  ];
  const chart = runGantt(meta, records, records.reduce<string | undefined>((end, r) => (r.endedAt && (!end || r.endedAt > end) ? r.endedAt : end), undefined));
  if (chart) lines.push(chart, "");
  if (decisions.length) lines.push("Decisions:", ...decisions.map((d) => `- ${d.at}: ${d.question} **${d.answer}** (${d.by === "flag" ? "workflow input / flag" : "a person"})`), "");
  if (outcome !== "completed") lines.push(resumeHint(meta, terminalResume), "");
  return lines.join("\n");
}

/** The listener for a run's events, or undefined outside GitHub Actions (nothing to write to). */
export function githubRunReporter(env: NodeJS.ProcessEnv, o: RunReporterOptions): ((e: RunEvent) => void) | undefined {
  if (!env[STEP_SUMMARY_ENV]?.trim() && !env[STEP_OUTPUT_ENV]?.trim()) return undefined;
  const root = o.root ?? PROJECT_ROOT;
  const now = o.now ?? (() => new Date());
  const decisions: Decision[] = [];
  const snapshot = (runId: string): void => {
    try {
      saveStackConfigSnapshot(new Journal(o.stateDir, o.stack, runId).dir, snapshotStackConfig(root, o.stack, now()));
    } catch (err) {
      o.log?.(`warning: could not keep the stack config beside the journal (a resume from another workflow run will lack it): ${(err as Error).message}`);
    }
  };
  return (e) => {
    switch (e.type) {
      case "run-start": {
        const journal = new Journal(o.stateDir, o.stack, e.runId);
        setStepOutputs(
          env,
          {
            "run-id": e.runId,
            "journal-dir": path.resolve(journal.dir),
            "journal-artifact": journalArtifactName(o.stack, e.runId),
            "report-artifact": reportArtifactName(o.stack, e.runId),
            "report-file": path.resolve(journal.dir, RUN_REPORT_FILE),
          },
          o.log,
        );
        const earlier = journal.records();
        appendStepSummary(
          env,
          [
            `## Recovery run \`${e.runId}\`: ${e.scenario} on ${e.stack}`,
            "",
            earlier.length ? `Resumed at ${e.at}; the rows marked *earlier run* are from the workflow runs before this one.` : `Started at ${e.at}.`,
            "",
            TABLE_HEAD,
            ...earlier.map((r) => stepRow(r, true)),
          ].join("\n"),
          o.log,
        );
        snapshot(e.runId);
        break;
      }
      case "step-end":
        appendStepSummary(env, stepRow(e.record), o.log);
        snapshot(e.runId);
        break;
      case "decision":
        decisions.push({ question: e.question, answer: e.answer, by: e.by, at: e.at });
        break;
      case "run-end": {
        snapshot(e.runId);
        const journal = new Journal(o.stateDir, o.stack, e.runId);
        let meta: RunMeta | undefined;
        try {
          meta = journal.meta();
        } catch (err) {
          o.log?.(`warning: could not read the run's metadata for its report: ${(err as Error).message}`);
        }
        const tail = ["", `**Outcome: ${e.outcome}** at ${e.at}.`];
        try {
          const chart = runGantt({ stack: o.stack, scenario: meta?.scenario ?? "recovery" }, journal.records(), e.at);
          if (chart) tail.push("", chart);
        } catch (err) {
          o.log?.(`warning: could not read the run's steps for its timeline: ${(err as Error).message}`);
        }
        if (decisions.length) tail.push("", ...decisions.map((d) => `- decision: ${d.question} **${d.answer}** (${d.by === "flag" ? "workflow input" : "a person"})`));
        if (meta && e.outcome !== "completed") tail.push("", resumeHint(meta, o.resumeCommand(e.runId)));
        appendStepSummary(env, tail.join("\n") + "\n", o.log);
        if (meta) {
          try {
            writeFileSync(path.join(journal.dir, RUN_REPORT_FILE), runReportMarkdown(meta, journal.records(), decisions, e.outcome, o.resumeCommand(e.runId)));
          } catch (err) {
            o.log?.(`warning: could not write the run's report: ${(err as Error).message}`);
          }
        }
        break;
      }
      default:
        break;
    }
  };
}
