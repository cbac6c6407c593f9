import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runScenario } from "../../recovery/runbook/runner";
import { SCENARIO_STEPS, copyBackupName } from "../../recovery/runbook/scenarios";
import { SCENARIOS, RunEvent, ScenarioName, StepRecord } from "../../recovery/runbook/run-model";
import { EXIT, LockedError, ToolError } from "../../recovery/errors";
import { FakeData, FakePlatform, notAvailableData } from "./fakes";

const NOW = new Date("2024-07-24T08:00:00Z");
const INPUTS = { restorePointUTC: "2024-07-24T06:00:00Z" };

describe("runbook runner", () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-run-"));
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  const run = (scenario: ScenarioName, platform: FakePlatform, data: FakeData, extra: Partial<Parameters<typeof runScenario>[0]> = {}) =>
    runScenario({ scenario, platform, data, inputs: INPUTS, stateDir, decide: async () => "whole", now: () => NOW, ...extra });

  for (const scenario of SCENARIOS) {
    it(`runs every step of ${scenario} in order and journals each`, async () => {
      const platform = new FakePlatform();
      const data = new FakeData();
      data.blobs = ["aytq_test_nightly.sql.gz"];
      const events: RunEvent[] = [];
      const out = await run(scenario, platform, data, { onEvent: (e) => events.push(e) });
      assert.equal(out.outcome, "completed", JSON.stringify(out.steps));
      assert.deepEqual(out.steps.map((s) => s.step), SCENARIO_STEPS[scenario]);
      const journal = readFileSync(path.join(stateDir, "test", out.runId, "journal.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as StepRecord);
      assert.deepEqual(journal.map((r) => r.step), SCENARIO_STEPS[scenario]);
      assert.ok(journal.every((r) => r.startedAt && r.endedAt));
      assert.equal(events[0].type, "run-start");
      assert.equal(events[events.length - 1].type, "run-end");
      // the app ends up running, out of maintenance, unfrozen
      assert.deepEqual([platform.stopped, platform.maintenance, platform.frozen], [false, false, false]);
    });
  }

  it("orders the platform calls of server-lost-revive: maintenance, stop, freeze, revive, start, validate on the temporary hosts, maintenance off", async () => {
    const platform = new FakePlatform();
    const data = new FakeData();
    await run("server-lost-revive", platform, data);
    assert.deepEqual(platform.calls, [
      "setMaintenance true",
      "setAppStopped true",
      "setPipelineFrozen true",
      "reviveServer 2024-07-24T06:00:00Z",
      "setAppStopped false",
      "setMaintenance false",
      "setPipelineFrozen false",
    ]);
    assert.deepEqual(data.calls, ["validate https://temp/health"]);
  });

  it("data-loss: backs up live, makes the copy, compares, restores the copy's backup into live, tidies the copy", async () => {
    const platform = new FakePlatform();
    const data = new FakeData();
    const out = await run("data-loss", platform, data);
    const copy = `s189t01-aytq-ts-pg-ptr-202407240800-${out.runId.slice(-4)}`;
    assert.ok(platform.calls.includes(`createPtrCopy ${copy} 2024-07-24T06:00:00Z`));
    assert.ok(data.calls.includes(`restore ${copyBackupName("test", out.runId)} -> s189t01-aytq-ts-pg`));
    assert.ok(data.calls.includes(`backup ${copy} ${copyBackupName("test", out.runId)}`));
    assert.deepEqual(platform.copies, []);
    assert.equal(out.decisions.length, 1);
  });

  it("reports the stopping error's exit code: a locked stack is 5, a failed tool 4, a completed run none", async () => {
    const locked = new FakePlatform();
    locked.failOnce.set("setPipelineFrozen", new LockedError("the stack test is locked by another update"));
    const lockedRun = await run("server-lost-revive", locked, new FakeData());
    assert.equal(lockedRun.outcome, "failed");
    assert.equal(lockedRun.exitCode, EXIT.locked);
    const broken = new FakePlatform();
    broken.failOnce.set("reviveServer", new ToolError("pulumi up failed"));
    assert.equal((await run("server-lost-revive", broken, new FakeData())).exitCode, EXIT.failed);
    assert.equal((await run("server-lost-revive", new FakePlatform(), new FakeData())).exitCode, undefined);
  });

  it("masks a password in a step's error everywhere the record goes: the outcome, the events, the journal", async () => {
    const platform = new FakePlatform();
    platform.failOnce.set("reviveServer", new ToolError("connecting to postgres://aytq:S3cretPass@db.internal:5432/aytq failed"));
    const events: RunEvent[] = [];
    const out = await run("server-lost-revive", platform, new FakeData(), { onEvent: (e) => events.push(e) });
    const ended = events.flatMap((e) => (e.type === "step-end" ? [e.record] : []));
    const journal = readFileSync(path.join(stateDir, "test", out.runId, "journal.jsonl"), "utf8");
    for (const text of [JSON.stringify(out.steps), JSON.stringify(ended), journal]) {
      assert.ok(!text.includes("S3cretPass"), text);
      assert.match(text, /postgres:\/\/aytq:\*\*\*@db\.internal/);
    }
  });

  it("gives two data-loss runs started in the same minute copies of their own", async () => {
    const platform = new FakePlatform();
    const first = await run("data-loss", platform, new FakeData());
    const second = await run("data-loss", platform, new FakeData());
    const created = platform.calls.filter((c) => c.startsWith("createPtrCopy ")).map((c) => c.split(" ")[1]);
    assert.equal(created.length, 2);
    assert.notEqual(created[0], created[1], `${first.runId} and ${second.runId} shared a copy`);
    for (const name of created) assert.match(name, /^s189t01-aytq-ts-pg-ptr-202407240800-[0-9a-f]{4}$/);
  });

  it("the compare decision shows a table of what differs (key, only in copy, only in live, changed); the journal keeps it on one line", async () => {
    const platform = new FakePlatform();
    const data = new FakeData();
    data.compareResult = {
      equal: false,
      tables: [
        { table: "public.users", rowsA: 10, rowsB: 12, checksumA: "a", checksumB: "b", equal: false, key: "primary key (id)", onlyInCopy: 3, onlyInLive: 1, changed: 2 },
        { table: "public.audit", rowsA: 7, rowsB: 5, checksumA: "c", checksumB: "d", equal: false, key: "content (no primary key)", onlyInCopy: 0, onlyInLive: 2, changed: null },
        { table: "public.same", rowsA: 4, rowsB: 4, checksumA: "e", checksumB: "e", equal: true, key: "primary key (id)", onlyInCopy: 0, onlyInLive: 0, changed: 0 },
        { table: "public.old", rowsA: null, rowsB: 9, checksumA: null, checksumB: "f", equal: false, key: "primary key (id)", onlyInCopy: 9, onlyInLive: 0, changed: null, note: "table only in the copy: live has no such table" },
      ],
    };
    const asked: string[] = [];
    const out = await run("data-loss", platform, data, { decide: async (_q, context) => (asked.push(context), "whole") });
    assert.equal(out.outcome, "completed");
    const lines = asked[0].split("\n");
    assert.equal(lines[0], "3 of 4 tables differ (rows by primary key; by content where a table has none):");
    assert.match(lines[1], /^ {2}table\s+key\s+only in copy\s+only in live\s+changed$/);
    assert.match(asked[0], /public\.users\s+primary key \(id\)\s+3\s+1\s+2\n/);
    assert.match(asked[0], /public\.audit\s+content \(no primary key\)\s+0\s+2\s+-\n/);
    assert.doesNotMatch(asked[0], /public\.same/, "equal tables are left out of the prompt");
    assert.match(asked[0], /notes:\n {4}public\.old: table only in the copy/);
    const compare = out.steps.find((s) => s.step === "compare");
    assert.match(compare?.summary ?? "", /^3 of 4 tables differ \(public\.users \(primary key \(id\)\): 3 only in the copy, 1 only in live, 2 changed; public\.audit/);
    assert.doesNotMatch(compare?.summary ?? "", /\n/);
    const journal = readFileSync(path.join(stateDir, platform.stack, out.runId, "journal.jsonl"), "utf8");
    assert.match(journal, /3 only in the copy, 1 only in live, 2 changed/);
  });

  it("stops at a declined decision, journals why, and asks again on resume", async () => {
    const platform = new FakePlatform();
    const data = new FakeData();
    const out = await run("data-loss", platform, data, { decide: async () => "no" });
    assert.equal(out.outcome, "stopped");
    const last = out.steps[out.steps.length - 1];
    assert.equal(last.step, "compare");
    assert.match(last.error ?? "", /declined/);
    assert.ok(!data.calls.some((c) => c.startsWith("restore")));
    let asked = 0;
    const resumed = await run("data-loss", platform, data, { resumeRunId: out.runId, decide: async () => (asked++, "whole") });
    assert.equal(resumed.outcome, "completed");
    assert.equal(asked, 1);
  });

  it("a failed step stops the run with the error in the journal", async () => {
    const platform = new FakePlatform();
    const data = new FakeData();
    data.healthy = false;
    const out = await run("server-lost-revive", platform, data);
    assert.equal(out.outcome, "failed");
    const last = out.steps[out.steps.length - 1];
    assert.deepEqual([last.step, last.status], ["validate", "failed"]);
    assert.match(last.error ?? "", /health checks failed/);
    assert.ok(!platform.calls.includes("setMaintenance false"));
  });

  it("data steps fail with the not-available message while the data tools are placeholders, never pretending", async () => {
    const out = await runScenario({ scenario: "data-loss", platform: new FakePlatform(), data: notAvailableData(), inputs: INPUTS, stateDir, decide: async () => "whole", now: () => NOW });
    assert.equal(out.outcome, "failed");
    const last = out.steps[out.steps.length - 1];
    assert.equal(last.step, "safety-backup");
    assert.match(last.error ?? "", /not available yet/);
  });

  /**
   * Every platform and data call of a run, attributed to the step that made it (by the step-start
   * events), with the run's own names (run id, copy) made comparable across runs.
   */
  function callsByStep(platform: FakePlatform, data: FakeData): { onEvent: (e: RunEvent) => void; calls: () => Map<string, string[]> } {
    const byStep = new Map<string, string[]>();
    let step = "(before any step)";
    let seenPlatform = platform.calls.length;
    let seenData = data.calls.length;
    const collect = () => {
      const fresh = [...platform.calls.slice(seenPlatform), ...data.calls.slice(seenData)];
      seenPlatform = platform.calls.length;
      seenData = data.calls.length;
      if (fresh.length) byStep.set(step, [...(byStep.get(step) ?? []), ...fresh]);
    };
    return {
      onEvent: (e) => {
        collect();
        if (e.type === "step-start") step = e.step;
      },
      calls: () => {
        collect();
        return byStep;
      },
    };
  }
  const sameNames = (calls: string[], runId: string) => calls.map((c) => c.split(runId).join("<run>").replace(/-ptr-\d{12}-[0-9a-f]{4}/g, "-ptr-<copy>"));

  for (const scenario of SCENARIOS) {
    SCENARIO_STEPS[scenario].forEach((stepName, index) => {
      it(`${scenario}: resumes after a crash at step ${index + 1} (${stepName}) without redoing completed steps`, async () => {
        // what each step calls when nothing goes wrong
        const cleanPlatform = new FakePlatform();
        const cleanData = new FakeData();
        cleanData.blobs = ["aytq_test_nightly.sql.gz"];
        const clean = callsByStep(cleanPlatform, cleanData);
        const reference = await run(scenario, cleanPlatform, cleanData, { onEvent: clean.onEvent });

        const platform = new FakePlatform();
        const data = new FakeData();
        data.blobs = ["aytq_test_nightly.sql.gz"];
        // simulate the crash as a failure of that step's first call
        const crash = new ToolError("simulated crash");
        const first = await run(scenario, platform, data, {
          onEvent: (e) => {
            if (e.type === "step-start" && e.step === stepName) {
              platform.failOnce.set("setAppStopped", crash).set("setMaintenance", crash).set("setPipelineFrozen", crash).set("reviveServer", crash).set("rebuildServer", crash).set("createPtrCopy", crash).set("removePtrCopies", crash).set("connect", crash);
              data.failOnce.set("validate", crash).set("latestBackup", crash);
            }
          },
        });
        assert.equal(first.outcome, "failed");
        assert.equal(first.steps[first.steps.length - 1].step, stepName);
        platform.failOnce.clear();
        data.failOnce.clear();
        const resumedCalls = callsByStep(platform, data);
        const second = await run(scenario, platform, data, { resumeRunId: first.runId, onEvent: resumedCalls.onEvent });
        assert.equal(second.outcome, "completed", JSON.stringify(second.steps.slice(-1)));
        const rerun = second.steps.slice(first.steps.length).map((s) => s.step);
        assert.deepEqual(rerun, SCENARIO_STEPS[scenario].slice(index));
        // the platform and data calls of the resumed run: exactly those of the steps it had left, none of a completed step
        const done = SCENARIO_STEPS[scenario].slice(0, index);
        const calls = resumedCalls.calls();
        for (const step of done) assert.equal(calls.get(step), undefined, `completed step ${step} called the platform again: ${JSON.stringify(calls.get(step))}`);
        const expected = new Map([...clean.calls()].filter(([step]) => !done.includes(step)).map(([step, c]) => [step, sameNames(c, reference.runId)]));
        const actual = new Map([...calls].map(([step, c]) => [step, sameNames(c, first.runId)]));
        assert.deepEqual(actual, expected);
      });
    });
  }

  it("records the running step as interrupted when the signal aborts, then resumes it", async () => {
    const platform = new FakePlatform();
    const data = new FakeData();
    const ctl = new AbortController();
    const out = await run("server-lost-revive", platform, data, {
      signal: ctl.signal,
      onEvent: (e) => {
        if (e.type === "step-start" && e.step === "freeze") ctl.abort();
      },
    });
    assert.equal(out.outcome, "stopped");
    assert.deepEqual(out.steps.map((s) => `${s.step}:${s.status}`), ["maintenance-on:done", "stop:done", "freeze:interrupted"]);
    const resumed = await run("server-lost-revive", platform, data, { resumeRunId: out.runId });
    assert.equal(resumed.steps.slice(3)[0].step, "freeze");
    assert.equal(resumed.outcome, "completed");
  });

  it("after Ctrl-C, waits for the interrupted step to stop before returning (a teardown must not race it)", async () => {
    const platform = new FakePlatform();
    const data = new FakeData();
    const ctl = new AbortController();
    let stepEnded = false;
    // the step notices the signal only after a while (a copy of files, a server starting)
    platform.setPipelineFrozen = async () => {
      await new Promise((r) => setTimeout(r, 300));
      stepEnded = true;
      return { status: "done", summary: "frozen late" };
    };
    const out = await run("server-lost-revive", platform, data, {
      signal: ctl.signal,
      onEvent: (e) => {
        if (e.type === "step-start" && e.step === "freeze") ctl.abort();
      },
    });
    assert.equal(stepEnded, true, "the run returned while the step was still running");
    assert.deepEqual(out.steps.map((s) => `${s.step}:${s.status}`).slice(-1), ["freeze:interrupted"]);
    assert.doesNotMatch(out.steps[2].error ?? "", /had not stopped/);
  });

  it("a step that does not stop within the grace period: the run returns anyway and the journal says so", async () => {
    const platform = new FakePlatform();
    const data = new FakeData();
    const ctl = new AbortController();
    platform.setPipelineFrozen = () => new Promise(() => undefined); // never ends
    const out = await run("server-lost-revive", platform, data, {
      signal: ctl.signal,
      stepStopGraceMs: 50,
      onEvent: (e) => {
        if (e.type === "step-start" && e.step === "freeze") ctl.abort();
      },
    });
    assert.equal(out.outcome, "stopped");
    assert.match(out.steps[2].error ?? "", /^interrupted \(Ctrl-C\) during this step; the step had not stopped 50 ms after Ctrl-C: check what it was doing before resuming\n  fix: resume the run/);
  });

  it("keeps secrets out of the journal", async () => {
    const platform = new FakePlatform();
    const data = new FakeData();
    data.failOnce.set("compare", new Error("could not connect to postgres://admin:hunter22@host/db"));
    const out = await run("data-loss", platform, data);
    const text = readFileSync(path.join(stateDir, "test", out.runId, "journal.jsonl"), "utf8");
    assert.ok(!text.includes("hunter22"));
    assert.ok(!text.includes("secretpw"));
  });

  it("refuses a revive run without a restore point before doing anything", async () => {
    const platform = new FakePlatform();
    await assert.rejects(run("server-lost-revive", platform, new FakeData(), { inputs: {} }), /needs --at/);
    assert.deepEqual(platform.calls, []);
  });

  it("a rebuild's restore says the moment its data is consistent to, or that the backup did not record one", async () => {
    const data = Object.assign(new FakeData(), { blobs: ["aytq_test_nightly.sql.gz"] });
    const restore = data.restore.bind(data);
    data.restore = async (...a: Parameters<FakeData["restore"]>) => ({ ...(await restore(...a)), consistentAt: "2024-07-24T02:00:03Z" });
    const out = await run("server-lost-rebuild", new FakePlatform(), data);
    const step = out.steps.find((s) => s.step === "restore-latest-backup");
    assert.match(step?.summary ?? "", /restored aytq_test_nightly\.sql\.gz \(100 bytes, data as of 2024-07-24T02:00:03Z\)/);
    const older = await run("server-lost-rebuild", new FakePlatform(), Object.assign(new FakeData(), { blobs: ["old.sql.gz"] }));
    assert.match(older.steps.find((s) => s.step === "restore-latest-backup")?.summary ?? "", /its moment not recorded \(an older backup\)/);
  });

  it("refuses to resume an unknown run, and what is not a run id", async () => {
    await assert.rejects(run("data-loss", new FakePlatform(), new FakeData(), { resumeRunId: "20240724T080000Z-data-loss-abcd" }), /no run "20240724T080000Z-data-loss-abcd"/);
    await assert.rejects(run("data-loss", new FakePlatform(), new FakeData(), { resumeRunId: "nope" }), /"nope" is not a run id/);
  });
});
