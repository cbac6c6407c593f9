/**
 * How a run's data decision is answered: its own flag (--restore-copy whole|tables|undelete|no,
 * with --tables for tables), or a person at a terminal who has just been shown the comparison and
 * what each way loses. --yes confirms changes (starting the run), never a decision about data;
 * without a terminal and without the flag, the run is refused before anything is done. The flags
 * are read in decision.ts.
 */
import { RefusedError } from "../errors";
import { askForChoice, readDecisionFlags, WAYS_HINT, type DecisionFlags } from "./decision";
import type { RestoreDecision } from "./ports";
import type { DecideFn, ScenarioName } from "./run-model";
import { DECISION_STEPS, SCENARIO_STEPS } from "./scenarios";

/** Where the decision is shown and asked: the command's terminal, if it has one. */
export interface DecisionTerminal {
  readonly isTTY: boolean;
  prompt?(question: string): Promise<string>;
  err(text: string): void;
}

/** The run's DecideFn; `steps` are those still to run (a resumed run past its decision asks nothing, and refuses the decision's flags). */
export function decider(scenario: ScenarioName, f: DecisionFlags, io: DecisionTerminal, steps: readonly string[] = SCENARIO_STEPS[scenario], decided?: RestoreDecision): DecideFn {
  const asks = steps.some((s) => DECISION_STEPS.includes(s));
  const { choice } = readDecisionFlags(f, { asks, atTerminal: Boolean(io.isTTY && io.prompt), decided });
  if (choice !== undefined) {
    const fn: DecideFn = async (question, context) => {
      io.err(`${context}\n${question} ${choice} (--restore-copy)`);
      return choice;
    };
    fn.answersBy = "flag";
    return fn;
  }
  if (asks && !(io.isTTY && io.prompt)) {
    throw new RefusedError(
      `${scenario} asks how to bring the copy's data back into live, and there is no terminal to ask on (--yes starts the run but never answers a question about data); nothing was changed`,
      `add --restore-copy no to stop at the comparison and look, or --restore-copy whole|tables|undelete once you know the way: ${WAYS_HINT}`,
    );
  }
  const fn: DecideFn = async (question, context, choices) => {
    // the comparison and what each way loses first, then the question: nobody answers without having seen them
    io.err(context);
    return io.prompt ? askForChoice(io.prompt, question, choices, (line) => io.err(line)) : "no";
  };
  fn.answersBy = "prompt";
  return fn;
}
