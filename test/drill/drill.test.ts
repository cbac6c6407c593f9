import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { drillAction } from "../../recovery/cli/commands/drill";
import type { CliIO } from "../../recovery/cli/io";
import { main } from "../../recovery/cli/main";
import type { DrillReport } from "../../recovery/drill";
import { PgCluster, makeTempDir } from "../../recovery/pg/cluster";
import { LOCK_FILE, LocalEnvironment, WorkFolder } from "../../recovery/platforms/local";
import type { StepRecord } from "../../recovery/runbook/run-model";
import { ganttTasks, mermaidBlocks } from "./mermaid-parse";

function testIO(env: NodeJS.ProcessEnv = {}): CliIO & { outText: string[]; errText: string[] } {
  const outText: string[] = [];
  const errText: string[] = [];
  return { out: (t) => outText.push(t), err: (t) => errText.push(t), isTTY: false, env, outText, errText };
}

describe("drill (local platform, real PostgreSQL and Azurite)", function () {
  this.timeout(240_000);
  let dir: string;
  let report: DrillReport;
  let journal: StepRecord[];
  let markdown: string;
  let html: string;
  const webhook: { path: string; text: string }[] = [];
  let server: http.Server;
  let io: ReturnType<typeof testIO>;

  before(async () => {
    dir = await makeTempDir("aytq-drill-test-");
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        webhook.push({ path: req.url ?? "", text: String((JSON.parse(body) as { text?: string }).text ?? "") });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/secret-hook`;
    io = testIO({ AYTQ_DR_STATE_DIR: path.join(dir, "state") });
    const started = Date.now();
    const { code, reports } = await drillAction(
      { platform: "local", scenario: "data-loss", size: "800", reports: path.join(dir, "reports"), workDir: path.join(dir, "work"), slackWebhook: hook },
      io,
    );
    assert.equal(code, 0, io.errText.join("\n"));
    assert.ok(Date.now() - started < 120_000);
    report = reports[0];
    const files = readdirSync(path.join(dir, "reports"));
    assert.deepEqual(files.map((f) => path.extname(f)).sort(), [".html", ".json", ".md"]);
    for (const f of files) assert.match(f, /^local-data-loss-\d{8}T\d{6}Z\.(md|json|html)$/);
    const json = JSON.parse(readFileSync(path.join(dir, "reports", files.find((f) => f.endsWith(".json"))!), "utf8")) as DrillReport;
    assert.deepEqual(json, JSON.parse(JSON.stringify(report)), "the JSON file is the report");
    markdown = readFileSync(path.join(dir, "reports", files.find((f) => f.endsWith(".md"))!), "utf8");
    html = readFileSync(path.join(dir, "reports", files.find((f) => f.endsWith(".html"))!), "utf8");
    const runDir = path.join(dir, "state", "drill-data-loss", report.runId);
    journal = readFileSync(path.join(runDir, "journal.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as StepRecord);
  });

  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("recovers the data-loss scenario green, with every check passing", () => {
    assert.equal(report.green, true, JSON.stringify(report.checks, null, 2));
    assert.equal(report.outcome, "completed");
    const names = report.checks.map((c) => c.name);
    for (const required of ["RPO measured", "RTO measured", "data equal to the restore point", "health green", "app started", "freeze lifted", "copies tidied", "torn down"]) {
      assert.ok(names.includes(required), `missing check ${required}`);
    }
    assert.equal(report.checks.find((c) => c.name === "freeze lifted")?.status, "n/a", "freeze is not applicable locally and says so");
    assert.ok(report.notApplicable.some((n) => /branch protection/.test(n)));
    assert.ok(report.notApplicable.some((n) => /DfE Sign-in/.test(n)));
    assert.equal(existsSync(path.join(dir, "work", "drill-data-loss")), false, "work folder deleted");
  });

  it("has the report fields, and its steps are the journal's", () => {
    for (const key of ["scenario", "platform", "stack", "incidentAt", "restorePoint", "rtoSeconds", "rpoSeconds", "rowsLost", "steps", "checks"]) {
      assert.ok(key in report, key);
    }
    assert.deepEqual(
      report.steps.map((s) => ({ name: s.name, status: s.status, startedAt: s.startedAt, endedAt: s.endedAt })),
      journal.map((j) => ({ name: j.step, status: j.status, startedAt: j.startedAt, endedAt: j.endedAt })),
    );
    assert.deepEqual(report.steps.map((s) => s.name), ["maintenance-on", "stop", "freeze", "safety-backup", "ptr", "compare", "copy-into-live", "start", "validate", "maintenance-off", "unfreeze", "tidy"]);
  });

  it("reports what compare found at the decision, per table, by row (Markdown and HTML too)", () => {
    const t = (name: string) => report.comparison?.find((c) => c.table === `public.${name}`);
    assert.ok(report.comparison, "the report has the comparison");
    const dropped = t("qualifications");
    assert.equal(dropped?.rowsA, null, "live lacks the dropped table");
    assert.ok((dropped?.onlyInCopy ?? 0) > 0);
    assert.match(dropped?.note ?? "", /table only in the copy/);
    const inductions = t("inductions");
    assert.equal(inductions?.key, "primary key (id)");
    assert.ok((inductions?.onlyInCopy ?? 0) > 0, "the deleted inductions are only in the copy");
    assert.deepEqual([inductions?.onlyInLive, inductions?.changed], [0, 0]);
    assert.match(markdown, /## What compare found \(live vs the copy, at the decision\)/);
    assert.match(markdown, new RegExp(`\\| public\\.inductions \\| primary key \\(id\\) \\| ${inductions?.onlyInCopy} \\| 0 \\| 0 \\|`));
    assert.match(html, new RegExp(`<td>public\\.inductions</td><td>primary key \\(id\\)</td><td>${inductions?.onlyInCopy}</td><td>0</td><td>0</td>`));
    const compare = journal.find((j) => j.step === "compare");
    assert.match(compare?.summary ?? "", new RegExp(`public\\.inductions \\(primary key \\(id\\)\\): ${inductions?.onlyInCopy} only in the copy, 0 only in live, 0 changed`));
  });

  it("measures RTO from the incident to the journal's validate step, and RPO from the data that came back", () => {
    const validate = journal.find((j) => j.step === "validate" && j.status === "done")!;
    const rto = (new Date(validate.endedAt!).getTime() - new Date(report.incidentAt).getTime()) / 1000;
    assert.equal(report.rtoSeconds, rto);
    assert.ok(rto > 0);
    assert.ok(new Date(report.restorePoint) < new Date(report.incidentAt), "restore point before the incident");
    assert.ok(report.recoveredTo !== null && new Date(report.recoveredTo) <= new Date(report.restorePoint), "nothing after the restore point came back");
    assert.equal(report.rpoSeconds, (new Date(report.incidentAt).getTime() - new Date(report.recoveredTo!).getTime()) / 1000);
    // the writer committed a row every ~200 ms between the restore point and the incident: those are lost, and counted
    assert.ok(report.rowsLost >= 1, `rows lost ${report.rowsLost}`);
    assert.ok(report.rowsLost <= Math.ceil((report.rpoSeconds! * 1000) / 100), "no more rows lost than the RPO window can hold");
    assert.equal(report.decisions.length, 1);
    assert.equal(report.decisions[0].by, "flag");
    assert.equal(report.decisions[0].answer, "whole", "the drill answers with its default way");
  });

  it("draws the journal's steps as a Mermaid gantt chart that Mermaid parses, and writes the HTML page beside it", async () => {
    const [block, ...more] = mermaidBlocks(markdown);
    assert.equal(more.length, 0);
    const chart = await ganttTasks(block);
    const steps = chart.tasks.filter((t) => !t.milestone);
    assert.deepEqual(steps.map((t) => t.name), journal.map((j) => j.step));
    assert.deepEqual(chart.tasks.filter((t) => t.milestone).map((t) => t.name), ["restore point", "incident", "data recovered to", "service validated"]);
    assert.match(html, /<svg [^>]*class="timeline"/);
    assert.match(html, /<svg [^>]*class="trend"/);
    assert.ok(!/<script/i.test(html));
  });

  it("writes the Markdown sections and a terminal summary, and notified without printing the webhook", () => {
    for (const section of ["## Timeline", "## Steps", "## Checks", "## Decisions taken", "## Not applicable on this platform", "## What to improve", "RTO", "RPO"]) {
      assert.ok(markdown.includes(section), section);
    }
    assert.match(markdown, /DfE Sign-in \(DSI\) temporary URL/);
    assert.match(io.outText.join("\n"), /GREEN {2}data-loss/);
    const texts = webhook.map((w) => w.text).join("\n");
    assert.match(texts, /started/);
    assert.match(texts, /How should the copy .* come back into the live database\?" answered "whole"/);
    assert.match(texts, /green/);
    assert.ok(!io.errText.join("\n").includes("secret-hook") && !io.outText.join("\n").includes("secret-hook"));
  });
});

describe("drill: refusals and leftovers", function () {
  this.timeout(60_000);

  it("refuses an unknown scenario, a bad size, production, an Azure drill without a subscription or a confirmation", async () => {
    const SUB = { AZURE_SUBSCRIPTION_ID: "00000000-0000-4000-8000-000000000000" };
    const cases: [string[], number, RegExp, NodeJS.ProcessEnv?][] = [
      [["drill", "--platform", "local", "--scenario", "meteor"], 2, /unknown scenario "meteor"/],
      [["drill", "--platform", "local", "--scenario", "data-loss", "--size", "enormous"], 2, /--size "enormous" is not a dataset size/],
      [["drill", "--stack", "production", "--scenario", "data-loss", "--yes"], 3, /never run on production/],
      [["drill", "--stack", "test", "--scenario", "data-loss", "--yes"], 2, /neither aytq:subscriptionId nor AZURE_SUBSCRIPTION_ID is set/],
      [["drill", "--stack", "test", "--scenario", "data-loss"], 2, /confirm with --yes/, SUB],
    ];
    for (const [args, code, message, env] of cases) {
      const io = testIO(env);
      assert.equal(await main(["node", "aytq-dr", ...args], io), code, args.join(" "));
      assert.match(io.errText.join("\n"), message);
    }
  });

  it("cleans a work folder left by a killed drill: stops its server and deletes it", async () => {
    const root = await makeTempDir("aytq-stale-");
    try {
      const folder = await WorkFolder.claim("stale", root);
      const cluster = await PgCluster.init({ dataDir: folder.path("live") });
      await cluster.start();
      // a lock naming a process that has exited
      const child = spawn(process.execPath, ["-e", ""]);
      const deadPid = await new Promise<number>((r) => child.on("exit", () => r(child.pid!)));
      writeFileSync(folder.path(LOCK_FILE), JSON.stringify({ pid: deadPid, startedAt: "2026-01-01T00:00:00Z", azuritePorts: [] }));
      const logs: string[] = [];
      const again = await WorkFolder.claim("stale", root, (l) => logs.push(l));
      assert.equal(await cluster.isRunning(), false, "the left-over server was stopped");
      assert.equal(existsSync(cluster.dataDir), false);
      assert.match(logs.join("\n"), /cleaned a work folder left by an interrupted drill.*stopped PostgreSQL in live/);
      // a folder held by a live process is refused
      writeFileSync(again.path(LOCK_FILE), JSON.stringify({ pid: process.ppid, startedAt: "now", azuritePorts: [] }));
      await assert.rejects(WorkFolder.claim("stale", root), /in use by process/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("says clearly when the live server's port is in use", async () => {
    const blocker = http.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as AddressInfo).port;
    const root = path.join(os.tmpdir(), `aytq-port-${process.pid}`);
    mkdirSync(root, { recursive: true });
    try {
      await assert.rejects(LocalEnvironment.create({ name: "port", rows: 100, workRoot: root, livePort: port }), new RegExp(`port ${port} is already in use`));
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("drill: Ctrl-C", function () {
  this.timeout(120_000);

  it("stops every process it started and deletes its work folder, exit 130", async () => {
    const dir = await makeTempDir("aytq-sigint-");
    const work = path.join(dir, "work");
    try {
      const child = spawn(process.execPath, [path.resolve(__dirname, "../../bin/aytq-dr.js"), "drill", "--platform", "local", "--scenario", "server-lost-revive", "--size", "400", "--work-dir", work, "--reports", path.join(dir, "reports")], {
        env: { ...process.env, AYTQ_DR_STATE_DIR: path.join(dir, "state") },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      await new Promise<void>((resolve, reject) => {
        child.stderr.on("data", (d: Buffer) => {
          stderr += d.toString();
          if (/incident at/.test(stderr)) resolve();
        });
        void exited.then(() => reject(new Error(`drill exited early:\n${stderr}`)));
      });
      child.kill("SIGINT");
      assert.equal(await exited, 130, stderr);
      assert.match(stderr, /interrupted/);
      assert.equal(existsSync(path.join(work, "drill-server-lost-revive")), false, "work folder deleted");
      const left = readdirSync("/proc")
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(work);
          } catch {
            return false;
          }
        });
      assert.deepEqual(left, [], "no process still runs from the work folder");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
