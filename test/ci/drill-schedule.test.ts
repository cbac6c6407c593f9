/** The monthly drill on the test stack: the three scenarios in turn. */
import { strict as assert } from "node:assert";
import { drillScenarioFor, monthlyDrillScenario } from "../../recovery/ci/drill-schedule";
import { UsageError } from "../../recovery/errors";
import { SCENARIOS } from "../../recovery/runbook/run-model";

describe("ci/drill-schedule: which scenario this month's drill rehearses", () => {
  it("rotates through the three, one a month, across the new year too", () => {
    const months = Array.from({ length: 15 }, (_, i) => monthlyDrillScenario(new Date(Date.UTC(2024, 9 + i, 1, 6))));
    for (let i = 0; i + 2 < months.length; i++) assert.deepEqual(new Set(months.slice(i, i + 3)), new Set(SCENARIOS), `months ${i}..${i + 2}`);
    assert.equal(monthlyDrillScenario(new Date("2025-01-01T06:00:00Z")), "data-loss");
    assert.equal(monthlyDrillScenario(new Date("2024-12-01T06:00:00Z")), "server-lost-rebuild");
  });
  it("reads the month in UTC (06:00 UTC on the 1st is still the 1st)", () => {
    assert.equal(monthlyDrillScenario(new Date("2025-02-28T23:30:00-01:00")), monthlyDrillScenario(new Date("2025-03-01T06:00:00Z")));
  });
  it("takes a scenario chosen by hand, and refuses anything else", () => {
    assert.equal(drillScenarioFor("server-lost-revive", new Date("2025-01-01T00:00:00Z")), "server-lost-revive");
    assert.equal(drillScenarioFor("this-month", new Date("2025-01-01T00:00:00Z")), "data-loss");
    assert.equal(drillScenarioFor(undefined, new Date("2025-02-01T00:00:00Z")), "server-lost-revive");
    // an input given empty is a mistake, not "this month's"
    for (const empty of ["", "  "]) assert.throws(() => drillScenarioFor(empty, new Date()), (e: unknown) => e instanceof UsageError && /--scenario is empty/.test(e.message));
    assert.throws(() => drillScenarioFor("all", new Date()), UsageError);
  });
});
