/**
 * A downloaded journal put where `aytq-dr run --resume` looks (`<state dir>/<stack>/<run-id>/`):
 * `importJournal` checks it is the run asked for, then writes it and puts the run's stack config
 * back (runbook/stack-config.ts), all or nothing. journal-artifact.ts finds the artifact it comes from.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { StackName } from "../../infra/config";
import { UsageError } from "../errors";
import { runDir, type RunMeta } from "../runbook/journal";
import { metaProblems } from "../runbook/open-run";
import { resumePoint } from "../runbook/order";
import type { StepRecord } from "../runbook/run-model";
import { parseJournal, parseRunMeta } from "../runbook/records";
import { entryKind, readRegularFile } from "../runbook/safe-read";
import { SECRET_CONFIG_KEYS } from "../ops/apply";
import { clipInput } from "../util/clip";
import { checkSnapshot } from "../runbook/snapshot-check";
import { restoredStackConfigText, STACK_CONFIG_SNAPSHOT, type RestoredKey } from "../runbook/stack-config";
import { journalArtifactName } from "./journal-artifact";

export interface ImportOptions {
  /** Where the artifact was downloaded. */
  from: string;
  /** AYTQ_DR_STATE_DIR. */
  stateDir: string;
  stack: StackName;
  runId: string;
  /** The checkout whose Pulumi.<stack>.yaml gets the run's config back. */
  root: string;
  /** For tests: the rename that puts the new stack file in place (a failure there must undo the import). @default renameSync */
  replaceStackFile?: (from: string, to: string) => void;
}

export interface ImportedJournal {
  meta: RunMeta;
  records: StepRecord[];
  /** Lines of journal.jsonl that are not JSON (a crash mid-write): the step they describe runs again. */
  tornLines: number;
  /** Completed steps, in the order they were done (a run journalled with an earlier order keeps it). */
  done: string[];
  /** The step a resume starts with; undefined when the run had completed. */
  next: string | undefined;
  restored: RestoredKey[];
  /** Whether the artifact carried a config snapshot (journals of older aytq-dr versions do not). */
  hadSnapshot: boolean;
  dir: string;
}

/** Folders under `root` (depth <= 3) holding a run.json (of any kind: a link is found, then refused). Never enters a linked folder. */
function runFolders(root: string, depth = 0): string[] {
  if (entryKind(root) !== "directory") return [];
  const here = entryKind(path.join(root, "run.json")) !== undefined ? [root] : [];
  if (depth >= 3) return here;
  return [...here, ...readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) => runFolders(path.join(root, d.name), depth + 1))];
}

/** The run id a folder's run.json names, loosely (to find the run asked for among others); never follows a link. */
function runIdIn(folder: string, fix: string): string | undefined {
  const content = readRegularFile(path.join(folder, "run.json"), fix);
  try {
    const id: unknown = (JSON.parse(content?.toString("utf8") ?? "") as { runId?: unknown } | null)?.runId;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Recovery secrets in a restored value are never shown: the file's own are kept, and printed as [secret]. */
function maskSecrets(r: RestoredKey): RestoredKey {
  const mask = (v: unknown) =>
    r.key === "recovery" && v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, SECRET_CONFIG_KEYS.has(`recovery.${k}`) ? "[secret]" : x]))
      : v;
  return { key: r.key, from: mask(r.from), to: mask(r.to) };
}

/**
 * Put a downloaded journal where `run --resume` finds it, after checking it is the run asked for,
 * and put the run's stack config back. Everything is checked before anything is written: the run
 * id (one grammar), every file of the run's folder (regular files only, never through a link),
 * run.json and the journal (records.ts), the completed steps (a prefix of the scenario's, order.ts),
 * the stack config snapshot (runbook/snapshot-check.ts). Then all or nothing: the run's folder is written
 * to a temporary folder and renamed into place, then the stack file likewise; if the stack file
 * cannot be replaced, the imported folder is removed again. Refuses (exit 2), changing nothing,
 * when anything is wrong or the state dir already has that run.
 */
