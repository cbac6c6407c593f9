/**
 * Times given on the command line (`--at`, `--deleted-at`). Every restore time is UTC; operators
 * work in UK time. A time without a zone is refused unless a zone is named, and a local time that
 * does not exist (spring-forward gap) or exists twice (autumn fold) is refused, naming both
 * candidate UTC instants. Pure: no clock.
 */
import { DateTime, IANAZone } from "luxon";
import { readIsoTime, toIsoUtc } from "../../infra/config";
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";
import { checkTimeZone, UK_ZONE } from "./zones";

/** A time the operator gave, resolved to one instant. */
export interface ResolvedTime {
  /** The instant, as a Date. */
  date: Date;
  /** UTC ISO 8601 with Z, seconds resolution (milliseconds only when given). */
  utc: string;
  /** What the operator typed. */
  input: string;
  /** The zone a zone-less input was read in, when one was. */
  zone?: string;
}

/** `2024-07-24T06:00:00Z`; milliseconds kept only when not zero. */
export { toIsoUtc };

/** `2024-07-24T06:00:00Z (UTC) = 2024-07-24 07:00:00 BST (UK local time)`. */
export function echoTime(date: Date): string {
  const uk = DateTime.fromJSDate(date, { zone: UK_ZONE }).setLocale("en-GB");
  return `${toIsoUtc(date)} (UTC) = ${uk.toFormat("yyyy-LL-dd HH:mm:ss")} ${uk.offsetNameShort ?? uk.toFormat("ZZ")} (UK local time)`;
}

function offsetLabel(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/**
 * Parse an `--at`-style time. `flag` names the option in messages; `timezone` is the zone a
 * zone-less time is read in (an Area/Location name: time/zones.ts). The syntax and calendar rules are the config model's own
 * (infra/config/time.ts): offsets within ±14:00, no 24:00. A time that carries Z or an offset and a
 * `--timezone` as well is a conflict: which of the two was meant cannot be guessed. Throws
 * UsageError saying what is wrong and how to write it; the input is echoed cut to 200 characters.
 */
export function parseOperatorTime(input: string, flag: string, timezone?: string): ResolvedTime {
  const text = input.trim();
  const shown = clipInput(input);
  const example = `e.g. ${flag} 2024-07-24T06:00:00Z, ${flag} 2024-07-24T07:00:00+01:00, or ${flag} 2024-07-24T07:00 --timezone ${UK_ZONE}`;
  if (timezone !== undefined) timezone = checkTimeZone(timezone);
  const reading = readIsoTime(text);
  if (!reading.ok) throw new UsageError(`${flag} "${shown}" ${reading.problem}`, example);
  const t = reading.time;
  if (t.instantMs !== undefined) {
    if (timezone !== undefined) {
      throw new UsageError(
        `${flag} "${shown}" carries its own zone (${t.zone === "Z" ? "Z" : "an offset"}) and --timezone ${timezone} names another: the two conflict`,
        `give one of them: ${flag} with Z or an offset and no --timezone, or a time without a zone and --timezone ${timezone}`,
      );
    }
    const date = new Date(t.instantMs);
    return { date, utc: toIsoUtc(date), input };
  }
  if (timezone === undefined) {
    throw new UsageError(
      `${flag} "${shown}" has no time zone; restore times are UTC and UK time is UTC+1 in summer, so a bare time is ambiguous`,
      `add Z or an offset (${clipInput(text)}Z, ${clipInput(text)}+01:00), or say where it was read: --timezone ${UK_ZONE}`,
    );
  }
  const wallMs = t.wallMs;
  const zone = IANAZone.create(timezone);
  // Every offset the zone uses within a day either side; each gives one candidate instant.
  const offsets = [...new Set([-36, -12, 0, 12, 36].map((h) => zone.offset(wallMs + h * 3_600_000)))].sort((a, b) => b - a);
  const candidates = offsets.map((offset) => ({ offset, ms: wallMs - offset * 60_000 }));
  const matching = candidates.filter((c) => zone.offset(c.ms) === c.offset);
  const list = (cs: typeof candidates) =>
    cs.map((c) => `${toIsoUtc(new Date(c.ms))} (if ${offsetLabel(c.offset)})`).join(" or ");
  if (matching.length === 0) {
    throw new UsageError(
      `${flag} "${shown}" does not exist in ${timezone}: the clocks jumped forward over it (it would be ${list(candidates)})`,
      `give the instant you mean in UTC with Z, e.g. ${flag} ${toIsoUtc(new Date(candidates[0].ms))}`,
    );
  }
  if (matching.length > 1) {
    throw new UsageError(
      `${flag} "${shown}" is ambiguous in ${timezone}: the clocks went back, so it happened twice, at ${list(matching)}`,
      `give the instant you mean in UTC with Z, e.g. ${flag} ${toIsoUtc(new Date(matching[0].ms))}`,
    );
  }
  const date = new Date(matching[0].ms);
  const utc = toIsoUtc(date);
  if (!readIsoTime(utc).ok) throw new UsageError(`${flag} "${shown}" in ${timezone} is ${utc}, outside the years 1970 to 9999`, example);
  return { date, utc, input, zone: timezone };
}
