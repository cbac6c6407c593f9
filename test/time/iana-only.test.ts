/**
 * Issue 20: `--timezone` takes Area/Location names (and UTC, Etc/UTC) only. An abbreviation is what
 * the tz database says it is, not what the operator meant: `BST` there is Bangladesh (UTC+6), so
 * `ptr --at 2026-12-05T10:00 --timezone BST` made a copy at 04:00Z. Refused, exit 2, naming the
 * zone to give; nothing is opened.
 */
import { strict as assert } from "node:assert";
import { readStackConfig } from "../../recovery/config/stackfile";
import { UsageError } from "../../recovery/errors";
import { parseOperatorTime } from "../../recovery/time/parse";
import { checkTimeZone, isIanaLocationZone } from "../../recovery/time/zones";
import { RecordingIO, runMain, STACK_TRACE } from "../helpers/cli-io";
import { FakeStackPort } from "../helpers/fake-stack";

const refusedAs = (name: string, pattern: RegExp, fix: RegExp) => (e: unknown) =>
  e instanceof UsageError && pattern.test(e.message) && fix.test(e.hint ?? "") && e.message.includes(`"${name}"`);

describe("--timezone: Area/Location names only", () => {
  for (const name of ["Europe/London", "europe/london", "America/New_York", "America/Argentina/Buenos_Aires", "Asia/Kolkata", "Asia/Calcutta", "Europe/Kyiv", "Australia/Lord_Howe", "UTC", "Etc/UTC", " Europe/London "]) {
    it(`accepts ${JSON.stringify(name)}`, () => {
      assert.equal(checkTimeZone(name), name.trim());
      assert.equal(parseOperatorTime("2024-07-24T07:00", "--at", name).zone, name.trim());
    });
  }

  for (const [name, where] of [["BST", /Asia\/Dhaka/], ["IST", /Asia\/(Calcutta|Kolkata)/], ["EST", /UTC-05:00/], ["CET", /Europe\//], ["GMT", /UTC all year/], ["EST5EDT", /America\/New_York/], ["MST7MDT", /America\/(Denver|Boise)/]] as const) {
    it(`refuses the abbreviation ${name}, saying where the tz database puts it and to give Europe/London`, () => {
      assert.throws(() => parseOperatorTime("2024-07-24T07:00", "--at", name), refusedAs(name, /is an abbreviation, not a place/, /--timezone Europe\/London/));
      assert.throws(() => checkTimeZone(name), (e: unknown) => e instanceof UsageError && where.test(e.message));
    });
  }

  for (const [name, fix] of [["US/Eastern", "America/New_York"], ["GB", "Europe/London"], ["Japan", "Asia/Tokyo"], ["Canada/Pacific", "America/Vancouver"], ["Europe/Belfast", undefined]] as const) {
    it(`refuses the legacy alias ${name}${fix ? `, naming ${fix}` : ""}`, () => {
      if (fix === undefined) {
        // a backward link inside a geographic area is the same place by an older name: accepted
        assert.equal(checkTimeZone(name), name);
        return;
      }
      assert.throws(() => checkTimeZone(name), (e: unknown) => e instanceof UsageError && e.message.includes(`"${name}"`) && (e.hint ?? "").includes(fix));
    });
  }

  for (const name of ["Etc/GMT+5", "Etc/GMT-1", "Etc/GMT", "GMT0", "Factory", "Europe/Atlantis", "Mars/Olympus", "", "+01:00", "Europe/London\u001b[2J"]) {
    it(`refuses ${JSON.stringify(name)}`, () => {
      assert.equal(isIanaLocationZone(name), false);
      assert.throws(() => checkTimeZone(name), (e: unknown) => e instanceof UsageError && /--timezone Europe\/London/.test(e.hint ?? "") && !e.message.includes("\u001b"));
    });
  }

  it("every Area/Location zone the runtime lists is accepted", () => {
    for (const zone of Intl.supportedValuesOf("timeZone")) if (zone.includes("/") && !zone.startsWith("Etc/")) assert.ok(isIanaLocationZone(zone), zone);
  });

  it("the CLI refuses ptr --timezone BST with exit 2 before opening the stack", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const io = new RecordingIO(port);
    const code = await runMain(["ptr", "--stack", "test", "--at", "2026-12-05T10:00", "--timezone", "BST", "--dry-run"], io);
    assert.equal(code, 2, io.text);
    assert.match(io.errText, /--timezone "BST" is an abbreviation, not a place: the tz database reads it as Asia\/Dhaka/);
    assert.match(io.errText, /fix: .*--timezone Europe\/London/);
    assert.doesNotMatch(io.errText, STACK_TRACE);
    assert.doesNotMatch(io.text, /04:00:00Z/);
    assert.deepEqual(io.opened, []);
  });
});
