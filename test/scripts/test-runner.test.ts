import { strict as assert } from "node:assert";
import { formatDuration } from "../../scripts/test";

describe("npm test's duration line", () => {
  it("to the second, minutes and seconds from a minute on (mocha's own '(3m)' rounds 2m41s up)", () => {
    assert.equal(formatDuration(58_400), "58s");
    assert.equal(formatDuration(161_000), "2m41s");
    assert.equal(formatDuration(179_600), "3m00s");
    assert.equal(formatDuration(65_000), "1m05s");
  });
});
