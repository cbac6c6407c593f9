/**
 * npm test: lint, type-check and the mocha suite at the same time, so the two checks use the time
 * the suite spends waiting (on PostgreSQL, Azurite, child processes) instead of running first.
 *
 * Mocha's output streams as it comes; lint's and tsc's are held and printed whole after it, each
 * under its step's name, so no line of theirs lands inside mocha's report. Mocha's own summary
 * ("N passing", "N failing") is printed unchanged. The exit code is the first failing step's
 * (lint, typecheck, mocha in that order), 0 when all three pass; a failing step is named on the
 * last line.
 */
import { spawn } from "node:child_process";

interface Step {
  name: string;
  /** Held output (stdout and stderr interleaved as they came); undefined when streamed. */
  held?: string[];
  code: Promise<number>;
}

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

function runScript(name: string, hold: boolean): Step {
  const held: string[] | undefined = hold ? [] : undefined;
  const child = spawn(NPM, ["run", "--silent", name], { stdio: hold ? ["ignore", "pipe", "pipe"] : "inherit" });
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

async function main(): Promise<number> {
  const steps = [runScript("lint", true), runScript("typecheck", true), runScript("mocha", false)];
  const codes = await Promise.all(steps.map((s) => s.code));
  for (const [i, step] of steps.entries()) {
    if (!step.held) continue;
    const text = step.held.join("");
    process.stdout.write(`\n> ${step.name}: ${codes[i] === 0 ? "passed" : `failed (exit ${codes[i]})`}\n`);
    if (text.trim()) process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }
  const failed = steps.filter((_, i) => codes[i] !== 0).map((s) => s.name);
  if (failed.length > 0) process.stdout.write(`npm test: failed: ${failed.join(", ")}\n`);
  return codes.find((c) => c !== 0) ?? 0;
}

void main().then((code) => {
  process.exitCode = code;
});
