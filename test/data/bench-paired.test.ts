import { strict as assert } from "node:assert";
import { median, pairedRatio } from "../../bench/paired";

describe("npm run bench: ratios from interleaved rounds", () => {
  it("median of odd and even counts; nothing is an error", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), RangeError);
  });
  it("pairs the two variants round by round, so a slow round slows both sides of its ratio", () => {
    // round 2 ran on a busy machine: both variants slower; its ratio is the same as round 1's
    const rounds = [
      { floor: 4, ours: 4.4 },
      { floor: 6, ours: 6.6 },
      { floor: 4.2, ours: 5.04 },
    ];
    const r = pairedRatio(rounds, "ours", "floor");
    assert.equal(r.rounds, 3);
    assert.ok(Math.abs(r.median - 1.1) < 1e-9);
    assert.ok(Math.abs(r.min - 1.1) < 1e-9);
    assert.ok(Math.abs(r.max - 1.2) < 1e-9);
    // the ratio of the bests mixes rounds: 4.4 / 4 here, but 4.4 / 4.2 if round 1's floor had been slower
    assert.equal(pairedRatio([{ floor: 4 }, { floor: 4, ours: 5 }], "ours", "floor").rounds, 1);
  });
});
