/** Which scenario the monthly drill on the test stack rehearses: the three in turn, one a month. */
import { UsageError } from "../errors";
import { SCENARIOS, type ScenarioName } from "../runbook/ports";

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

/** A workflow's choice: empty or `this-month` (the scheduled run), or one scenario by name. */
export function drillScenarioFor(choice: string | undefined, now: Date): ScenarioName {
  const c = choice?.trim();
  if (!c || c === THIS_MONTH) return monthlyDrillScenario(now);
  if ((SCENARIOS as readonly string[]).includes(c)) return c as ScenarioName;
  throw new UsageError(`unknown drill scenario "${c}"`, `use ${THIS_MONTH} or one of: ${SCENARIOS.join(", ")}`);
}
