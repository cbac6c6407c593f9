/**
 * The workflows' properties: pinned actions, least-privilege tokens, OIDC from the environment's
 * variables, one run per environment at a time, a GitHub environment per stack, the nightly
 * matrix, the triggers, the artifacts and the resume wiring. Each check also runs on a broken
 * copy of a workflow, to show it can fail.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { STACK_NAMES, type StackName } from "../../infra/config";
import { githubEnvironmentName, type JobRole } from "../../recovery/ci/environments";
import { SCENARIOS } from "../../recovery/runbook/run-model";
import {
  callProblems,
  concurrencyFor,
  concurrencyProblems,
  confirmGuardProblems,
  crons,
  inputFlagProblems,
  localActions,
  nightlyEnvironments,
  oidcProblems,
  permissionProblems,
  pinProblems,
  usesAzure,
} from "./checks";
import { interpolate } from "./expressions";
import { Case, flatSteps, loadWorkflow, loadWorkflows, parseWorkflow, ROOT, Workflow } from "./model";

const recoverCase = (environment: string): Case => ({ event: "workflow_dispatch", inputs: { environment, scenario: "data-loss", resume: "" } });
const backupCase = (environment: string): Case => ({ event: "workflow_dispatch", inputs: { environment } });

/** A copy of a workflow with one text replacement (which must apply). */
function broken(file: string, from: string | RegExp, to: string): Workflow {
  const text = readFileSync(path.join(ROOT, ".github", "workflows", file), "utf8");
  const changed = text.replace(from, to);
  assert.notEqual(changed, text, `the replacement of ${String(from)} did not apply to ${file}`);
  return parseWorkflow(file, changed);
}

function stepsOf(wf: Workflow, job: string) {
  return flatSteps(wf.doc.jobs[job]).map((s) => s.step);
}

