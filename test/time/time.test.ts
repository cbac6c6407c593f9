import { strict as assert } from "node:assert";
import { parseOperatorTime, echoTime } from "../../recovery/time/parse";
import { ptrTimeProblems, reviveTimeProblems, checkPtrTime, checkReviveTimes } from "../../recovery/time/rules";
import { isIsoUtc } from "../../infra/config";
import { readIsoTime } from "../../infra/config/time";
import { UsageError } from "../../recovery/errors";
import { DEFAULT_BACKUP_RETENTION_DAYS } from "../../infra/config";
import { PITR_NEWEST_MINUTES, REVIVE_MIN_MINUTES_AFTER_DELETE, REVIVE_WINDOW_DAYS } from "../../recovery/time/azure-limits";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe("operator times", () => {
  const accepted: [string, string | undefined, string][] = [
    ["2024-07-24T06:00:00Z", undefined, "2024-07-24T06:00:00Z"],
    ["2024-07-24T06:00Z", undefined, "2024-07-24T06:00:00Z"],
    ["2024-07-24T07:00:00+01:00", undefined, "2024-07-24T06:00:00Z"],
    ["2024-07-24T02:00:00-0400", undefined, "2024-07-24T06:00:00Z"],
    ["2024-07-24T07:00", "Europe/London", "2024-07-24T06:00:00Z"],
    ["2024-01-15T07:00", "Europe/London", "2024-01-15T07:00:00Z"],
    ["2024-03-31T00:59", "Europe/London", "2024-03-31T00:59:00Z"],
    ["2024-03-31T02:00", "Europe/London", "2024-03-31T01:00:00Z"],
    ["2024-10-27T00:59", "Europe/London", "2024-10-26T23:59:00Z"],
    ["2024-10-27T02:00", "Europe/London", "2024-10-27T02:00:00Z"],
    ["2024-07-24T06:00:00.500Z", undefined, "2024-07-24T06:00:00.500Z"],
  ];
  for (const [input, zone, utc] of accepted) {
    it(`reads ${input}${zone ? ` in ${zone}` : ""} as ${utc}`, () => {
      assert.equal(parseOperatorTime(input, "--at", zone).utc, utc);
    });
  }

  it("refuses a time without a zone unless --timezone is given", () => {
    assert.throws(() => parseOperatorTime("2024-07-24T06:00", "--at"), (e: unknown) => e instanceof UsageError && /has no time zone/.test(e.message) && /--timezone Europe\/London/.test(e.hint ?? ""));
  });

  it("refuses 2024-03-31T01:30 Europe/London as non-existent, naming both candidate UTC instants", () => {
    assert.throws(
      () => parseOperatorTime("2024-03-31T01:30", "--at", "Europe/London"),
      (e: unknown) => e instanceof UsageError && /does not exist/.test(e.message) && e.message.includes("2024-03-31T00:30:00Z") && e.message.includes("2024-03-31T01:30:00Z"),
    );
  });

  it("refuses 2024-10-27T01:30 Europe/London as ambiguous, naming both UTC instants", () => {
    assert.throws(
      () => parseOperatorTime("2024-10-27T01:30", "--at", "Europe/London"),
      (e: unknown) => e instanceof UsageError && /ambiguous/.test(e.message) && e.message.includes("2024-10-27T00:30:00Z") && e.message.includes("2024-10-27T01:30:00Z"),
    );
  });

  for (const bad of ["yesterday", "2024-13-01T00:00Z", "2024-02-30T10:00Z", "2024-07-24", "2024-07-24T25:00Z", ""]) {
    it(`refuses "${bad}" as not a time`, () => {
      assert.throws(() => parseOperatorTime(bad, "--at"), UsageError);
    });
  }

  it("refuses an unknown zone", () => {
    assert.throws(() => parseOperatorTime("2024-07-24T06:00", "--at", "Europe/Lndon"), /--timezone "Europe\/Lndon" is not a time zone name/);
  });

  it("echoes UTC and UK local time (BST in summer, GMT in winter)", () => {
    assert.equal(echoTime(new Date("2024-07-24T06:00:00Z")), "2024-07-24T06:00:00Z (UTC) = 2024-07-24 07:00:00 BST (UK local time)");
    assert.equal(echoTime(new Date("2024-01-15T06:00:00Z")), "2024-01-15T06:00:00Z (UTC) = 2024-01-15 06:00:00 GMT (UK local time)");
  });
});

