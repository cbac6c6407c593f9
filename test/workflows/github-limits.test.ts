/**
 * What GitHub itself does to the workflows (shared/reference/ENGINE.md §12): a job in an
 * environment with required reviewers waits for an approval, and fails after 30 days; a hosted job
 * stops at 6 hours; Node 20 is past its end of life. So: the nightly backup, a recovery and a
 * pull request's preview each run in an environment of their own; an artifact relayed to a job
 * that may wait for an approval outlives the wait; time-outs leave the uploads room to run; the
 * workflows set up the current Node LTS and CI tests the oldest Node the package promises too;
 * and an input's description names what the command really does.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { STACK_NAMES, type StackName } from "../../infra/config";
import { githubEnvironmentName, parseGithubEnvironmentName } from "../../recovery/ci/environments";
import { checkStackName, loadStackSettings } from "../../recovery/config/stackfile";
import { backupName } from "../../recovery/data/names";
import { environmentsOf, HOSTED_JOB_CAP_MINUTES, nodeVersions, relayRetentionProblems, timeoutProblems, usesAzure } from "./checks";
import { interpolate, references } from "./expressions";
import { Case, flatSteps, loadWorkflow, loadWorkflows, matrixOf, parseWorkflow, ROOT, Workflow } from "./model";

const recoverCase = (environment: string): Case => ({ event: "workflow_dispatch", inputs: { environment, scenario: "data-loss", resume: "" } });

/** A copy of a workflow with one text replacement (which must apply). */
function broken(file: string, from: string | RegExp, to: string): Workflow {
  const text = readFileSync(path.join(ROOT, ".github", "workflows", file), "utf8");
  const changed = text.replace(from, to);
  assert.notEqual(changed, text, `the replacement of ${String(from)} did not apply to ${file}`);
  return parseWorkflow(file, changed);
}

/** The environments of the nightly backup, a manual backup, a recovery and a preview of one stack. */
function environmentsFor(stack: StackName, files: { backup?: Workflow; recover?: Workflow; preview?: Workflow } = {}) {
  const backup = files.backup ?? loadWorkflow("backup.yml");
  const recover = files.recover ?? loadWorkflow("recover.yml");
  const preview = files.preview ?? loadWorkflow("preview.yml");
  // the nightly matrix and the preview matrix list the stacks in STACK_NAMES' order (tested in properties.test.ts)
  const nightly = matrixOf(backup, backup.doc.jobs.backup, { event: "schedule" }).findIndex((m) => m.environment === stack);
  const previewed = matrixOf(preview, preview.doc.jobs.preview, { event: "pull_request" }).findIndex((m) => m.stack === stack);
  return {
    nightlyBackup: environmentsOf(backup, "backup", { event: "schedule" })[nightly],
    manualBackup: environmentsOf(backup, "backup", { event: "workflow_dispatch", inputs: { environment: stack } })[0],
    recovery: environmentsOf(recover, "recover", recoverCase(stack))[0],
    preview: environmentsOf(preview, "preview", { event: "pull_request" })[previewed],
  };
}

