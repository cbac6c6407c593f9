/**
 * Issue 9, driver side: every bad operator input is refused before anything is called or changed,
 * exit 2, one message naming the input (cut to 200 characters) and a `fix:` line. Run in-process
 * through `main` with a fake terminal and the strict fake engine.
 */
import { strict as assert } from "node:assert";
import type { RawConfig } from "../../infra/config";
import { readStackConfig } from "../../recovery/config/stackfile";
import { FakeStackPort } from "../helpers/fake-stack";
import { RecordingIO, runMain, STACK_TRACE } from "../helpers/cli-io";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");
const writes = (port: FakeStackPort) => port.calls.filter((c) => /^(setConfig|removeConfig|refresh|up|forget)\b/.test(c));

function fakeStack(extra: (raw: RawConfig) => void = () => undefined): FakeStackPort {
  const raw = readStackConfig("test");
  extra(raw);
  return new FakeStackPort("test", raw);
}

/** Exit 2, a fix line, no stack trace, the stack never opened. */
async function refused(args: string[], message: RegExp, port = fakeStack()): Promise<RecordingIO> {
  const io = new RecordingIO(port);
  const code = await runMain(args, io);
  assert.equal(code, 2, io.text);
  assert.match(io.errText, message);
  assert.match(io.errText, /\n\s*fix: \S/, `no fix line:\n${io.errText}`);
  assert.doesNotMatch(io.errText, STACK_TRACE);
  assert.deepEqual(io.opened, [], "the stack was opened");
  assert.deepEqual(writes(port), []);
  return io;
}

describe("aytq-dr refuses bad times with the config model's own rule", () => {
  for (const offset of ["+25:00", "+99:99", "-14:01", "+14:60"]) {
    it(`refuses an offset of ${offset} (offsets are within ±14:00)`, async () => {
      await refused(["ptr", "--stack", "test", "--at", `2024-07-24T06:00${offset}`, "--dry-run"], new RegExp(`--at "2024-07-24T06:00\\${offset}" has offset`));
    });
  }

  it("accepts the widest real offsets, +14:00 and -12:00, as instants", async () => {
    const instant = Date.now() - 2 * 60 * MIN;
    const inOffset = (minutes: number, text: string) => new Date(instant + minutes * MIN).toISOString().slice(0, 16) + text;
    for (const at of [inOffset(14 * 60, "+14:00"), inOffset(-12 * 60, "-12:00")]) {
      const io = new RecordingIO(fakeStack());
      assert.equal(await runMain(["ptr", "--stack", "test", "--at", at, "--dry-run"], io), 0, io.text);
    }
  });

  it("refuses T24:00, as the config model does, saying to write 00:00 of the next day", async () => {
    await refused(["ptr", "--stack", "test", "--at", "2024-07-24T24:00Z", "--dry-run"], /has hour 24: write 00:00 of the next day/);
    await refused(["revive", "--stack", "test", "--at", "2024-07-24T24:00:00+01:00", "--yes"], /has hour 24/);
  });

  it("refuses --timezone with a time that carries Z or an offset, naming both", async () => {
    await refused(["ptr", "--stack", "test", "--at", iso(60 * MIN), "--timezone", "Europe/London", "--dry-run"], /--at ".*Z" carries its own zone \(Z\) and --timezone Europe\/London names another: the two conflict/);
    await refused(["revive", "--stack", "test", "--at", "2024-07-24T07:00+01:00", "--timezone", "Europe/London", "--yes"], /carries its own zone \(an offset\) and --timezone Europe\/London/);
  });

  it("a --deleted-at more than 5 days ago says to use server-lost-rebuild, not the activity log", async () => {
    const io = await refused(["revive", "--stack", "test", "--at", iso(6 * DAY - 30 * MIN), "--deleted-at", iso(6 * DAY), "--yes"], /--deleted-at .* is more than 5 days ago/);
    assert.match(io.errText, /fix: a server deleted more than 5 days ago can no longer be revived: use server-lost-rebuild .*aytq-dr run server-lost-rebuild --stack test/);
    assert.doesNotMatch(io.errText, /activity.log/);
    const run = new RecordingIO(undefined, { env: {} });
    assert.equal(await runMain(["run", "server-lost-revive", "--stack", "production", "--confirm-production", "--yes", "--at", iso(6 * DAY - 30 * MIN), "--deleted-at", iso(6 * DAY)], run), 2);
    assert.match(run.errText, /fix: .*aytq-dr run server-lost-rebuild --stack production --confirm-production/);
  });
});

describe("aytq-dr refuses conflicting and repeated flags, naming both", () => {
  it("a flag given twice, with both values", async () => {
    await refused(["ptr", "--stack", "test", "--at", iso(60 * MIN), "--at", iso(70 * MIN), "--dry-run"], /--at is given twice \(".*Z" and ".*Z"\): the two conflict/);
    await refused(["freeze", "--stack", "test", "--stack", "production", "--yes"], /--stack is given twice \("test" and "production"\)/);
    await refused(["stop", "--stack", "test", "--yes", "--yes"], /--yes is given twice/);
  });

  it("--set of one key twice", async () => {
    await refused(["plan", "--stack", "test", "--set", "recovery.mode=rebuild", "--set", "recovery.mode=normal"], /--set recovery\.mode is given twice \("recovery\.mode=rebuild" and "recovery\.mode=normal"\)/);
  });

  it("flags that collect a list may repeat", async () => {
    const io = new RecordingIO(undefined);
    // two --url are two URLs to check; the refusal is about the second URL, not the repetition
    assert.equal(await runMain(["validate", "--url", "https://a.example/health", "--url", "ftp://b.example", "--attempts", "1"], io), 2, io.text);
    assert.match(io.errText, /--url is a ftp URL, not http\(s\)/);
  });
});

