/**
 * A run's journal: `<stateDir>/<stack>/<run-id>/journal.jsonl`, one StepRecord per line, appended
 * as steps end, plus `run.json` (scenario and inputs) so that `--resume` needs only the run id.
 * Never holds secrets: records carry names, times and summaries, redacted once more on write.
 */
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, truncateSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";
import { redact } from "../util/redact";
import type { PhaseRecord, StepRecord } from "./run-model";
import { parseJournal, parseRunMeta, type RunMeta } from "./records";
import { checkRunId } from "./run-id";
import { readRegularFile } from "./safe-read";

export type { RunMeta } from "./records";

/** A run's folder; refuses (exit 2) anything that is not a run id (checkRunId), `..` included. */
export function runDir(stateDir: string, stack: string, runId: string): string {
  return path.join(stateDir, stack, checkRunId(runId));
}

/** The fix line for a run folder that cannot be resumed. */
export function unusableRunFix(stack: string): string {
  return `look at the run's folder (ls .aytq-dr/${stack}/<run-id>/) and what the stack shows now; then start a new run of the scenario with --stack ${stack}: the steps are idempotent, so what the old run did is found as it was left`;
}

export class Journal {
  readonly dir: string;
  constructor(
    stateDir: string,
    readonly stack: string,
    readonly runId: string,
  ) {
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
    const content = readRegularFile(file, unusableRunFix(this.stack));
    if (content === undefined) throw new UsageError(`no run "${clipInput(this.runId)}" in ${path.dirname(this.dir)}`, "check the run id and --stack (runs are kept per stack)");
    return parseRunMeta(content.toString("utf8"), file, unusableRunFix(this.stack));
  }

  append(record: StepRecord): void {
    mkdirSync(this.dir, { recursive: true });
    const clean: StepRecord = JSON.parse(redact(JSON.stringify(record)));
    appendFileSync(this.file, JSON.stringify(clean) + "\n");
  }

  /**
   * Before a resumed run appends: a last line cut off by a crash mid-write is moved to
   * `journal.torn` (kept, never lost), so the next record starts a line of its own and the cut
   * line never sits in the middle of the journal.
   */
  setTornTailAside(): void {
    if (!existsSync(this.file)) return;
    const size = statSync(this.file).size;
    if (size === 0) return;
    const fd = openSync(this.file, "r");
    const last = Buffer.alloc(1);
    try {
      readSync(fd, last, 0, 1, size - 1);
    } finally {
      closeSync(fd);
    }
    if (last.toString() === "\n") return;
    const content = readFileSync(this.file);
    const cut = content.lastIndexOf("\n") + 1;
    appendFileSync(path.join(this.dir, "journal.torn"), Buffer.concat([content.subarray(cut), Buffer.from("\n")]));
    truncateSync(this.file, cut);
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
    const content = readRegularFile(this.phasesFile, unusableRunFix(this.stack));
    if (content === undefined) return [];
    return content
      .toString("utf8")
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

  /** Every record, checked (records.ts); a torn last line (a crash mid-write) is left out. */
  records(): StepRecord[] {
    const content = readRegularFile(this.file, unusableRunFix(this.stack));
    return content === undefined ? [] : parseJournal(content.toString("utf8"), this.file, unusableRunFix(this.stack)).records;
  }
}