describe("what GitHub does to the workflows", function () {
  this.timeout(60_000);

  describe("an environment per job role: the nightly backup waits for nobody, a pull request never holds the recovery's identity", () => {
    it("the nightly production backup, a production recovery and a production preview resolve to three different environments", () => {
      const e = environmentsFor("production");
      assert.deepEqual(e, { nightlyBackup: "production-backup", manualBackup: "production-backup", recovery: "production", preview: "production-preview" });
      assert.equal(new Set([e.nightlyBackup, e.recovery, e.preview]).size, 3);
    });

    it("every stack: each Azure job's environment is the one its role names (recovery and drill <stack>, backup <stack>-backup, preview <stack>-preview)", () => {
      for (const stack of STACK_NAMES) {
        const e = environmentsFor(stack);
        assert.deepEqual(e, { nightlyBackup: githubEnvironmentName(stack, "backup"), manualBackup: githubEnvironmentName(stack, "backup"), recovery: githubEnvironmentName(stack, "recover"), preview: githubEnvironmentName(stack, "preview") }, stack);
      }
      assert.deepEqual(environmentsOf(loadWorkflow("drill.yml"), "test-stack", { event: "schedule" }), [githubEnvironmentName("test", "recover")]);
    });

    it("each Azure job sets up the stack its environment is for", () => {
      const cases: Record<string, Case[]> = {
        "recover.yml": STACK_NAMES.map(recoverCase),
        "backup.yml": [{ event: "schedule" }, ...STACK_NAMES.map((environment) => ({ event: "workflow_dispatch", inputs: { environment } }))],
        "preview.yml": [{ event: "pull_request" }],
        "drill.yml": [{ event: "schedule" }],
      };
      let checked = 0;
      for (const [file, list] of Object.entries(cases)) {
        const wf = loadWorkflow(file);
        for (const [name, job] of Object.entries(wf.doc.jobs).filter(([, j]) => usesAzure(j))) {
          const setup = (job.steps ?? []).find((s) => s.uses === "./.github/actions/aytq-dr-azure");
          assert.ok(setup, `${file} job ${name}: no aytq-dr-azure set-up`);
          for (const c of list) {
            const envs = environmentsOf(wf, name, c);
            matrixOf(wf, job, c).forEach((matrix, i) => {
              const parsed = parseGithubEnvironmentName(String(envs[i]));
              assert.ok(parsed, `${file} job ${name}: environment ${String(envs[i])} is none of ours`);
              const stack = interpolate(setup.with?.stack, { inputs: c.inputs ?? {}, matrix, github: { event_name: c.event } });
              assert.equal(stack, parsed.stack, `${file} job ${name}: environment ${String(envs[i])}, but sets up ${String(stack)}`);
              checked++;
            });
          }
        }
      }
      assert.ok(checked >= 13, `only ${checked} jobs checked`);
    });

    it("fails a backup back in the recovery's environment (the check can fail)", () => {
      const e = environmentsFor("production", { backup: broken("backup.yml", /environment: \$\{\{ matrix\.environment \}\}-backup/, "environment: ${{ matrix.environment }}") });
      assert.equal(e.nightlyBackup, e.recovery);
      const p = environmentsFor("production", { preview: broken("preview.yml", /environment: \$\{\{ matrix\.stack \}\}-preview/, "environment: ${{ matrix.stack }}") });
      assert.equal(p.preview, p.recovery);
    });

    it("the preview reads no admin GitHub token and no secret but the StatusCake token its own environment holds", () => {
      const wf = loadWorkflow("preview.yml");
      const job = wf.doc.jobs.preview;
      const read = flatSteps(job).flatMap(({ step }) => [...Object.values(step.env ?? {}), ...Object.values(step.with ?? {}), step.run, step.if].flatMap((v) => references(v)));
      assert.deepEqual([...new Set(read.filter((r) => r.startsWith("secrets.")))], ["secrets.STATUSCAKE_API_TOKEN"]);
      for (const { step } of flatSteps(job)) assert.ok(!("GITHUB_TOKEN" in (step.env ?? {})), `${step.name ?? step.run}: GITHUB_TOKEN given to the preview`);
      assert.ok(!/AYTQ_DR_GITHUB_TOKEN/.test(wf.text), "preview.yml names the admin token");
    });
  });

  describe("an artifact relayed to a job that may wait for an approval outlives the wait", () => {
    it("recover.yml: the journal handed to the recovery job is kept longer than 30 days", () => {
      assert.deepEqual(relayRetentionProblems(loadWorkflow("recover.yml")), []);
      const up = loadWorkflow("recover.yml").doc.jobs.journal.steps?.find((s) => s.with?.name === "journal-to-resume");
      assert.ok(Number(up?.with?.["retention-days"]) > 30, JSON.stringify(up?.with));
      assert.deepEqual(loadWorkflows().flatMap(relayRetentionProblems), []);
    });
    it("fails one day", () => {
      assert.match(relayRetentionProblems(broken("recover.yml", /retention-days: \d+/, "retention-days: 1")).join(), /journal-to-resume is read by job recover .* kept 1 day/);
    });
  });

  describe("time-outs leave the uploads room to run", () => {
    it(`every job's time-out is under the hosted runner's ${HOSTED_JOB_CAP_MINUTES} minutes, with its if: always() steps' own time-outs inside it`, () => {
      assert.deepEqual(loadWorkflows().flatMap(timeoutProblems), []);
      for (const [file, job] of [["recover.yml", "recover"], ["drill.yml", "test-stack"]]) {
        const j = loadWorkflow(file).doc.jobs[job];
        assert.ok(Number(j["timeout-minutes"]) < HOSTED_JOB_CAP_MINUTES, `${file} ${job}`);
        assert.ok((j.steps ?? []).some((s) => s.uses?.startsWith("actions/upload-artifact@") && /always\(\)/.test(String(s.if))), `${file} ${job}: an upload that always runs`);
      }
    });
    it("fails 360, and an always() upload with no time-out of its own", () => {
      assert.match(timeoutProblems(broken("recover.yml", /(  recover:[\s\S]*?timeout-minutes: )\d+/, "$1360")).join(), /is not under the hosted runner's 360/);
      assert.match(timeoutProblems(broken("drill.yml", /(uses: actions\/upload-artifact@\S+ # v\S+\n)(\s+)timeout-minutes: \d+\n/, "$1")).join(), /if: always\(\) without a timeout-minutes/);
    });
  });

  describe("Node: the current LTS everywhere, and CI on the oldest the package promises too", () => {
    const engines = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
    it("every setup-node (workflows and the composite action) sets up Node 24, but CI's test job, on a matrix of 24 and the engines' minimum", () => {
      for (const wf of loadWorkflows()) {
        for (const { job, version } of nodeVersions(wf)) {
          if (wf.file === "ci.yml") continue;
          assert.equal(version, "24", `${wf.file} job ${job}`);
        }
      }
      const ci = loadWorkflow("ci.yml");
      assert.deepEqual(nodeVersions(ci), [{ job: "test", version: "${{ matrix.node }}" }]);
      assert.equal(engines, ">=20.19");
      assert.deepEqual(ci.doc.jobs.test.strategy?.matrix, { node: ["24", "20.19"] });
      assert.equal(ci.doc.jobs.test.strategy?.["fail-fast"], false, "one Node failing must not hide the other's result");
      assert.ok(ci.doc.jobs.test.steps?.some((s) => s.run === "npm ci && npm test"));
    });
    it("the composite action's own setup-node is 24 too (it is what the Azure jobs run on)", () => {
      const action = readFileSync(path.join(ROOT, ".github", "actions", "aytq-dr-azure", "action.yml"), "utf8");
      assert.match(action, /node-version: "24"/);
    });
  });

  describe("backup.yml: the name input's description says the name the command really makes", () => {
    const wf = loadWorkflow("backup.yml");
    const description = String(((wf.doc.on?.workflow_dispatch as { inputs: Record<string, { description?: string }> }).inputs.name.description));

    /** The example after "empty: " as a pattern: `<short>` a short code, YYYY, MM, DD, HH digits. */
    function examplePattern(text: string): RegExp {
      const m = /empty: (\S+)$/.exec(text);
      assert.ok(m, `no "empty: <name>" example in ${JSON.stringify(text)}`);
      const escaped = m[1].replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      return new RegExp(`^${escaped.replace("<short>", "(?<short>[a-z]+)").replace("YYYY", "\\d{4}").replace(/MM|DD|HH/g, "\\d{2}")}$`);
    }

    it("each stack's ad hoc name (aytq-dr backup without --name or --nightly), at several times, matches the example", () => {
      const pattern = examplePattern(description);
      assert.match(description, /\(\.sql\.gz is appended\)/);
      for (const stack of STACK_NAMES) {
        const shortCode = loadStackSettings(checkStackName(stack)).shortCode;
        for (const now of [new Date("2024-07-24T06:07:00Z"), new Date("2025-12-31T23:59:59Z"), new Date("2026-01-01T00:00:00Z")]) {
          const name = backupName({ kind: "adhoc", shortCode, now }).replace(/\.sql\.gz$/, "");
          const m = pattern.exec(name);
          assert.ok(m, `${name} does not match ${description}`);
          assert.equal(m.groups?.short, shortCode);
        }
      }
    });

    it("fails the day-only example it used to give", () => {
      const name = backupName({ kind: "adhoc", shortCode: "pd", now: new Date("2024-07-24T06:07:00Z") }).replace(/\.sql\.gz$/, "");
      assert.doesNotMatch(name, examplePattern("Backup name (.sql.gz is appended); empty: aytq_<short>_adhoc_YYYY-MM-DD"));
    });
  });
});

