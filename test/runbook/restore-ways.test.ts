/**
 * data-loss's decision as a choice of way (issue 18): what the compare step offers and shows, the
 * way journalled on its record, copy-into-live carrying out that way (asking nothing on a resume),
 * older journals meaning whole, refused plans and bad --tables stopping before anything is written.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXIT, ToolError } from "../../recovery/errors";
import { Journal, type RunMeta } from "../../recovery/runbook/journal";
import { runScenario } from "../../recovery/runbook/runner";
import { copyBackupName } from "../../recovery/runbook/scenarios";
import type { CompareResult } from "../../recovery/runbook/ports";
import type { DecideFn, RunOutcome, StepRecord } from "../../recovery/runbook/run-model";
import { waysText } from "../../recovery/runbook/restore-ways";
import { damagedTables } from "../../recovery/runbook/bring-back";
import { FakeData, FakePlatform, wholeOnly } from "./fakes";

const NOW = new Date("2024-07-24T08:00:00Z");
const INPUTS = { restorePointUTC: "2024-07-24T06:00:00Z", copyName: "the-copy" };
const BEFORE = ["maintenance-on", "stop", "freeze", "safety-backup", "ptr", "compare"];
const AFTER = ["start", "validate", "maintenance-off", "unfreeze", "tidy"];

/** users damaged (3 deleted, 2 changed, 1 written since), audit without a primary key (1 deleted, 2 written since), orders equal. */
const COMPARED: CompareResult = {
  equal: false,
  tables: [
    { table: "public.users", rowsA: 10, rowsB: 12, checksumA: "a", checksumB: "b", equal: false, key: "primary key (id)", onlyInCopy: 3, onlyInLive: 1, changed: 2 },
    { table: "public.audit", rowsA: 7, rowsB: 6, checksumA: "c", checksumB: "d", equal: false, key: "content (no primary key)", onlyInCopy: 1, onlyInLive: 2, changed: null },
    { table: "public.orders", rowsA: 4, rowsB: 4, checksumA: "e", checksumB: "e", equal: true, key: "primary key (id)", onlyInCopy: 0, onlyInLive: 0, changed: 0 },
    { table: "audit.users", rowsA: 1, rowsB: 1, checksumA: "f", checksumB: "f", equal: true, key: "primary key (id)", onlyInCopy: 0, onlyInLive: 0, changed: 0 },
  ],
};

/** A decide that answers `answer` and keeps what it was shown. */
function answering(answer: string): DecideFn & { asked: { question: string; context: string; choices: readonly string[] }[] } {
  const asked: { question: string; context: string; choices: readonly string[] }[] = [];
  const fn = Object.assign(async (question: string, context: string, choices: readonly string[]) => (asked.push({ question, context, choices }), answer), { asked, answersBy: "flag" as const });
  return fn;
}

/** A decide that fails the test when called. */
const never: DecideFn = async (question) => assert.fail(`asked again: ${question}`);

const stepOf = (out: RunOutcome, step: string): StepRecord => {
  const r = out.steps.filter((s) => s.step === step).pop();
  assert.ok(r, `no ${step} record: ${JSON.stringify(out.steps)}`);
  return r;
};
const wrote = (data: FakeData) => data.calls.filter((c) => /^(restoreSurgical|copyInto|restore |backup the-copy)/.test(c));

