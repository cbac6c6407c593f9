/**
 * SIGINT, SIGHUP and SIGTERM stop a converging command the same way, at the y/N question and in the
 * middle of its preview: the config is put back, no temporary folder of ours is left, and the
 * process ends with 128 + the signal (130, 129, 143). The end of the input at the question is no
 * answer (exit 3, said as such), not Ctrl-C. Real processes, real signals, the fake pulumi CLI
 * behind the real Automation API. The question is asked on pipes (test/fixtures/prompt-on-pipes.ts):
 * what a real terminal adds (raw mode, EIO after a hang-up) is covered in test/cli/io.test.ts.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FakePulumi, preEvent } from "../stack/fake-pulumi";
import { PULUMI_TYPES } from "../../infra/types";

const ROOT = path.resolve(__dirname, "../..");
const FIXTURE = path.join(ROOT, "test/fixtures/prompt-on-pipes.ts");
const DP = PULUMI_TYPES.deploymentPatch;
/** tsx's cache of compiled files (tsx's client: `path.join(os.tmpdir(), "tsx-" + uid)`). */
const TSX_CACHE = path.join(os.tmpdir(), `tsx-${process.geteuid?.() ?? os.userInfo().username}`);

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** The private TMPDIR the command ran with: our temporary folders are created there. */
  tmp: string;
}

const tmps: string[] = [];

/** A stack whose app runs; its preview pauses `previewPauseMs` after the first step (a long preview). */
function runningApp(previewPauseMs = 0): FakePulumi {
  return new FakePulumi({
    config: { app: { stopped: false } },
    previewEvents: [preEvent("update", DP, "web"), ...(previewPauseMs ? [{ sleepMs: previewPauseMs }] : [])],
    summary: { update: 1 },
  });
}

/**
 * Run `stop --stack test` plus `extra` as a process; when `ready` holds (its stderr so far, the
 * fake's calls), `act` is called once with the child. Resolves when the process has ended.
 */
function stop(fake: FakePulumi, extra: string[], ready: (stderr: string) => boolean, act: (child: ReturnType<typeof spawn>) => void): Promise<Ended> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "aytq-signals-"));
  tmps.push(tmp);
  // tsx keeps its compiled files in $TMPDIR/tsx-<uid>: the suite's own, or every process would
  // compile all of aytq-dr again (about 1 s of CPU each)
  mkdirSync(TSX_CACHE, { recursive: true }); // a dangling link would make tsx's own mkdir fail
  symlinkSync(TSX_CACHE, path.join(tmp, path.basename(TSX_CACHE)));
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, AYTQ_DR_PULUMI_ROOT: fake.root, AYTQ_DR_STATE_DIR: path.join(tmp, "state") };
  const child = spawn(process.execPath, ["-r", "tsx/cjs", FIXTURE, "stop", "--stack", "test", ...extra], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  let acted = false;
  const check = (): void => {
    if (!acted && ready(stderr)) {
      acted = true;
      act(child);
    }
  };
  child.stderr.setEncoding("utf8").on("data", (t: string) => {
    stderr += t;
    check();
  });
  const poll = setInterval(check, 50);
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) => {
    // 'close': the process has ended and its output has all been read
    child.on("close", (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, signal, stderr, tmp });
    });
  });
}

/** Our temporary folders left in the command's TMPDIR (the plan, the state to import). */
const leftovers = (tmp: string) => readdirSync(tmp).filter((f) => f.startsWith("aytq-dr-"));
const calledPreview = (fake: FakePulumi) => existsSync(path.join(fake.root, "calls.log")) && readFileSync(path.join(fake.root, "calls.log"), "utf8").includes('"preview"');

const CODES: [NodeJS.Signals, number, RegExp][] = [
  ["SIGINT", 130, /interrupted \(Ctrl-C\)/],
  ["SIGHUP", 129, /interrupted \(SIGHUP: the terminal closed\)/],
  ["SIGTERM", 143, /interrupted \(SIGTERM\)/],
];

describe("SIGINT, SIGHUP and SIGTERM stop a converging command cleanly (real processes)", function () {
  this.timeout(70_000);
  after(() => {
    for (const dir of tmps.splice(0)) rmSync(dir, { recursive: true, force: true });
    FakePulumi.removeAll();
  });

  for (const [sig, code, says] of CODES) {
    it(`${sig} at the y/N question: the question is abandoned, app.stopped is back to false, no plan folder is left, exit ${code}`, async () => {
      const fake = runningApp();
      const r = await stop(fake, [], (e) => /\[y\/N\]/.test(e), (c) => c.kill(sig));
      assert.equal(r.signal, null, `killed by ${r.signal}: the signal was not handled\n${r.stderr}`);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, says);
      assert.match(r.stderr, /config put back as it was \(interrupted\)/);
      assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, "no stack trace");
      assert.deepEqual(fake.state().config, { app: { stopped: false } });
      assert.ok(!fake.calls().some((a) => a[0] === "up"), "nothing was applied");
      assert.deepEqual(leftovers(r.tmp), []);
    });
  }

  for (const [sig, code, says] of CODES) {
    it(`${sig} while the preview runs: the preview is stopped, the config put back, no plan folder is left, exit ${code}`, async () => {
      const fake = runningApp(30_000);
      const r = await stop(fake, ["--yes"], () => calledPreview(fake), (c) => setTimeout(() => c.kill(sig), 300));
      assert.equal(r.signal, null, `killed by ${r.signal}: the signal was not handled\n${r.stderr}`);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, says);
      assert.match(r.stderr, /nothing was applied; the config change was rolled back/);
      assert.deepEqual(fake.state().config, { app: { stopped: false } });
      assert.ok(!fake.calls().some((a) => a[0] === "up"), "nothing was applied");
      assert.deepEqual(leftovers(r.tmp), []);
    });
  }

  it("the end of the input at the question is no answer: exit 3, said as end of input (not Ctrl-C), config put back", async () => {
    const fake = runningApp();
    const r = await stop(fake, [], (e) => /\[y\/N\]/.test(e), (c) => c.stdin?.end());
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /no answer: the input ended at the question/);
    assert.doesNotMatch(r.stderr, /Ctrl-C|ended without a result/);
    assert.match(r.stderr, /the config change was rolled back/);
    assert.deepEqual(fake.state().config, { app: { stopped: false } });
    assert.deepEqual(leftovers(r.tmp), []);
  });
});
