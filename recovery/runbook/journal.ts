/**
 * A run's journal: `<stateDir>/<stack>/<run-id>/journal.jsonl`, one StepRecord per line, appended
 * as steps end, plus `run.json` (scenario and inputs) so that `--resume` needs only the run id.
 * Never holds secrets: records carry names, times and summaries, redacted once more on write.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";
import { redact } from "../util/redact";
import type { PhaseRecord, ScenarioInputs, ScenarioName, StepRecord } from "./ports";

export interface RunMeta {
  runId: string;
  scenario: ScenarioName;
  stack: string;
  platform: string;
  createdAt: string;
  inputs: ScenarioInputs;
}

export function runDir(stateDir: string, stack: string, runId: string): string {
  // run ids are about 40 characters (newRunId); anything much longer is not one
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(runId)) throw new UsageError(`"${clipInput(runId)}" is not a run id`, "use the id printed when the run started (ls .aytq-dr/<stack>/)");
  return path.join(stateDir, stack, runId);
}

export class Journal {
  readonly dir: string;
  constructor(stateDir: string, stack: string, readonly runId: string) {
    this.dir = runDir(stateDir, stack, runId);
  }

  get file(): string {
    return path.join(this.dir, "journal.jsonl");
  }

  exists(): boolean {
    return existsSync(path.join(this.dir, "run.json"));
  }

  create(meta: RunMeta): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(path.join(this.dir, "run.json"), JSON.stringify(meta, null, 2) + "\n", { flag: "wx" });
  }

  meta(): RunMeta {
    const file = path.join(this.dir, "run.json");
    if (!existsSync(file)) throw new UsageError(`no run "${clipInput(this.runId)}" in ${path.dirname(this.dir)}`, "check the run id and --stack (runs are kept per stack)");
    return JSON.parse(readFileSync(file, "utf8")) as RunMeta;
  }

  append(record: StepRecord): void {
    mkdirSync(this.dir, { recursive: true });
    const clean: StepRecord = JSON.parse(redact(JSON.stringify(record)));
    appendFileSync(this.file, JSON.stringify(clean) + "\n");
  }

  /** `phases.jsonl`: the phases of long steps as they complete (a crash mid-step keeps the ones reached). */
  get phasesFile(): string {
    return path.join(this.dir, "phases.jsonl");
  }

  appendPhase(record: PhaseRecord): void {
    mkdirSync(this.dir, { recursive: true });
    appendFileSync(this.phasesFile, redact(JSON.stringify(record)) + "\n");
  }

  phases(): PhaseRecord[] {
    if (!existsSync(this.phasesFile)) return [];
    return readFileSync(this.phasesFile, "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as PhaseRecord];
        } catch {
          return [];
        }
      });
  }

  /** Every record; a torn last line (a crash mid-write) is ignored. */
  records(): StepRecord[] {
    if (!existsSync(this.file)) return [];
    const out: StepRecord[] = [];
    for (const line of readFileSync(this.file, "utf8").split("\n")) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as StepRecord);
      } catch {
        // a half-written line from a crash: the step it described runs again
      }
    }
    return out;
  }
}

export const COMPLETED: readonly StepRecord["status"][] = ["done", "unchanged", "not-applicable"];

/**
 * Steps journalled under an older name, by the step that does their work now. data-loss's
 * backup-copy and restore-live became one pass, copy-into-live: a run journalled with restore-live
 * done has done copy-into-live's work; one with only backup-copy done resumes at copy-into-live,
 * which finds that backup and restores it.
 */
export const RENAMED_STEPS: ReadonlyMap<string, string> = new Map([["restore-live", "copy-into-live"]]);

/** Index of the first step to run: the one after the last completed step. */
export function resumeIndex(steps: readonly string[], records: readonly StepRecord[]): number {
  let last = -1;
  for (const r of records) {
    const i = steps.indexOf(RENAMED_STEPS.get(r.step) ?? r.step);
    if (i >= 0 && COMPLETED.includes(r.status)) last = Math.max(last, i);
  }
  return last + 1;
}