describe("time rules", () => {
  const now = new Date("2024-07-24T12:00:00Z");
  const ago = (ms: number) => new Date(now.getTime() - ms);

  describe("ptr", () => {
    it("accepts the window's edges", () => {
      assert.deepEqual(ptrTimeProblems(ago(PITR_NEWEST_MINUTES * MIN), { now }), []);
      assert.deepEqual(ptrTimeProblems(ago(DEFAULT_BACKUP_RETENTION_DAYS * DAY), { now }), []);
    });
    it("refuses a restore point in the future", () => {
      assert.match(ptrTimeProblems(ago(-1000), { now }).join(), /in the future/);
    });
    it("refuses a restore point newer than 5 minutes ago", () => {
      assert.match(ptrTimeProblems(ago(PITR_NEWEST_MINUTES * MIN - 1000), { now }).join(), /newer than 5 minutes ago/);
    });
    it("refuses a restore point older than the 7-day retention", () => {
      assert.match(ptrTimeProblems(ago(DEFAULT_BACKUP_RETENTION_DAYS * DAY + 1000), { now }).join(), /older than 7 days/);
    });
    it("uses the server's earliest restore date when known", () => {
      const earliest = ago(2 * DAY);
      assert.match(ptrTimeProblems(ago(3 * DAY), { now, earliestRestore: earliest }).join(), /earliest restore point/);
      assert.deepEqual(ptrTimeProblems(ago(1 * DAY), { now, earliestRestore: earliest }), []);
    });
    it("falls back to the 7-day retention when the earliest restore date is not known", () => {
      assert.match(ptrTimeProblems(ago(DEFAULT_BACKUP_RETENTION_DAYS * DAY + 1000), { now, earliestRestore: undefined }).join(), /older than 7 days/);
    });
    it("accepts a point older than 7 days when the server's earliest restore date is older still", () => {
      const earliest = ago(DEFAULT_BACKUP_RETENTION_DAYS * DAY + 10 * MIN);
      assert.deepEqual(ptrTimeProblems(ago(DEFAULT_BACKUP_RETENTION_DAYS * DAY + 5 * MIN), { now, earliestRestore: earliest }), []);
      assert.match(ptrTimeProblems(new Date(earliest.getTime() - 1000), { now, earliestRestore: earliest }).join(), /earliest restorable point is 2024-07-17T11:50:00Z/);
    });
    it("with windowLater checks only the future and the newest point, leaving the window for later", () => {
      assert.deepEqual(ptrTimeProblems(ago(30 * DAY), { now, windowLater: true }), []);
      assert.match(ptrTimeProblems(ago(-1000), { now, windowLater: true }).join(), /in the future/);
      assert.match(ptrTimeProblems(ago(MIN), { now, windowLater: true }).join(), /newer than 5 minutes ago/);
    });
    it("throws a usage error listing the problem", () => {
      assert.throws(() => checkPtrTime(ago(-DAY), { now }), UsageError);
    });
  });

  describe("revive", () => {
    const deleted = ago(60 * MIN);
    it("accepts a point 10 minutes after the deletion", () => {
      assert.deepEqual(reviveTimeProblems(new Date(deleted.getTime() + REVIVE_MIN_MINUTES_AFTER_DELETE * MIN), deleted, now), []);
    });
    it("refuses a restore point earlier than deletion + 10 minutes", () => {
      assert.match(reviveTimeProblems(new Date(deleted.getTime() + REVIVE_MIN_MINUTES_AFTER_DELETE * MIN - 1000), deleted, now).join(), /earlier than 10 minutes after the deletion/);
    });
    it("refuses a deletion more than 5 days ago", () => {
      const old = ago(REVIVE_WINDOW_DAYS * DAY + MIN);
      assert.match(reviveTimeProblems(ago(MIN), old, now).join(), /more than 5 days ago/);
    });
    it("refuses a restore point or a deletion in the future, all at once", () => {
      const problems = reviveTimeProblems(ago(-MIN), ago(-2 * MIN), now);
      assert.equal(problems.filter((p) => /in the future/.test(p)).length, 2);
    });
    it("without --deleted-at refuses a point older than the revive window", () => {
      assert.match(reviveTimeProblems(ago(REVIVE_WINDOW_DAYS * DAY + MIN), undefined, now).join(), /more than 5 days ago/);
      assert.deepEqual(reviveTimeProblems(ago(DAY), undefined, now), []);
    });
  });
});

