/** `aytq-dr run` inside GitHub Actions: outputs at the start, a summary row per step, the outcome, the report, the config snapshot. */
import { strict as assert } from "node:assert";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { githubRunReporter, RUN_REPORT_FILE } from "../../recovery/ci/run-report";
import { STACK_CONFIG_SNAPSHOT } from "../../recovery/runbook/stack-config";
import { Journal } from "../../recovery/runbook/journal";
import type { StepRecord } from "../../recovery/runbook/run-model";
import { ganttTasks, mermaidBlocks } from "../drill/mermaid-parse";

const REPO = path.join(__dirname, "..", "..");
const RUN = "20240724T060102Z-data-loss-1a2b";

function outputs(file: string): Record<string, string> {
  return Object.fromEntries(readFileSync(file, "utf8").trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

describe("ci/run-report: a run's progress, outputs and report inside GitHub Actions", () => {
  let tmp: string;
  let env: Record<string, string>;
  let stateDir: string;
  let root: string;
  let journal: Journal;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "aytq-ci-report-"));
    env = { GITHUB_STEP_SUMMARY: path.join(tmp, "summary.md"), GITHUB_OUTPUT: path.join(tmp, "out") };
    stateDir = path.join(tmp, "state");
    root = path.join(tmp, "checkout");
    mkdirSync(root);
    copyFileSync(path.join(REPO, "Pulumi.test.yaml"), path.join(root, "Pulumi.test.yaml"));
    journal = new Journal(stateDir, "test", RUN);
    journal.create({ runId: RUN, scenario: "data-loss", stack: "test", platform: "azure", createdAt: "2024-07-24T06:01:02.000Z", inputs: { restorePointUTC: "2024-07-24T06:00:00Z" } });
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const reporter = () => githubRunReporter(env, { stateDir, stack: "test", root, resumeCommand: (id) => `aytq-dr run --resume ${id} --stack test` });
  const step = (name: string, status: StepRecord["status"], extra: Partial<StepRecord> = {}): StepRecord => ({ step: name, status, startedAt: "2024-07-24T06:01:03.000Z", endedAt: "2024-07-24T06:01:05.500Z", summary: `${name} ok`, ...extra });

  it("does nothing outside Actions", () => {
    assert.equal(githubRunReporter({}, { stateDir, stack: "test", resumeCommand: () => "" }), undefined);
  });

  it("names the run, its folder and its artifacts as soon as it starts, so they are uploaded even if it fails", () => {
    reporter()?.({ type: "run-start", runId: RUN, scenario: "data-loss", stack: "test", at: "2024-07-24T06:01:02Z" });
    assert.deepEqual(outputs(env.GITHUB_OUTPUT), {
      "run-id": RUN,
      "journal-dir": path.join(stateDir, "test", RUN),
      "journal-artifact": `aytq-dr-journal-test-${RUN}`,
      "report-artifact": `aytq-dr-report-test-${RUN}`,
      "report-file": path.join(stateDir, "test", RUN, RUN_REPORT_FILE),
    });
    assert.ok(existsSync(path.join(journal.dir, STACK_CONFIG_SNAPSHOT)), "the stack config is kept from the start");
  });

  it("adds a row per step as it ends, then the outcome and how to resume in the workflow", () => {
    const r = reporter();
    assert.ok(r);
    r({ type: "run-start", runId: RUN, scenario: "data-loss", stack: "test", at: "2024-07-24T06:01:02Z" });
    for (const s of [step("stop", "done"), step("maintenance-on", "done")]) {
      journal.append(s);
      r({ type: "step-end", runId: RUN, record: s });
    }
    const failed = step("freeze", "failed", { summary: undefined, error: "GitHub refused GITHUB_TOKEN (HTTP 401) | twice" });
    journal.append(failed);
    r({ type: "step-end", runId: RUN, record: failed });
    r({ type: "run-end", runId: RUN, outcome: "failed", at: "2024-07-24T06:02:00Z" });
    const summary = readFileSync(env.GITHUB_STEP_SUMMARY, "utf8");
    assert.match(summary, /## Recovery run `20240724T060102Z-data-loss-1a2b`: data-loss on test/);
    assert.match(summary, /\| stop \| ✅ done \| 2\.5 s \| stop ok \|/);
    assert.match(summary, /\| freeze \| ❌ failed \| 2\.5 s \| \*\*GitHub refused GITHUB_TOKEN \(HTTP 401\) \\\| twice\*\* \|/);
    assert.match(summary, /\*\*Outcome: failed\*\*/);
    assert.match(summary, /run the \*Recover\* workflow again with environment `test`, scenario `data-loss` and resume `20240724T060102Z-data-loss-1a2b`/);
    assert.match(summary, /aytq-dr run --resume 20240724T060102Z-data-loss-1a2b --stack test/);
    const report = readFileSync(path.join(journal.dir, RUN_REPORT_FILE), "utf8");
    assert.match(report, /^# Recovery run 20240724T060102Z-data-loss-1a2b/);
    assert.match(report, /restorePointUTC `2024-07-24T06:00:00Z`/);
    assert.equal(report.match(/^\| (stop|maintenance-on|freeze) \|/gm)?.length, 3);
  });

  it("a resumed run shows the earlier workflow runs' steps first, and a completed run no resume hint", () => {
    journal.append(step("stop", "done"));
    const r = reporter();
    assert.ok(r);
    r({ type: "run-start", runId: RUN, scenario: "data-loss", stack: "test", at: "2024-07-24T08:00:00Z" });
    r({ type: "decision", runId: RUN, question: "How should the copy come back into the live database?", answer: "tables", by: "flag", at: "2024-07-24T08:10:00Z" });
    r({ type: "run-end", runId: RUN, outcome: "completed", at: "2024-07-24T08:20:00Z" });
    const summary = readFileSync(env.GITHUB_STEP_SUMMARY, "utf8");
    assert.match(summary, /Resumed at 2024-07-24T08:00:00Z/);
    assert.match(summary, /\| stop \(earlier run\) \| ✅ done \|/);
    assert.match(summary, /decision: How should the copy come back into the live database\? \*\*tables\*\* \(workflow input\)/);
    assert.doesNotMatch(summary, /To resume/);
  });

  it("ends the summary and the report with the steps as a Mermaid gantt chart (times UTC) that Mermaid parses", async function () {
    this.timeout(60_000);
    const r = reporter();
    assert.ok(r);
    r({ type: "run-start", runId: RUN, scenario: "data-loss", stack: "test", at: "2024-07-24T06:01:02Z" });
    const records = [
      step("stop", "done", { startedAt: "2024-07-24T06:01:03.000Z", endedAt: "2024-07-24T06:01:05.500Z" }),
      step("maintenance-on: #1; <b>", "unchanged", { startedAt: "2024-07-24T06:01:05.500Z", endedAt: "2024-07-24T06:01:06.000Z" }),
      step("freeze", "failed", { startedAt: "2024-07-24T06:01:06.000Z", endedAt: "2024-07-24T06:01:09.250Z", summary: undefined, error: "HTTP 401" }),
    ];
    for (const s of records) {
      journal.append(s);
      r({ type: "step-end", runId: RUN, record: s });
    }
    r({ type: "run-end", runId: RUN, outcome: "failed", at: "2024-07-24T06:01:10Z" });
    const summary = readFileSync(env.GITHUB_STEP_SUMMARY, "utf8");
    const report = readFileSync(path.join(journal.dir, RUN_REPORT_FILE), "utf8");
    for (const markdown of [summary, report]) {
      const blocks = mermaidBlocks(markdown);
      assert.equal(blocks.length, 1, markdown);
      const chart = await ganttTasks(blocks[0]);
      assert.equal(chart.title, "Recovery run data-loss on test, times UTC");
      assert.deepEqual(chart.tasks.map((t) => t.name), ["stop", "maintenance-on 1 b", "freeze"]);
      const wall = (d: Date) => `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}:${String(d.getSeconds()).padStart(2, "0")}.${String(d.getMilliseconds()).padStart(3, "0")}`;
      assert.deepEqual(chart.tasks.map((t) => [wall(t.start), wall(t.end)]), [["06:01:03.000", "06:01:05.500"], ["06:01:05.500", "06:01:06.000"], ["06:01:06.000", "06:01:09.250"]]);
      assert.deepEqual(chart.tasks.map((t) => t.classes.crit), [false, false, true]);
    }
    // in the summary, after the outcome
    assert.ok(summary.indexOf("```mermaid") > summary.indexOf("**Outcome: failed**"));
  });

  it("a stack file it cannot read is a warning: the run goes on", () => {
    const warnings: string[] = [];
    const r = githubRunReporter(env, { stateDir, stack: "test", root: path.join(tmp, "nowhere"), resumeCommand: () => "", log: (l) => warnings.push(l) });
    assert.doesNotThrow(() => r?.({ type: "run-start", runId: RUN, scenario: "data-loss", stack: "test", at: "x" }));
    assert.match(warnings.join("\n"), /could not keep the stack config/);
  });
});
