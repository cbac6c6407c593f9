/**
 * Property tests of operator times: the one reading shared by the command line and the config
 * model (infra/config/time.ts), offsets, hour 24, zones and the clock changes, with round trips
 * (format, then parse), and a sample through `main`.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { DateTime } from "luxon";
import { isIsoUtc } from "../../infra/config";
import { MAX_OFFSET_MINUTES, readIsoTime, toIsoUtc } from "../../infra/config/time";
import { UsageError } from "../../recovery/errors";
import { parseOperatorTime } from "../../recovery/time";
import { RecordingIO, runMain } from "../helpers/cli-io";
import { assertContract, MAIN_RUNS, REACHED, RUNS, stubStack } from "./contract";

const MIN = 60_000;
const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, "0");
const offsetText = (minutes: number, colon = true) => `${minutes < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(minutes) / 60))}${colon ? ":" : ""}${pad(Math.abs(minutes) % 60)}`;

/** Instants the rule accepts: 1970 to 9999, at millisecond resolution. */
const instant = fc.date({ min: new Date("1970-01-02T00:00:00Z"), max: new Date("9999-12-30T00:00:00Z"), noInvalidDate: true });
/** Offsets real zones use: whole quarter hours within ±14:00, and any minute within it. */
const offset = fc.oneof(fc.integer({ min: -56, max: 56 }).map((q) => q * 15), fc.integer({ min: -MAX_OFFSET_MINUTES, max: MAX_OFFSET_MINUTES }));

/** The wall time of an instant at a fixed offset, written `YYYY-MM-DDThh:mm:ss.sss`. */
function wallAt(date: Date, offsetMinutes: number): string {
  return new Date(date.getTime() + offsetMinutes * MIN).toISOString().slice(0, 23);
}

/** Near misses of an ISO time: every field out of range now and then, zones good and bad, junk. */
const timeLike = fc
  .record({
    year: fc.oneof(fc.integer({ min: 1960, max: 2100 }), fc.integer({ min: 0, max: 9999 })),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.oneof(fc.integer({ min: 0, max: 23 }), fc.constantFrom(24, 25, 99)),
    minute: fc.oneof(fc.integer({ min: 0, max: 59 }), fc.constant(60)),
    second: fc.option(fc.oneof(fc.integer({ min: 0, max: 59 }), fc.constant(60)), { nil: undefined }),
    fraction: fc.option(fc.stringMatching(/^\d{1,9}$/), { nil: undefined }),
    separator: fc.constantFrom("T", " ", "t", "_"),
    zone: fc.oneof(fc.constantFrom("Z", "z", "", "UTC", "+01", "+1:00"), fc.tuple(fc.integer({ min: -99 * 60 - 99, max: 99 * 60 + 99 }), fc.boolean()).map(([m, colon]) => offsetText(m, colon)), fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 })).map(([h, m]) => `+${pad(h)}:${pad(m)}`)),
  })
  .map((t) => `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}${t.separator}${pad(t.hour)}:${pad(t.minute)}${t.second === undefined ? "" : `:${pad(t.second)}${t.fraction === undefined ? "" : `.${t.fraction}`}`}${t.zone}`);
const anyText = fc.oneof(timeLike, fc.string({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 40 }));

/** parseOperatorTime's outcome: the UTC time, or the refusal (anything else thrown fails the property). */
function outcome(text: string, timezone?: string): { utc: string } | { refused: UsageError } {
  try {
    return { utc: parseOperatorTime(text, "--at", timezone).utc };
  } catch (err) {
    if (err instanceof UsageError) return { refused: err };
    throw err;
  }
}

