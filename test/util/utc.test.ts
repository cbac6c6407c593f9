/** The two written forms of a moment (recovery/util/utc.ts), and the names made with them. */
import { strict as assert } from "node:assert";
import { compactUtc, utcToSecond } from "../../recovery/util/utc";
import { newRunId, runIdScenario } from "../../recovery/runbook/run-id";
import { copyCreatedAt } from "../../recovery/config/copy-name";

describe("UTC to the second: one way to write a moment", () => {
  it("drops milliseconds rather than rounding them, so one second gives one text", () => {
    assert.equal(utcToSecond(new Date("2024-07-24T06:00:00.999Z")), "2024-07-24T06:00:00Z");
    assert.equal(utcToSecond(new Date("2024-07-24T06:00:00Z")), "2024-07-24T06:00:00Z");
    assert.equal(compactUtc(new Date("2024-12-31T23:59:59.999Z")), "20241231T235959Z");
  });

  it("reads a moment given with an offset as UTC", () => {
    assert.equal(utcToSecond(new Date("2024-07-24T07:00:00+01:00")), "2024-07-24T06:00:00Z");
  });

  it("a run id and a copy's creation time are written with them", () => {
    const at = new Date("2024-07-24T06:00:00.500Z");
    const id = newRunId("data-loss", at);
    assert.match(id, /^20240724T060000Z-data-loss-[0-9a-f]{4}$/);
    assert.equal(runIdScenario(id), "data-loss");
    assert.equal(copyCreatedAt(at), "2024-07-24T06:00:00Z");
  });
});
