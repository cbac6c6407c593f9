/**
 * The drill report: one JSON document (the record) and its Markdown rendering (for people), written
 * (write-report.ts) to `dr-reports/<stack>-<scenario>-<timestamp>.{md,json}`, plus a short terminal summary.
 */
import type { RestoreWay, TableComparison } from "../runbook/ports";
import type { RunOutcome, ScenarioName, StepStatus } from "../runbook/run-model";
import type { WaysCompared } from "../runbook/restore-ways";
import { redact } from "../util/redact";
import { durationSeconds } from "./measure";
import { ganttBlock, type GanttChart } from "../runbook/mermaid";
import { COMPARISON_COLUMNS, COMPARISON_HEADING, WAYS_COLUMNS, WAYS_HEADING, comparisonIntro, comparisonRows, waysIntro, waysRows } from "./comparison";

type CheckStatus = "pass" | "fail" | "n/a";

export interface DrillCheck {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface DrillStep {
  name: string;
  status: StepStatus;
  startedAt: string;
  endedAt?: string;
  durationSeconds: number | null;
  summary?: string;
  error?: string;
}

export interface DrillReport {
  scenario: ScenarioName;
  platform: "local" | "azure";
  stack: string;
  runId: string;
  outcome: RunOutcome["outcome"];
  /** Every check passed and the runbook completed. */
  green: boolean;
  startedAt: string;
  finishedAt: string;
  datasetRows: number;
  incidentAt: string;
  incident: string;
  restorePoint: string;
  /** Newest writer row back after recovery. */
  recoveredTo: string | null;
  validatedAt: string | null;
  rtoSeconds: number | null;
  rpoSeconds: number | null;
  rowsLost: number;
  writer: { rowsCommitted: number; failedInserts: number };
  steps: DrillStep[];
  checks: DrillCheck[];
  decisions: RunOutcome["decisions"];
  /** What compare found at the decision, per table (data-loss); absent when compare did not run. */
  comparison?: TableComparison[];
  /** data-loss: the way the drill brought data back. */
  way?: RestoreWay;
  /** data-loss: per differing table, rows each way loses (written since) and leaves (damage kept), side by side. */
  waysCompared?: WaysCompared[];
  notApplicable: string[];
  improvements: string[];
}

/** The DR test write-up's post-test review, plus what this drill itself showed. */
export function improvementsFor(report: Pick<DrillReport, "checks" | "steps" | "rtoSeconds" | "platform">): string[] {
  const items = [
    "Add the DfE Sign-in (DSI) temporary URL to the prerequisites checklist: sign-in fails on the temporary URL until DSI knows it (`aytq-dr preflight` checks app.dsiTemporaryUrlsRegistered).",
    "Confirm monitoring is in place and reliable: StatusCake uptime checks and the Teacher Services status page (`aytq-dr preflight` checks they are configured and answer).",
    "Incident communications: post to both Slack and Microsoft Teams during the move between them (`--slack-webhook` and `--teams-webhook`).",
  ];
  for (const c of report.checks.filter((x) => x.status === "fail")) items.push(`Fix the failed check "${c.name}": ${c.detail}`);
  const slowest = [...report.steps].filter((s) => s.durationSeconds !== null).sort((a, b) => (b.durationSeconds ?? 0) - (a.durationSeconds ?? 0))[0];
  if (slowest?.durationSeconds) items.push(`The slowest step was ${slowest.name} (${slowest.durationSeconds.toFixed(1)} s): on Azure, time it in a test-stack drill before relying on the RTO.`);
  if (report.platform === "local") items.push("Run the same scenario on the test stack: the local platform does not exercise branch protection, DSI, diagnostic settings or the tunnel.");
  return items;
}

export function stepsFrom(outcome: RunOutcome): DrillStep[] {
  return outcome.steps.map((s) => ({
    name: s.step,
    status: s.status,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    durationSeconds: durationSeconds(s.startedAt, s.endedAt),
    summary: s.summary === undefined ? undefined : redact(s.summary),
    error: s.error === undefined ? undefined : redact(s.error),
  }));
}

const secs = (n: number | null): string => (n === null ? "not measured" : `${n.toFixed(1)} s`);
const cell = (text: string | undefined): string => (text ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");

export function toMarkdown(r: DrillReport): string {
  const lines: string[] = [];
  lines.push(`# DR drill: ${r.scenario} on ${r.platform} (${r.stack})`, "");
  lines.push(`**Result: ${r.green ? "GREEN" : "RED"}** (runbook ${r.outcome}). Run id \`${r.runId}\`.`, "");
  lines.push("| measure | value |", "|---|---|");
  lines.push(`| incident | ${cell(r.incident)} at ${r.incidentAt} |`);
  lines.push(`| restore point | ${r.restorePoint} |`);
  lines.push(`| data recovered to | ${r.recoveredTo ?? "nothing"} |`);
  lines.push(`| service validated | ${r.validatedAt ?? "never"} |`);
  lines.push(`| **RTO** (incident to validated service) | ${secs(r.rtoSeconds)} |`);
  lines.push(`| **RPO** (incident minus newest data recovered) | ${secs(r.rpoSeconds)} |`);
  lines.push(`| rows lost (committed before the incident, missing after) | ${r.rowsLost} of ${r.writer.rowsCommitted} heartbeat rows |`);
  lines.push(`| dataset | ${r.datasetRows} rows |`, "");
  lines.push("## Timeline", "", ganttBlock(drillGantt(r)), "");
  const timeline: [string, string][] = [
    [r.startedAt, "drill started"],
    [r.restorePoint, "restore point"],
    [r.incidentAt, `incident: ${r.incident}`],
    ...r.steps.map((s): [string, string] => [s.startedAt, `${s.name}: ${s.status}${s.summary ? ` - ${s.summary}` : ""}${s.error ? ` - ${s.error}` : ""}`]),
    ...(r.recoveredTo ? [[r.recoveredTo, "newest data recovered (last heartbeat row back)"] as [string, string]] : []),
    ...(r.validatedAt ? [[r.validatedAt, "service validated"] as [string, string]] : []),
    [r.finishedAt, "drill finished"],
  ];
  // stable sort by time: same-instant entries keep their order
  timeline.sort((a, b) => new Date(a[0]).getTime() - new Date(b[0]).getTime());
  for (const [at, text] of timeline) lines.push(`- ${at} ${text}`);
  lines.push("");
  lines.push("## Steps", "", "| step | status | duration |", "|---|---|---|");
  for (const s of r.steps) lines.push(`| ${s.name} | ${s.status} | ${secs(s.durationSeconds)} |`);
  if (r.comparison) lines.push("", ...comparisonMarkdown(r.comparison));
  if (r.waysCompared?.length) {
    lines.push("", `## ${WAYS_HEADING}`, "", waysIntro(r.way), "", `| ${WAYS_COLUMNS.join(" | ")} |`, `|${WAYS_COLUMNS.map(() => "---").join("|")}|`);
    for (const row of waysRows(r.waysCompared)) lines.push(`| ${row.map((c) => cell(c)).join(" | ")} |`);
  }
  lines.push("", "## Checks", "", "| check | result | detail |", "|---|---|---|");
  for (const c of r.checks) lines.push(`| ${c.name} | ${c.status.toUpperCase()} | ${cell(c.detail)} |`);
  lines.push("", "## Decisions taken", "");
  if (r.decisions.length === 0) lines.push("- none asked");
  for (const d of r.decisions) lines.push(`- ${d.at}: "${d.question}" -> ${d.answer} (answered by ${d.by === "flag" ? "the drill, automatically" : "a person"})`);
  lines.push("", "## Not applicable on this platform", "");
  if (r.notApplicable.length === 0) lines.push("- nothing");
  for (const n of r.notApplicable) lines.push(`- ${n}`);
  lines.push("", "## What to improve", "");
  for (const i of r.improvements) lines.push(`- ${i}`);
  return lines.join("\n") + "\n";
}

function comparisonMarkdown(tables: readonly TableComparison[]): string[] {
  return [
    `## ${COMPARISON_HEADING}`,
    "",
    comparisonIntro(tables),
    "",
    `| ${COMPARISON_COLUMNS.join(" | ")} |`,
    `|${COMPARISON_COLUMNS.map((_, i) => (i >= 2 && i <= 4 ? "---:" : "---")).join("|")}|`,
    ...comparisonRows(tables).map((row) => `| ${row.map((c) => cell(c)).join(" | ")} |`),
  ];
}

/** The drill's steps and its moments (incident, restore point, data recovered to, validated) as a gantt chart. */
export function drillGantt(r: DrillReport): GanttChart {
  return {
    title: `DR drill ${r.scenario} on ${r.platform} (${r.stack}), times UTC`,
    sections: [{ name: "recovery steps", tasks: r.steps.map((s) => ({ name: s.name, status: s.status, startedAt: s.startedAt, endedAt: s.endedAt })) }],
    markers: {
      name: "moments",
      markers: [
        { name: "restore point", at: r.restorePoint },
        { name: "incident", at: r.incidentAt },
        ...(r.recoveredTo ? [{ name: "data recovered to", at: r.recoveredTo }] : []),
        ...(r.validatedAt ? [{ name: "service validated", at: r.validatedAt }] : []),
      ],
    },
    until: r.finishedAt,
  };
}

/** Short terminal summary. */
export function summaryLines(r: DrillReport): string[] {
  const failed = r.checks.filter((c) => c.status === "fail");
  return [
    `${r.green ? "GREEN" : "RED"}  ${r.scenario} (${r.platform}, ${r.stack}): RTO ${secs(r.rtoSeconds)}, RPO ${secs(r.rpoSeconds)}, rows lost ${r.rowsLost}, checks ${r.checks.filter((c) => c.status === "pass").length} passed / ${failed.length} failed / ${r.checks.filter((c) => c.status === "n/a").length} n/a`,
    ...slowestStepLine(r),
    ...failed.map((c) => `      FAILED ${c.name}: ${c.detail}`),
  ];
}

/** `       slowest step: restore-live 41.2 s of RTO 58.0 s (71%)`, so the step to make faster is visible. */
function slowestStepLine(r: DrillReport): string[] {
  const timed = r.steps.filter((s) => s.durationSeconds !== null);
  if (timed.length === 0) return [];
  const slowest = timed.reduce((a, b) => ((b.durationSeconds ?? 0) > (a.durationSeconds ?? 0) ? b : a));
  const share = r.rtoSeconds ? ` (${Math.round(((slowest.durationSeconds ?? 0) / r.rtoSeconds) * 100)}% of the RTO)` : "";
  return [`       slowest step: ${slowest.name} ${secs(slowest.durationSeconds)}${share}`];
}
