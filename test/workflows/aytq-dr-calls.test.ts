/**
 * Every aytq-dr call in the workflows, checked against the command's own definition
 * (`buildProgram`, every action replaced by a recorder): the subcommand exists, every flag exists
 * and gets its value, required options are there; each workflow input reaches its flag; and
 * `--confirm-production` is passed only when the "confirm production" input is true.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { STACK_NAMES } from "../../infra/config";
import { main } from "../../recovery/cli/main";
import type { CliIO } from "../../recovery/cli/io";
import { EXIT } from "../../recovery/errors";
import { reportBackup } from "../../recovery/ci/backup-report";
import { parseGithubEnvironmentName } from "../../recovery/ci/environments";
import { githubRunReporter } from "../../recovery/ci/run-report";
import { SCENARIOS } from "../../recovery/runbook/run-model";
import type { Value } from "./expressions";
import { callProblems, confirmGuardProblems, inputFlagProblems, usesAzure } from "./checks";
import { Case, invocations, Invocation, loadWorkflow, loadWorkflows, parseWithProgram, staticInvocations, Workflow } from "./model";

const RUN_ID = "20240724T060102Z-data-loss-1a2b";
const OUTPUTS = {
  run: { "run-id": RUN_ID, "journal-dir": "/s", "journal-artifact": "a", "report-artifact": "r", "report-file": "/s/report.md" },
  find: { "artifact-name": `aytq-dr-journal-test-${RUN_ID}`, "workflow-run-id": "41", "artifact-id": "7" },
  backup: { name: "aytq_pd_2024-07-24.sql.gz", bytes: "1", sha256: "ab", "elapsed-ms": "1" },
  pick: { scenario: "server-lost-revive" },
};

/** A recover.yml dispatch with every input given (the optional ones as the case says). */
function recoverCase(inputs: Record<string, Value>): Case {
  return {
    event: "workflow_dispatch",
    inputs: { environment: "test", scenario: "data-loss", "restore-point": "", "deleted-at": "", "time-zone": "utc", "restore-copy": "no", tables: "", "confirm-production": false, resume: "", ...inputs },
    outputs: OUTPUTS,
  };
}

/** The cases each workflow is simulated with: every event it takes, every environment, the optional inputs set and unset. */
function casesFor(wf: Workflow): Case[] {
  switch (wf.file) {
    case "recover.yml":
      return STACK_NAMES.flatMap((environment) =>
        [true, false].flatMap((confirm) => [
          recoverCase({ environment, "confirm-production": confirm, "restore-point": "2024-07-24T06:00:00Z" }),
          recoverCase({ environment, "confirm-production": confirm, scenario: "server-lost-revive", "restore-point": "2024-07-24T07:00", "deleted-at": "2024-07-24T06:40", "time-zone": "Europe/London" }),
          recoverCase({ environment, "confirm-production": confirm, scenario: "server-lost-rebuild" }),
          recoverCase({ environment, "confirm-production": confirm, resume: RUN_ID, "restore-copy": "whole" }),
          recoverCase({ environment, "confirm-production": confirm, "restore-point": "2024-07-24T06:00:00Z", "restore-copy": "tables", tables: "public.users,orders" }),
        ]),
      );
    case "backup.yml":
      return [
        { event: "schedule", outputs: OUTPUTS },
        ...STACK_NAMES.map((environment) => ({ event: "workflow_dispatch", inputs: { environment, name: "before-fix", server: "" }, outputs: OUTPUTS })),
        { event: "workflow_dispatch", inputs: { environment: "production", name: "", server: "s189p01-aytq-pd-pg-ptr-202407240700" }, outputs: OUTPUTS },
        { event: "schedule", outputs: OUTPUTS, status: { success: false, failure: true, cancelled: false } },
      ];
    case "drill.yml":
      return [{ event: "pull_request" }, { event: "schedule", outputs: OUTPUTS }, ...["this-month", ...SCENARIOS].map((scenario) => ({ event: "workflow_dispatch", inputs: { scenario }, outputs: OUTPUTS }))];
    case "preview.yml":
      return [{ event: "pull_request" }];
    default:
      return [{ event: "push" }, { event: "pull_request" }];
  }
}