describe("runbook: the data decision is a choice of way", () => {
  let stateDir: string;
  beforeEach(() => (stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-ways-"))));
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  const dataWith = (): FakeData => Object.assign(new FakeData(), { compareResult: structuredClone(COMPARED) });
  const run = (data: FakeData, decide: DecideFn, extra: Partial<Parameters<typeof runScenario>[0]> = {}, platform = new FakePlatform()) =>
    runScenario({ scenario: "data-loss", platform, data, inputs: INPUTS, stateDir, decide, now: () => NOW, ...extra });

  it("offers whole, tables, undelete and no with the surgical tools; only whole and no without them", async () => {
    const withWays = answering("no");
    await run(dataWith(), withWays);
    assert.deepEqual(withWays.asked[0].choices, ["whole", "tables", "undelete", "no"]);
    const without = answering("no");
    const data = wholeOnly(dataWith());
    await run(data, without);
    assert.deepEqual(without.asked[0].choices, ["whole", "no"]);
    assert.doesNotMatch(without.asked[0].context, /^ {2}(tables|undelete):/m, "no block for a way not offered");
    assert.ok(!data.calls.some((c) => c.startsWith("planSurgical")));
  });

  it("a way that fails to plan is shown with why and not offered; whole still is", async () => {
    const data = dataWith();
    const plan = data.planSurgical.bind(data);
    data.planSurgical = async (live, copy, way, tables) => (way === "undelete" ? Promise.reject(new ToolError("psql: permission denied for table users\nmore")) : plan(live, copy, way, tables));
    const decide = answering("whole");
    const out = await run(data, decide);
    assert.equal(out.outcome, "completed", JSON.stringify(out.steps));
    assert.deepEqual(decide.asked[0].choices, ["whole", "tables", "no"]);
    assert.match(decide.asked[0].context, /^ {2}undelete: not offered, planning it failed: psql: permission denied for table users$/m);
  });

  it("shows, after the comparison, what each way writes and loses per table, planned over the differing tables", async () => {
    const data = dataWith();
    data.compareResult.tables = data.compareResult.tables.filter((t) => t.table !== "public.audit");
    data.forces.set("public.users", [{ table: "public.orders", because: "orders_user_id_fkey" }]);
    data.triggers.set("public.users", ["public.users: audit_users"]);
    const decide = answering("no");
    await run(data, decide);
    const context = decide.asked[0].context;
    assert.match(context, /^1 of 3 tables differ/);
    assert.ok(context.indexOf("public.users  primary key (id)") < context.indexOf("What each way writes and loses"), "the comparison first");
    assert.match(context, /whole: the copy replaces all of live; everything written since the restore point is lost/);
    assert.match(context, /whole[^]*public\.users: loses 1 row only in live and 2 rows changed since \(live's version\)/);
    assert.match(context, /tables: replaces 2 tables with the copy's rows; every other table keeps everything\n\s+public\.users \(chosen\): loses 1 row only in live and 2 rows changed since \(live's version\)\n\s+public\.orders \(forced in by orders_user_id_fkey\): loses nothing/);
    assert.match(context, /triggers that will not fire while it writes: public\.users: audit_users/);
    assert.match(context, /undelete: inserts the copy's rows whose primary key live lacks; loses nothing\n\s+public\.users: inserts 3 rows; 2 rows changed since stay as live has them/);
    assert.match(context, /no: stop at the comparison; live is not touched/);
    assert.deepEqual(data.calls.filter((c) => c.startsWith("planSurgical")), ["planSurgical tables public.users", "planSurgical undelete public.users"]);
  });

  it("says what whole does with a table on one side only, and leaves out counts that are zero", () => {
    const result: CompareResult = {
      equal: false,
      tables: [
        { table: "public.gone", rowsA: null, rowsB: 150, checksumA: null, checksumB: "x", equal: false, key: "primary key (id)", onlyInCopy: 150, onlyInLive: 0, changed: null, note: "table only in the copy" },
        { table: "public.new", rowsA: 4, rowsB: null, checksumA: "y", checksumB: null, equal: false, key: "primary key (id)", onlyInCopy: 0, onlyInLive: 4, changed: null, note: "table only in live" },
        { table: "public.beats", rowsA: 16, rowsB: 10, checksumA: "a", checksumB: "b", equal: false, key: "primary key (id)", onlyInCopy: 0, onlyInLive: 6, changed: 0 },
        { table: "public.log", rowsA: 9, rowsB: 7, checksumA: "c", checksumB: "d", equal: false, key: "content (no primary key)", onlyInCopy: 1, onlyInLive: 3, changed: null },
      ],
    };
    const text = waysText(result, {});
    assert.match(text, /public\.gone: live has no such table; the copy has 150 rows\n/);
    assert.match(text, /public\.new: the copy has no such table; live has 4 rows\n/);
    assert.match(text, /public\.beats: loses 6 rows only in live\n/);
    assert.match(text, /public\.log: loses 3 rows only in live \(compared by content: a changed row counts as only in live\)\n/);
    assert.doesNotMatch(text, /^ {2}(tables|undelete):/m);
  });

  it("journals the way on the compare step, and copy-into-live carries it out (no dump, no backup of the copy)", async () => {
    const data = dataWith();
    const out = await run(data, answering("tables"));
    assert.equal(out.outcome, "completed", JSON.stringify(out.steps));
    const compare = stepOf(out, "compare");
    assert.deepEqual(compare.decision, { way: "tables", tables: ["public.users", "public.audit"] });
    assert.match(compare.summary ?? "", /way chosen: tables: replaces 2 tables/);
    assert.doesNotMatch(compare.summary ?? "", /\n/, "one line in the journal");
    assert.deepEqual(wrote(data), ["restoreSurgical tables public.users,public.audit"]);
    const copy = stepOf(out, "copy-into-live");
    assert.deepEqual(copy.inputs, { copyName: "the-copy", way: "tables", tables: "public.users,public.audit" });
    assert.match(copy.summary ?? "", /brought the-copy's rows back by "tables" in one transaction on live .*public\.users 3 inserted, 2 updated, 1 deleted; public\.audit 1 inserted, 0 updated, 2 deleted; sequences moved: public\.users_id_seq -> 42/);
    // the journal on disk holds it too, as a resume reads it
    const journal = new Journal(stateDir, "test", out.runId).records();
    assert.deepEqual(journal.find((r) => r.step === "compare")?.decision, { way: "tables", tables: ["public.users", "public.audit"] });
    assert.deepEqual(out.decisions.map((d) => d.answer), ["tables"]);
  });

  it("a resume that starts at copy-into-live asks nothing and takes the journalled way", async () => {
    const data = dataWith();
    data.compareResult.tables = data.compareResult.tables.filter((t) => t.table !== "public.audit");
    data.failOnce.set("restoreSurgical", new ToolError("psql: server closed the connection; live is unchanged (rolled back)"));
    const platform = new FakePlatform();
    const first = await run(data, answering("undelete"), {}, platform);
    assert.equal(first.outcome, "failed");
    assert.equal(first.steps[first.steps.length - 1].step, "copy-into-live");
    const second = await run(data, never, { resumeRunId: first.runId }, platform);
    assert.equal(second.outcome, "completed", JSON.stringify(second.steps));
    assert.deepEqual(second.steps.slice(first.steps.length).map((s) => s.step), ["copy-into-live", ...AFTER]);
    assert.deepEqual(wrote(data), ["restoreSurgical undelete public.users", "restoreSurgical undelete public.users"]);
    assert.match(stepOf(second, "copy-into-live").summary ?? "", /by "undelete".*public\.users 3 inserted, 2 kept differing \(as live has them\)/);
    assert.deepEqual(second.decisions, [], "nothing asked");
  });

  it("after a crash between live's COMMIT and the journal, the resumed copy-into-live runs the way again and finds nothing more to do", async () => {
    const data = dataWith();
    data.compareResult.tables = data.compareResult.tables.filter((t) => t.table !== "public.audit");
    const platform = new FakePlatform();
    // the transaction committed, then the process died before the step's end was journalled
    const commitThenDie = data.restoreSurgical.bind(data);
    data.restoreSurgical = async (copy, live, plan) => {
      await commitThenDie(copy, live, plan);
      data.restoreSurgical = commitThenDie;
      throw new ToolError("simulated crash after COMMIT");
    };
    const first = await run(data, answering("undelete"), {}, platform);
    assert.equal(first.outcome, "failed");
    const second = await run(data, never, { resumeRunId: first.runId }, platform);
    assert.equal(second.outcome, "completed", JSON.stringify(second.steps));
    assert.match(stepOf(second, "copy-into-live").summary ?? "", /public\.users 0 inserted/);
    assert.deepEqual(wrote(data), ["restoreSurgical undelete public.users", "restoreSurgical undelete public.users"]);
  });

  it("a run journalled before the ways (compare done, no decision) resumes as whole, asking nothing", async () => {
    const runId = "20240724T080000Z-data-loss-0ad3";
    const journal = new Journal(stateDir, "test", runId);
    const meta: RunMeta = { runId, scenario: "data-loss", stack: "test", platform: "local", createdAt: NOW.toISOString(), inputs: INPUTS };
    journal.create(meta);
    for (const step of BEFORE) journal.append({ step, status: "done", startedAt: NOW.toISOString(), endedAt: NOW.toISOString(), ...(step === "compare" ? { summary: "1 of 3 tables differ; restore into live approved" } : {}) });
    const data = dataWith();
    const out = await run(data, never, { resumeRunId: runId });
    assert.equal(out.outcome, "completed", JSON.stringify(out.steps));
    const name = copyBackupName("test", runId);
    assert.deepEqual(wrote(data), [`backup the-copy ${name}`, `restore ${name} -> s189t01-aytq-ts-pg`]);
    assert.ok(!data.calls.some((c) => c.startsWith("planSurgical")));
    assert.deepEqual(stepOf(out, "copy-into-live").inputs, { copyName: "the-copy", backup: name });
  });

  it("choosing a way whose plan refuses a table stops the run (exit 3) naming the table and why; nothing is written", async () => {
    const data = dataWith();
    const decide = answering("undelete");
    const out = await run(data, decide);
    assert.equal(out.outcome, "stopped");
    assert.equal(out.exitCode, EXIT.refused);
    const last = out.steps[out.steps.length - 1];
    assert.deepEqual([last.step, last.status], ["compare", "failed"]);
    assert.match(last.error ?? "", /"undelete" cannot take public\.audit \(it has no primary key, and undelete finds missing rows by it\); nothing was written to live/);
    assert.equal(last.decision, undefined, "a refused choice is not journalled: a resume asks again");
    assert.deepEqual(wrote(data), []);
    assert.match(decide.asked[0].context, /REFUSED, choosing "undelete" stops the run here with nothing written: public\.audit \(it has no primary key/, "shown before asking");
    // the person resumes and takes another way
    const again = await run(data, answering("whole"), { resumeRunId: out.runId });
    assert.equal(again.outcome, "completed");
  });

  it("a plan that refuses at copy-into-live (the catalogs changed since the question) stops there (exit 3), nothing written", async () => {
    const data = dataWith();
    data.compareResult.tables = data.compareResult.tables.filter((t) => t.table !== "public.audit");
    const out = await run(data, answering("tables"), { onEvent: (e) => e.type === "step-start" && e.step === "copy-into-live" && data.refuse.set("public.users", "live has no such table any more") });
    assert.equal(out.outcome, "stopped");
    assert.equal(out.exitCode, EXIT.refused);
    const last = out.steps[out.steps.length - 1];
    assert.equal(last.step, "copy-into-live");
    assert.match(last.error ?? "", /"tables" cannot take public\.users \(live has no such table any more\); nothing was written to live/);
    assert.deepEqual(wrote(data), []);
  });

  it("--tables: qualified or unambiguous bare names, planned and journalled as compare names them", async () => {
    const data = dataWith();
    const decide = answering("tables");
    const out = await run(data, decide, { tables: ["audit", "public.users"] });
    assert.equal(out.outcome, "completed", JSON.stringify(out.steps));
    assert.deepEqual(stepOf(out, "compare").decision, { way: "tables", tables: ["public.audit", "public.users"] });
    assert.ok(data.calls.includes("planSurgical tables public.audit,public.users"), data.calls.join("\n"));
  });

  it("--tables with an unknown or ambiguous name fails at compare (exit 2), naming each, before anything is planned or written", async () => {
    const data = dataWith();
    const decide = answering("tables");
    const out = await run(data, decide, { tables: ["users", "nope"] });
    assert.equal(out.outcome, "failed");
    assert.equal(out.exitCode, EXIT.usage);
    const last = out.steps[out.steps.length - 1];
    assert.equal(last.step, "compare");
    assert.match(last.error ?? "", /--tables: "users" is ambiguous \(public\.users, audit\.users\); "nope" is not a table compare found; tables compared: public\.users, public\.audit, public\.orders, audit\.users; nothing was written to live/);
    assert.equal(decide.asked.length, 0, "not asked");
    assert.ok(!data.calls.some((c) => c.startsWith("planSurgical")));
    assert.deepEqual(wrote(data), []);
  });

  it("a way the data tools do not offer is never carried out (exit 2)", async () => {
    const data = wholeOnly(dataWith());
    const out = await run(data, answering("tables"));
    assert.equal(out.outcome, "failed");
    assert.equal(out.exitCode, EXIT.usage);
    assert.match(out.steps[out.steps.length - 1].error ?? "", /"tables" is not offered here: the choices were whole, no/);
    assert.deepEqual(wrote(data), []);
  });

  it("the journal keeps the decision as JSON a resume reads back", async () => {
    const data = dataWith();
    const out = await run(data, answering("whole"));
    const text = readFileSync(path.join(stateDir, "test", out.runId, "journal.jsonl"), "utf8");
    const compare = text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as StepRecord).find((r) => r.step === "compare");
    assert.deepEqual(compare?.decision, { way: "whole" });
  });

  it("by default the surgical ways take the tables that lost or changed rows, never one that only gained rows", () => {
    const gainedOnly = { table: "public.heartbeat", rowsA: 9, rowsB: 4, checksumA: "g", checksumB: "h", equal: false, key: "primary key (id)", onlyInCopy: 0, onlyInLive: 5, changed: 0 } as const;
    const byContent = { ...gainedOnly, table: "public.log", key: "content (no primary key)", changed: null } as const;
    const dropped = { ...gainedOnly, table: "public.old", rowsA: null, onlyInCopy: 4, onlyInLive: 0, changed: null } as const;
    const result: CompareResult = { equal: false, tables: [...COMPARED.tables, gainedOnly, byContent, dropped] };
    assert.deepEqual(damagedTables(result), ["public.users", "public.audit", "public.old"]);
  });
});
