/** The decision's plain rules (runbook/decision.ts): reading the flags, matching table names, the journalled way, asking. */
import { strict as assert } from "node:assert";
import { UsageError } from "../../recovery/errors";
import { askForChoice, bareName, knownWay, parseRestoreCopy, parseTablesFlag, recordedDecision, resolveTables } from "../../recovery/runbook/decision";
import type { TableComparison } from "../../recovery/runbook/ports";
import type { StepRecord } from "../../recovery/runbook/run-model";

const table = (name: string): TableComparison => ({ table: name, rowsA: 1, rowsB: 1, checksumA: "a", checksumB: "a", equal: true, key: "primary key (id)", onlyInCopy: 0, onlyInLive: 0, changed: 0 });
const at = "2024-07-24T08:00:00Z";
const rec = (step: string, extra: Partial<StepRecord> = {}): StepRecord => ({ step, status: "done", startedAt: at, ...extra });

describe("decision: the rules, without a run", () => {
  it("--restore-copy takes the ways and no, exactly; anything else is exit 2 naming the ways", () => {
    for (const w of ["whole", "tables", "undelete", "no"]) assert.equal(parseRestoreCopy(w), w);
    for (const bad of ["yes", "Whole", "", "all", "y"]) assert.throws(() => parseRestoreCopy(bad), (e: unknown) => e instanceof UsageError && /whole\|tables\|undelete\|no/.test(e.hint ?? ""), bad);
  });

  it("--tables: trimmed names, each once; an empty name is refused", () => {
    assert.deepEqual(parseTablesFlag(" public.users , orders,orders"), ["public.users", "orders"]);
    for (const bad of ["", "a,,b", "a,", " , "]) assert.throws(() => parseTablesFlag(bad), (e: unknown) => e instanceof UsageError && /empty table name/.test(e.message), bad);
  });

  it("a bare name is the last name outside quotes", () => {
    assert.equal(bareName("public.users"), "users");
    assert.equal(bareName("users"), "users");
    assert.equal(bareName('"my.schema"."Us.ers"'), '"Us.ers"');
    assert.equal(bareName('public."a""b"'), '"a""b"');
  });

  it("names resolve to compare's: qualified, bare, or a quoted table by its own name; every bad one named at once", () => {
    const compared = [table("public.users"), table('public."Orders"'), table("audit.users"), table('"my.schema".events')];
    assert.deepEqual(resolveTables(["public.users", "Orders", "events", '"Orders"'], compared), ["public.users", 'public."Orders"', '"my.schema".events']);
    assert.throws(
      () => resolveTables(["users", "orders", "x"], compared),
      (e: unknown) => e instanceof UsageError && /"users" is ambiguous \(public\.users, audit\.users\); "orders" is not a table compare found; "x" is not a table compare found/.test(e.message),
    );
  });

  it("the journalled decision: the last completed compare's; whole without one; none before compare completed", () => {
    assert.equal(recordedDecision([rec("stop"), rec("compare", { status: "failed" })]), undefined);
    assert.deepEqual(recordedDecision([rec("compare")]), { way: "whole" });
    assert.deepEqual(recordedDecision([rec("compare", { status: "failed" }), rec("compare", { decision: { way: "undelete", tables: ["public.users"] } })]), { way: "undelete", tables: ["public.users"] });
    assert.equal(knownWay([rec("compare", { decision: { way: "tables", tables: [] } })], undefined), "tables");
    assert.equal(knownWay([], "undelete"), "undelete");
    assert.equal(knownWay([], "no"), undefined, "no decides nothing about copy-into-live");
  });

  it("asks until the answer is a choice; case and spaces do not matter; empty is no", async () => {
    const answers = ["maybe", " UNDELETE "];
    const said: string[] = [];
    assert.equal(await askForChoice(async () => answers.shift()!, "How?", ["whole", "tables", "undelete", "no"], (l) => said.push(l)), "undelete");
    assert.equal(said.length, 1);
    assert.match(said[0], /^"maybe" is not one of whole, tables, undelete, no\. "whole" replaces all of live/);
    assert.equal(await askForChoice(async () => "  ", "How?", ["whole", "no"], () => undefined), "no");
  });
});
