/** The benchmark's command line, parsed strictly (a missing or bad value is an error, not a silent default). */
import { parseArgs } from "node:util";

/** Default database size for `npm run bench`. */
export const DEFAULT_SIZE_MB = 1024;
/** Default number of times each backup variant runs; the best time is reported (the machine is shared). */
export const DEFAULT_REPEAT = 5;

/** Which sections run: all of them, or only the surgical ways against whole (minutes instead of a quarter hour). */
const BENCH_SECTIONS = ["all", "surgical"] as const;
type BenchSection = (typeof BENCH_SECTIONS)[number];

export interface BenchArgs {
  sizeMb: number;
  /** Also sweep block size, upload concurrency and pipe buffer sizes. */
  sweep: boolean;
  repeat: number;
  /** @default "all" */
  only: BenchSection;
}

function positiveInt(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new Error(`${flag} must be a whole number from 1 to ${max}, got "${value}"`);
  }
  return n;
}

function section(value: string | undefined): BenchSection {
  if (value === undefined) return "all";
  const found = BENCH_SECTIONS.find((s) => s === value);
  if (!found) throw new Error(`--only must be one of ${BENCH_SECTIONS.join(", ")}, got "${value}"`);
  return found;
}

/** `--size-mb N` (or `--size-mb=N`), `--repeat N`, `--sweep`, `--only surgical`; anything else is refused. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: { "size-mb": { type: "string" }, repeat: { type: "string" }, sweep: { type: "boolean", default: false }, only: { type: "string" } },
    strict: true,
    allowPositionals: false,
  });
  const only = section(values.only);
  const sweep = values.sweep ?? false;
  if (sweep && only === "surgical") throw new Error("--sweep tunes the backup, which --only surgical does not run: drop one of them");
  return {
    sizeMb: positiveInt("--size-mb", values["size-mb"], DEFAULT_SIZE_MB, 1024 * 1024),
    repeat: positiveInt("--repeat", values.repeat, DEFAULT_REPEAT, 20),
    sweep,
    only,
  };
}
