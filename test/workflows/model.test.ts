/** The test model of the workflows: GitHub's expressions and bash's word expansion, on the forms the workflows use. */
import { strict as assert } from "node:assert";
import { evaluate, interpolate, references } from "./expressions";
import { commands, expand } from "./shell";

describe("workflow model: expressions", () => {
  const ctx = { inputs: { environment: "production", "confirm-production": false, "time-zone": "utc", resume: "" }, github: { event_name: "schedule" }, matrix: { stack: "test" } };
  it("&& and || return an operand, as on the runner", () => {
    assert.equal(evaluate("inputs.confirm-production && 'yes' || ''", ctx), "");
    assert.equal(evaluate("inputs.confirm-production && 'yes' || ''", { ...ctx, inputs: { ...ctx.inputs, "confirm-production": true } }), "yes");
    assert.equal(evaluate("inputs.time-zone != 'utc' && inputs.time-zone || ''", ctx), "");
    assert.equal(evaluate("inputs.resume != ''", ctx), false);
  });
  it("fromJSON and format build the backup matrix", () => {
    const expr = "fromJSON(github.event_name == 'workflow_dispatch' && format('[\"{0}\"]', inputs.environment) || '[\"test\",\"preproduction\",\"production\"]')";
    assert.deepEqual(evaluate(expr, ctx), ["test", "preproduction", "production"]);
    assert.deepEqual(evaluate(expr, { ...ctx, github: { event_name: "workflow_dispatch" } }), ["production"]);
  });
  it("a template: whole (keeps the type) or mixed (a string); what it reads", () => {
    assert.deepEqual(interpolate("${{ matrix.stack }}", ctx), "test");
    assert.equal(interpolate("preview-${{ matrix.stack }}.md", ctx), "preview-test.md");
    assert.deepEqual(references("${{ inputs.confirm-production && 'x.y' || vars.AZURE_CLIENT_ID }}"), ["inputs.confirm-production", "vars.AZURE_CLIENT_ID"]);
  });
  it("refuses what it does not know instead of guessing", () => {
    assert.throws(() => evaluate("hashFiles('x')", ctx), /not supported/);
    assert.throws(() => evaluate("nothere.x", ctx), /not given/);
  });
});

describe("workflow model: bash word expansion", () => {
  it("${VAR:+--flag \"$VAR\"} passes the flag and one word only when VAR is set", () => {
    const cmd = 'npx aytq-dr run "$S" ${AT:+--at "$AT"} ${C:+--confirm-production}';
    assert.deepEqual(expand(cmd, { S: "data-loss", AT: "2024-07-24 06:00Z", C: "" }).map((w) => w.value), ["npx", "aytq-dr", "run", "data-loss", "--at", "2024-07-24 06:00Z"]);
    const words = expand(cmd, { S: "x", AT: "", C: "yes" });
    assert.deepEqual(words.map((w) => w.value), ["npx", "aytq-dr", "run", "x", "--confirm-production"]);
    assert.deepEqual(words[4].guards, ["C"]);
  });
  it("an unquoted variable is split, a quoted one is not; an empty quoted word stays", () => {
    assert.deepEqual(expand('a $X "$X" ""', { X: "1 2" }).map((w) => w.value), ["a", "1", "2", "1 2", ""]);
  });
  it("splits a script into commands, dropping comments and joining continued lines", () => {
    assert.deepEqual(commands("# c\npulumi version\npulumi login \\\n  \"$U\" && echo ok; x || y"), ["pulumi version", 'pulumi login    "$U"', "echo ok", "x", "y"]);
  });
});
