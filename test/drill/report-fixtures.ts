/** A drill report shaped like the drill's, and names that break gantt syntax or HTML, for the report tests. */
import type { DrillReport, DrillStep } from "../../recovery/drill/report";

/** Names that break gantt syntax or HTML: a colon, a hash, a semicolon, a keyword, a comment, markup, a line break. */
export const HOSTILE = [
  "copy: into live # now; go",
  "section evil",
  "click me call alert(1)",
  "%% not a comment",
  "<script>alert('x')</script> & \"quotes\"",
  "two\nlines",
  "2024-07-24 looks like a date",
  ":",
];

const at = (s: number): string => new Date(Date.UTC(2024, 6, 24, 6, 1, 0) + s * 1000).toISOString();

export function step(name: string, from: number, to: number | undefined, status: DrillStep["status"] = "done"): DrillStep {
  return { name, status, startedAt: at(from), endedAt: to === undefined ? undefined : at(to), durationSeconds: to === undefined ? null : to - from, summary: `${name} ok` };
}

/** A report shaped like the drill's, times in seconds after 06:01:00Z. */
export function sampleReport(o: Partial<DrillReport> = {}): DrillReport {
  return {
    scenario: "data-loss",
    platform: "local",
    stack: "local",
    runId: "20240724T060100Z-data-loss-abcd",
    outcome: "completed",
    green: true,
    startedAt: at(0),
    finishedAt: at(30),
    datasetRows: 4000,
    incidentAt: at(5),
    incident: "dropped table qualifications",
    restorePoint: at(3.8),
    recoveredTo: "2024-07-24T06:01:03.744304Z",
    validatedAt: at(21.5),
    rtoSeconds: 16.5,
    rpoSeconds: 1.3,
    rowsLost: 6,
    writer: { rowsCommitted: 25, failedInserts: 0 },
    steps: [step("stop", 5.2, 5.6), step("maintenance-on", 5.6, 6), step("freeze", 6, 6, "not-applicable"), step("safety-backup", 6, 9.5), step("ptr", 9.5, 14), step("compare", 14, 16), step("copy-into-live", 16, 19.9), step("start", 19.9, 20.5), step("validate", 20.5, 21.5)],
    checks: [
      { name: "runbook completed", status: "pass", detail: "12 steps" },
      { name: "freeze lifted", status: "n/a", detail: "no GitHub locally" },
    ],
    decisions: [],
    notApplicable: [],
    improvements: ["Run the same scenario on the test stack."],
    ...o,
  };
}

