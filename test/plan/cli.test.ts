/** `aytq-dr plan`: `node bin/aytq-dr.js plan ...` as a process (no Pulumi CLI, no credentials), and the same argv through main in-process. */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PlanDiffDocument, PlanDocument } from "../../recovery/plan/render";
import { RecordingIO, runMain } from "../helpers/cli-io";
import { PULUMI_TYPES } from "../../infra/types";

const ROOT = path.resolve(__dirname, "..", "..");

function dr(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  // An empty PATH-independent environment without cloud credentials proves none are needed.
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" };
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "aytq-dr.js"), ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The same command through main in-process, with the same bare environment: what a process would
 * print on stdout and stderr (each line as processIO writes it) and its exit code. The real process
 * is kept for the checks of the process itself (no credentials in its environment, the exit code it
 * ends with, no stack trace on stderr); the rest need not load tsx and the program once each.
 */
async function drIn(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const io = new RecordingIO(undefined, { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" } });
  const code = await runMain(args, io);
  const asWritten = (lines: string[]) => lines.map((t) => (t.endsWith("\n") ? t : t + "\n")).join("");
  assert.deepEqual(io.opened, [], "plan never opens a stack");
  return { code, stdout: asWritten(io.stdout), stderr: asWritten(io.stderr) };
}

function server(doc: PlanDocument, name = "aytq-database-server") {
  const r = doc.resources.find((x) => x.type === PULUMI_TYPES.server && x.name === name);
  assert.ok(r, `${name} in the plan`);
  return r;
}

describe("aytq-dr plan (a process, and main in-process)", function () {
  this.timeout(60_000);

  it("done when: production reviveDropped shows the server with createMode ReviveDropped", () => {
    const r = dr("plan", "--stack", "production", "--set", "recovery.mode=reviveDropped", "--set", "recovery.restorePointUTC=2024-07-24T06:00:00Z", "--json");
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as PlanDocument;
    assert.equal(doc.stack, "production");
    const s = server(doc);
    assert.equal(s.inputs.serverName, "s189p01-aytq-pd-pg");
    assert.equal(s.inputs.createMode, "ReviveDropped");
    assert.equal(s.inputs.pointInTimeUTC, "2024-07-24T06:00:00Z");
    assert.match(String(s.inputs.sourceServerResourceId), /\/flexibleServers\/s189p01-aytq-pd-pg$/);
    assert.equal(s.options.protect, true);
    assert.deepEqual(s.options.ignoreChanges.slice(0, 3), ["createMode", "pointInTimeUTC", "sourceServerResourceId"]);
    assert.equal(s.options.customTimeouts?.create, "6h");
    // issue 8's done-when: no resource with an import option, in either mode that creates the server
    assert.deepEqual(doc.resources.filter((x) => x.options.import !== undefined).map((x) => x.name), []);
    assert.ok(!doc.resources.some((x) => x.name === "aytq-database-database"), "the database comes back with the server: not declared");
  });

  it("issue 11's done when: production shows the uptime checks of both URLs, the heartbeat, an action group on every alert and the two locks; maintenance pauses the public checks", async () => {
    for (const maintenance of [false, true]) {
      const r = await drIn("plan", "--stack", "production", ...(maintenance ? ["--set", "app.maintenance=true"] : []), "--json");
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as PlanDocument;
      const checks = doc.resources.filter((x) => x.type === PULUMI_TYPES.uptimeCheck);
      const publicChecks = checks.filter((c) => ["https://access-your-teaching-qualifications.education.gov.uk/health/all.json", "https://check-a-teachers-record.education.gov.uk/health/all.json"].includes(String((c.inputs.monitoredResource as { address?: string }).address)));
      assert.equal(publicChecks.length, 2);
      for (const c of publicChecks) assert.equal(c.inputs.paused, maintenance, c.name);
      assert.ok(doc.resources.some((x) => x.name === "aytq-uptime-backup-heartbeat" && x.inputs.__provider === "[dynamic provider]"), "the heartbeat, its provider code not printed");
      const group = doc.resources.find((x) => x.type === PULUMI_TYPES.actionGroup);
      assert.ok(group);
      const alerts = doc.resources.filter((x) => x.type === PULUMI_TYPES.metricAlert);
      assert.ok(alerts.length >= 5);
      for (const a of alerts) assert.deepEqual(a.inputs.actions, [{ actionGroupId: `${group.name}_id` }], a.name);
      assert.deepEqual(doc.resources.filter((x) => x.type === PULUMI_TYPES.lock).map((x) => x.inputs.lockName), ["s189p01-aytq-pd-pg-no-delete", "s189p01aytqdbbkppdsa-no-delete"]);
    }
  });

  it("done when: production rebuild lists no resource with an import option", async () => {
    const r = await drIn("plan", "--stack", "production", "--set", "recovery.mode=rebuild", "--json");
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as PlanDocument;
    assert.deepEqual(doc.resources.filter((x) => x.options.import !== undefined).map((x) => x.name), []);
    assert.equal(server(doc).inputs.createMode, "Default");
  });

  it("shows secret inputs as [secret] and every resource with type, name, inputs and options", async () => {
    const r = await drIn("plan", "--stack", "test", "--json");
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as PlanDocument;
    assert.equal(server(doc).inputs.administratorLoginPassword, "[secret]");
    assert.ok(!r.stdout.includes("mock-password"), "the password never appears");
    for (const res of doc.resources) {
      assert.equal(typeof res.type, "string");
      assert.equal(typeof res.name, "string");
      assert.equal(typeof res.options.protect, "boolean", `${res.name}: options.protect`);
      assert.ok(Array.isArray(res.options.ignoreChanges), `${res.name}: options.ignoreChanges`);
    }
  });

  it("prints a readable tree without --json", async () => {
    const r = await drIn("plan", "--stack", "preproduction", "--set", "app.stopped=true");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /aytq-database-server \(azure-native:dbforpostgresql:Server\)/);
    assert.match(r.stdout, /serverName: s189t01-aytq-pp-pg/);
    assert.match(r.stdout, /spec\.replicas: 0/);
  });

  it("--diff-from-stack-config lists what a swap changes: an added copy and changed ingress backends (main's rule is the pipeline stack's)", async () => {
    const sets = [
      "--set",
      'recovery.ptrCopies=[{"name":"s189t01-aytq-ts-pg-ptr-1","restorePointUTC":"2024-07-24T06:00:00Z"}]',
      "--set",
      "app.maintenance=true",
    ];
    const r = await drIn("plan", "--stack", "test", ...sets, "--diff-from-stack-config", "--json");
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as PlanDiffDocument;
    assert.deepEqual(doc.added.map((x) => x.name).sort(), ["aytq-app-temp-aytq", "aytq-app-temp-ctr", "aytq-ptr-s189t01-aytq-ts-pg-ptr-1"]);
    assert.deepEqual(doc.removed, []);
    assert.ok(!doc.changed.some((c) => c.name === "aytq-pipeline-branch-protection"), "an environment stack declares no branch protection");
    assert.ok(doc.changed.some((c) => c.name === "aytq-app-ingress-aytq"), "AYTQ ingress backend changes");
    assert.ok(!doc.changed.some((c) => c.name === "aytq-database-server"), "the live server does not change");

    const text = await drIn("plan", "--stack", "test", ...sets, "--diff-from-stack-config");
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /\+ aytq-ptr-s189t01-aytq-ts-pg-ptr-1/);
    assert.match(text.stdout, /~ aytq-app-ingress-aytq/);
  });

  it("--set pipeline.frozen on an environment stack is refused, naming the stack that owns main's rule", async () => {
    const r = await drIn("plan", "--stack", "test", "--set", "pipeline.frozen=true");
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /aytq:pipeline: moved to Pulumi\.pipeline\.yaml/);
  });

  it("--diff-from-stack-config with no overrides reports no changes", async () => {
    const r = await drIn("plan", "--stack", "test", "--diff-from-stack-config");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no changes/);
  });

  it("rejects a bad --set with the program's message, exit 2, no stack trace", () => {
    const r = dr("plan", "--stack", "test", "--set", "recovery.mode=revive", "--json");
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /invalid config: aytq:recovery\.mode: must be one of normal, reviveDropped, rebuild \(got "revive"\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });

  it("rejects an unknown key with exit 2", async () => {
    const r = await drIn("plan", "--stack", "test", "--set", "app.stoped=true");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /aytq:app\.stoped: is not a config key/);
  });

  it("rejects an unknown stack with exit 2", async () => {
    const r = await drIn("plan", "--stack", "staging");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown stack "staging"/);
  });
});