describe("property: operator times (infra/config/time.ts, recovery/time)", () => {
  it("any text: a UTC time the config model accepts, or exit-2 refusal with a fix, never another error", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const o = outcome(text);
        if ("utc" in o) assert.ok(isIsoUtc(o.utc), `${text} -> ${o.utc}`);
        else {
          assert.ok((o.refused.hint ?? "").length > 0, `no fix for ${text}`);
          assert.ok(o.refused.message.length < 700);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("the command line accepts a `T...Z` time exactly when the config model does", () => {
    fc.assert(
      fc.property(timeLike.filter((t) => t[10] === "T" && t.endsWith("Z")), (text) => {
        assert.equal("utc" in outcome(text), isIsoUtc(text), text);
      }),
      { numRuns: RUNS },
    );
  });

  it("round trip: toIsoUtc, then parse, is the same instant, and the config model accepts it", () => {
    fc.assert(
      fc.property(instant, (date) => {
        const text = toIsoUtc(date);
        assert.ok(isIsoUtc(text), text);
        const o = outcome(text);
        assert.ok("utc" in o, text);
        assert.equal(new Date(o.utc).getTime(), date.getTime());
        assert.equal(o.utc, text);
      }),
      { numRuns: RUNS },
    );
  });

  it("round trip with an offset within ±14:00: the wall time at that offset reads back as the same instant", () => {
    fc.assert(
      fc.property(instant, offset, fc.boolean(), (date, minutes, colon) => {
        const text = `${wallAt(date, minutes)}${offsetText(minutes, colon)}`;
        const o = outcome(text);
        assert.ok("utc" in o, `${text}: ${"refused" in o ? o.refused.message : ""}`);
        assert.equal(new Date(o.utc).getTime(), date.getTime(), text);
      }),
      { numRuns: RUNS },
    );
  });

  it("an offset beyond ±14:00 or with minutes past 59 is refused, naming the offset", () => {
    const bad = fc.oneof(
      fc.integer({ min: MAX_OFFSET_MINUTES + 1, max: 99 * 60 + 59 }).filter((m) => m % 60 < 60).map((m) => (m % 2 ? m : -m)),
      fc.tuple(fc.integer({ min: 0, max: 14 }), fc.integer({ min: 60, max: 99 })).map(([h, m]) => ({ h, m })),
    );
    fc.assert(
      fc.property(instant, bad, (date, o) => {
        const zone = typeof o === "number" ? offsetText(o) : `+${pad(o.h)}:${pad(o.m)}`;
        const text = `${wallAt(date, 0).slice(0, 16)}${zone}`;
        const r = outcome(text);
        assert.ok("refused" in r, `${text} accepted`);
        assert.match(r.refused.message, /has offset .*: offset/);
      }),
      { numRuns: RUNS },
    );
  });

  it("hour 24 is refused with or without a zone, saying to write the next day's 00:00", () => {
    fc.assert(
      fc.property(instant, fc.constantFrom("Z", "+01:00", "-05:30", ""), (date, zone) => {
        const text = `${date.toISOString().slice(0, 10)}T24:00${zone}`;
        const r = outcome(text, zone === "" ? "Europe/London" : undefined);
        assert.ok("refused" in r, text);
        assert.match(r.refused.message, /has hour 24: write 00:00 of the next day/);
        assert.equal(readIsoTime(text).ok, false);
      }),
      { numRuns: RUNS },
    );
  });

  it("--timezone with a time that carries Z or an offset is a conflict naming both", () => {
    fc.assert(
      fc.property(instant, offset, fc.constantFrom("Europe/London", "UTC", "America/New_York"), (date, minutes, zone) => {
        const text = `${wallAt(date, minutes)}${minutes === 0 ? "Z" : offsetText(minutes)}`;
        const r = outcome(text, zone);
        assert.ok("refused" in r, text);
        assert.ok(r.refused.message.includes(`--at "${text}" carries its own zone`) && r.refused.message.includes(`--timezone ${zone} names another`), r.refused.message);
      }),
      { numRuns: RUNS },
    );
  });

  describe("the clock changes", () => {
    // every wall time around each zone's transitions: before, in the gap or the fold, after
    /** Instants that show this wall time in the zone: an oracle from luxon's forward conversion only. */
    function instantsShowing(wall: string, zone: string): number[] {
      const wallMs = Date.parse(`${wall}Z`);
      const found: number[] = [];
      for (let q = -56; q <= 56; q++) {
        const t = wallMs - q * 15 * MIN;
        if (DateTime.fromMillis(t, { zone }).toFormat("yyyy-LL-dd'T'HH:mm:ss.SSS") === wall) found.push(t);
      }
      return found.sort((a, b) => a - b);
    }
    /** Each zone with instants where its clocks change (and Kolkata, which has none). */
    const transitions: [string, string][] = [
      ["Europe/London", "2024-03-31T01:00:00Z"], ["Europe/London", "2024-10-27T01:00:00Z"], ["Europe/London", "2023-10-29T01:00:00Z"],
      ["America/New_York", "2024-03-10T07:00:00Z"], ["America/New_York", "2024-11-03T06:00:00Z"],
      ["Australia/Lord_Howe", "2024-04-06T15:00:00Z"], ["Australia/Lord_Howe", "2024-10-05T15:30:00Z"],
      ["Asia/Kolkata", "2024-03-31T01:00:00Z"],
    ];
    /** Wall times within 3 hours of a change, as the zone's clocks would show them (gaps and folds included). */
    const near = fc.tuple(fc.constantFrom(...transitions), fc.integer({ min: -180, max: 180 })).map(([[zone, t], m]) => {
      const before = DateTime.fromMillis(Date.parse(t) - MIN, { zone }).toFormat("yyyy-LL-dd'T'HH:mm");
      return { zone, wall: new Date(Date.parse(`${before}Z`) + (m + 1) * MIN).toISOString().slice(0, 16) };
    });

    it("a wall time in a zone reads as the one instant showing it; a skipped time and a time that happened twice are refused, naming the candidates", () => {
      const seen = { unique: 0, skipped: 0, twice: 0 };
      fc.assert(
        fc.property(near, ({ zone, wall }) => {
          const expected = instantsShowing(`${wall}:00.000`, zone);
          const r = outcome(wall, zone);
          if (expected.length === 1) {
            seen.unique++;
            assert.ok("utc" in r, `${wall} ${zone}: ${"refused" in r ? r.refused.message : ""}`);
            assert.equal(new Date(r.utc).getTime(), expected[0]);
            // round trip: the instant shown in the zone is the wall time given
            assert.equal(DateTime.fromISO(r.utc, { zone }).toFormat("yyyy-LL-dd'T'HH:mm"), wall);
          } else if (expected.length === 0) {
            seen.skipped++;
            assert.ok("refused" in r && /does not exist in .*the clocks jumped forward/.test(r.refused.message), `${wall} ${zone} should not exist`);
          } else {
            seen.twice++;
            assert.ok("refused" in r && /ambiguous in .*happened twice/.test(r.refused.message), `${wall} ${zone} should be ambiguous`);
            for (const t of expected) assert.ok(r.refused.message.includes(toIsoUtc(new Date(t))), `${r.refused.message} lacks ${toIsoUtc(new Date(t))}`);
          }
        }),
        { numRuns: RUNS },
      );
      assert.ok(seen.unique > 0 && seen.skipped > 0 && seen.twice > 0, JSON.stringify(seen));
    });
  });

  describe("through main (a sample): ptr --at", () => {
    const recent = fc.integer({ min: -2 * 60, max: 9 * 24 * 60 }).map((minutesAgo) => new Date(Date.now() - minutesAgo * MIN));
    const atArgs = fc.oneof(
      fc.tuple(recent, offset).map(([d, m]) => [`${wallAt(d, m).slice(0, 16)}${m === 0 ? "Z" : offsetText(m)}`]),
      fc.tuple(recent, fc.constantFrom("Europe/London", "America/New_York")).map(([d, zone]) => [DateTime.fromJSDate(d, { zone }).toFormat("yyyy-LL-dd'T'HH:mm"), "--timezone", zone]),
      anyText.map((t) => [t]),
    );
    it("exit 0 is never reached without a stack; every input ends in exit 2 with a fix, or the stack's first write (the input was accepted)", async () => {
      const seen = { refused: 0, accepted: 0 };
      await fc.assert(
        fc.asyncProperty(atArgs, async ([at, ...rest]) => {
          const io = new RecordingIO(stubStack());
          const code = await runMain(["ptr", "--stack", "test", "--yes", `--at=${at}`, ...rest], io);
          assertContract(io, code, at);
          assert.ok(code === 2 || (code === 3 && io.errText.includes(REACHED)), `exit ${code} for ${JSON.stringify(at)}:\n${io.errText.slice(0, 1000)}`);
          if (code === 3) {
            seen.accepted++;
            // accepted: the time reads as a time by the rule itself
            assert.ok("utc" in (rest.length ? outcome(at, rest[1]) : outcome(at)));
          } else seen.refused++;
        }),
        { numRuns: MAIN_RUNS },
      );
      assert.ok(seen.accepted > 0 && seen.refused > 0, JSON.stringify(seen));
    });
  });
});
