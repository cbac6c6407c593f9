/** Which scenario the monthly drill on the test stack rehearses: the three in turn, one a month. */
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";
import { SCENARIOS, type ScenarioName } from "../runbook/run-model";

/** The choice that means "this month's scenario". */
export const THIS_MONTH = "this-month";

/**
 * By calendar month (UTC): January data-loss, February server-lost-revive, March
 * server-lost-rebuild, April data-loss again... Twelve is a multiple of three, so December to
 * January keeps the order.
 */
export function monthlyDrillScenario(date: Date): ScenarioName {
  return SCENARIOS[date.getUTCMonth() % SCENARIOS.length];
}

/**
 * A workflow's choice: none or `this-month` (the scheduled run), or one scenario by name. A choice
 * given empty is refused: a mistyped input that silently drills this month's scenario is not what
 * was asked for (drill.yml leaves the flag out when its input is empty).
 */
export function drillScenarioFor(choice: string | undefined, now: Date): ScenarioName {
  if (choice === undefined) return monthlyDrillScenario(now);
  const c = choice.trim();
  if (c === THIS_MONTH) return monthlyDrillScenario(now);
  if ((SCENARIOS as readonly string[]).includes(c)) return c as ScenarioName;
  throw new UsageError(c === "" ? "--scenario is empty" : `unknown drill scenario "${clipInput(c)}"`, `leave out --scenario for this month's, or use ${THIS_MONTH} or one of: ${SCENARIOS.join(", ")}`);
}