export function importJournal(o: ImportOptions): ImportedJournal {
  const target = runDir(o.stateDir, o.stack, o.runId);
  const fix = "the artifact is damaged, or not of this run: look at the workflow run that uploaded it; to recover now, start a new run of the scenario (each step finds the stack as the old run left it)";
  const folders = runFolders(o.from);
  const found = folders.filter((f) => runIdIn(f, fix) === o.runId);
  if (found.length === 0) {
    const others = folders.map((f) => runIdIn(f, fix) ?? `${f} (run.json is not a run's)`);
    throw new UsageError(
      `the download in ${o.from} holds no journal of run ${o.runId}${others.length ? `; it holds: ${others.map((x) => clipInput(x, 120)).join(", ")}` : " (no run.json at all)"}`,
      `check the resume input: it is the run id the earlier run's summary shows (${journalArtifactName(o.stack, "<run-id>")})`,
    );
  }
  if (found.length > 1) throw new UsageError(`the download in ${o.from} holds run ${o.runId} ${found.length} times: ${found.join(", ")}`, "download only the newest journal artifact");
  const folder = found[0];

  // every file of the run's folder, read once, never through a link
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const file = path.join(folder, entry.name);
    if (!entry.isFile()) throw new UsageError(`${file} is ${entry.isSymbolicLink() ? "a symbolic link" : "not a regular file"}: a run's folder holds only files; nothing was imported`, fix);
    files.set(entry.name, readRegularFile(file, fix) as Buffer);
  }
  const meta = parseRunMeta(files.get("run.json")!.toString("utf8"), path.join(folder, "run.json"), fix);
  const problems = metaProblems(meta, o.stack, o.runId);
  if (problems.length) {
    throw new UsageError(
      `the journal of run ${o.runId} cannot be resumed here:\n  - ${problems.join("\n  - ")}`,
      meta.stack !== o.stack ? `resume it with environment ${clipInput(meta.stack, 60)}` : fix,
    );
  }
  const journalText = files.get("journal.jsonl")?.toString("utf8") ?? "";
  const { records, tornLines } = parseJournal(journalText, path.join(folder, "journal.jsonl"), fix);
  const point = resumePoint(meta.scenario, records, `the journal of run ${o.runId} in ${folder}`, fix);
  const snapshotText = files.get(STACK_CONFIG_SNAPSHOT)?.toString("utf8");
  const snapshot = snapshotText === undefined ? undefined : checkSnapshot(snapshotText, path.join(folder, STACK_CONFIG_SNAPSHOT), o.stack, o.root);
  if (entryKind(target) !== undefined) {
    throw new UsageError(`${target} already holds run ${o.runId}: nothing was imported`, "resume from that folder as it is, or remove it first if the download is the newer journal");
  }
  const stackFile = path.join(o.root, `Pulumi.${o.stack}.yaml`);
  const restore = snapshot ? restoredStackConfigText(readFileSync(stackFile, "utf8"), o.stack, snapshot) : { text: "", changed: [] };

  // checked: now write, all or nothing
  writeAllOrNothing(target, files, restore.changed.length ? { file: stackFile, text: restore.text } : undefined, o.replaceStackFile ?? renameSync);
  return { meta, records, tornLines, done: point.done, next: point.pending[0], restored: restore.changed.map(maskSecrets), hadSnapshot: snapshot !== undefined, dir: target };
}

/**
 * The run's folder into `target` (a temporary folder beside it, renamed into place), then the stack
 * file (a temporary file beside it, renamed over it). A failure leaves both as they were.
 */
function writeAllOrNothing(target: string, files: ReadonlyMap<string, Buffer>, stack: { file: string; text: string } | undefined, replace: (from: string, to: string) => void): void {
  const unusable = (what: string, err: unknown) =>
    new UsageError(
      `${what} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): nothing was imported, the stack file is unchanged`,
      "check AYTQ_DR_STATE_DIR is a folder this job can write, and the checkout's stack file too; then run the step again",
    );
  let tmpDir: string | undefined;
  let tmpStack: string | undefined;
  let placed = false;
  try {
    try {
      mkdirSync(path.dirname(target), { recursive: true });
      tmpDir = mkdtempSync(path.join(path.dirname(target), `.import-${path.basename(target)}-`));
      // wx: created here, never through a link
      for (const [name, content] of files) writeFileSync(path.join(tmpDir, name), content, { flag: "wx" });
    } catch (err) {
      throw unusable(`the state folder ${path.dirname(target)} cannot take the journal`, err);
    }
    if (stack) {
      try {
        tmpStack = path.join(path.dirname(stack.file), `.${path.basename(stack.file)}.import-${randomBytes(4).toString("hex")}`);
        writeFileSync(tmpStack, stack.text, { flag: "wx" });
      } catch (err) {
        throw unusable(`the stack file ${stack.file} cannot be rewritten`, err);
      }
    }
    try {
      renameSync(tmpDir, target);
      tmpDir = undefined;
      placed = true;
    } catch (err) {
      throw unusable(`the journal cannot be put in ${target}`, err);
    }
    if (stack && tmpStack) {
      try {
        replace(tmpStack, stack.file);
        tmpStack = undefined;
      } catch (err) {
        throw unusable(`the stack file ${stack.file} cannot be replaced`, err);
      }
    }
    placed = false;
  } finally {
    // put back what was written before the failure
    if (placed) rmSync(target, { recursive: true, force: true });
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
    if (tmpStack) rmSync(tmpStack, { force: true });
  }
}

/** Markdown for the job summary of a resumed run. */
export function importedJournalMarkdown(j: ImportedJournal): string {
  const lines = [
    `### Resuming run \`${j.meta.runId}\``,
    "",
    `${j.meta.scenario} on ${j.meta.stack}, started ${j.meta.createdAt}.`,
    "",
    `- done: ${j.done.length ? j.done.join(", ") : "nothing yet"}`,
    `- next: ${j.next ?? "nothing: the run had completed"}`,
  ];
  if (j.tornLines) lines.push(`- ${j.tornLines} journal line(s) cut off by a crash: the step they describe runs again`);
  if (!j.hadSnapshot) lines.push("- **the journal carries no stack config**: the steps already done are not in this checkout's stack file, so the next preview may be refused by the gate");
  else if (j.restored.length) lines.push(`- stack config put back: ${j.restored.map((r) => `\`${r.key}\``).join(", ")}`);
  else lines.push("- stack config: as committed (the run had changed nothing yet, or had put everything back)");
  return lines.join("\n") + "\n";
}
