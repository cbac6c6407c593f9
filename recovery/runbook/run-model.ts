/**
 * What a run is made of: the scenarios, the journal's records, the events a run emits, the
 * request that starts one, what each step is given and the outcome. The seams a step calls
 * (Platform, DataTools) are in ports.ts; the steps themselves in scenarios.ts, run by runner.ts
 * (issue 3) and drilled by drill/ (issue 5).
 */
import type { DataTools, PhaseListener, Platform, RestoreDecision } from "./ports";

export const SCENARIOS = ["data-loss", "server-lost-revive", "server-lost-rebuild"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export type StepStatus = "done" | "unchanged" | "not-applicable" | "failed" | "interrupted";

/** One line of a run's journal (JSON lines under .aytq-dr/<stack>/<run-id>/journal.jsonl). Never holds secrets. */
export interface StepRecord {
  step: string;
  status: StepStatus;
  startedAt: string;
  endedAt?: string;
  summary?: string;
  error?: string;
  inputs?: Record<string, string | number | boolean>;
  /** The decision step's choice (compare), kept so that a resume past it asks nothing and does the same. */
  decision?: RestoreDecision;
}

export interface ScenarioInputs {
  /** Restore point for ptr / revive, UTC ISO 8601 with Z, already checked. */
  restorePointUTC?: string;
  /** When the server was deleted (revive), UTC. */
  deletedAtUTC?: string;
  /** Name of the PTR copy (data-loss). @default a unique name per run */
  copyName?: string;
}

/**
 * A human decision point ("how should the copy's data come back into live?"), asked after `context`
 * (what differs, what each way writes and loses) has been shown. Resolves with one of `choices`.
 */
export type DecideFn = ((question: string, context: string, choices: readonly string[]) => Promise<string>) & {
  /** How this function answers, for the journal and events. @default "prompt" */
  answersBy?: "prompt" | "flag";
};

/** Events a run emits, for progress and notifications (Slack, Teams). */
export type RunEvent =
  | { type: "run-start"; runId: string; scenario: ScenarioName; stack: string; at: string }
  | { type: "step-start"; runId: string; step: string; at: string }
  | { type: "step-end"; runId: string; record: StepRecord }
  | { type: "decision"; runId: string; question: string; answer: string; by: "prompt" | "flag"; at: string }
  | { type: "run-end"; runId: string; outcome: "completed" | "failed" | "stopped"; at: string };

export interface RunRequest {
  scenario: ScenarioName;
  platform: Platform;
  data: DataTools;
  inputs: ScenarioInputs;
  /** Folder that holds runs: <stateDir>/<stack>/<run-id>/journal.jsonl */
  stateDir: string;
  /** Continue this run after its last completed step. */
  resumeRunId?: string;
  decide: DecideFn;
  /**
   * `--tables`: the tables the surgical ways take (qualified `public.users` or bare `users`), checked
   * against compare's names at the compare step. @default the tables compare found different
   */
  tables?: readonly string[];
  onEvent?: (event: RunEvent) => void;
  /** Clock, for tests. @default () => new Date() */
  now?: () => Date;
  /** Aborting it (Ctrl-C) records the running step as interrupted and stops the run. @default none */
  signal?: AbortSignal;
  /** After an abort, how long to wait for the running step to stop before returning. @default STEP_STOP_GRACE_MS (60 s) */
  stepStopGraceMs?: number;
}

export interface RunOutcome {
  runId: string;
  scenario: ScenarioName;
  outcome: "completed" | "failed" | "stopped";
  steps: StepRecord[];
  /** Each decision taken, `answer` being the choice (a way, or `no`). */
  decisions: { question: string; answer: string; by: "prompt" | "flag"; at: string }[];
  /** The exit code of the error that stopped the run (5 for a locked stack, 3 for a refusal, ...); absent when completed. */
  exitCode?: number;
}

/** One completed phase of a step, as `phases.jsonl` beside the journal keeps it. */
export interface PhaseRecord {
  step: string;
  phase: string;
  summary: string;
  at: string;
}

/** What a step of a scenario is given: the seams, the run's inputs and records, and how to ask a person. */
export interface StepContext {
  platform: Platform;
  data: DataTools;
  inputs: Required<Pick<ScenarioInputs, "copyName">> & ScenarioInputs;
  runId: string;
  /** Ask a human; records the answer. */
  decide: DecideFn;
  /** `--tables`, for the surgical ways; checked against compare's names at the compare step. */
  tables?: readonly string[];
  /** The run's records so far (a resume's earlier ones included): copy-into-live reads the compare step's decision here. */
  records: readonly StepRecord[];
  /** Journals a phase of the running step as it completes. */
  phase: PhaseListener;
}
