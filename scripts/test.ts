/**
 * npm test: lint, type-check, the layer rules (dependency-cruiser: `npm run layers`), the unused
 * code check (knip: `npm run unused`) and the mocha suite at the same time, so the four checks use
 * the time the suite spends waiting (on PostgreSQL, Azurite, child processes) instead of running
 * first. The checks are started first; each takes seconds.
 *
 * Mocha's output streams as it comes; the checks' output is held and printed whole after it, each
 * under its step's name, so no line of theirs lands inside mocha's report. Mocha's own summary
 * ("N passing", "N failing") is printed unchanged. The exit code is the first failing step's
 * (lint, typecheck, layers, unused, mocha in that order), 0 when all five pass; a failing step is
 * named on the last line.
 *
 * Mocha runs the files of `npm run mocha` (every .test.ts file under test/, with the same flags) in
 * parallel workers that take files in the order given: the longest files go first, so the run
 * does not end with one worker alone on a long file while the other cores sit idle.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import * as path from "node:path";

/** As in package.json's "mocha" script: 3 workers on 2 cores, since the files spend much of their time waiting on servers and child processes. */
const MOCHA_FLAGS = ["--parallel", "--jobs", "3"];
/**
 * The files that take longest, started first so the run does not end on one of them. Measured per
 * file in a full run on 2026-12-07 (wall seconds with three workers on two cores): automation 96
 * (about 190 fake pulumi processes), surgical 75, signals 66 and the CLI as a process 62 (real
 * aytq-dr processes), copy-into 58, compare 50, the Azure drill scenarios 46, the drills 38 and 36.
 */
const LONGEST_FIRST = [
  "test/stack/automation.test.ts",
  "test/data/surgical.test.ts",
  "test/cli-driver/signals.test.ts",
  "test/cli-driver/cli.test.ts",
  "test/data/copy-into.test.ts",
  "test/data/compare.test.ts",
  "test/drill/azure-scenarios.test.ts",
  "test/drill/drill.test.ts",
  "test/drill/surgical-drill.test.ts",
  "test/local/platform.test.ts",
  "test/data/backup-restore.test.ts",
];

/** Every .test.ts file under test/, sorted as mocha sorts its glob, the longest moved to the front. */
function testFiles(root = "test"): string[] {
  const all = readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => path.join(root, f).split(path.sep).join("/"))
    .sort();
  const first = LONGEST_FIRST.filter((f) => all.includes(f));
  return [...first, ...all.filter((f) => !first.includes(f))];
}

interface Step {
  name: string;
  /** Held output (stdout and stderr interleaved as they came); undefined when streamed. */
  held?: string[];
  code: Promise<number>;
}

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

function run(name: string, command: string, args: string[], hold: boolean): Step {
  const held: string[] | undefined = hold ? [] : undefined;
  const child = spawn(command, args, { stdio: hold ? ["ignore", "pipe", "pipe"] : "inherit" });
  if (held) {
    child.stdout?.on("data", (chunk: Buffer) => held.push(chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => held.push(chunk.toString()));
  }
  const code = new Promise<number>((resolve) => {
    child.on("error", (err) => {
      held?.push(`${name}: ${err.message}\n`);
      resolve(1);
    });
    // a step killed by a signal failed
    child.on("close", (status) => resolve(status ?? 1));
  });
  return { name, held, code };
}

/** "2m41s", "58s": the duration line's wording. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

async function main(): Promise<number> {
  const started = Date.now();
  const mocha = path.join("node_modules", ".bin", "mocha");
  const checks = ["lint", "typecheck", "layers", "unused"].map((name) => run(name, NPM, ["run", "--silent", name], true));
  const steps = [...checks, run("mocha", mocha, [...MOCHA_FLAGS, ...testFiles()], false)];
  const codes = await Promise.all(steps.map((s) => s.code));
  for (const [i, step] of steps.entries()) {
    if (!step.held) continue;
    const text = step.held.join("");
    process.stdout.write(`\n> ${step.name}: ${codes[i] === 0 ? "passed" : `failed (exit ${codes[i]})`}\n`);
    if (text.trim()) process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }
  const failed = steps.filter((_, i) => codes[i] !== 0).map((s) => s.name);
  // mocha's own "(3m)" rounds to the minute; this is the whole run (the checks and mocha), to the second
  const took = formatDuration(Date.now() - started);
  process.stdout.write(failed.length > 0 ? `npm test: failed: ${failed.join(", ")} (after ${took})\n` : `npm test: passed in ${took} (lint, typecheck, layers, unused and mocha at once)\n`);
  return codes.find((c) => c !== 0) ?? 0;
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
