import { strict as assert } from "node:assert";
import { WARMUP_MAX_FAILURES, waitForWarmup } from "../../recovery/drill/core";
import { measureRpo, measureRto, pickRestorePoint } from "../../recovery/drill/measure";
import { ToolError } from "../../recovery/errors";
import { drillScenarios } from "../../recovery/drill/request";
import { parseDatasetSize, DATASET_SIZES, MAX_DATASET_ROWS } from "../../recovery/platforms/local/dataset";
import { summaryLines, type DrillReport } from "../../recovery/drill/report";

const row = (id: number, atMs: number) => ({ id, writtenAt: new Date(Date.UTC(2026, 6, 24, 6, 0, 0) + atMs).toISOString() });
const ROWS = [row(1, 0), row(2, 200), row(3, 400), row(4, 600), row(5, 800)];
const at = (ms: number) => new Date(Date.UTC(2026, 6, 24, 6, 0, 0) + ms);

describe("drill measurements", () => {
  it("warm-up ends with the writer's error when inserts keep failing, instead of waiting forever", async () => {
    const writer = { rows: [row(1, 0)], failures: 0, lastError: undefined as string | undefined };
    const failing = setInterval(() => {
      writer.failures++;
      writer.lastError = 'psql failed against postgres://u:***@h/db: ERROR:  relation "drill_heartbeat" does not exist';
    }, 1);
    try {
      await assert.rejects(waitForWarmup(writer, 12, () => undefined, 1), (err: ToolError) => {
        assert.ok(err instanceof ToolError);
        assert.match(err.message, /could not insert into drill_heartbeat \(\d+ failed inserts, 1 of 12 rows before the incident\): psql failed .*does not exist/);
        assert.ok(writer.failures >= WARMUP_MAX_FAILURES);
        assert.match(err.hint ?? "", /run the drill again/);
        return true;
      });
    } finally {
      clearInterval(failing);
    }
  });

  it("warm-up returns once enough rows are committed, failures below the limit notwithstanding", async () => {
    const writer = { rows: [row(1, 0)], failures: WARMUP_MAX_FAILURES - 1, lastError: "one blip" };
    const writing = setInterval(() => writer.rows.push(row(writer.rows.length + 1, 0)), 1);
    try {
      await waitForWarmup(writer, 5, () => undefined, 1);
      assert.ok(writer.rows.length >= 5);
    } finally {
      clearInterval(writing);
    }
  });

  it("puts the restore point half way past the newest row written before the limit", () => {
    assert.deepEqual(pickRestorePoint(ROWS, at(700), 100), at(500));
    assert.equal(pickRestorePoint(ROWS, at(50), 100), undefined);
  });

  it("counts rows lost before the incident and measures RPO from the newest row back", () => {
    const m = measureRpo({ written: ROWS, presentIds: new Set([1, 2, 3]), incidentAt: at(700), mustInclude: at(500), mustNotExceed: at(500) });
    assert.equal(m.rowsLost, 1, "row 4 was committed before the incident and is gone; row 5 came after the incident");
    assert.equal(m.recoveredTo, ROWS[2].writtenAt);
    assert.equal(m.rpoSeconds, 0.3);
    assert.deepEqual(m.holes, []);
    assert.deepEqual(m.beyondRestorePoint, []);
    assert.deepEqual(m.missingBeforeRestorePoint, []);
  });

  it("reports holes, rows past the restore point and rows missing before it", () => {
    const m = measureRpo({ written: ROWS, presentIds: new Set([1, 3, 4]), incidentAt: at(900), mustInclude: at(500), mustNotExceed: at(500) });
    assert.deepEqual(m.holes, [2]);
    assert.deepEqual(m.beyondRestorePoint, [4]);
    assert.deepEqual(m.missingBeforeRestorePoint, [2]);
    assert.equal(m.rowsLost, 2);
    const none = measureRpo({ written: ROWS, presentIds: new Set(), incidentAt: at(900) });
    assert.equal(none.rpoSeconds, null);
    assert.equal(none.rowsLost, 5);
  });

  it("measures RTO to the end of the last successful validate step", () => {
    const steps = [
      { step: "validate", status: "failed" as const, startedAt: at(1000).toISOString(), endedAt: at(2000).toISOString() },
      { step: "validate", status: "done" as const, startedAt: at(3000).toISOString(), endedAt: at(4500).toISOString() },
    ];
    assert.deepEqual(measureRto(at(500), steps), { rtoSeconds: 4, validatedAt: at(4500).toISOString() });
    assert.equal(measureRto(at(500), steps.slice(0, 1)).rtoSeconds, null);
  });

  it("accepts named sizes and row counts, refuses anything else with the allowed values", () => {
    assert.equal(parseDatasetSize("medium"), DATASET_SIZES.medium);
    assert.equal(parseDatasetSize(undefined), DATASET_SIZES.small);
    assert.equal(parseDatasetSize("250000"), 250000);
    // a size on disk: about 1 GB of the dataset (120 bytes a row)
    assert.equal(parseDatasetSize("1g"), Math.round(1024 ** 3 / 120));
    assert.equal(parseDatasetSize("512MB"), Math.round((512 * 1024 ** 2) / 120));
    for (const bad of ["huge", "-5", "10", String(MAX_DATASET_ROWS + 1), "1.5", "2g", "1t", "g"]) {
      assert.throws(
        () => parseDatasetSize(bad),
        (err: Error & { hint?: string }) => err.message.includes(`"${bad}"`) && /small .* medium .* large .* whole number/.test(err.hint ?? ""),
      );
    }
  });

  it("the summary names the slowest step and its share of the RTO, so the step to make faster is visible", () => {
    const step = (name: string, durationSeconds: number | null) => ({ name, status: "done" as const, startedAt: "2024-07-24T06:00:00Z", durationSeconds });
    const report: DrillReport = {
      scenario: "data-loss", platform: "local", stack: "local", runId: "r", outcome: "completed", green: true, startedAt: "", finishedAt: "", datasetRows: 1,
      incidentAt: "", incident: "", restorePoint: "", recoveredTo: null, validatedAt: null, rtoSeconds: 50, rpoSeconds: 1, rowsLost: 0,
      writer: { rowsCommitted: 0, failedInserts: 0 }, steps: [step("stop", 1), step("restore-live", 40), step("ptr", 5), step("start", null)], checks: [], decisions: [], notApplicable: [], improvements: [],
    };
    assert.equal(summaryLines(report)[1], "       slowest step: restore-live 40.0 s (80% of the RTO)");
    assert.equal(summaryLines({ ...report, steps: [] }).length, 1, "no timed step, no line");
  });

  it("accepts every scenario and all, refuses an unknown one", () => {
    assert.deepEqual(drillScenarios("all"), ["data-loss", "server-lost-revive", "server-lost-rebuild"]);
    assert.deepEqual(drillScenarios("data-loss"), ["data-loss"]);
    assert.throws(() => drillScenarios("fire"), /unknown scenario "fire"/);
  });
});