describe("one time rule for the command line and the config model (infra/config/time.ts)", () => {
  const both = (text: string) => ({ cli: (() => { try { return parseOperatorTime(text, "--at").utc; } catch { return "refused"; } })(), model: isIsoUtc(text) });

  it("the command line accepts a Z time exactly when the config model does, and writes one the model accepts", () => {
    for (const text of ["2024-07-24T06:00:00Z", "2024-07-24T24:00Z", "2024-02-29T06:00Z", "2023-02-29T06:00Z", "2024-07-24T06:60Z", "2024-07-24T06:00:60Z", "0024-07-24T06:00Z", "1970-01-01T00:00Z"]) {
      const { cli, model } = both(text);
      assert.equal(cli !== "refused", model, `${text}: command line ${cli}, model ${model}`);
      if (cli !== "refused") assert.equal(isIsoUtc(cli), true, cli);
    }
  });

  it("refuses offsets beyond ±14:00 and offset minutes past 59, saying which", () => {
    for (const bad of ["+25:00", "+99:99", "-14:01", "+14:30", "+01:60", "-2500"]) {
      assert.throws(() => parseOperatorTime(`2024-07-24T06:00${bad}`, "--at"), (e: unknown) => e instanceof UsageError && /has offset .*: offset/.test(e.message), bad);
    }
    assert.equal(parseOperatorTime("2024-07-24T20:00+14:00", "--at").utc, "2024-07-24T06:00:00Z");
    assert.equal(parseOperatorTime("2024-07-23T18:00-12:00", "--at").utc, "2024-07-24T06:00:00Z");
    assert.equal(parseOperatorTime("2024-07-24T19:00-1100", "--at").utc, "2024-07-25T06:00:00Z");
  });

  it("refuses hour 24, with and without a zone, saying to write the next day's 00:00", () => {
    assert.throws(() => parseOperatorTime("2024-07-24T24:00Z", "--at"), /has hour 24: write 00:00 of the next day/);
    assert.throws(() => parseOperatorTime("2024-07-24T24:00", "--at", "Europe/London"), /has hour 24/);
    assert.equal(readIsoTime("2024-07-24T24:00:00Z").ok, false);
  });

  it("refuses --timezone together with a time that carries Z or an offset, naming both", () => {
    assert.throws(() => parseOperatorTime("2024-07-24T06:00Z", "--at", "Europe/London"), /--at "2024-07-24T06:00Z" carries its own zone \(Z\) and --timezone Europe\/London names another/);
    assert.throws(() => parseOperatorTime("2024-07-24T07:00+01:00", "--deleted-at", "UTC"), /--deleted-at .* carries its own zone \(an offset\) and --timezone UTC/);
  });

  it("keeps the clock-change rules with the shared reading", () => {
    assert.throws(() => parseOperatorTime("2024-03-31T01:30", "--at", "Europe/London"), /does not exist in Europe\/London/);
    assert.throws(() => parseOperatorTime("2024-10-27T01:30", "--at", "Europe/London"), /ambiguous in Europe\/London/);
    assert.equal(parseOperatorTime("2024-10-27T02:00", "--at", "Europe/London").utc, "2024-10-27T02:00:00Z");
  });

  it("a --deleted-at more than 5 days ago points at server-lost-rebuild, not the activity log", () => {
    const now = new Date("2024-07-24T08:00:00Z");
    const deleted = new Date(now.getTime() - 6 * DAY);
    assert.throws(
      () => checkReviveTimes(new Date(deleted.getTime() + 20 * MIN), deleted, now, "production"),
      (e: unknown) => e instanceof UsageError && /use server-lost-rebuild/.test(e.hint ?? "") && /aytq-dr run server-lost-rebuild --stack production --confirm-production/.test(e.hint ?? "") && !/activity.log/.test(e.hint ?? ""),
    );
    // a deletion inside the window but a point too early still gets the activity-log advice
    assert.throws(() => checkReviveTimes(new Date(now.getTime() - DAY), new Date(now.getTime() - DAY + MIN), now), (e: unknown) => e instanceof UsageError && /activity-log/.test(e.hint ?? ""));
  });
});
