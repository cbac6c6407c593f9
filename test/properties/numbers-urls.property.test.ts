/**
 * Property tests of numbers (`--jobs`, `--attempts`, `--deadline-seconds`) and URLs (`--url`, the
 * Slack and Teams webhooks): a valid value or exit 2 with a fix line; URLs, which may hold
 * secrets, are never repeated in a refusal; round trips; a sample through `main`.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { parseAttempts, parseDeadlineSeconds, parseJobs } from "../../recovery/cli/numbers";
import { UsageError } from "../../recovery/errors";
import { webhooksFrom } from "../../recovery/notify/webhooks";
import { checkHttpUrl } from "../../recovery/util/urls";
import { RecordingIO, runMain } from "../helpers/cli-io";
import { assertContract, MAIN_RUNS, RUNS } from "./contract";

function outcome<T>(fn: () => T): { value: T } | { refused: UsageError } {
  try {
    return { value: fn() };
  } catch (err) {
    if (err instanceof UsageError) return { refused: err };
    throw err;
  }
}

const numberText = fc.oneof(
  fc.integer({ min: -100, max: 200_000 }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom("", " ", "5abc", "0x10", "1e3", "1_000", "+5", "-0", "0.5", "00012", " 7 ", "Infinity", "NaN", "9".repeat(30)),
  fc.string({ maxLength: 8 }),
);

describe("property: numbers", () => {
  const rules: [string, (v: string) => number, number, number, boolean][] = [
    ["--jobs", parseJobs, 1, 32, true],
    ["--attempts", parseAttempts, 1, 100, true],
    ["--deadline-seconds", parseDeadlineSeconds, 1, 86_400, false],
  ];
  for (const [flag, parse, min, max, whole] of rules) {
    it(`${flag}: a number within ${min} to ${max} written in digits, or a refusal naming ${flag} with a fix`, () => {
      fc.assert(
        fc.property(numberText, (text) => {
          const o = outcome(() => parse(text));
          const t = text.trim();
          const digits = whole ? /^\d{1,15}$/.test(t) : /^\d{1,15}(\.\d{1,6})?$/.test(t);
          const n = Number(t);
          const valid = digits && n >= min && n <= max;
          assert.equal("value" in o, valid, `${JSON.stringify(text)}: ${"refused" in o ? o.refused.message : "accepted"}`);
          if ("value" in o) assert.equal(o.value, n);
          else {
            assert.ok(o.refused.message.startsWith(`${flag} "`), o.refused.message);
            assert.match(o.refused.hint ?? "", new RegExp(`^e\\.g\\. ${flag} \\d+$`));
          }
        }),
        { numRuns: RUNS },
      );
    });

    it(`${flag}: round trip, every value in range reads back from its decimal form`, () => {
      const inRange = whole ? fc.integer({ min, max }) : fc.integer({ min: min * 1000, max: max * 1000 }).map((ms) => ms / 1000);
      fc.assert(
        fc.property(inRange, (n) => assert.equal(parse(String(n)), n)),
        { numRuns: RUNS },
      );
    });
  }

  it("through main (a sample): validate --attempts / --deadline-seconds and restore --jobs: the value is accepted, or exit 2 names the flag with a fix", async () => {
    const cases = fc.tuple(fc.constantFrom("--attempts", "--deadline-seconds", "--jobs"), numberText);
    await fc.assert(
      fc.asyncProperty(cases, async ([flag, text]) => {
        const io = new RecordingIO(undefined, { env: {} });
        // with nothing else given, each command stops at its next check, after the number was read
        const args = flag === "--jobs" ? ["restore", "--file", "backup-a", `${flag}=${text}`] : ["validate", `${flag}=${text}`];
        const code = await runMain(args, io);
        assertContract(io, code, text);
        const parse = flag === "--jobs" ? parseJobs : flag === "--attempts" ? parseAttempts : parseDeadlineSeconds;
        const valid = "value" in outcome(() => parse(text));
        if (valid) assert.ok(!io.errText.includes(`${flag} "`), `${flag}=${text} was valid:\n${io.errText}`);
        else {
          assert.equal(code, 2);
          assert.ok(io.errText.includes(`${flag} "`), io.errText);
        }
      }),
      { numRuns: MAIN_RUNS },
    );
  });
});

describe("property: URLs (--url, webhooks)", () => {
  const urlText = fc.oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.tuple(fc.webUrl(), fc.constantFrom("ftp", "file", "javascript", "postgres", "htps", "")).map(([u, scheme]) => u.replace(/^https?/, scheme)),
    fc.constantFrom("", " ", "http://", "https://", "http:///x", "hooks.slack.com/services/T/B/X", "//host/x", "mailto:a@b.c", "http://[::1", "https://user:pw@host/h"),
    fc.string({ maxLength: 30 }),
  );

  it("an http(s) URL with a host, or a refusal that never repeats the URL", () => {
    fc.assert(
      fc.property(urlText, (text) => {
        const o = outcome(() => checkHttpUrl(text, { what: "--url", example: "https://host/health/all.json" }));
        if ("value" in o) {
          assert.ok(o.value.protocol === "http:" || o.value.protocol === "https:", text);
          assert.notEqual(o.value.hostname, "");
          assert.equal(o.value.username + o.value.password, "", "a URL with credentials is refused (issue 20)");
        } else {
          if (text.trim().length > 3) assert.ok(!o.refused.message.includes(text.trim()), `the URL was repeated: ${o.refused.message}`);
          assert.match(o.refused.hint ?? "", /write it like https:\/\//);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("round trip: every web URL is accepted and reads back as itself", () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (text) => {
        const url = checkHttpUrl(text, { what: "--url", example: "https://x" });
        assert.equal(checkHttpUrl(url.href, { what: "--url", example: "https://x" }).href, url.href);
      }),
      { numRuns: RUNS },
    );
  });

  it("webhooks from flags or the environment follow the same rule, naming the flag or the variable", () => {
    fc.assert(
      fc.property(urlText, fc.boolean(), (text, fromFlag) => {
        const o = outcome(() => (fromFlag ? webhooksFrom({ teamsWebhook: text }, {}) : webhooksFrom({}, { AYTQ_DR_SLACK_WEBHOOK: text })));
        const expected = text.trim() === "" ? "unset" : "value" in outcome(() => checkHttpUrl(text, { what: "x", example: "x" })) ? "kept" : "refused";
        if (expected === "refused") {
          assert.ok("refused" in o);
          assert.match(o.refused.message, fromFlag ? /^--teams-webhook / : /^AYTQ_DR_SLACK_WEBHOOK /);
        } else {
          assert.ok("value" in o, "refused" in o ? o.refused.message : "");
          assert.equal(fromFlag ? o.value.teamsWebhook : o.value.slackWebhook, expected === "unset" ? undefined : text);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("through main (a sample): validate --url and run --slack-webhook: accepted, or exit 2 with a fix that never repeats the URL", async () => {
    const cases = fc.tuple(fc.constantFrom("validate", "run"), fc.oneof(urlText, fc.constant("http://127.0.0.1:9/health")));
    await fc.assert(
      fc.asyncProperty(cases, async ([command, generated]) => {
        const valid = generated.trim() !== "" && "value" in outcome(() => checkHttpUrl(generated, { what: "x", example: "x" }));
        // a valid URL is pointed at a closed local port: no test asks a real host anything
        const url = valid && command === "validate" ? Object.assign(new URL(generated.trim()), { host: "127.0.0.1:9" }).href : generated;
        // validate: one attempt with a short deadline; run: a terminal that declines to start
        const io = new RecordingIO(undefined, { env: {}, isTTY: command === "run", answers: ["n"] });
        const args = command === "validate" ? ["validate", `--url=${url}`, "--attempts", "1", "--deadline-seconds", "1"] : ["run", "server-lost-rebuild", "--stack", "test", `--slack-webhook=${url}`];
        const code = await runMain(args, io);
        assertContract(io, code, url);
        if (!valid && url.trim() !== "") {
          assert.equal(code, 2, io.text);
          // (a URL as short as "https://" is in the fix line's example)
          if (url.trim().length > 8) assert.ok(!io.errText.includes(url.trim()), `the URL was repeated:\n${io.errText}`);
        } else if (command === "run") assert.equal(code, 3, io.text);
        else if (valid) assert.equal(code, 1, io.text);
      }),
      { numRuns: MAIN_RUNS },
    );
  });
});
