import { strict as assert } from "node:assert";
import {
  ConfigError,
  DEFAULT_FROZEN_APPROVALS,
  DEFAULT_NORMAL_APPROVALS,
  STACK_NAMES,
  desiredReplicas,
  healthUrls,
  isIsoUtc,
  parseSettings,
  removeConfigPath,
  requiredApprovals,
  setConfigPath,
  parseConfigPath,
  readConfigPath,
  writeConfigPath,
  deleteConfigPath,
  configPathLeaves,
} from "../../infra/config";
import { applyOverrides, loadPipelineSettings, readStackConfig } from "../../recovery/config/stackfile";
import { describeError } from "../../recovery/errors";
import { RecordingIO, runMain } from "../helpers/cli-io";

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems.map((p) => `${p.key}: ${p.message}`);
  }
  assert.fail("expected a ConfigError");
}

describe("config model", () => {
  for (const stack of STACK_NAMES) {
    it(`accepts the ${stack} stack file and derives its defaults`, () => {
      const s = parseSettings(readStackConfig(stack));
      assert.equal(s.environment, stack);
      assert.equal(s.recovery.mode, "normal");
      assert.equal(s.protectStateful, stack === "production");
      assert.equal(s.monitoring.enabled, stack === "production");
      assert.equal(s.monitoring.workspaceName, `${s.database.serverName}-log`);
    });
  }

  it("reads the production names and sizes of FACTS.md", () => {
    const s = parseSettings(readStackConfig("production"));
    assert.equal(s.database.serverName, "s189p01-aytq-pd-pg");
    assert.equal(s.database.skuName, "GP_Standard_D2ds_v4");
    assert.equal(s.database.highAvailability, "ZoneRedundant");
    assert.deepEqual(desiredReplicas(s), { web: 2, worker: 1 });
    assert.equal(s.backup.immutabilityDays, 14);
    assert.deepEqual(
      healthUrls(s).map((h) => h.url),
      [
        "https://access-your-teaching-qualifications.education.gov.uk/health/all.json",
        "https://check-a-teachers-record.education.gov.uk/health/all.json",
      ],
    );
  });

  it("gives preproduction a backup storage account of its own", () => {
    const pp = parseSettings(readStackConfig("preproduction"));
    const ts = parseSettings(readStackConfig("test"));
    assert.notEqual(pp.backup.storageAccountName, ts.backup.storageAccountName);
    assert.match(pp.backup.storageAccountName, /^s189t01aytq.*pp.*sa$/);
  });

  it("turns CLI strings into typed values: frozen needs the frozen approvals, stopped scales to zero", () => {
    assert.equal(requiredApprovals(loadPipelineSettings(["pipeline.frozen=true"])), DEFAULT_FROZEN_APPROVALS);
    assert.equal(requiredApprovals(loadPipelineSettings()), DEFAULT_NORMAL_APPROVALS);
    const raw = applyOverrides(readStackConfig("test"), ["app.stopped=true"]);
    const s = parseSettings(raw);
    assert.deepEqual(desiredReplicas(s), { web: 0, worker: 0 });
  });

  it("accepts top-level values given as JSON text, as pulumi.Config hands them over", () => {
    const raw = readStackConfig("test");
    const asText = Object.fromEntries(Object.entries(raw).map(([k, v]) => [`aytq:${k}`, typeof v === "object" ? JSON.stringify(v) : v]));
    assert.deepEqual(parseSettings(asText), parseSettings(raw));
  });

  it("refuses an unknown recovery mode, naming the key and the allowed values", () => {
    const problems = problemsOf(() => parseSettings(setConfigPath(readStackConfig("test"), "recovery.mode", "restore")));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^aytq:recovery\.mode: must be one of normal, reviveDropped, rebuild/);
  });

  it("refuses reviveDropped without a restore point", () => {
    const problems = problemsOf(() => parseSettings(setConfigPath(readStackConfig("test"), "recovery.mode", "reviveDropped")));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^aytq:recovery\.restorePointUTC: is required when recovery\.mode is reviveDropped/);
  });

  it("reports every problem at once, each with its path", () => {
    let raw = readStackConfig("test");
    raw = setConfigPath(raw, "app.webReplicas", "-1");
    raw = setConfigPath(raw, "app.workerReplicas", "-1");
    raw = setConfigPath(raw, "recovery.restorePointUTC", "2024-07-24T06:00:00");
    raw = setConfigPath(raw, "app.colour", "blue");
    const problems = problemsOf(() => parseSettings(raw));
    assert.equal(problems.length, 4, problems.join("\n"));
    assert.ok(problems.some((p) => p.startsWith("aytq:app.webReplicas: must be between 0 and 100")));
    assert.ok(problems.some((p) => p.startsWith("aytq:app.workerReplicas: must be between 0 and 100")));
    assert.ok(problems.some((p) => p.startsWith("aytq:recovery.restorePointUTC: must be an ISO 8601 time in UTC ending in Z")));
    assert.ok(problems.some((p) => p.startsWith("aytq:app.colour: is not a config key")));
  });

  it("refuses a PTR copy name Azure would reject and a name used twice", () => {
    const copies = [
      { name: "Bad_Name", restorePointUTC: "2024-07-24T06:00:00Z" },
      { name: "s189t01-aytq-ts-pg-ptr-1", restorePointUTC: "2024-07-24T06:00:00Z" },
      { name: "s189t01-aytq-ts-pg-ptr-1", restorePointUTC: "2024-07-24T07:00:00Z" },
    ];
    const problems = problemsOf(() => parseSettings(setConfigPath(readStackConfig("test"), "recovery.ptrCopies", JSON.stringify(copies))));
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.match(problems[0], /^aytq:recovery\.ptrCopies\[0\]\.name: must be a valid Azure server name/);
    assert.match(problems[1], /^aytq:recovery\.ptrCopies\[2\]\.name: "s189t01-aytq-ts-pg-ptr-1" is used twice/);
  });

  it("refuses a PTR copy named like the live server", () => {
    const copies = [{ name: "s189t01-aytq-ts-pg", restorePointUTC: "2024-07-24T06:00:00Z" }];
    const problems = problemsOf(() => parseSettings(setConfigPath(readStackConfig("test"), "recovery.ptrCopies", JSON.stringify(copies))));
    assert.match(problems[0], /^aytq:recovery\.ptrCopies\[0\]\.name: .*live server/);
  });

  it("accepts only real UTC instants ending in Z", () => {
    assert.equal(isIsoUtc("2024-07-24T06:00:00Z"), true);
    assert.equal(isIsoUtc("2024-07-24T06:00Z"), true);
    assert.equal(isIsoUtc("2024-07-24T06:00:00.123Z"), true);
    assert.equal(isIsoUtc("2024-07-24T06:00:00"), false);
    assert.equal(isIsoUtc("2024-07-24T06:00:00+01:00"), false);
    assert.equal(isIsoUtc("2024-02-30T06:00:00Z"), false);
    assert.equal(isIsoUtc("2024-07-24T24:00:00Z"), false);
  });

  it("sets and removes dotted paths without touching the original", () => {
    const raw = readStackConfig("test");
    const changed = setConfigPath(raw, "aytq:recovery.mode", "rebuild");
    assert.equal((changed.recovery as { mode: string }).mode, "rebuild");
    assert.equal((raw.recovery as { mode: string }).mode, "normal");
    const removed = removeConfigPath(changed, "recovery.mode");
    assert.equal("mode" in (removed.recovery as object), false);
    assert.equal(parseSettings(removed).recovery.mode, "normal");
  });

  it("one grammar for paths, Pulumi's --path: dotted names and [n] for a list's item, written and read back", () => {
    assert.deepEqual(parseConfigPath("aytq:recovery.ptrCopies[1].name"), ["recovery", "ptrCopies", 1, "name"]);
    const copy = { name: "s189t01-aytq-ts-pg-ptr-2", restorePointUTC: "2024-07-24T06:00:00Z" };
    const raw = setConfigPath(readStackConfig("test"), "recovery.ptrCopies[0].name", copy.name);
    const both = setConfigPath(raw, "recovery.ptrCopies[0].restorePointUTC", copy.restorePointUTC);
    assert.deepEqual(parseSettings(both).recovery.ptrCopies, [copy], "a --set of one field of a list's item, as the stack port writes it");
    assert.equal(readConfigPath(both, "recovery.ptrCopies[0].name"), copy.name);
    assert.equal(readConfigPath(both, "recovery.ptrCopies[1].name"), undefined);
    assert.deepEqual((removeConfigPath(both, "recovery.ptrCopies[0]").recovery as { ptrCopies: unknown[] }).ptrCopies, []);
    const leaves = configPathLeaves("recovery.ptrCopies", [copy, copy]);
    const root: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(leaves)) writeConfigPath(root, k, v);
    assert.deepEqual(readConfigPath(root, "recovery.ptrCopies"), [copy, copy], "the leaves written one by one give the value back");
    deleteConfigPath(root, "recovery.ptrCopies[0]");
    assert.deepEqual(readConfigPath(root, "recovery.ptrCopies"), [copy], "a list's item is taken out, the later ones move up");
  });

  for (const [path, message] of [
    ["recovery..mode", /is not a valid key path/],
    ["recovery.ptrCopies[x].name", /is not a valid key path/],
    ["recovery.ptrCopies[2].name", /index 2 is past the end of the list \(it has 0 items\)/],
  ] as const) {
    it(`refuses the key path ${path}`, () => {
      assert.match(problemsOf(() => setConfigPath({}, path, "1"))[0], message);
    });
  }

  it("refuses a --set that is not key=value", () => {
    assert.throws(() => applyOverrides({}, ["recovery.mode"]), /not key=value/);
  });

  for (const key of ["__proto__.polluted", "recovery.__proto__.polluted", "constructor.prototype.polluted", "app.prototype"]) {
    it(`refuses the key path ${key} with one problem, leaving Object.prototype untouched`, () => {
      const problems = problemsOf(() => setConfigPath(readStackConfig("test"), key, "1"));
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0], /is not a config key/);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  }

  it("refuses a value whose JSON holds __proto__ or constructor anywhere", () => {
    assert.match(problemsOf(() => setConfigPath({}, "recovery", '{"ptrCopies":[{"__proto__":{"polluted":1}}]}'))[0], /its value has a key "__proto__"/);
    assert.match(problemsOf(() => setConfigPath({}, "app", '{"constructor":{"prototype":{"polluted":1}}}'))[0], /its value has a key "constructor"/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("refuses a --set key given twice, naming both", () => {
    assert.throws(() => applyOverrides({}, ["app.stopped=true", "aytq:app.stopped=false"]), /--set app\.stopped is given twice \("app\.stopped=true" and "aytq:app\.stopped=false"\)/);
  });

  describe("monitoring.statusCake.heartbeatHours", () => {
    const KEY = "aytq:monitoring.statusCake.heartbeatHours";
    const withHours = (h: string) => parseSettings(applyOverrides(readStackConfig("production"), [`monitoring.statusCake.heartbeatHours=${h}`]));

    it("accepts up to 48 h, StatusCake's longest heartbeat period (172,800 s)", () => {
      assert.equal(withHours("48").monitoring.statusCake.heartbeatHours, 48);
      assert.equal(withHours("1").monitoring.statusCake.heartbeatHours, 1);
    });

    for (const h of ["49", "72", "168"]) {
      it(`refuses ${h} h, which StatusCake would refuse at preview, naming the key, the limit and the fix (exit 2)`, () => {
        let err: unknown;
        try {
          withHours(h);
        } catch (e) {
          err = e;
        }
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
        const problems = err.problems.filter((p) => p.key === KEY);
        assert.equal(problems.length, 1, err.message);
        assert.match(problems[0].message, /at most 48/);
        assert.match(problems[0].message, /172,?800 s/);
        assert.match(problems[0].message, /set monitoring\.statusCake\.heartbeatHours to 48 or less/);
        assert.match(problems[0].message, new RegExp(`\\(got ${h}\\)$`));
        assert.equal(describeError(err).exitCode, 2);
      });
    }

    it("aytq-dr plan with heartbeatHours=49 ends with exit 2 and the key's message, before any resource is declared", async () => {
      const io = new RecordingIO(undefined, { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" } });
      const code = await runMain(["plan", "--stack", "test", "--set", "monitoring.statusCake.heartbeatHours=49", "--json"], io);
      assert.equal(code, 2);
      assert.match(io.stderr.join(""), /aytq:monitoring\.statusCake\.heartbeatHours: must be at most 48/);
      assert.equal(io.stdout.join(""), "");
    });

    it("still refuses 0 and a fraction", () => {
      assert.match(problemsOf(() => withHours("0")).join("\n"), /heartbeatHours: must be between 1 and 48/);
      assert.match(problemsOf(() => withHours("1.5")).join("\n"), /heartbeatHours: must be a whole number/);
    });
  });
});
