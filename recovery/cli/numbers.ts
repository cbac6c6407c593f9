/**
 * Numbers given as flags (`--jobs`, `--attempts`, `--deadline-seconds`): plain decimal digits
 * within stated bounds, as commander parsers. `parseInt("5abc")` is 5 and `Number("0x10")` is 16;
 * neither is what an operator meant, so both are refused, with the bounds and an example.
 */
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";

interface NumberRule {
  flag: string;
  min: number;
  max: number;
  /** What the number counts, for the message ("parallel jobs"). */
  unit: string;
}

/** A whole number from `min` to `max`, digits only. */
function wholeNumber(rule: NumberRule): (value: string) => number {
  return (value) => {
    const text = value.trim();
    const n = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isInteger(n) || n < rule.min || n > rule.max) {
      throw new UsageError(`${rule.flag} "${clipInput(value)}" is not a whole number of ${rule.unit} from ${rule.min} to ${rule.max}`, `e.g. ${rule.flag} ${Math.min(Math.max(rule.min, 5), rule.max)}`);
    }
    return n;
  };
}

/**
 * A number from `min` to `max` (both included), digits with an optional decimal part. `min` is
 * what the number can mean: a deadline of a microsecond is below any timer Node has (its
 * "delay out of range"), so such a flag states a floor that works.
 */
function positiveNumber(rule: NumberRule): (value: string) => number {
  return (value) => {
    const text = value.trim();
    const n = /^\d{1,15}(?:\.\d{1,6})?$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(n) || n < rule.min || n > rule.max) {
      throw new UsageError(`${rule.flag} "${clipInput(value)}" is not a number of ${rule.unit} from ${rule.min} to ${rule.max}`, `e.g. ${rule.flag} 120`);
    }
    return n;
  };
}

/** `restore --jobs`: parallel pg_restore jobs. */
export const parseJobs = wholeNumber({ flag: "--jobs", min: 1, max: 32, unit: "parallel jobs" });
/** `validate --attempts`: attempts per URL. */
export const parseAttempts = wholeNumber({ flag: "--attempts", min: 1, max: 100, unit: "attempts" });
/** `validate --deadline-seconds`: at least a second (no health check answers sooner), at most a day (a longer timer would overflow Node's 2^31 ms). */
export const parseDeadlineSeconds = positiveNumber({ flag: "--deadline-seconds", min: 1, max: 86_400, unit: "seconds" });
