/** The drill answers data-loss's decision by itself: with the way it is given, whole unless told otherwise. */
import { strict as assert } from "node:assert";
import { UsageError } from "../../recovery/errors";
import { DEFAULT_DRILL_WAY, recover } from "../../recovery/drill/core";
import type { RunOutcome, RunRequest } from "../../recovery/runbook/run-model";
import { FakeData, FakePlatform } from "../runbook/fakes";

const ALL = ["whole", "tables", "undelete", "no"];

/** recover() with a run that only asks the decision with `choices`, and what it answered. */
async function answerOf(way: Parameters<typeof recover>[0]["way"], choices: readonly string[]): Promise<{ answer: string; log: string[] }> {
  const log: string[] = [];
  let answer = "";
  const run = async (req: RunRequest): Promise<RunOutcome> => {
    answer = await req.decide("How should the copy come back into the live database?", "1 of 3 tables differ", choices);
    assert.equal(req.decide.answersBy, "flag", "journalled as answered automatically");
    return { runId: "r", scenario: "data-loss", outcome: "completed", steps: [], decisions: [] };
  };
  await recover({ scenario: "data-loss", platform: new FakePlatform(), data: new FakeData(), stateDir: "/nowhere", log: (l) => log.push(l), run, ...(way ? { way } : {}) }, {});
  return { answer, log };
}

describe("drill: the way it answers the data decision with", () => {
  it("is whole by default, as drills always recovered", async () => {
    assert.equal(DEFAULT_DRILL_WAY, "whole");
    const { answer, log } = await answerOf(undefined, ALL);
    assert.equal(answer, "whole");
    assert.match(log.join("\n"), /-> whole \(answered by the drill\)/);
  });

  it("is the way the drill request sets", async () => {
    assert.equal((await answerOf("undelete", ALL)).answer, "undelete");
    assert.equal((await answerOf("tables", ALL)).answer, "tables");
  });

  it("a way the run does not offer is refused (exit 2), never replaced by another", async () => {
    await assert.rejects(answerOf("tables", ["whole", "no"]), (e: unknown) => e instanceof UsageError && /set to answer "tables", and this run offers only whole, no/.test(e.message));
  });
});
