/**
 * Operator input that used to end in exit 70 and a stack trace is a one-line problem with a fix
 * line, exit 2, and nothing changed: a damaged stack file, a state folder that is a file or cannot
 * be made (under /proc, where making it used to spin for ever), `preview change --markdown <a folder>`,
 * stack outputs and config of the wrong shape.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readStackConfig } from "../../recovery/config/stackfile";
import { FakeStackPort } from "../helpers/fake-stack";
import { StackStub } from "../helpers/stack-stub";
import { withStackFileText } from "../helpers/stack-file";
import { RecordingIO, runMain, STACK_TRACE } from "../helpers/cli-io";
import { PLAN_SUBSCRIPTION_ID } from "../../recovery/plan/mocks";

const ROOT = path.resolve(__dirname, "../..");
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");
const tmps: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), "aytq-input-"));
  tmps.push(d);
  return d;
};

/** Exit 2, a first line naming the problem, a fix line, no stack trace. */
function usage(code: number, io: RecordingIO, problem: RegExp): void {
  assert.equal(code, 2, io.text);
  assert.match(io.errText, problem);
  assert.match(io.errText, /\n  fix: /);
  assert.doesNotMatch(io.errText, STACK_TRACE);
}

describe("operator input is refused with exit 2, never exit 70", function () {
  this.timeout(60_000);
  after(() => {
    for (const d of tmps.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]", "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]", "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]", "config:", "  aytq:environment: test", ""].join("\n");
  const files: [string, string, RegExp][] = [
    ["a syntax error", "config:\n  aytq:environment: [test\n", /Pulumi\.test\.yaml:\d+: .*it is not valid YAML/],
    ["a duplicate key", "config:\n  aytq:environment: test\n  aytq:environment: production\n", /Pulumi\.test\.yaml:3: Map keys must be unique/],
    ["an alias bomb (billion laughs)", bomb, /Pulumi\.test\.yaml: Excessive alias count.*aliases expand more than 100 times/],
    ["config that is a list", "config:\n  - aytq:environment\n", /Pulumi\.test\.yaml:2: config is not a map of keys \(it is a list\)/],
  ];
  for (const [what, text, problem] of files) {
    it(`a stack file with ${what}: exit 2 naming file:line, the stack never opened`, async () => {
      const io = new RecordingIO(undefined);
      const code = await withStackFileText("test", text, () => runMain(["stop", "--stack", "test", "--yes"], io));
      usage(code, io, problem);
      assert.deepEqual(io.opened, [], "the stack was opened");
    });
  }

  it("a state folder that is a file: exit 2 naming it, the file untouched", async () => {
    const file = path.join(tmp(), "state");
    writeFileSync(file, "not a folder");
    const io = new RecordingIO(undefined, { env: { AZURE_SUBSCRIPTION_ID: PLAN_SUBSCRIPTION_ID, AYTQ_DR_STATE_DIR: file } });
    const code = await runMain(["run", "data-loss", "--stack", "test", "--at", iso(3_600_000), "--restore-copy", "no"], io);
    usage(code, io, /the state folder \(AYTQ_DR_STATE_DIR\) .*state is a file, not a folder; nothing was changed/);
    assert.deepEqual(io.opened, []);
  });

  it("a state folder that cannot be made leaves no folder it made on the way", async () => {
    const base = tmp();
    // "made" and "deeper" can be made; a name longer than the file system allows cannot (ENAMETOOLONG)
    const io = new RecordingIO(undefined, { env: { AZURE_SUBSCRIPTION_ID: PLAN_SUBSCRIPTION_ID, AYTQ_DR_STATE_DIR: path.join(base, "made", "deeper", "x".repeat(300)) } });
    const code = await runMain(["run", "data-loss", "--stack", "test", "--at", iso(3_600_000), "--restore-copy", "no"], io);
    usage(code, io, /cannot be (made|used): .*\(ENAMETOOLONG\); nothing was changed/);
    assert.deepEqual(readdirSync(base), [], "a folder made on the way was left");
  });

  it("an unwritable state folder: exit 2 (skipped as root, who can write anywhere)", async function () {
    if (process.getuid?.() === 0) this.skip();
    const dir = tmp();
    const { chmodSync } = await import("node:fs");
    chmodSync(dir, 0o500);
    const io = new RecordingIO(undefined, { env: { AZURE_SUBSCRIPTION_ID: PLAN_SUBSCRIPTION_ID, AYTQ_DR_STATE_DIR: dir } });
    const code = await runMain(["run", "data-loss", "--stack", "test", "--at", iso(3_600_000), "--restore-copy", "no"], io);
    chmodSync(dir, 0o700);
    usage(code, io, /is not writable/);
  });

  it("a state folder under /proc: exit 2 at once, as a process (making it used to spin at 100 % CPU, deaf to SIGTERM)", () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "bin/aytq-dr.js"), "run", "data-loss", "--stack", "test", "--at", iso(3_600_000), "--restore-copy", "no"], {
      cwd: ROOT,
      env: { ...process.env, AYTQ_DR_STATE_DIR: "/proc/self/aytq-dr", AYTQ_DR_PULUMI_ROOT: path.join(tmp(), "no-pulumi") },
      encoding: "utf8",
      timeout: 30_000,
      killSignal: "SIGKILL",
    });
    assert.equal(r.signal, null, "it had to be killed");
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /the state folder \(AYTQ_DR_STATE_DIR\) \/proc\/self\/aytq-dr cannot be made: creating \/proc\/self\/aytq-dr failed/);
    assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);
  });

  it("preview change --markdown <a folder>: exit 2 before the preview, the folder untouched", async () => {
    const dir = tmp();
    const port = new FakeStackPort("test", readStackConfig("test"));
    const io = new RecordingIO(port);
    const code = await runMain(["preview", "change", "--stack", "test", "--markdown", dir], io);
    usage(code, io, /--markdown .* is a folder, not a file; nothing was previewed/);
    assert.deepEqual(port.calls, []);
    assert.deepEqual(readdirSync(dir), []);
  });

  it("preview change --markdown in a folder that does not exist: exit 2 before the preview", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const io = new RecordingIO(port);
    const file = path.join(tmp(), "missing", "preview.md");
    usage(await runMain(["preview", "change", "--stack", "test", "--markdown", file], io), io, /its folder .*missing does not exist/);
    assert.equal(existsSync(path.dirname(file)), false);
  });

  const outputs: [string, unknown, RegExp][] = [
    ["a list with null in it", [null], /the output ptrCopies of stack "test" is not a list of copies .*item 0/],
    ["a copy without a name", [{ restorePointUTC: "2024-07-20T00:00:00Z" }], /item 0: name/],
    ["a number", 5, /the output ptrCopies of stack "test" is not a list of copies/],
  ];
  for (const [what, value, problem] of outputs) {
    it(`a ptrCopies output that is ${what}: ptr and status exit 2, nothing written`, async () => {
      for (const args of [["ptr", "--stack", "test", "--at", iso(3_600_000), "--dry-run"], ["status", "--stack", "test"]]) {
        const port = new StackStub("test", {}, { outputs: async () => ({ ptrCopies: value }), readOnly: { refusal: "only outputs and config are read" } });
        const io = new RecordingIO(port);
        usage(await runMain(args, io), io, problem);
      }
    });
  }

  it("a ptrCopies config entry of the wrong shape: ptr exits 2 naming aytq:recovery.ptrCopies", async () => {
    const port = new StackStub("test", { recovery: { ptrCopies: [{ name: 7 }] } }, { outputs: async () => ({}), readOnly: { refusal: "only outputs and config are read" } });
    const io = new RecordingIO(port);
    usage(await runMain(["ptr", "--stack", "test", "--at", iso(3_600_000), "--dry-run"], io), io, /the stack config aytq:recovery\.ptrCopies of stack "test" is not a list of copies/);
  });

  it("an earliestRestoreDate that is not a time: exit 2", async () => {
    const port = new StackStub("test", {}, { outputs: async () => ({ earliestRestoreDate: { at: 1 } }), readOnly: { refusal: "only outputs and config are read" } });
    const io = new RecordingIO(port);
    usage(await runMain(["ptr", "--stack", "test", "--at", iso(3_600_000), "--dry-run"], io), io, /the output earliestRestoreDate of stack "test" is not a time/);
  });
});
