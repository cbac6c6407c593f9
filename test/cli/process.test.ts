/** Issue 9: no command ends with exit 0 without its result. The process entry, as a process. */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { EventEmitter } from "node:events";
import * as path from "node:path";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import { commandWords, runProcess, signalledExitCode, unsettledLine } from "../../recovery/cli/process";
import type { CliIO } from "../../recovery/cli/io";

const ROOT = path.resolve(__dirname, "../..");

function run(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.AZURE_STORAGE_CONNECTION_STRING;
  const r = spawnSync(process.execPath, ["-r", "tsx/cjs", script, ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the process entry: a command that never settles", function () {
  this.timeout(90_000);

  it("exits 4 with one line naming the command and its last line, never 0 (a promise left pending when the event loop empties)", () => {
    const r = run(path.join(ROOT, "test/fixtures/never-settles.ts"), ["backup", "--stack", "test", "--name", "before-fix"]);
    assert.equal(r.status, 4, `exit ${r.status}\n${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines[lines.length - 2], "opening a tunnel to the database (this fixture's tunnel never answers)");
    assert.match(lines[lines.length - 1], /^aytq-dr: backup ended without a result: .*its last line was "opening a tunnel to the database \(this fixture's tunnel never answers\)".*treat it as failed/);
    assert.equal(r.stdout, "");
    assert.doesNotMatch(r.stderr, /    at /, "no stack trace");
  });

  it("a command that settles keeps its own exit code and prints no such line (bin/aytq-dr.js)", () => {
    const bad = run(path.join(ROOT, "bin/aytq-dr.js"), ["backup", "--name", "../escape", "--storage-connection-string", "UseDevelopmentStorage=true", "--database-url", "postgres://u@127.0.0.1:1/db"]);
    assert.equal(bad.status, 2, bad.stderr);
    assert.doesNotMatch(bad.stderr, /ended without a result/);
    const help = run(path.join(ROOT, "bin/aytq-dr.js"), ["--help"]);
    assert.equal(help.status, 0);
    assert.doesNotMatch(help.stderr, /ended without a result/);
  });

  it("names the command by its words, and says when nothing was printed", () => {
    assert.equal(commandWords(["node", "aytq-dr", "backups", "verify", "--file", "x"]), "backups verify");
    assert.equal(commandWords(["node", "aytq-dr", "--help"]), "(no command)");
    assert.match(unsettledLine("restore", undefined), /^aytq-dr: restore ended without a result: .*it had printed nothing yet/);
    assert.equal(unsettledLine("restore", "x".repeat(5000)).split("\n").length, 1);
    assert.ok(unsettledLine("restore", "x".repeat(5000)).length < 500, "the last line is cut");
  });

  it("in-process with a stand-in process: beforeExit while unsettled sets exit 4 once; a settled command sets its code", async () => {
    const proc = Object.assign(new EventEmitter(), { exitCode: undefined as number | string | null | undefined });
    const lines: string[] = [];
    const io: CliIO = { out: () => undefined, err: (t) => lines.push(t), isTTY: false, env: {}, lastLine: () => "last words" };
    const done = runProcess(["node", "aytq-dr", "--help"], io, proc);
    proc.emit("beforeExit");
    assert.equal(proc.exitCode, 4);
    assert.match(lines.join("\n"), /aytq-dr: \(no command\) ended without a result: .*"last words"/);
    proc.emit("beforeExit");
    assert.equal(lines.filter((l) => /ended without a result/.test(l)).length, 1, "reported once");
    assert.equal(await done, undefined, "already reported as unsettled");

    const proc2 = Object.assign(new EventEmitter(), { exitCode: undefined as number | string | null | undefined });
    assert.equal(await runProcess(["node", "aytq-dr", "--help"], { ...io, err: () => undefined }, proc2), 0);
    proc2.emit("beforeExit");
    assert.equal(proc2.exitCode, 0, "a settled command is not touched by beforeExit");
  });
});

describe("the process entry: the exit code of a command stopped by a signal", () => {
  it("is 128 + the signal: 130 Ctrl-C, 129 SIGHUP, 143 SIGTERM; other codes are kept", () => {
    assert.equal(signalledExitCode(130, "SIGINT"), 130);
    assert.equal(signalledExitCode(130, "SIGHUP"), 129);
    assert.equal(signalledExitCode(130, "SIGTERM"), 143);
    assert.equal(signalledExitCode(130, undefined), 130);
    assert.equal(signalledExitCode(3, "SIGTERM"), 3, "a command that ended otherwise keeps its code");
  });

  it("runProcess applies it to the command's code: a refusal (2) stays a refusal after SIGTERM", async () => {
    const proc = Object.assign(new EventEmitter(), { exitCode: undefined as number | string | null | undefined });
    const io: CliIO = { out: () => undefined, err: () => undefined, isTTY: false, env: {} };
    // `run` without a scenario is refused (2): the signal does not turn a refusal into an interruption
    assert.equal(await runProcess(["node", "aytq-dr", "run", "--stack", "test"], io, proc, () => "SIGTERM"), 2);
    assert.equal(proc.exitCode, 2);
  });
});

describe("a temporary folder never outlives the process", function () {
  this.timeout(60_000);
  it("removeOnExit: a process that leaves at once (process.exit, as a second Ctrl-C does) still removes it; after done() it is left to its owner", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "aytq-exit-"));
    const kept = mkdtempSync(path.join(os.tmpdir(), "aytq-exit-"));
    try {
      const script = `const { removeOnExit } = require(${JSON.stringify(path.join(ROOT, "recovery/util/exit-cleanup.ts"))}); removeOnExit(${JSON.stringify(dir)}); removeOnExit(${JSON.stringify(kept)})(); process.exit(143);`;
      const r = spawnSync(process.execPath, ["-r", "tsx/cjs", "-e", script], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
      assert.equal(r.status, 143, r.stderr);
      assert.equal(existsSync(dir), false, "the folder was left behind");
      assert.equal(existsSync(kept), true, "a folder whose owner said done was removed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(kept, { recursive: true, force: true });
    }
  });
});