async function parsed(inv: Invocation) {
  const p = await parseWithProgram(inv.argv);
  assert.ok(!("error" in p), `${inv.workflow} job ${inv.job} step "${inv.step}": aytq-dr ${inv.argv.join(" ")}\n  -> ${"error" in p ? p.error : ""}`);
  return p;
}

describe("aytq-dr calls in the workflows", function () {
  this.timeout(120_000);

  it("every command line names a command aytq-dr has, with flags it has, each with its value (all variables set)", async () => {
    const workflows = loadWorkflows();
    assert.deepEqual((await Promise.all(workflows.map(callProblems))).flat(), []);
    const count = workflows.reduce((n, wf) => n + staticInvocations(wf).length, 0);
    assert.ok(count >= 12, `only ${count} aytq-dr calls found: the model misses some`);
  });

  it("every command line parses as run, for every event, environment and input combination", async () => {
    for (const wf of loadWorkflows()) {
      for (const c of casesFor(wf)) for (const inv of invocations(wf, c)) await parsed(inv);
    }
  });

  it("finds the calls the model must find (a check that reads nothing passes nothing)", () => {
    const paths = loadWorkflows().flatMap((wf) => staticInvocations(wf).map((i) => `${wf.file}: ${i.argv.filter((a) => !a.startsWith("-") && !a.startsWith("<")).slice(0, 2).join(" ")}`));
    for (const expected of ["recover.yml: run", "recover.yml: ci find-journal", "recover.yml: ci import-journal", "backup.yml: backup", "backup.yml: backups verify", "backup.yml: ci notify", "drill.yml: drill", "drill.yml: ci drill-scenario", "preview.yml: preview change"]) {
      assert.ok(paths.some((p) => p.startsWith(expected)), `${expected} not found in ${paths.join(", ")}`);
    }
  });

  describe("recover.yml: aytq-dr run with exactly the inputs", () => {
    const wf = loadWorkflow("recover.yml");
    const runOf = async (c: Case) => {
      const runs = invocations(wf, c).filter((i) => i.argv[0] === "run");
      assert.equal(runs.length, 1, "one aytq-dr run per dispatch");
      return parsed(runs[0]);
    };

    it("every input reaches its flag (each given a distinctive value in turn)", async () => {
      assert.deepEqual(await inputFlagProblems(wf), []);
    });

    it("environment, scenario, restore point, deletion time, time zone, the restore-copy answer and the run to resume, all at once", async () => {
      const p = await runOf(recoverCase({ environment: "preproduction", scenario: "server-lost-revive", "restore-point": "2024-07-24T07:00", "deleted-at": "2024-07-24T06:40", "time-zone": "Europe/London", "restore-copy": "whole", tables: "users" }));
      assert.deepEqual(p.path, ["run"]);
      assert.deepEqual(p.args, ["server-lost-revive"]);
      assert.equal(p.opts.stack, "preproduction");
      assert.equal(p.opts.at, "2024-07-24T07:00");
      assert.equal(p.opts.deletedAt, "2024-07-24T06:40");
      assert.equal(p.opts.timezone, "Europe/London");
      assert.equal(p.opts.restoreCopy, undefined, "revive asks nothing about data: the command refuses --restore-copy for it");
      assert.equal(p.opts.tables, undefined, "nor --tables");
      assert.equal(p.opts.resume, undefined);
      const d = await runOf(recoverCase({ scenario: "data-loss", "restore-point": "2024-07-24T07:00", "restore-copy": "tables", tables: "public.users,orders" }));
      assert.equal(d.opts.restoreCopy, "tables");
      assert.equal(d.opts.tables, "public.users,orders");
      assert.equal(p.opts.yes, true, "no terminal on a runner: --yes, or the command refuses");
      const r = await runOf(recoverCase({ resume: RUN_ID }));
      assert.equal(r.opts.resume, RUN_ID);
      assert.equal(r.opts.restoreCopy, undefined, "a resume with restore-copy left at no passes none: past the comparison the command refuses it, the run keeps its way");
      assert.equal((await runOf(recoverCase({ resume: RUN_ID, "restore-copy": "undelete" }))).opts.restoreCopy, "undelete", "a resume at the comparison takes the way given");
      assert.equal((await runOf(recoverCase({ "restore-point": "2024-07-24T07:00" }))).opts.restoreCopy, "no", "a new run stops at the comparison by default");
      assert.deepEqual(r.args, ["data-loss"], "the scenario goes too: the command refuses a resume of another scenario");
    });

    it("an empty optional input passes no flag, so the command's own defaults and checks apply (UTC times need no --timezone)", async () => {
      const p = await runOf(recoverCase({ "restore-point": "2024-07-24T06:00:00Z" }));
      for (const k of ["deletedAt", "timezone", "resume", "confirmProduction"]) assert.equal(p.opts[k], undefined, k);
      assert.equal(p.opts.at, "2024-07-24T06:00:00Z");
    });

    it("a value with spaces stays one argument (no word splitting of an input)", async () => {
      const p = await runOf(recoverCase({ "restore-point": "2024-07-24 06:00:00Z" }));
      assert.equal(p.opts.at, "2024-07-24 06:00:00Z");
    });

    it("--confirm-production only when the confirm-production input is true, on every environment and scenario", async () => {
      for (const c of casesFor(wf)) {
        const p = await runOf(c);
        assert.equal(p.opts.confirmProduction === true, c.inputs?.["confirm-production"] === true, JSON.stringify(c.inputs));
      }
    });
  });

  it("no other workflow passes --confirm-production (none has a confirm input)", () => {
    for (const wf of loadWorkflows().filter((w) => w.file !== "recover.yml")) {
      for (const inv of staticInvocations(wf)) assert.ok(!inv.argv.includes("--confirm-production"), `${wf.file}: ${inv.command}`);
    }
  });

  it("recover.yml: --confirm-production appears only behind the confirm-production input", () => {
    assert.deepEqual(loadWorkflows().flatMap(confirmGuardProblems), []);
  });

  it("the command itself refuses production without the confirmation, before anything changes (what the workflow relies on)", async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), "aytq-wf-guard-"));
    try {
      const at = new Date(Date.now() - 60 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      const [inv] = invocations(loadWorkflow("recover.yml"), recoverCase({ environment: "production", "restore-point": at })).filter((i) => i.argv[0] === "run");
      const lines: string[] = [];
      const opened: string[] = [];
      const io: CliIO = { out: (t) => lines.push(t), err: (t) => lines.push(t), isTTY: false, env: { AYTQ_DR_STATE_DIR: tmp }, openStack: async (s) => {
        opened.push(s);
        throw new Error("must not open the stack");
      } };
      assert.equal(await main(["node", "aytq-dr", ...inv.argv], io), EXIT.refused, lines.join("\n"));
      assert.match(lines.join("\n"), /without --confirm-production/);
      assert.deepEqual(opened, []);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  describe("backup.yml", () => {
    const wf = loadWorkflow("backup.yml");
    it("nightly: aytq-dr backup --nightly of each environment, then backups verify of that very backup", async () => {
      const calls = invocations(wf, { event: "schedule", outputs: OUTPUTS });
      const backups = calls.filter((i) => i.argv[0] === "backup");
      assert.deepEqual(backups.map((i) => i.matrix.environment), [...STACK_NAMES]);
      for (const b of backups) {
        const p = await parsed(b);
        assert.equal(p.opts.nightly, true);
        assert.equal(p.opts.name, undefined);
        assert.equal(p.opts.stack, b.matrix.environment);
      }
      const verifies = calls.filter((i) => i.argv[0] === "backups" && i.argv[1] === "verify");
      assert.equal(verifies.length, 3);
      for (const v of verifies) {
        const p = await parsed(v);
        assert.equal(p.opts.file, OUTPUTS.backup.name, "verify must be given the name the backup step printed");
        assert.equal(p.opts.stack, v.matrix.environment);
      }
      assert.ok(!calls.some((i) => i.argv[1] === "notify"), "no failure message when nothing failed");
    });
    it("by hand: one environment, the name given, not the nightly name", async () => {
      const [b] = invocations(wf, { event: "workflow_dispatch", inputs: { environment: "production", name: "before-fix", server: "" }, outputs: OUTPUTS }).filter((i) => i.argv[0] === "backup");
      const p = await parsed(b);
      assert.equal(p.opts.stack, "production");
      assert.equal(p.opts.name, "before-fix");
      assert.equal(p.opts.nightly, undefined);
    });
    it("a failure sends the Slack and Teams message with the webhooks from the environment's secrets", async () => {
      const calls = invocations(wf, { event: "schedule", outputs: OUTPUTS, status: { success: false, failure: true, cancelled: false } }).filter((i) => i.argv[1] === "notify");
      assert.equal(calls.length, 3);
      for (const c of calls) {
        const p = await parsed(c);
        assert.equal(p.opts.tone, "failure");
        assert.match(String(p.opts.title), new RegExp(String(c.matrix.environment)));
        assert.ok(c.env.AYTQ_DR_SLACK_WEBHOOK && c.env.AYTQ_DR_TEAMS_WEBHOOK, "webhooks from the secrets");
      }
    });
  });

  describe("drill.yml", () => {
    const wf = loadWorkflow("drill.yml");
    it("a pull request runs the local drill of every scenario (npm run drill)", async () => {
      const calls = invocations(wf, { event: "pull_request" });
      assert.equal(calls.length, 1);
      const p = await parsed(calls[0]);
      assert.deepEqual([p.path, p.opts.platform, p.opts.scenario], [["drill"], "local", "all"]);
      assert.match(calls[0].command, /^npm run drill$/);
    });
    it("the monthly run drills this month's scenario on the test stack; a manual run the one chosen", async () => {
      const monthly = invocations(wf, { event: "schedule", outputs: OUTPUTS });
      const pick = await parsed(monthly.find((i) => i.argv[1] === "drill-scenario") as Invocation);
      assert.equal(pick.opts.scenario, undefined, "no choice on schedule: the command picks this month's");
      const drill = await parsed(monthly.find((i) => i.argv[0] === "drill") as Invocation);
      assert.deepEqual([drill.opts.stack, drill.opts.scenario, drill.opts.yes], ["test", OUTPUTS.pick.scenario, true]);
      const manual = invocations(wf, { event: "workflow_dispatch", inputs: { scenario: "server-lost-rebuild" }, outputs: OUTPUTS });
      assert.equal((await parsed(manual.find((i) => i.argv[1] === "drill-scenario") as Invocation)).opts.scenario, "server-lost-rebuild");
    });
  });

  it("preview.yml previews each stack's change and keeps the verdict for the pull request", async () => {
    const calls = invocations(loadWorkflow("preview.yml"), { event: "pull_request" }).filter((i) => i.argv[0] === "preview");
    assert.deepEqual(calls.map((c) => c.matrix.stack), [...STACK_NAMES]);
    for (const c of calls) {
      const p = await parsed(c);
      assert.deepEqual(p.path, ["preview", "change"]);
      assert.equal(p.opts.stack, c.matrix.stack);
      assert.equal(p.opts.markdown, `preview-${String(c.matrix.stack)}.md`);
    }
  });

  it("in a job holding Azure credentials, every --stack is the job's GitHub environment (it acts only on that stack)", async () => {
    for (const wf of loadWorkflows()) {
      for (const c of casesFor(wf)) {
        for (const inv of invocations(wf, c).filter((i) => usesAzure(wf.doc.jobs[i.job]))) {
          const env = wf.doc.jobs[inv.job].environment;
          const p = await parsed(inv);
          if (p.opts.stack === undefined) continue;
          assert.ok(env !== undefined, `${wf.file} job ${inv.job} acts on ${String(p.opts.stack)} outside a GitHub environment`);
          const name = String(env).replace(/\$\{\{\s*(inputs|matrix)\.([\w-]+)\s*\}\}/, (_m, ctx: string, k: string) => String(ctx === "inputs" ? c.inputs?.[k] : inv.matrix[k]));
          // <stack>, <stack>-backup or <stack>-preview: the stack is the one the environment is for
          assert.equal(p.opts.stack, parseGithubEnvironmentName(name)?.stack, `${wf.file} job ${inv.job}: --stack ${String(p.opts.stack)} in environment ${name}`);
        }
      }
    }
  });

  it("every steps.<id>.outputs.<name> a workflow reads is an output the aytq-dr command of that step writes", () => {
    // what the commands write, as their own code writes it (tested in test/ci)
    const written: Record<string, string[]> = {
      run: Object.keys(OUTPUTS.run),
      "ci find-journal": Object.keys(OUTPUTS.find),
      backup: Object.keys(OUTPUTS.backup),
      "ci drill-scenario": Object.keys(OUTPUTS.pick),
    };
    for (const wf of loadWorkflows()) {
      for (const m of wf.text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const [, id, name] = m;
        const job = Object.values(wf.doc.jobs).find((j) => j.steps?.some((s) => s.id === id));
        const step = job?.steps?.find((s) => s.id === id);
        assert.ok(step?.run, `${wf.file}: steps.${id} is not a run step`);
        const words = staticInvocations(wf).find((i) => step.run?.includes(i.command.slice(0, 25)));
        assert.ok(words, `${wf.file}: step ${id} runs no aytq-dr command`);
        const cmd = words.argv[0] === "ci" ? `ci ${words.argv[1]}` : words.argv[0];
        assert.ok(written[cmd]?.includes(name), `${wf.file}: steps.${id}.outputs.${name}, but aytq-dr ${cmd} writes ${JSON.stringify(written[cmd])}`);
      }
    }
  });
});

