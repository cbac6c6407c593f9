/** aytq-dr as a process: exit codes and messages, with a fake pulumi CLI behind AYTQ_DR_PULUMI_ROOT. */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FakePulumi, preEvent } from "../stack/fake-pulumi";
import { RecordingIO, runMain } from "../helpers/cli-io";
import { PLAN_SUBSCRIPTION_ID } from "../../recovery/plan/mocks";
import { PULUMI_TYPES } from "../../infra/types";

const BIN = path.join(__dirname, "..", "..", "bin", "aytq-dr.js");
const LIVE = "s189t01-aytq-ts-pg";
const DP = PULUMI_TYPES.deploymentPatch;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const stateDirs: string[] = [];

function run(args: string[], fake?: FakePulumi): Promise<Result> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-cli-"));
  stateDirs.push(stateDir);
  // no GITHUB_TOKEN: nothing reaches GitHub from these tests (status reads main's holds with it)
  const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_TOKEN: "", AYTQ_DR_STATE_DIR: stateDir, AYTQ_DR_PULUMI_ROOT: fake?.root ?? path.join(stateDir, "no-pulumi") };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const noTrace = (r: Result) => assert.ok(!/\n\s+at .+:\d+:\d+/.test(r.stderr), `stack trace printed:\n${r.stderr}`);
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("aytq-dr as a process", function () {
  this.timeout(60_000);
  after(() => {
    for (const dir of stateDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    FakePulumi.removeAll();
  });

  const refusals: [string, string[], number, RegExp][] = [
    ["an unknown stack", ["stop", "--stack", "staging", "--yes"], 2, /unknown stack "staging"/],
    ["a missing --stack", ["freeze", "--yes"], 2, /missing --stack/],
    ["ptr without --at", ["ptr", "--stack", "test", "--dry-run"], 2, /ptr needs --at/],
    ["a time that is not a time", ["ptr", "--stack", "test", "--at", "yesterday", "--dry-run"], 2, /not an ISO 8601 time/],
    ["a time without a zone", ["ptr", "--stack", "test", "--at", "2024-07-24T06:00", "--dry-run"], 2, /has no time zone/],
    ["2024-03-31T01:30 Europe/London (does not exist)", ["ptr", "--stack", "test", "--at", "2024-03-31T01:30", "--timezone", "Europe/London", "--dry-run"], 2, /does not exist in Europe\/London.*2024-03-31T00:30:00Z.*2024-03-31T01:30:00Z/],
    ["2024-10-27T01:30 Europe/London (ambiguous)", ["ptr", "--stack", "test", "--at", "2024-10-27T01:30", "--timezone", "Europe/London", "--dry-run"], 2, /ambiguous in Europe\/London.*2024-10-27T00:30:00Z.*2024-10-27T01:30:00Z/],
    ["a restore point in the future", ["ptr", "--stack", "test", "--at", iso(-3_600_000), "--dry-run"], 2, /in the future/],
    ["a revive point too soon after the deletion", ["revive", "--stack", "test", "--at", iso(3_600_000), "--deleted-at", iso(3_900_000), "--yes"], 2, /earlier than 10 minutes after the deletion/],
    ["production without --confirm-production", ["stop", "--stack", "production", "--yes"], 3, /--confirm-production/],
    ["a change without a terminal or --yes", ["stop", "--stack", "test"], 3, /no terminal/],
    ["maintenance with a bad state", ["maintenance", "maybe", "--stack", "test", "--yes"], 2, /expected on or off/],
    ["tidy without --name or --all", ["tidy", "--stack", "test", "--yes"], 2, /exactly one of --name/],
    ["data-loss without a way to answer its decision", ["run", "data-loss", "--stack", "test", "--at", iso(3_600_000)], 3, /--restore-copy no to stop at the comparison/],
    ["an unknown scenario", ["run", "lost-everything", "--stack", "test", "--yes"], 2, /unknown scenario/],
    ["resuming an unknown run", ["run", "--resume", "20240724T060000Z-data-loss-abcd", "--stack", "test"], 2, /no run "20240724T060000Z-data-loss-abcd"/],
    ["resuming what is not a run id", ["run", "--resume", "..", "--stack", "test"], 2, /"\.\." is not a run id/],
  ];
  // The process-level contract (the exit code the process ends with, what reaches its stderr, a pipe
  // that is no terminal, the fake pulumi never run) is proved by a real process for one refusal of
  // each exit code; the others run the same argv through main in-process (the same code below the
  // process entry), which is what they test, without loading tsx and the program once each.
  const asProcess = new Set(["an unknown stack", "production without --confirm-production", "a change without a terminal or --yes"]);
  for (const [what, args, code, message] of refusals) {
    if (asProcess.has(what)) {
      it(`refuses ${what} with exit ${code} before touching the stack (a real process)`, async () => {
        const fake = new FakePulumi();
        const r = await run(args, fake);
        assert.equal(r.code, code, r.stderr);
        assert.match(r.stderr.replace(/\n/g, " "), message);
        noTrace(r);
        assert.deepEqual(fake.calls(), [], "the stack was touched");
      });
    } else {
      it(`refuses ${what} with exit ${code} before touching the stack (in-process)`, async () => {
        const stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-cli-"));
        stateDirs.push(stateDir);
        // no stack to hand out: opening one would be recorded, and fail
        const io = new RecordingIO(undefined, { env: { AZURE_SUBSCRIPTION_ID: PLAN_SUBSCRIPTION_ID, AYTQ_DR_STATE_DIR: stateDir } });
        const r: Result = { code: await runMain(args, io), stdout: io.outText, stderr: io.errText };
        assert.equal(r.code, code, r.stderr);
        assert.match(r.stderr.replace(/\n/g, " "), message);
        noTrace(r);
        assert.deepEqual(io.opened, [], "the stack was touched");
      });
    }
  }

  it("stop --yes: sets config, previews with --diff, passes the gate, runs up, prints replicas", async () => {
    const fake = new FakePulumi({
      config: { app: { stopped: false } },
      previewEvents: [preEvent("update", DP, "web"), preEvent("update", DP, "worker"), preEvent("same", PULUMI_TYPES.server, "live", { protect: true, inputs: { serverName: LIVE } })],
      summary: { update: 2, same: 1 },
      outputs: { webReplicas: 0, workerReplicas: 0 },
    });
    const r = await run(["stop", "--stack", "test", "--yes"], fake);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /stop: applied/);
    assert.match(r.stdout, /webReplicas: 0/);
    const kinds = fake.calls().map((c) => c.slice(0, 2).join(" "));
    assert.deepEqual(kinds.filter((k) => k !== "config get"), ["stack select", "config set-all", "preview --diff", "up --yes", "stack output", "stack output", "stack history"]);
    assert.deepEqual(fake.state().config, { app: { stopped: true } });
  });

  it("stop: the gate refuses a preview that deletes the live server; exit 3, config rolled back, no up", async () => {
    const fake = new FakePulumi({
      config: { app: { stopped: false } },
      previewEvents: [preEvent("update", DP, "web"), preEvent("delete", PULUMI_TYPES.server, "live-server", { protect: true, inputs: { serverName: LIVE } })],
    });
    const r = await run(["stop", "--stack", "test", "--yes"], fake);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`delete azure-native:dbforpostgresql:Server "${LIVE}": would delete a protected resource`));
    noTrace(r);
    assert.deepEqual(fake.state().config, { app: { stopped: false } });
    assert.ok(!fake.calls().some((c) => c[0] === "up"));
  });

  it("a locked stack exits 5 with a clear message and config as it was", async () => {
    const fake = new FakePulumi({ config: { app: { stopped: false } }, locked: ["preview"] });
    const r = await run(["stop", "--stack", "test", "--yes"], fake);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /locked by another update/);
    assert.match(r.stderr, /fix: wait for that update to finish \(`pulumi stack history --stack test`.*only if it died.*`pulumi cancel --stack test` releases the lock/);
    noTrace(r);
    assert.deepEqual(fake.state().config, { app: { stopped: false } });
  });

  it("preview maintenance on: runs the real preview, prints the temporary URLs and the DfE Sign-in reminder, applies nothing", async () => {
    const fake = new FakePulumi({ config: { app: { maintenance: false } }, previewEvents: [preEvent("create", PULUMI_TYPES.deployment, "maintenance")] });
    const r = await run(["preview", "maintenance", "on", "--stack", "test"], fake);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /dry run: maintenance on passes the gate/);
    assert.match(r.stdout, /https:\/\/access-your-teaching-qualifications-test-temp/);
    assert.match(r.stdout, /DfE Sign-in must know these temporary URLs/);
    assert.ok(!fake.calls().some((c) => c[0] === "up"));
    assert.deepEqual(fake.state().config, { app: { maintenance: false } });
  });

  it("ptr refuses an explicit name that exists, listing the existing copies", async () => {
    const fake = new FakePulumi({ config: { recovery: { ptrCopies: [{ name: "copy-a", restorePointUTC: "2024-07-20T00:00:00Z" }] } } });
    const r = await run(["ptr", "--stack", "test", "--at", iso(3_600_000), "--name", "copy-a", "--yes"], fake);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /copy-a already exists; existing copies: copy-a \(at 2024-07-20T00:00:00Z\)/);
    assert.ok(!fake.calls().some((c) => c[0] === "config" && c[1] === "set-all"));
  });

  it("status prints mode, main's freeze (unknown without a token), replicas, maintenance and copies with their age", async () => {
    const created = iso(2 * 3_600_000);
    const fake = new FakePulumi({
      outputs: { recoveryMode: "normal", webReplicas: 0, workerReplicas: 0, maintenance: true, serverName: LIVE, ptrCopies: [{ name: "copy-a", restorePointUTC: "2024-07-20T00:00:00Z", createdAtUTC: created }] },
    });
    const r = await run(["status", "--stack", "test"], fake);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pipeline: +main: unknown \(GITHUB_TOKEN is not set; the holds are refs\/aytq-dr\/freeze\/\* of the app repository\)/);
    assert.match(r.stdout, /maintenance: +ON/);
    assert.match(r.stdout, /copy-a at 2024-07-20T00:00:00Z, created .* \(2 h 0 min old\)/);
  });
});
