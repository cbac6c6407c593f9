/** The GitHub Actions files a step writes to: summary, outputs, job environment. */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { appendStepSummary, cell, duration, exportToJob, keyValueLines, setStepOutputs } from "../../recovery/ci/actions";

describe("ci/actions: the files GitHub Actions reads back", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "aytq-ci-actions-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes name=value lines, and a value with a line break as a here-document whose delimiter is not in it", () => {
    assert.equal(keyValueLines({ a: "1", "run-id": "x" }), "a=1\nrun-id=x\n");
    const text = keyValueLines({ body: "line 1\nline 2" });
    const m = /^body<<(\S+)\nline 1\nline 2\n(\S+)\n$/.exec(text);
    assert.ok(m, text);
    assert.equal(m[1], m[2]);
  });

  it("refuses a name the runner would misread", () => {
    assert.throws(() => keyValueLines({ "a=b": "1" }), /not a name/);
    assert.throws(() => keyValueLines({ "": "1" }), /not a name/);
  });

  it("appends to GITHUB_STEP_SUMMARY and GITHUB_OUTPUT when set, and says it did", () => {
    const env = { GITHUB_STEP_SUMMARY: path.join(dir, "summary.md"), GITHUB_OUTPUT: path.join(dir, "out"), GITHUB_ENV: path.join(dir, "env") };
    assert.equal(appendStepSummary(env, "# one"), true);
    assert.equal(appendStepSummary(env, "two\n"), true);
    assert.equal(readFileSync(env.GITHUB_STEP_SUMMARY, "utf8"), "# one\ntwo\n");
    assert.equal(setStepOutputs(env, { name: "aytq_ts_2024-07-24.sql.gz" }), true);
    assert.equal(readFileSync(env.GITHUB_OUTPUT, "utf8"), "name=aytq_ts_2024-07-24.sql.gz\n");
    assert.equal(exportToJob(env, { AKS_CLUSTER_NAME: "s189t01-tsc-test-aks" }), true);
    assert.equal(readFileSync(env.GITHUB_ENV, "utf8"), "AKS_CLUSTER_NAME=s189t01-tsc-test-aks\n");
  });

  it("outside Actions (variables unset or empty) writes nothing and does not fail", () => {
    assert.equal(appendStepSummary({}, "x"), false);
    assert.equal(setStepOutputs({ GITHUB_OUTPUT: " " }, { a: "1" }), false);
  });

  it("a file it cannot write is a warning, never an error", () => {
    const warnings: string[] = [];
    assert.equal(appendStepSummary({ GITHUB_STEP_SUMMARY: path.join(dir, "no", "such", "dir", "s.md") }, "x", (l) => warnings.push(l)), false);
    assert.match(warnings.join("\n"), /could not write GITHUB_STEP_SUMMARY/);
  });

  it("table cells cannot break the table; durations read as people say them", () => {
    assert.equal(cell("a | b\nc"), "a \\| b c");
    assert.equal(cell("x".repeat(400)).length, 300);
    assert.equal(duration(1234), "1.2 s");
    assert.equal(duration(65_000), "1 min 05 s");
    assert.equal(duration(2 * 3600_000 + 3 * 60_000), "2 h 03 min");
  });
});