describe("the outputs the workflows read are the ones the commands write", () => {
  it("the table above matches the code", async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), "aytq-wf-outputs-"));
    try {
      const keys = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((l) => l.slice(0, l.indexOf("=")));
      const env = { GITHUB_OUTPUT: path.join(tmp, "run") };
      githubRunReporter(env, { stateDir: tmp, stack: "test", root: tmp, resumeCommand: () => "", log: () => undefined })?.({ type: "run-start", runId: RUN_ID, scenario: "data-loss", stack: "test", at: "x" });
      assert.deepEqual(keys(env.GITHUB_OUTPUT).sort(), Object.keys(OUTPUTS.run).sort());
      const b = { GITHUB_OUTPUT: path.join(tmp, "backup") };
      reportBackup(b, { name: "n", bytes: 1, sha256: "s", elapsedMs: 1 });
      assert.deepEqual(keys(b.GITHUB_OUTPUT).sort(), Object.keys(OUTPUTS.backup).sort());
      const p = { GITHUB_OUTPUT: path.join(tmp, "pick") };
      const io: CliIO = { out: () => undefined, err: () => undefined, isTTY: false, env: p };
      assert.equal(await main(["node", "aytq-dr", "ci", "drill-scenario"], io), 0);
      assert.deepEqual(keys(p.GITHUB_OUTPUT), Object.keys(OUTPUTS.pick));
      // ci find-journal's outputs: test/ci/journal-artifact.test.ts checks the exact file
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