describe("workflow properties", function () {
  this.timeout(120_000);
  const all = loadWorkflows();

  describe("actions pinned to a full commit SHA, with the version in a comment", () => {
    it("every uses: in every workflow and in the local composite action", () => {
      const files = [...all.map((w) => ({ file: w.file, text: w.text })), ...[...new Set(all.flatMap(localActions))].map((p) => ({ file: path.relative(ROOT, p), text: readFileSync(p, "utf8") }))];
      assert.ok(files.some((f) => f.file.includes("actions/aytq-dr-azure")), "the composite action is checked too");
      assert.deepEqual(files.flatMap((f) => pinProblems(f.file, f.text)), []);
    });
    it("fails a tag, a short SHA, a missing comment, and a comment that is not the SHA's version", () => {
      const sha = "3d3c42e5aac5ba805825da76410c181273ba90b1";
      assert.match(pinProblems("x", "      - uses: actions/checkout@v7\n").join(), /not pinned/);
      assert.match(pinProblems("x", "      - uses: actions/checkout@3d3c42e\n").join(), /not pinned/);
      assert.match(pinProblems("x", `      - uses: actions/checkout@${sha}\n`).join(), /no "# vX.Y.Z" comment/);
      assert.match(pinProblems("x", `      - uses: actions/checkout@${sha} # v6.0.0\n`).join(), /is v7\.0\.1/);
      assert.match(pinProblems("x", `      - uses: someone/else@${sha} # v1\n`).join(), /not among the verified pins/);
      assert.deepEqual(pinProblems("x", `      - uses: actions/checkout@${sha} # v7.0.1\n      - uses: ./.github/actions/aytq-dr-azure\n`), []);
    });
  });

  describe("least-privilege tokens", () => {
    it("stated everywhere; exactly id-token: write and contents: read where Azure is used; no OIDC token elsewhere", () => {
      assert.deepEqual(all.flatMap(permissionProblems), []);
      assert.deepEqual(
        all.flatMap((wf) => Object.entries(wf.doc.jobs).filter(([, j]) => usesAzure(j)).map(([n]) => `${wf.file}:${n}`)),
        ["backup.yml:backup", "drill.yml:test-stack", "preview.yml:preview", "recover.yml:recover"],
      );
    });
    it("fails an Azure job with one permission more, a job with an OIDC token it does not use, and a missing top-level block", () => {
      assert.match(permissionProblems(broken("recover.yml", "      id-token: write\n      contents: read\n    steps:", "      id-token: write\n      contents: read\n      actions: read\n    steps:")).join(), /must be exactly id-token: write, contents: read/);
      assert.match(permissionProblems(broken("recover.yml", "      actions: read\n      contents: read", "      actions: read\n      contents: read\n      id-token: write")).join(), /OIDC token but reaches no Azure/);
      assert.match(permissionProblems(broken("ci.yml", "permissions:\n  contents: read\n", "")).join(), /no workflow-level permissions/);
      assert.match(permissionProblems(broken("drill.yml", "    permissions:\n      contents: read\n    steps:", "    permissions:\n      contents: write\n    steps:")).join(), /contents: write/);
    });
  });

  describe("Azure through OIDC, ids from the environment's variables", () => {
    it("every Azure job logs in with vars.AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_SUBSCRIPTION_ID inside a GitHub environment; no secret credential", () => {
      const cases: Record<string, Case> = { "recover.yml": recoverCase("production"), "backup.yml": { event: "schedule" }, "drill.yml": { event: "schedule" }, "preview.yml": { event: "pull_request" }, "ci.yml": { event: "push" } };
      assert.deepEqual(all.flatMap((wf) => oidcProblems(wf, cases[wf.file])), []);
    });
    it("fails a secret passed as the client id, and creds", () => {
      assert.match(oidcProblems(broken("backup.yml", "client-id: ${{ vars.AZURE_CLIENT_ID }}", "client-id: ${{ secrets.AZURE_CLIENT_ID }}"), { event: "schedule" }).join(), /not the environment's variable|passes a secret/);
      assert.match(oidcProblems(broken("backup.yml", "client-id: ${{ vars.AZURE_CLIENT_ID }}", "creds: ${{ secrets.AZURE_CREDENTIALS }}"), { event: "schedule" }).join(), /long-lived/);
      assert.match(oidcProblems(broken("backup.yml", "    environment: ${{ matrix.environment }}-backup\n", ""), { event: "schedule" }).join(), /outside a GitHub environment/);
    });
    it("the composite action logs in with what it is given, and nothing else", () => {
      const action = readFileSync(path.join(ROOT, ".github", "actions", "aytq-dr-azure", "action.yml"), "utf8");
      assert.match(action, /client-id: \$\{\{ inputs\.client-id \}\}/);
      assert.match(action, /tenant-id: \$\{\{ inputs\.tenant-id \}\}/);
      assert.match(action, /subscription-id: \$\{\{ inputs\.subscription-id \}\}/);
    });
  });

  describe("a GitHub environment per stack and job role", () => {
    it("each Azure job runs in the environment its role names for the stack it sets up (recovery <stack>, backup <stack>-backup, preview <stack>-preview)", () => {
      const cases: [string, string, JobRole, (s: string) => Case][] = [
        ["recover.yml", "recover", "recover", recoverCase],
        ["backup.yml", "backup", "backup", backupCase],
        ["preview.yml", "preview", "preview", () => ({ event: "pull_request" })],
      ];
      for (const [file, job, role, caseFor] of cases) {
        const wf = loadWorkflow(file);
        for (const stack of STACK_NAMES) {
          const c = caseFor(stack);
          const matrices = file === "preview.yml" ? STACK_NAMES.map((s) => ({ stack: s })) : [{ environment: stack }];
          for (const matrix of matrices) {
            const ctx = { inputs: c.inputs ?? {}, matrix, github: { event_name: c.event } };
            const env = interpolate(wf.doc.jobs[job].environment, ctx);
            const setup = wf.doc.jobs[job].steps?.find((s) => s.uses === "./.github/actions/aytq-dr-azure");
            const set = interpolate(setup?.with?.stack, ctx) as StackName;
            assert.ok((STACK_NAMES as readonly unknown[]).includes(set), `${file}: sets up ${String(set)}`);
            assert.equal(env, githubEnvironmentName(set, role), `${file}: the composite action sets up another stack than the environment's`);
          }
        }
      }
      assert.equal(loadWorkflow("drill.yml").doc.jobs["test-stack"].environment, githubEnvironmentName("test", "recover"));
    });
  });

  describe("one run per environment at a time, never cancelling a running one", () => {
    it("recover: keyed by the environment input, not cancelling", () => {
      assert.deepEqual(concurrencyProblems(loadWorkflow("recover.yml"), "recover", recoverCase), []);
    });
    it("backup: each matrix job keyed by its environment, not cancelling", () => {
      assert.deepEqual(concurrencyProblems(loadWorkflow("backup.yml"), "backup", backupCase), []);
      assert.deepEqual(concurrencyFor(loadWorkflow("backup.yml"), "backup", { event: "schedule" }).map((c) => c.group), STACK_NAMES.map((s) => `backup-${s}`));
    });
    it("the monthly drill of the test stack queues behind (and never beside) a recovery of test", () => {
      const [drill] = concurrencyFor(loadWorkflow("drill.yml"), "test-stack", { event: "schedule" });
      const [recovery] = concurrencyFor(loadWorkflow("recover.yml"), "recover", recoverCase("test"));
      assert.deepEqual(drill, recovery);
      assert.equal(drill.cancels, false);
    });
    it("fails cancel-in-progress, a group without the environment, and no group", () => {
      assert.match(concurrencyProblems(broken("recover.yml", "  cancel-in-progress: false", "  cancel-in-progress: true"), "recover", recoverCase).join(), /would cancel a running/);
      assert.match(concurrencyProblems(broken("recover.yml", "group: recover-${{ inputs.environment }}", "group: recover"), "recover", recoverCase).join(), /not keyed by its environment/);
      assert.match(concurrencyProblems(broken("backup.yml", /    concurrency:\n.*\n.*\n/, ""), "backup", backupCase).join(), /no concurrency group/);
    });
  });

  describe("backup.yml: nightly, every environment", () => {
    const wf = loadWorkflow("backup.yml");
    it("at 04:00 UTC, for test, preproduction and production, none cancelling the others", () => {
      assert.deepEqual(crons(wf), ["0 4 * * *"]);
      assert.deepEqual(nightlyEnvironments(wf, "backup"), [...STACK_NAMES]);
      assert.equal(wf.doc.jobs.backup.strategy?.["fail-fast"], false);
    });
    it("a manual run backs up the one environment chosen, and takes a name", () => {
      assert.deepEqual(concurrencyFor(wf, "backup", backupCase("preproduction")).map((c) => c.group), ["backup-preproduction"]);
      assert.ok("name" in ((wf.doc.on?.workflow_dispatch as { inputs: object }).inputs));
    });
    it("fails a matrix that leaves an environment out", () => {
      assert.deepEqual(nightlyEnvironments(broken("backup.yml", '\'["test","preproduction","production"]\'', '\'["production"]\''), "backup"), ["production"]);
    });
  });

  describe("drill.yml", () => {
    const wf = loadWorkflow("drill.yml");
    it("the local drill on every pull request; a monthly drill of the test stack; each keeps its report", () => {
      assert.ok(wf.doc.on && "pull_request" in wf.doc.on && !(wf.doc.on.pull_request as { paths?: unknown } | null)?.paths, "every pull request, whatever it changes");
      const [cron] = crons(wf);
      assert.match(cron, /^\d+ \d+ \d+ \* \*$/, "once a month");
      assert.deepEqual((wf.doc.on?.workflow_dispatch as { inputs: { scenario: { options: string[] } } }).inputs.scenario.options, ["this-month", ...SCENARIOS]);
      for (const job of ["local", "test-stack"]) assert.ok(stepsOf(wf, job).some((s) => s.uses?.startsWith("actions/upload-artifact@") && s.if === "always()" && s.with?.path === "dr-reports"), job);
    });
  });

  describe("preview.yml", () => {
    const wf = loadWorkflow("preview.yml");
    it("on pull requests changing infra/ or a stack file; each stack previewed; the verdicts posted as one comment", () => {
      const paths = (wf.doc.on?.pull_request as { paths: string[] }).paths;
      for (const p of ["infra/**", "Pulumi.*.yaml"]) assert.ok(paths.includes(p), p);
      assert.deepEqual(wf.doc.jobs.preview.strategy?.matrix?.stack, [...STACK_NAMES]);
      const comment = wf.doc.jobs.comment;
      assert.deepEqual(comment.permissions, { "pull-requests": "write" });
      assert.equal(comment.needs, "preview");
      assert.match(String(comment.if), /always\(\)/, "a refused verdict is posted too");
      assert.ok(comment.steps?.some((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@") && s.with?.path === "comment.md"));
    });
  });

  describe("ci.yml", () => {
    it("runs the README's test command on pushes and pull requests", () => {
      const wf = loadWorkflow("ci.yml");
      assert.ok(wf.doc.on && "push" in wf.doc.on && "pull_request" in wf.doc.on);
      assert.ok(wf.doc.jobs.test.steps?.some((s) => s.run === "npm ci && npm test"));
      assert.match(readFileSync(path.join(ROOT, "README.md"), "utf8"), /npm ci && npm test/);
    });
  });

  describe("recover.yml: journal and report kept, a resume fetching the journal of the run it resumes", () => {
    const wf = loadWorkflow("recover.yml");
    it("the journal and the report are uploaded whatever the outcome, under the names aytq-dr gives", () => {
      const uploads = stepsOf(wf, "recover").filter((s) => s.uses?.startsWith("actions/upload-artifact@"));
      assert.deepEqual(
        uploads.map((s) => [s.if, s.with?.name, s.with?.path]),
        [
          ["always() && steps.run.outputs.run-id != ''", "${{ steps.run.outputs.journal-artifact }}", "${{ steps.run.outputs.journal-dir }}"],
          ["always() && steps.run.outputs.run-id != ''", "${{ steps.run.outputs.report-artifact }}", "${{ steps.run.outputs.report-file }}"],
        ],
      );
    });
    it("a resume: a job with actions: read (and no Azure) finds the artifact and hands it over; the recovery imports it before aytq-dr run", () => {
      const journal = wf.doc.jobs.journal;
      assert.equal(journal.if, "inputs.resume != ''");
      assert.deepEqual(journal.permissions, { actions: "read", contents: "read" });
      const js = journal.steps ?? [];
      const find = js.findIndex((s) => s.id === "find");
      const download = js.findIndex((s) => s.uses?.startsWith("actions/download-artifact@"));
      const upload = js.findIndex((s) => s.uses?.startsWith("actions/upload-artifact@"));
      assert.ok(find >= 0 && find < download && download < upload);
      assert.deepEqual([js[download].with?.name, js[download].with?.["run-id"], js[download].with?.["github-token"]], ["${{ steps.find.outputs.artifact-name }}", "${{ steps.find.outputs.workflow-run-id }}", "${{ github.token }}"]);
      assert.equal(js[upload].with?.path, js[download].with?.path);
      const rs = wf.doc.jobs.recover.steps ?? [];
      assert.equal(wf.doc.jobs.recover.needs, "journal");
      assert.match(String(wf.doc.jobs.recover.if), /needs\.journal\.result == 'skipped'/, "a new run does not wait for a journal");
      const get = rs.findIndex((s) => s.uses?.startsWith("actions/download-artifact@"));
      const imp = rs.findIndex((s) => s.run?.includes("ci import-journal"));
      const run = rs.findIndex((s) => s.id === "run");
      assert.ok(get >= 0 && get < imp && imp < run, "download, import, then run");
      assert.equal(rs[get].with?.name, js[upload].with?.name);
      assert.ok(rs[imp].run?.includes(`--from ${String(rs[get].with?.path)}`), "import reads where the download put it");
      assert.equal(rs[get].if, "inputs.resume != ''");
      assert.equal(rs[imp].if, "inputs.resume != ''");
    });
  });

  describe("docs: the workflows (docs/github-actions.md) and their set-up (docs/setup.md)", () => {
    // the README links both; the workflows' own page and the set-up checklist are where a maintainer looks
    const section = ["github-actions.md", "setup.md"].map((f) => readFileSync(path.join(ROOT, "docs", f), "utf8")).join("\n");
    it("names every variable and secret the workflows read, and no other", () => {
      const read = new Set(all.flatMap((wf) => [...wf.text.matchAll(/\b(vars|secrets)\.([A-Z_]+)/g)].map((m) => m[2])));
      const named = new Set([...section.matchAll(/`([A-Z][A-Z0-9_]{5,})`/g)].map((m) => m[1]).filter((n) => /^(AZURE_(CLIENT|TENANT|SUBSCRIPTION)_ID|AYTQ_DR_[A-Z_]+|STATUSCAKE_API_TOKEN)$/.test(n)));
      assert.deepEqual([...read].sort(), [...named].filter((n) => n !== "AYTQ_DR_STATE_DIR").sort());
    });
    it("names each workflow and the environment per stack", () => {
      for (const wf of all) assert.ok(section.includes(`\`${wf.file}\``), wf.file);
      for (const stack of STACK_NAMES) assert.ok(section.includes(`\`${stack}\``), stack);
    });
  });

  describe("the checks of aytq-dr calls fail on broken workflows", () => {
    it("a misspelt flag, an unknown subcommand, a flag without its value", async () => {
      assert.match((await callProblems(broken("recover.yml", '${AT:+--at "$AT"}', '${AT:+--restore-point "$AT"}'))).join(), /unknown option '--restore-point'/);
      assert.match((await callProblems(broken("backup.yml", "npx aytq-dr backups verify", "npx aytq-dr backup verify"))).join(), /too many arguments|unknown/);
      assert.match((await callProblems(broken("backup.yml", '--file "$BACKUP"', "--file"))).join(), /argument missing/);
    });
    it("--confirm-production passed unconditionally, or behind another input", () => {
      assert.match(confirmGuardProblems(broken("recover.yml", "${CONFIRM_PRODUCTION:+--confirm-production}", "--confirm-production")).join(), /unconditionally/);
      assert.match(confirmGuardProblems(broken("recover.yml", "CONFIRM_PRODUCTION: ${{ inputs.confirm-production && 'yes' || '' }}", "CONFIRM_PRODUCTION: ${{ inputs.environment == 'production' && 'yes' || '' }}")).join(), /not the confirm-production input/);
    });
    it("an input that does not reach its flag", async () => {
      assert.match((await inputFlagProblems(broken("recover.yml", '          ${DELETED_AT:+--deleted-at "$DELETED_AT"}\n', ""))).join(), /input deleted-at=.* reaches deletedAt as undefined/);
      assert.match((await inputFlagProblems(broken("recover.yml", "TIME_ZONE: ${{ inputs.time-zone != 'utc' && inputs.time-zone || '' }}", "TIME_ZONE: ''"))).join(), /time-zone/);
      assert.deepEqual(await inputFlagProblems(loadWorkflow("recover.yml")), []);
    });
  });
});
