/**
 * Property tests of `--set key=value` (plan, and wherever config overrides are parsed): keys and
 * values of every shape, prototype keys, replica counts; the config model's answer or exit 2
 * with a fix; Object.prototype never touched; a sample through `main`.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ConfigError, parseSettings, Settings } from "../../infra/config";
import { applyOverrides, readStackConfig } from "../../recovery/config/stackfile";
import { UsageError } from "../../recovery/errors";
import { toIsoUtc } from "../../infra/config/time";
import { RecordingIO, runMain } from "../helpers/cli-io";
import { assertContract, MAIN_RUNS, RUNS } from "./contract";

const FORBIDDEN = ["__proto__", "constructor", "prototype"];
const base = readStackConfig("test");
const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort().join(",");
const PROTOTYPE = prototypeNames();

const segment = fc.oneof(
  fc.constantFrom("recovery", "mode", "app", "stopped", "maintenance", "webReplicas", "pipeline", "frozen", "ptrCopies", "database", "serverName", "restorePointUTC"),
  fc.constantFrom(...FORBIDDEN),
  fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,12}$/),
  fc.string({ maxLength: 6 }),
);
const key = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([parts, ns]) => `${ns ? "aytq:" : ""}${parts.join(".")}`);
/** JSON with a prototype key somewhere inside, as an operator could type it. */
const poisoned = fc.tuple(fc.constantFrom(...FORBIDDEN), fc.jsonValue()).map(([k, v]) => JSON.stringify({ a: [{ [k]: v }] }).replace('"a"', '"ptrCopies"'));
const value = fc.oneof(fc.json({ maxDepth: 2 }), fc.string({ maxLength: 20 }), fc.constantFrom("true", "false", "0", "-1", "3", "1e3", "null", "{}", "[]"), poisoned);
const item = fc.oneof({ weight: 9, arbitrary: fc.tuple(key, value).map(([k, v]) => `${k}=${v}`) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) });

type Outcome = { settings: Settings } | { refused: ConfigError | UsageError };
function outcome(sets: string[]): Outcome {
  try {
    return { settings: parseSettings(applyOverrides(base, sets)) };
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) return { refused: err };
    throw err;
  }
}

describe("property: --set keys and values", () => {
  afterEach(() => assert.equal(prototypeNames(), PROTOTYPE, "Object.prototype changed"));

  it("any overrides: settings, or a ConfigError / UsageError; never another error, never Object.prototype", () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 3 }), (sets) => {
        const o = outcome(sets);
        assert.equal(prototypeNames(), PROTOTYPE, `Object.prototype changed by ${JSON.stringify(sets)}`);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
        if ("refused" in o) assert.ok(o.refused.message.length < 3_000);
      }),
      { numRuns: RUNS },
    );
  });

  it("a key path through __proto__, constructor or prototype is one error naming it, nothing else", () => {
    const bad = fc.tuple(fc.array(segment.filter((s) => !FORBIDDEN.includes(s) && s !== "" && !s.includes(".") && !s.includes("=")), { maxLength: 2 }), fc.constantFrom(...FORBIDDEN), fc.array(fc.constantFrom("x", "polluted"), { maxLength: 2 }), value);
    fc.assert(
      fc.property(bad, ([before, forbidden, after, v]) => {
        const o = outcome([`${[...before, forbidden, ...after].join(".")}=${v}`]);
        assert.ok("refused" in o && o.refused instanceof ConfigError, JSON.stringify(o));
        assert.equal(o.refused.problems.length, 1, o.refused.message);
        assert.match(o.refused.problems[0].message, new RegExp(`"${forbidden}" is not a config key`));
      }),
      { numRuns: RUNS },
    );
  });

  it("replicas: app.webReplicas is accepted exactly when it is a whole number from 0 to 100, and reads back as given", () => {
    const replicas = fc.oneof(fc.integer({ min: -50, max: 200 }).map(String), fc.double({ min: -5, max: 150, noNaN: true }).map(String), fc.constantFrom("", " 7 ", "07", "1e1", "5.0", "abc", "true", "null", "[3]"), fc.string({ maxLength: 5 }));
    fc.assert(
      fc.property(replicas, (text) => {
        let expected: unknown;
        try {
          expected = JSON.parse(text);
        } catch {
          expected = text;
        }
        if (typeof expected === "string" && /^-?\d+$/.test(expected.trim())) expected = Number(expected);
        const valid = typeof expected === "number" && Number.isInteger(expected) && expected >= 0 && expected <= 100;
        const o = outcome([`app.webReplicas=${text}`]);
        assert.equal("settings" in o, valid, `${JSON.stringify(text)}: ${"refused" in o ? o.refused.message : "accepted"}`);
        if ("settings" in o) assert.equal(o.settings.app.webReplicas, expected);
        else assert.match(o.refused.message, /aytq:app\.webReplicas/);
      }),
      { numRuns: RUNS },
    );
  });

  it("round trip: booleans and a restore point set with --set read back as given", () => {
    const instant = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true });
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), instant, (stopped, maintenance, at) => {
        const o = outcome([`app.stopped=${stopped}`, `app.maintenance=${maintenance}`, "recovery.mode=reviveDropped", `recovery.restorePointUTC=${toIsoUtc(at)}`]);
        assert.ok("settings" in o, "refused" in o ? o.refused.message : "");
        assert.deepEqual([o.settings.app.stopped, o.settings.app.maintenance, o.settings.recovery.restorePointUTC], [stopped, maintenance, toIsoUtc(at)]);
      }),
      { numRuns: RUNS },
    );
  });

  it("through main (a sample): plan --set exits 0 with the plan, or 2 with a fix line, and never touches Object.prototype", async () => {
    const seen = { planned: 0, refused: 0 };
    // valid overrides evaluate the whole program under mocks (about 0.2 s each): a quarter of the sample
    const sets = fc.oneof({ weight: 3, arbitrary: fc.array(item, { minLength: 1, maxLength: 2 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 100 }).map((n) => [`app.webReplicas=${n}`]) });
    await fc.assert(
      fc.asyncProperty(sets, async (given) => {
        const io = new RecordingIO(undefined);
        const code = await runMain(["plan", "--stack", "test", "--json", ...given.flatMap((s) => ["--set", s])], io);
        assertContract(io, code, given.join(" "));
        assert.ok(code === 0 || code === 2, `exit ${code} for ${JSON.stringify(given)}:\n${io.errText.slice(0, 1000)}`);
        assert.equal(code === 0, "settings" in outcome(given), JSON.stringify(given));
        if (code === 0) seen.planned++;
        else seen.refused++;
        assert.equal(prototypeNames(), PROTOTYPE);
      }),
      { numRuns: MAIN_RUNS },
    );
    assert.ok(seen.planned > 0 && seen.refused > 0, JSON.stringify(seen));
  });
});
