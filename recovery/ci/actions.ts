/**
 * The files GitHub Actions gives a step to talk back through: the job summary
 * (`GITHUB_STEP_SUMMARY`, Markdown shown on the run's page), step outputs (`GITHUB_OUTPUT`, read
 * by later steps as `steps.<id>.outputs.<name>`) and environment for later steps (`GITHUB_ENV`).
 * Outside Actions these variables are unset and every function here does nothing. Writing them
 * never fails a command: a recovery must not stop because its summary could not be written.
 */
import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";

export const STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY";
export const STEP_OUTPUT_ENV = "GITHUB_OUTPUT";
const JOB_ENV_ENV = "GITHUB_ENV";

/** Where problems writing the files are reported (stderr). @default nowhere */
export type Log = (line: string) => void;

function append(env: NodeJS.ProcessEnv, variable: string, text: string, log?: Log): boolean {
  const file = env[variable]?.trim();
  if (!file) return false;
  try {
    appendFileSync(file, text);
    return true;
  } catch (err) {
    log?.(`warning: could not write ${variable} (${file}): ${(err as Error).message}`);
    return false;
  }
}

/** Append Markdown to the job summary. Returns whether it was written. */
export function appendStepSummary(env: NodeJS.ProcessEnv, markdown: string, log?: Log): boolean {
  return append(env, STEP_SUMMARY_ENV, markdown.endsWith("\n") ? markdown : markdown + "\n", log);
}

/**
 * `name=value` lines in the format the runner reads: a value with a line break goes in a
 * here-document whose delimiter cannot occur in it.
 */
export function keyValueLines(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) throw new Error(`"${name}" is not a name GitHub Actions accepts`);
      if (!/[\r\n]/.test(value)) return `${name}=${value}\n`;
      let delimiter: string;
      do delimiter = `AYTQ_DR_${randomBytes(8).toString("hex")}`;
      while (value.includes(delimiter));
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join("");
}

/** Set step outputs. Returns whether they were written. */
export function setStepOutputs(env: NodeJS.ProcessEnv, values: Readonly<Record<string, string>>, log?: Log): boolean {
  return append(env, STEP_OUTPUT_ENV, keyValueLines(values), log);
}

/** Export environment variables to the job's later steps. Returns whether they were written. */
export function exportToJob(env: NodeJS.ProcessEnv, values: Readonly<Record<string, string>>, log?: Log): boolean {
  return append(env, JOB_ENV_ENV, keyValueLines(values), log);
}

/** A Markdown table cell: pipes escaped, line breaks flattened, long text cut. */
export function cell(text: string, max = 300): string {
  const flat = text.replace(/\r?\n+/g, " ").replace(/\|/g, "\\|").trim();
  return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
}

/** `12.3 s`, `4 min 05 s`, `1 h 02 min`. */
export function duration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")} min`;
}
