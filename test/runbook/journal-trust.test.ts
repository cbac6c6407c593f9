/**
 * Journals that cannot be talked round (issue 20): a resume trusts a journal only when its
 * completed steps are the scenario's steps from the first, in order, of a run of this stack, with
 * a run id of the one grammar, a run.json and journal lines aytq-dr wrote, and no link; anything
 * else is refused (exit 2) before any step. The maintenance page goes on before the app stops, and
 * a run journalled with the old order resumes with nothing skipped.
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../recovery/cli/main";
import { UsageError } from "../../recovery/errors";
import { runScenario } from "../../recovery/runbook/runner";
import { SCENARIO_STEPS } from "../../recovery/runbook/scenarios";
import { SCENARIOS, type ScenarioName } from "../../recovery/runbook/run-model";
import { RecordingIO } from "../helpers/cli-io";
import { FakeData, FakePlatform } from "./fakes";

const NOW = new Date("2024-07-24T08:00:00Z");
const INPUTS = { restorePointUTC: "2024-07-24T06:00:00Z", copyName: "the-copy" };
const ID = (scenario: ScenarioName) => `20240724T080000Z-${scenario}-ab12`;
const at = "2024-07-24T08:00:00Z";

describe("runbook: journals that cannot be talked round", () => {
  let stateDir: string;
  beforeEach(() => (stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-trust-"))));
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  /** A run's folder written by hand: run.json (overrides merged) and journal lines. */
  function folder(scenario: ScenarioName, lines: (string | Record<string, unknown>)[], meta: Record<string, unknown> = {}, dir = path.join(stateDir, "test", ID(scenario))): string {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "run.json"), JSON.stringify({ runId: ID(scenario), scenario, stack: "test", platform: "local", createdAt: NOW.toISOString(), inputs: INPUTS, ...meta }));
    writeFileSync(path.join(dir, "journal.jsonl"), lines.map((l) => (typeof l === "string" ? JSON.stringify({ step: l, status: "done", startedAt: at, endedAt: at }) : JSON.stringify(l))).join("\n") + (lines.length ? "\n" : ""));
    return dir;
  }
  const resume = (scenario: ScenarioName, platform: FakePlatform, runId = ID(scenario), stack = "test") =>
    runScenario({ scenario, platform: Object.assign(platform, { stack }), data: new FakeData(), inputs: {}, stateDir, decide: async () => "whole", now: () => NOW, resumeRunId: runId });
  const journalOf = (dir: string) => readFileSync(path.join(dir, "journal.jsonl"), "utf8");

  /** Resuming is refused with a UsageError matching `re`; no platform call, the journal as it was. */
  async function refused(scenario: ScenarioName, dir: string, re: RegExp, runId?: string, stack?: string): Promise<UsageError> {
    const before = existsSync(path.join(dir, "journal.jsonl")) ? journalOf(dir) : undefined;
    const platform = new FakePlatform();
    const err = await resume(scenario, platform, runId, stack).then(
      (out) => assert.fail(`resumed: ${out.outcome}, ${JSON.stringify(out.steps.map((s) => s.step))}`),
      (e: unknown) => e,
    );
    assert.ok(err instanceof UsageError, String(err));
    assert.match(err.message, re);
    assert.ok(err.hint, "a fix line");
    assert.deepEqual(platform.calls, [], "a step ran");
    if (before !== undefined) assert.equal(journalOf(dir), before, "the journal changed");
    return err;
  }

  describe("a journal with gaps is refused", () => {
    it("only tidy done: refused (it completed, exit 0, doing nothing)", async () => {
      const dir = folder("data-loss", ["tidy"]);
      const err = await refused("data-loss", dir, /cannot be trusted: its completed steps \(tidy\) are not the first steps of data-loss in order/);
      assert.match(err.message, /line 1: tidy done where maintenance-on comes next \(the first step\)/);
    });

    it("stop and validate done: refused (it skipped maintenance-on to start, ran maintenance-off, and left the app stopped)", async () => {
      const dir = folder("server-lost-revive", ["stop", "validate"]);
      await refused("server-lost-revive", dir, /line 2: validate done where maintenance-on comes next \(after stop\)/);
    });

    it("steps done out of order, a step twice, a step of another scenario, a step after the run completed: refused", async () => {
      await refused("server-lost-revive", folder("server-lost-revive", ["maintenance-on", "freeze", "stop"]), /freeze done where stop comes next/);
      rmSync(stateDir, { recursive: true });
      await refused("server-lost-revive", folder("server-lost-revive", ["maintenance-on", "maintenance-on"]), /maintenance-on done where stop comes next/);
      rmSync(stateDir, { recursive: true });
      await refused("server-lost-revive", folder("server-lost-revive", ["maintenance-on", "stop", "rebuild"]), /rebuild done where freeze comes next/);
      rmSync(stateDir, { recursive: true });
      await refused("server-lost-revive", folder("server-lost-revive", [...SCENARIO_STEPS["server-lost-revive"], "stop"]), /stop done after every step had completed/);
    });

    it("a failed record of a step that was not next: refused", async () => {
      await refused("data-loss", folder("data-loss", ["maintenance-on", { step: "ptr", status: "failed", startedAt: at, error: "x" }]), /ptr failed where stop comes next/);
    });

    it("trusts a prefix with failed and interrupted records of the next step, and runs every step after the last completed one", async () => {
      folder("server-lost-revive", ["maintenance-on", { step: "stop", status: "failed", startedAt: at, error: "x" }, { step: "stop", status: "interrupted", startedAt: at }, "stop"]);
      const platform = new FakePlatform();
      const out = await resume("server-lost-revive", platform);
      assert.equal(out.outcome, "completed");
      assert.deepEqual(out.steps.slice(4).map((s) => s.step), SCENARIO_STEPS["server-lost-revive"].slice(2));
      assert.equal(platform.calls[0], "setPipelineFrozen true");
    });
  });

  describe("the maintenance page goes on before the app stops, and off after it starts", () => {
    for (const scenario of SCENARIOS) {
      it(`${scenario}: maintenance on, then stop; start, then maintenance off`, async () => {
        const platform = new FakePlatform();
        const data = new FakeData();
        data.blobs = ["aytq_test_nightly.sql.gz"];
        const out = await runScenario({ scenario, platform, data, inputs: INPUTS, stateDir, decide: async () => "whole", now: () => NOW });
        assert.equal(out.outcome, "completed");
        const i = (c: string) => platform.calls.indexOf(c);
        assert.ok(i("setMaintenance true") >= 0 && i("setMaintenance true") < i("setAppStopped true"), platform.calls.join("\n"));
        assert.ok(i("setAppStopped false") < i("setMaintenance false"), platform.calls.join("\n"));
        assert.equal(platform.calls[0], "setMaintenance true", "nothing before the maintenance page");
      });
    }

    for (const scenario of SCENARIOS) {
      it(`${scenario}: a run journalled with the old order (stop done, maintenance-on not) resumes with nothing skipped`, async () => {
        const dir = folder(scenario, ["stop"]);
        const platform = new FakePlatform();
        const data = new FakeData();
        data.blobs = ["aytq_test_nightly.sql.gz"];
        const out = await runScenario({ scenario, platform, data, inputs: {}, stateDir, decide: async () => "whole", now: () => NOW, resumeRunId: ID(scenario) });
        assert.equal(out.outcome, "completed", JSON.stringify(out.steps.slice(-1)));
        assert.deepEqual(out.steps.slice(1).map((s) => s.step), SCENARIO_STEPS[scenario].filter((s) => s !== "stop"));
        assert.equal(platform.calls[0], "setMaintenance true");
        assert.ok(!platform.calls.includes("setAppStopped true"), "stop ran again");
        // every step of the scenario is completed in the journal, once
        const done = journalOf(dir).trim().split("\n").map((l) => (JSON.parse(l) as { step: string }).step);
        assert.deepEqual([...done].sort(), [...SCENARIO_STEPS[scenario]].sort());
      });
    }

    it("a run journalled with the old order and stop, maintenance-on done resumes at freeze", async () => {
      folder("data-loss", ["stop", "maintenance-on"]);
      const platform = new FakePlatform();
      const out = await resume("data-loss", platform);
      assert.equal(out.steps[2].step, "freeze");
      assert.ok(!platform.calls.includes("setAppStopped true") && !platform.calls.includes("setMaintenance true"));
    });
  });

  describe("run ids and run.json", () => {
    it("refuses a run id of .. (shared by every stack): a test run is never resumed on production", async () => {
      // <state>/production/.. is <state>: a test run put there
      folder("data-loss", ["maintenance-on", "stop", "freeze"], { runId: "..", stack: "test" }, stateDir);
      await refused("data-loss", stateDir, /"\.\." is not a run id/, "..", "production");
    });

    it("refuses other ids than newRunId makes: ., a bare name, a wrong scenario, no hex, a date that is none", async () => {
      for (const id of [".", "nope", "20240724T080000Z-data-gone-ab12", "20240724T080000Z-data-loss-ABCD", "20241324T080000Z-data-loss-ab12", `20240724T080000Z-data-loss-ab12/..`]) {
        await refused("data-loss", stateDir, /is not a run id/, id);
      }
    });

    it("refuses a run.json of another stack (the stack was never checked on resume)", async () => {
      await refused("data-loss", folder("data-loss", ["maintenance-on", "stop"], { stack: "production" }), /it is a run on production, not test/);
    });

    it("refuses a run.json whose runId is not its folder's, or whose scenario is not its run id's", async () => {
      await refused("data-loss", folder("data-loss", ["maintenance-on"], { runId: "20240724T080000Z-data-loss-ffff" }), /its run\.json is of run 20240724T080000Z-data-loss-ffff, not 20240724T080000Z-data-loss-ab12/);
      rmSync(stateDir, { recursive: true });
      // a data-loss run id, a run.json that says server-lost-rebuild
      const dir = folder("data-loss", ["maintenance-on"], { scenario: "server-lost-rebuild" });
      await refused("server-lost-rebuild", dir, /its run\.json says server-lost-rebuild, its run id data-loss/, ID("data-loss"));
    });

    it("refuses a run.json or journal reached through a symbolic link, or a run folder that is one", async () => {
      const elsewhere = folder("data-loss", ["maintenance-on", "stop"], {}, path.join(stateDir, "elsewhere"));
      const dir = path.join(stateDir, "test", ID("data-loss"));
      mkdirSync(dir, { recursive: true });
      symlinkSync(path.join(elsewhere, "run.json"), path.join(dir, "run.json"));
      await refused("data-loss", dir, /run\.json is a symbolic link/);
      rmSync(path.join(dir, "run.json"));
      writeFileSync(path.join(dir, "run.json"), readFileSync(path.join(elsewhere, "run.json")));
      symlinkSync(path.join(elsewhere, "journal.jsonl"), path.join(dir, "journal.jsonl"));
      await refused("data-loss", elsewhere, /journal\.jsonl is a symbolic link/);
      rmSync(dir, { recursive: true });
      symlinkSync(elsewhere, dir);
      await refused("data-loss", elsewhere, /is a symbolic link: aytq-dr never resumes a run through one/);
    });
  });

  describe("a damaged or old-format run.json or journal: exit 2 with a fix line, never a stack trace", () => {
    /** `aytq-dr run --resume` in-process, no stack (it must refuse before opening one). */
    async function cli(runId: string): Promise<{ code: number; text: string; opened: number }> {
      const io = new RecordingIO(undefined, { env: { AYTQ_DR_STATE_DIR: stateDir } });
      const code = await main(["node", "aytq-dr", "run", "--resume", runId, "--stack", "test", "--yes"], io);
      return { code, text: io.text, opened: io.opened.length };
    }
    const id = ID("data-loss");
    const dir = () => path.join(stateDir, "test", id);

    const cases: [string, () => void, RegExp][] = [
      ["run.json that is not JSON", () => writeFileSync(path.join(folder("data-loss", []), "run.json"), '{"runId": "20240724T0'), /run\.json is not JSON/],
      ["run.json without inputs (old format)", () => writeFileSync(path.join(folder("data-loss", []), "run.json"), JSON.stringify({ runId: id, scenario: "data-loss", stack: "test" })), /not a run\.json aytq-dr can resume \(.*inputs/],
      ["run.json with a number for a scenario", () => folder("data-loss", [], { scenario: 7 }), /scenario: must be one of/],
      ["run.json with an unknown field", () => folder("data-loss", [], { resumeFrom: "tidy" }), /unknown field\(s\) resumeFrom/],
      ["run.json that is null", () => writeFileSync(path.join(folder("data-loss", []), "run.json"), "null"), /not a run\.json aytq-dr can resume/],
      ["a damaged line in the middle of the journal", () => writeFileSync(path.join(folder("data-loss", []), "journal.jsonl"), `${JSON.stringify({ step: "maintenance-on", status: "done", startedAt: at })}\n{"step":"st\n${JSON.stringify({ step: "stop", status: "done", startedAt: at })}\n`), /line 2 is not JSON, and it is not a last line cut off by a crash/],
      ["a journal line of the wrong shape", () => folder("data-loss", [{ step: "maintenance-on", status: "finished", startedAt: at }]), /line 1 is not a step record \(status/],
      ["a journal line that is an array", () => writeFileSync(path.join(folder("data-loss", []), "journal.jsonl"), "[1,2]\n"), /line 1 is not a step record/],
      ["a decision that is no way", () => folder("data-loss", [{ step: "compare", status: "done", startedAt: at, decision: { way: "yes" } }]), /line 1 is not a step record \(decision\.way: must be one of whole, tables, undelete/],
      ["a decision on a step that asks none", () => folder("data-loss", [{ step: "maintenance-on", status: "done", startedAt: at, decision: { way: "whole" } }]), /line 1 is not a step record \(decision: only a done compare step records a decision/],
      ["a decision on a failed compare", () => folder("data-loss", [{ step: "compare", status: "failed", startedAt: at, decision: { way: "whole" } }]), /decision: only a done compare step records a decision/],
      ["whole naming tables", () => folder("data-loss", [{ step: "compare", status: "done", startedAt: at, decision: { way: "whole", tables: ["public.users"] } }]), /decision\.tables: whole replaces every table and names none/],
      ["a surgical way without its tables", () => folder("data-loss", [{ step: "compare", status: "done", startedAt: at, decision: { way: "undelete" } }]), /decision\.tables: undelete must name the tables it was planned for/],
      ["a decision with an unknown field", () => folder("data-loss", [{ step: "compare", status: "done", startedAt: at, decision: { way: "tables", tables: ["a"], forced: [] } }]), /unknown field\(s\) forced/],
    ];
    for (const [what, make, re] of cases) {
      it(`${what}: exit 2, a fix line, no stack opened, the journal unchanged`, async () => {
        make();
        const before = journalOf(dir());
        const r = await cli(id);
        assert.equal(r.code, 2, r.text);
        assert.match(r.text, re);
        assert.match(r.text, /fix: /);
        assert.doesNotMatch(r.text, /internal error|    at /);
        assert.equal(r.opened, 0);
        assert.equal(journalOf(dir()), before);
      });
    }

    it("a torn last line is still tolerated: that step runs again, and the next record gets a line of its own", async () => {
      const d = folder("server-lost-revive", ["maintenance-on"]);
      writeFileSync(path.join(d, "journal.jsonl"), journalOf(d) + '{"step":"stop","sta');
      const platform = new FakePlatform();
      const out = await resume("server-lost-revive", platform);
      assert.equal(out.outcome, "completed");
      assert.equal(platform.calls[0], "setAppStopped true");
      const lines = journalOf(d).trim().split("\n");
      assert.deepEqual(lines.map((l) => (JSON.parse(l) as { step: string }).step), SCENARIO_STEPS["server-lost-revive"]);
      assert.equal(readFileSync(path.join(d, "journal.torn"), "utf8"), '{"step":"stop","sta\n', "the cut line is kept");
    });
  });
});
