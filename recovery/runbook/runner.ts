/**
 * Runs a scenario as ordered steps with a journal, resumable after a crash or Ctrl-C.
 *
 * A run starts (or resumes) after its last completed step; each step's end is appended to the
 * journal before the next starts, so a crash loses at most the step that was running, and that
 * step is idempotent. A failed step, a declined decision or an interruption stops the run.
 */
import { describeError, InterruptedError, RefusedError, UsageError } from "../errors";
import { runCopyName } from "../config/copy-name";
import { clipInput } from "../util/clip";
import { redact } from "../util/redact";
import { Journal, RunMeta } from "./journal";
import { openRunForResume } from "./open-run";
import type { RunEvent, RunOutcome, RunRequest, StepRecord } from "./run-model";
import { newRunId } from "./run-id";
import { missingInputs, stepsOf } from "./scenarios";
import { StepContext } from "./run-model";

/** Run (or resume) a scenario. Resolves with the outcome; throws only for bad requests (unknown run, missing inputs). */
export async function runScenario(req: RunRequest): Promise<RunOutcome> {
  const now = req.now ?? (() => new Date());
  const emit = (e: RunEvent) => req.onEvent?.(e);
  const stack = req.platform.stack;

  let journal: Journal;
  let meta: RunMeta;
  const steps = stepsOf(req.scenario);
  let pending = steps;
  if (req.resumeRunId) {
    // a journal with a gap, of another stack, damaged, or through a link is refused here, before any step
    const opened = openRunForResume(req.stateDir, stack, req.resumeRunId);
    ({ journal, meta } = opened);
    if (meta.scenario !== req.scenario) {
      throw new UsageError(`run ${meta.runId} is a ${meta.scenario} run, not ${req.scenario}`, `resume it as ${meta.scenario}`);
    }
    pending = steps.filter((s) => opened.pending.includes(s.name));
    journal.setTornTailAside();
  } else {
    const missing = missingInputs(req.scenario, req.inputs);
    if (missing.length) throw new UsageError(`${req.scenario} needs ${missing.join(", ")}`, "give the restore point, e.g. --at 2024-07-24T06:00:00Z");
    const started = now();
    const runId = newRunId(req.scenario, started);
    journal = new Journal(req.stateDir, stack, runId);
    meta = {
      runId,
      scenario: req.scenario,
      stack,
      platform: req.platform.kind,
      createdAt: started.toISOString(),
      inputs: { ...req.inputs, copyName: req.inputs.copyName ?? runCopyName(req.platform.liveServerName, started, runId) },
    };
    journal.create(meta);
  }

  const runId = meta.runId;
  const records: StepRecord[] = journal.records();
  const decisions: RunOutcome["decisions"] = [];
  const ctx: StepContext = {
    platform: req.platform,
    data: req.data,
    runId,
    inputs: { ...meta.inputs, copyName: meta.inputs.copyName ?? runCopyName(req.platform.liveServerName, new Date(meta.createdAt), meta.runId) },
    ...(req.tables ? { tables: req.tables } : {}),
    records,
    // set for each step below: journals that step's phases
    phase: () => undefined,
    decide: async (question, context, choices) => {
      const answer = await req.decide(question, context, choices);
      // a way that was not offered (a flag naming a way these data tools lack) is never carried out
      if (!choices.includes(answer)) {
        throw new UsageError(`"${clipInput(answer)}" is not offered here: the choices were ${choices.join(", ")}; nothing was written to live`, `resume the run and choose one of ${choices.join(", ")}`);
      }
      const at = now().toISOString();
      const by = req.decide.answersBy ?? "prompt";
      decisions.push({ question, answer, by, at });
      emit({ type: "decision", runId, question, answer, by, at });
      return answer;
    },
  };

  emit({ type: "run-start", runId, scenario: req.scenario, stack, at: now().toISOString() });
  let outcome: RunOutcome["outcome"] = "completed";
  let exitCode: number | undefined;
  const interrupted = () => req.signal?.aborted === true;

  // every step not completed, in the scenario's order (a run journalled with an earlier order included)
  for (const def of pending) {
    if (interrupted()) {
      outcome = "stopped";
      break;
    }
    const startedAt = now().toISOString();
    emit({ type: "step-start", runId, step: def.name, at: startedAt });
    const record: StepRecord = { step: def.name, status: "done", startedAt, inputs: def.inputs?.(ctx) };
    ctx.phase = (p) => journal.appendPhase({ step: def.name, phase: p.phase, summary: p.summary, at: now().toISOString() });
    const work = def.run(ctx);
    work.catch(() => undefined); // observed through raceAbort, or waited for below
    try {
      const result = await raceAbort(work, req.signal);
      record.status = result.status;
      // redacted here, once: the same record goes to the journal, the progress lines, stdout and the webhooks
      record.summary = result.summary === undefined ? undefined : redact(result.summary);
      if (result.decision) record.decision = result.decision;
    } catch (err) {
      const { message, exitCode: code } = describeError(err);
      exitCode = code;
      record.status = err instanceof InterruptedError ? "interrupted" : "failed";
      record.error = redact(message);
      if (interrupted()) {
        // The step got the signal too (its tools are killed, pulumi cancels). Wait for it to stop
        // before returning, so whoever tears down afterwards (the local drill deletes its folder and
        // stops its servers) does not race a step still copying files or starting a server.
        const graceMs = req.stepStopGraceMs ?? STEP_STOP_GRACE_MS;
        if (!(await settledWithin(work, graceMs))) {
          const waited = graceMs >= 1000 ? `${Math.round(graceMs / 1000)} s` : `${graceMs} ms`;
          // on the first line, before the fix line
          const [first, ...rest] = record.error.split("\n");
          record.error = [`${first}; the step had not stopped ${waited} after Ctrl-C: check what it was doing before resuming`, ...rest].join("\n");
        }
      }
      outcome = err instanceof InterruptedError || err instanceof RefusedError ? "stopped" : "failed";
    }
    record.endedAt = now().toISOString();
    journal.append(record);
    records.push(record);
    emit({ type: "step-end", runId, record });
    if (outcome !== "completed") break;
  }
  emit({ type: "run-end", runId, outcome, at: now().toISOString() });
  return { runId, scenario: req.scenario, outcome, steps: records, decisions, ...(exitCode === undefined ? {} : { exitCode }) };
}

/** After Ctrl-C, how long a run waits for the interrupted step to stop before it returns. */
const STEP_STOP_GRACE_MS = 60_000;

/** True when `work` settled (either way) within `ms`, false when it was still running. */
async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolve with the step, or reject with InterruptedError as soon as the signal aborts. */
function raceAbort<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new InterruptedError("interrupted (Ctrl-C) during this step", "resume the run with --resume <run-id>; the step runs again"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
