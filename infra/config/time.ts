/**
 * The one reading of an ISO 8601 time, shared by the config model (`recovery.restorePointUTC`,
 * the copies' times) and the recovery command's `--at` / `--deleted-at`, so that a time one side
 * accepts the other never refuses. Pure: no clock, no zone database (a zone-less wall time is
 * resolved by the command, which knows the `--timezone`).
 *
 * Accepted: `YYYY-MM-DDThh:mm[:ss[.fraction]]` followed by `Z`, an offset `±hh:mm` / `±hhmm`, or
 * nothing. Refused, each with its reason: a date that is not in the calendar, hour 24 (ISO's
 * "end of day" is the next day's 00:00, which is what an operator should write), minute or second
 * 60, an offset beyond ±14:00 (the widest any zone uses), and an instant outside 1970-9999.
 */

/** The widest offset any time zone uses (Kiribati, UTC+14:00; the most negative is UTC-12:00). */
export const MAX_OFFSET_MINUTES = 14 * 60;

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})([Tt ])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/** A time as written, checked. `offsetMinutes` is undefined when it carries no zone. */
interface IsoTime {
  /** Wall-clock fields as written. */
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** `Z` gives 0; `+01:00` gives 60; undefined: no zone (a wall time). */
  offsetMinutes?: number;
  /** How the zone was written: `Z`, an offset, or none. */
  zone: "Z" | "offset" | "none";
  /** The wall time read as if it were UTC, in ms since the epoch. */
  wallMs: number;
  /** The instant (wall time minus the offset), when the time carries a zone. */
  instantMs?: number;
}

export type IsoTimeReading = { ok: true; time: IsoTime } | { ok: false; problem: string };

const EARLIEST_MS = Date.UTC(1970, 0, 1);
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** UTC ms of a wall time, for any 4-digit year (Date.UTC reads years 0-99 as 1900-1999). */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

function daysIn(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 0, 0, 0, 0, 0)).getUTCDate();
}

/** Read an ISO 8601 time; the problem says what is wrong in words an operator can act on. */
export function readIsoTime(text: string): IsoTimeReading {
  const m = ISO_TIME.exec(text);
  if (!m) return { ok: false, problem: "is not an ISO 8601 time (YYYY-MM-DDThh:mm[:ss] with Z or an offset)" };
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[5], m[6]].map(Number);
  const second = m[7] === undefined ? 0 : Number(m[7]);
  const millisecond = m[8] === undefined ? 0 : Number(m[8].padEnd(3, "0").slice(0, 3));
  if (month < 1 || month > 12) return { ok: false, problem: `has month ${m[2]}: months are 01 to 12` };
  if (day < 1 || day > daysIn(year, month)) return { ok: false, problem: `has day ${m[3]}: ${m[1]}-${m[2]} has ${daysIn(year, month)} days` };
  if (hour === 24) return { ok: false, problem: "has hour 24: write 00:00 of the next day" };
  if (hour > 23) return { ok: false, problem: `has hour ${m[5]}: hours are 00 to 23` };
  if (minute > 59) return { ok: false, problem: `has minute ${m[6]}: minutes are 00 to 59` };
  if (second > 59) return { ok: false, problem: `has second ${m[7]}: seconds are 00 to 59 (no leap seconds)` };
  let offsetMinutes: number | undefined;
  let zone: IsoTime["zone"] = "none";
  if (m[9] !== undefined) {
    offsetMinutes = 0;
    zone = "Z";
  } else if (m[10] !== undefined) {
    const oh = Number(m[11]);
    const om = Number(m[12]);
    if (om > 59) return { ok: false, problem: `has offset ${m[10]}${m[11]}:${m[12]}: offset minutes are 00 to 59` };
    const total = oh * 60 + om;
    if (total > MAX_OFFSET_MINUTES) return { ok: false, problem: `has offset ${m[10]}${m[11]}:${m[12]}: offsets are at most ±14:00 (no zone is further from UTC)` };
    offsetMinutes = (m[10] === "-" ? -1 : 1) * total;
    zone = "offset";
  }
  const wallMs = utcMs(year, month, day, hour, minute, second, millisecond);
  const instantMs = offsetMinutes === undefined ? undefined : wallMs - offsetMinutes * 60_000;
  const check = instantMs ?? wallMs;
  if (check < EARLIEST_MS || check > LATEST_MS) return { ok: false, problem: "is outside the years 1970 to 9999" };
  return { ok: true, time: { year, month, day, hour, minute, second, millisecond, offsetMinutes, zone, wallMs, instantMs } };
}

/**
 * True for an ISO 8601 instant in UTC as the config model stores it: `T` between date and time,
 * ending in an upper-case `Z`, naming a real calendar time (no 24:00).
 */
export function isIsoUtc(value: string): boolean {
  const r = readIsoTime(value);
  return r.ok && r.time.zone === "Z" && value[10] === "T" && value.endsWith("Z");
}

/** `2024-07-24T06:00:00Z`; milliseconds kept only when not zero. The form isIsoUtc and readIsoTime read back to the same instant. */
export function toIsoUtc(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, "Z");
}
