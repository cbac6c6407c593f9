import { strict as assert } from "node:assert";
import { DEFAULT_REPEAT, DEFAULT_SIZE_MB, parseBenchArgs } from "../../bench/args";

describe("npm run bench arguments", () => {
  it("defaults when no flag is given (the old parser read args[0] then)", () => {
    assert.deepEqual(parseBenchArgs([]), { sizeMb: DEFAULT_SIZE_MB, repeat: DEFAULT_REPEAT, sweep: false, only: "all" });
    assert.deepEqual(parseBenchArgs(["--sweep"]), { sizeMb: DEFAULT_SIZE_MB, repeat: DEFAULT_REPEAT, sweep: true, only: "all" });
  });
  it("reads --size-mb N, --size-mb=N and --repeat N", () => {
    assert.equal(parseBenchArgs(["--size-mb", "400"]).sizeMb, 400);
    assert.equal(parseBenchArgs(["--sweep", "--size-mb=1"]).sizeMb, 1);
    assert.equal(parseBenchArgs(["--repeat", "3"]).repeat, 3);
  });
  it("refuses a missing, non-numeric, zero, fractional or unknown value instead of guessing", () => {
    assert.throws(() => parseBenchArgs(["--size-mb"]), /argument missing/);
    assert.throws(() => parseBenchArgs(["--size-mb", "abc"]), /--size-mb must be a whole number/);
    assert.throws(() => parseBenchArgs(["--size-mb", "0"]), /--size-mb must be a whole number/);
    assert.throws(() => parseBenchArgs(["--size-mb", "1.5"]), /--size-mb must be a whole number/);
    assert.throws(() => parseBenchArgs(["--sizemb", "4"]), /Unknown option/);
    assert.throws(() => parseBenchArgs(["400"]), /positional|Unexpected argument/i);
  });
  it("reads --only surgical (and --only=all); refuses another section, a missing value and --sweep with it", () => {
    assert.deepEqual(parseBenchArgs(["--only", "surgical", "--size-mb", "200"]), { sizeMb: 200, repeat: DEFAULT_REPEAT, sweep: false, only: "surgical" });
    assert.equal(parseBenchArgs(["--only=all"]).only, "all");
    assert.throws(() => parseBenchArgs(["--only", "backup"]), /--only must be one of all, surgical, got "backup"/);
    assert.throws(() => parseBenchArgs(["--only", "Surgical"]), /--only must be one of/);
    assert.throws(() => parseBenchArgs(["--only"]), /argument missing/);
    assert.throws(() => parseBenchArgs(["--only", "surgical", "--sweep"]), /--sweep tunes the backup, which --only surgical does not run/);
  });
});