describe("aytq-dr echoes operator input cut to 200 characters", () => {
  const huge = "x".repeat(100_000);
  const cases: [string, string[]][] = [
    ["an unknown stack", ["stop", "--stack", huge, "--yes"]],
    ["an unknown option", ["stop", `--${huge}`]],
    ["a time", ["ptr", "--stack", "test", "--at", huge, "--dry-run"]],
    ["a --set key", ["plan", "--stack", "test", "--set", `${huge}=1`]],
    ["a --set value", ["plan", "--stack", "test", "--set", `recovery.mode=${huge}`]],
    ["a maintenance state", ["maintenance", huge, "--stack", "test", "--yes"]],
    ["a scenario", ["run", huge, "--stack", "test", "--yes"]],
    ["a run id", ["run", "--resume", huge, "--stack", "test"]],
    ["a number", ["restore", "--file", "x", "--jobs", huge]],
  ];
  for (const [what, args] of cases) {
    it(`${what} of 100 KB: exit 2, the message under 1 KB`, async () => {
      const io = new RecordingIO(fakeStack());
      assert.equal(await runMain(args, io), 2, io.text.slice(0, 2000));
      assert.ok(io.text.length < 1_000, `${io.text.length} characters printed:\n${io.text.slice(0, 600)}`);
      assert.doesNotMatch(io.text, /x{201}/, "an echo longer than 200 characters");
      assert.match(io.errText, /fix: \S/);
    });
  }
});

describe("aytq-dr --set never reaches Object.prototype", () => {
  for (const key of ["__proto__.polluted", "constructor.prototype.polluted", "recovery.__proto__.polluted", "prototype", "app.constructor"]) {
    it(`refuses --set ${key}=1 with one error, exit 2`, async () => {
      const io = await refused(["plan", "--stack", "test", "--set", `${key}=1`], /is not a config key/);
      assert.equal(io.errText.match(/is not a config key/g)?.length, 1, io.errText);
      assert.doesNotMatch(io.errText, /unknown key/);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"), false);
    });
  }

  it('refuses a JSON value holding "__proto__"', async () => {
    await refused(["plan", "--stack", "test", "--set", 'recovery={"__proto__":{"polluted":1}}'], /its value has a key "__proto__"/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe("aytq-dr checks what it would write into stack config with the config model first", () => {
  it("ptr --name Bad_Name: exit 2 with the model's rule; nothing written, no preview", async () => {
    const port = fakeStack();
    const io = new RecordingIO(port);
    assert.equal(await runMain(["ptr", "--stack", "test", "--at", iso(60 * MIN), "--name", "Bad_Name", "--yes"], io), 2, io.text);
    assert.match(io.errText, /aytq:recovery\.ptrCopies\[0\]\.name: must be a valid Azure server name/);
    assert.match(io.errText, /fix: give a --name the config model accepts/);
    assert.deepEqual(writes(port), []);
    assert.ok(!port.calls.includes("preview"));
  });

  it("ptr --name of the live server is refused by the model too", async () => {
    const port = fakeStack();
    const io = new RecordingIO(port);
    assert.equal(await runMain(["ptr", "--stack", "test", "--at", iso(60 * MIN), "--name", port.settings().database.serverName, "--yes"], io), 3, io.text);
    assert.match(io.errText, /already exists/);
    assert.deepEqual(writes(port), []);
  });

  it("run data-loss --name Bad_Name is refused before the first step", async () => {
    const io = new RecordingIO(undefined, { env: {} });
    assert.equal(await runMain(["run", "data-loss", "--stack", "test", "--at", iso(60 * MIN), "--name", "Bad_Name", "--restore-copy", "no"], io), 2, io.text);
    assert.match(io.errText, /must be a valid Azure server name/);
    assert.deepEqual(io.opened, []);
  });
});

describe("aytq-dr numbers and answers: exit 2 with a fix line", () => {
  const bad: [string, string[], RegExp][] = [
    ["--jobs abc", ["restore", "--file", "x", "--jobs", "abc"], /--jobs "abc" is not a whole number of parallel jobs from 1 to 32/],
    ["--jobs 5abc (parseInt would read 5)", ["restore", "--file", "x", "--jobs", "5abc"], /--jobs "5abc"/],
    ["--jobs 0", ["restore", "--file", "x", "--jobs", "0"], /--jobs "0"/],
    ["--attempts 1e3", ["validate", "--url", "https://a.example/h", "--attempts", "1e3"], /--attempts "1e3"/],
    ["--attempts 2.5", ["validate", "--url", "https://a.example/h", "--attempts", "2.5"], /--attempts "2.5"/],
    ["--deadline-seconds 0x10", ["validate", "--url", "https://a.example/h", "--deadline-seconds", "0x10"], /--deadline-seconds "0x10"/],
    ["--deadline-seconds 1e400", ["validate", "--url", "https://a.example/h", "--deadline-seconds", "1e400"], /--deadline-seconds "1e400"/],
    ["--deadline-seconds beyond a day", ["validate", "--url", "https://a.example/h", "--deadline-seconds", "999999999999"], /from 1 to 86400/],
    ["--restore-copy maybe", ["run", "data-loss", "--stack", "test", "--at", iso(60 * MIN), "--restore-copy", "maybe"], /--restore-copy "maybe": expected whole, tables, undelete or no/],
    ["validate with nothing to check", ["validate"], /validate has nothing to check/],
  ];
  for (const [what, args, message] of bad) {
    it(`refuses ${what}`, async () => {
      await refused(args, message, fakeStack());
    });
  }
});
