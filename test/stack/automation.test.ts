import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AutomationStackPort } from "../../recovery/stack/automation";
import { LockedError, RefusedError, ToolError, UsageError } from "../../recovery/errors";
import { applyPatch } from "../../recovery/ops/apply";
import { configPatchFor } from "../../recovery/ops/operations";
import { converge } from "../../recovery/ops/converge";
import { diagEvent, doneEvent, FakePulumi, FakeResource, preEvent, urnOf } from "./fake-pulumi";
import { PULUMI_TYPES } from "../../infra/types";

const SERVER = PULUMI_TYPES.server;
const DATABASE = PULUMI_TYPES.database;
const PROVIDER = "pulumi:providers:azure-native";
const workDir = mkdtempSync(path.join(os.tmpdir(), "aytq-project-"));
const open = (fake: FakePulumi, extra: { onProgress?: (line: string) => void; progressIntervalMs?: number } = {}) => AutomationStackPort.open("test", { pulumiRoot: fake.root, workDir, ...extra });
const PASSWORD = "Sup3r-s3cret-pw!";
/** Every text an error carries: message, fix, the kept CLI output, and how it prints. */
const allText = (e: unknown) => (e instanceof ToolError ? [e.message, e.hint ?? "", e.stderr ?? "", String(e), e.stack ?? ""].join("\n") : String(e));

describe("Automation API adapter against a fake pulumi CLI", function () {
  after(() => {
    rmSync(workDir, { recursive: true, force: true });
    FakePulumi.removeAll();
  });
  this.timeout(30_000);

  it("selects the stack with `stack select --stack test`", async () => {
    const fake = new FakePulumi();
    await open(fake);
    assert.deepEqual(fake.calls(), [["stack", "select", "--stack", "test"]]);
  });

  it("maps an unknown stack to a usage error", async () => {
    const fake = new FakePulumi({ stacks: ["production"] });
    await assert.rejects(open(fake), (e: unknown) => e instanceof UsageError && /does not exist/.test(e.message));
  });

  it("sets config with one `config set-all --path`, with the aytq namespace", async () => {
    const fake = new FakePulumi();
    const port = await open(fake);
    fake.clearCalls();
    await applyPatch(port, configPatchFor({ kind: "revive", restorePointUTC: "2024-07-24T06:10:00Z" }));
    assert.deepEqual(fake.calls(), [
      ["config", "set-all", "--stack", "test", "--path", "--plaintext", "aytq:recovery.mode=reviveDropped", "--plaintext", "aytq:recovery.restorePointUTC=2024-07-24T06:10:00Z"],
    ]);
    assert.deepEqual(fake.state().config, { recovery: { mode: "reviveDropped", restorePointUTC: "2024-07-24T06:10:00Z" } });
  });

  it("writes a list of copies as `config rm --path` then element path keys", async () => {
    const fake = new FakePulumi({ config: { recovery: { ptrCopies: [{ name: "old", restorePointUTC: "2024-07-23T00:00:00Z" }] } } });
    const port = await open(fake);
    fake.clearCalls();
    const copy = { name: "s189t01-aytq-ts-pg-ptr-202407240800", restorePointUTC: "2024-07-24T06:00:00Z", createdAtUTC: "2024-07-24T08:00:00Z" };
    await applyPatch(port, configPatchFor({ kind: "ptr", copy, existing: [{ name: "old", restorePointUTC: "2024-07-23T00:00:00Z" }] }));
    assert.deepEqual(fake.calls(), [
      ["config", "rm", "aytq:recovery.ptrCopies", "--stack", "test", "--path"],
      [
        "config", "set-all", "--stack", "test", "--path",
        "--plaintext", "aytq:recovery.ptrCopies[0].name=old",
        "--plaintext", "aytq:recovery.ptrCopies[0].restorePointUTC=2024-07-23T00:00:00Z",
        "--plaintext", `aytq:recovery.ptrCopies[1].name=${copy.name}`,
        "--plaintext", "aytq:recovery.ptrCopies[1].restorePointUTC=2024-07-24T06:00:00Z",
        "--plaintext", "aytq:recovery.ptrCopies[1].createdAtUTC=2024-07-24T08:00:00Z",
      ],
    ]);
    assert.deepEqual(await port.getConfig("recovery.ptrCopies"), [{ name: "old", restorePointUTC: "2024-07-23T00:00:00Z" }, copy]);
  });

  it("reads config with `config get --path --json`, undefined when not set", async () => {
    const fake = new FakePulumi({ config: { app: { stopped: true } } });
    const port = await open(fake);
    fake.clearCalls();
    assert.equal(await port.getConfig("app.stopped"), true);
    assert.equal(await port.getConfig("recovery.restorePointUTC"), undefined);
    assert.deepEqual(fake.calls()[0], ["config", "get", "--path", "aytq:app.stopped", "--json", "--stack", "test"]);
  });

  it("previews with --diff and reads the change summary and the steps from the event log", async () => {
    const fake = new FakePulumi({
      previewEvents: [preEvent("create", SERVER, "ptr-copy", { inputs: { serverName: "copy-1" } }), preEvent("same", SERVER, "live-server", { protect: true, inputs: { serverName: "s189t01-aytq-ts-pg" } })],
      previewStdout: "  + azure-native:dbforpostgresql:Server ptr-copy create\n",
      summary: { create: 1, same: 1 },
    });
    const port = await open(fake);
    fake.clearCalls();
    const p = await port.preview();
    assert.deepEqual(fake.commands(), [["preview", "--diff", "--color", "never", "--exec-kind", "auto.local", "--event-log", "<event-log>", "--stack", "test"]]);
    assert.deepEqual(p.changeSummary, { create: 1, same: 1 });
    assert.deepEqual(
      p.steps.map((s) => [s.op, s.name, s.protected]),
      [
        ["create", "copy-1", false],
        ["same", "s189t01-aytq-ts-pg", true],
      ],
    );
    assert.match(p.diffText, /ptr-copy create/);
  });

  it("refuses a preview whose events carry no summary (exit 3): the gate cannot check it", async () => {
    const fake = new FakePulumi({ previewEvents: [preEvent("delete", SERVER, "live-server", { protect: true })], noSummary: ["preview"] });
    const port = await open(fake);
    await assert.rejects(port.preview(), (e: unknown) => {
      assert.ok(e instanceof RefusedError, String(e));
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /^pulumi preview on stack "test" returned no summary of its changes/);
      assert.match(e.message, /nothing was applied/);
      assert.match(e.hint ?? "", /pulumi preview --diff --stack test/);
      return true;
    });
  });

  it("an up whose events carry no summary still succeeds (its summary may be absent)", async () => {
    const fake = new FakePulumi({ noSummary: ["up"], outputs: { recoveryMode: "normal" } });
    const port = await open(fake);
    const up = await port.up();
    assert.deepEqual(up.changeSummary, {});
    assert.equal(up.outputs.recoveryMode, "normal");
  });

  it("full converge: a preview without a summary is refused, config is rolled back and nothing goes up", async () => {
    const fake = new FakePulumi({ config: { app: { stopped: false } }, noSummary: ["preview"] });
    const port = await open(fake);
    fake.clearCalls();
    await assert.rejects(converge({ kind: "stop" }, { port, liveServerName: "s189t01-aytq-ts-pg", log: () => undefined }), (e: unknown) => e instanceof RefusedError && /returned no summary/.test(e.message));
    assert.ok(fake.calls().some((c) => c[0] === "config" && c[1] === "set-all"), "the config was never changed: nothing to roll back");
    assert.deepEqual(fake.state().config, { app: { stopped: false } });
    assert.ok(!fake.calls().some((c) => c[0] === "up"));
  });

  it("runs `up --yes --skip-preview` with an event log and reads outputs", async () => {
    const fake = new FakePulumi({ outputs: { recoveryMode: "normal", webReplicas: 0 } });
    const port = await open(fake);
    fake.clearCalls();
    const up = await port.up();
    assert.deepEqual(fake.commands()[0], ["up", "--yes", "--skip-preview", "--color", "never", "--exec-kind", "auto.local", "--event-log", "<event-log>", "--stack", "test"]);
    assert.equal(up.outputs.webReplicas, 0);
  });

  it("refreshes only the given targets: `refresh --skip-preview --yes --target ...`", async () => {
    const fake = new FakePulumi();
    const port = await open(fake);
    fake.clearCalls();
    await port.refresh(["urn:a", "urn:b"]);
    assert.deepEqual(fake.commands()[0], ["refresh", "--skip-preview", "--yes", "--target", "urn:a", "--target", "urn:b", "--color", "never", "--event-log", "<event-log>", "--exec-kind", "auto.local", "--stack", "test"]);
  });

  it("turns a locked stack into LockedError, runs the command once, and leaves config as it was", async () => {
    const fake = new FakePulumi({ locked: ["preview"], config: { app: { stopped: false } } });
    const port = await open(fake);
    fake.clearCalls();
    await assert.rejects(converge({ kind: "stop" }, { port, liveServerName: "s189t01-aytq-ts-pg", log: () => undefined }), (e: unknown) => e instanceof LockedError && /locked by another update/.test(e.message));
    assert.equal(fake.calls().filter((c) => c[0] === "preview").length, 1);
    assert.deepEqual(fake.state().config, { app: { stopped: false } });
  });

  it("turns other CLI failures into ToolError with the CLI's message", async () => {
    const fake = new FakePulumi({ fail: { up: "error: azure-native:dbforpostgresql:Server live: Conflict" } });
    const port = await open(fake);
    await assert.rejects(port.up(), (e: unknown) => e instanceof ToolError && /Conflict/.test(e.message));
  });

  it("full converge: the gate refuses a preview that deletes the protected live server, and config is rolled back", async () => {
    const fake = new FakePulumi({
      config: { pipeline: { frozen: false } },
      previewEvents: [preEvent("update", PULUMI_TYPES.branchProtection, "bp"), preEvent("delete", SERVER, "live-server", { protect: true, inputs: { serverName: "s189t01-aytq-ts-pg" } })],
    });
    const port = await open(fake);
    fake.clearCalls();
    await assert.rejects(converge({ kind: "freeze" }, { port, liveServerName: "s189t01-aytq-ts-pg", log: () => undefined }), (e: unknown) => e instanceof RefusedError && /s189t01-aytq-ts-pg/.test(e.message));
    assert.deepEqual(fake.state().config, { pipeline: { frozen: false } });
    assert.ok(!fake.calls().some((c) => c[0] === "up"));
  });

  describe("the gate binds up: update plans", () => {
    let planDir: string;
    beforeEach(() => (planDir = mkdtempSync(path.join(os.tmpdir(), "aytq-plan-"))));
    afterEach(() => rmSync(planDir, { recursive: true, force: true }));

    it("preview({ savePlan }) runs `preview --diff --save-plan <file>` and the file exists after", async () => {
      const fake = new FakePulumi();
      const port = await open(fake);
      fake.clearCalls();
      const plan = path.join(planDir, "test.plan.json");
      await port.preview({ savePlan: plan });
      assert.deepEqual(fake.commands(), [["preview", "--diff", "--save-plan", plan, "--color", "never", "--exec-kind", "auto.local", "--event-log", "<event-log>", "--stack", "test"]]);
      assert.ok(existsSync(plan), "the preview saved no plan");
    });

    it("up({ plan }) runs `up --yes --skip-preview --plan <file>` with the file the preview saved", async () => {
      const fake = new FakePulumi();
      const port = await open(fake);
      const plan = path.join(planDir, "test.plan.json");
      await port.preview({ savePlan: plan });
      fake.clearCalls();
      await port.up({ plan });
      assert.deepEqual(fake.commands()[0], ["up", "--yes", "--skip-preview", "--plan", plan, "--color", "never", "--exec-kind", "auto.local", "--event-log", "<event-log>", "--stack", "test"]);
      assert.deepEqual(fake.state().plans, { saved: [plan], applied: [plan] });
      assert.equal(fake.state().ups, 1);
    });

    it("a relative plan path is made absolute, so preview and up name the same file", async () => {
      const fake = new FakePulumi();
      const port = await open(fake);
      const relative = path.relative(process.cwd(), path.join(planDir, "rel.plan.json"));
      await port.preview({ savePlan: relative });
      await port.up({ plan: relative });
      const abs = path.resolve(relative);
      assert.deepEqual(fake.state().plans, { saved: [abs], applied: [abs] });
    });

    it("refuses an up whose plan file does not exist, and runs nothing", async () => {
      const fake = new FakePulumi();
      const port = await open(fake);
      fake.clearCalls();
      const plan = path.join(planDir, "never-saved.plan.json");
      await assert.rejects(port.up({ plan }), (e: unknown) => e instanceof RefusedError && e.message.includes(plan) && /nothing was changed/.test(e.message));
      assert.deepEqual(fake.calls(), []);
    });

    const violations = [
      ["properties", /resource urn:pulumi:test::aytq::azure-native:dbforpostgresql:Server::aytq-database-server violates plan: properties changed/],
      ["operation", /replace is not allowed by the plan: this resource is constrained to update/],
      ["missing", /expected resource operations for urn:pulumi:test::aytq::azure-native:dbforpostgresql:Server::aytq-database-server but none were seen/],
    ] as const;
    for (const [kind, engineWords] of violations) {
      it(`an up that violates its plan (${kind}) fails saying the stack changed since the preview was approved`, async () => {
        const urn = urnOf(SERVER, "aytq-database-server");
        const fake = new FakePulumi({ planViolation: { kind, urn } });
        const port = await open(fake);
        const plan = path.join(planDir, "test.plan.json");
        await port.preview({ savePlan: plan });
        await assert.rejects(port.up({ plan }), (e: unknown) => {
          assert.ok(e instanceof ToolError, String(e));
          assert.match(e.message, /stack changed since the preview was approved/);
          assert.match(e.message, /nothing after it ran/);
          assert.match(e.message, engineWords);
          assert.match(e.message, /azure-native:dbforpostgresql:Server aytq-database-server: /);
          assert.match(e.hint ?? "", /^preview again/);
          assert.doesNotMatch(e.message, /update failed/);
          return true;
        });
        assert.equal(fake.state().ups ?? 0, 0);
        assert.deepEqual(fake.state().plans?.applied, []);
      });
    }
  });

  describe("secret config", () => {
    it("setConfig(values, { secret: true }) runs `config set --path --secret <key>` per value, the value on standard input", async () => {
      const fake = new FakePulumi();
      const port = await open(fake);
      fake.clearCalls();
      await port.setConfig({ "recovery.adminPassword": PASSWORD, "recovery.adminLogin": "aytq_admin" }, { secret: true });
      assert.deepEqual(fake.calls(), [
        ["config", "set", "--path", "--secret", "aytq:recovery.adminPassword", "--stack", "test"],
        ["config", "set", "--path", "--secret", "aytq:recovery.adminLogin", "--stack", "test"],
      ]);
      assert.deepEqual(fake.state().secretKeys, ["aytq:recovery.adminPassword", "aytq:recovery.adminLogin"]);
      assert.ok(!JSON.stringify(fake.state().config).includes(PASSWORD), "the fake stack file holds the password in clear");
      assert.equal(await port.getConfig("recovery.adminPassword"), PASSWORD);
      assert.equal(await port.getConfig("recovery.adminLogin"), "aytq_admin");
    });

    it("runs its own `config set` and `stack import` with the executable, folder and environment of the SDK's commands", async () => {
      const fake = new FakePulumi({ resources: [{ urn: urnOf(DATABASE, "db"), type: DATABASE, id: "/db" }] });
      const port = await AutomationStackPort.open("test", { pulumiRoot: fake.root, workDir, env: { AYTQ_TEST_PROBE: "from the workspace", PULUMI_HOME: path.join(workDir, ".pulumi-home") } });
      await port.setConfig({ "app.stopped": true });
      await port.setConfig({ "recovery.adminPassword": PASSWORD }, { secret: true });
      await port.forget([urnOf(DATABASE, "db")]);
      const runs = fake.runs().filter((r) => r.args[0] !== "version");
      const sdk = runs.filter((r) => r.args[1] === "set-all" || r.args[1] === "export");
      const ours = runs.filter((r) => (r.args[0] === "config" && r.args[1] === "set") || r.args[1] === "import");
      assert.equal(sdk.length, 2, JSON.stringify(runs));
      assert.equal(ours.length, 2, JSON.stringify(runs));
      for (const r of ours) {
        assert.deepEqual({ cwd: r.cwd, env: r.env }, { cwd: sdk[0].cwd, env: sdk[0].env }, JSON.stringify(r.args));
        assert.equal(r.args[r.args.length - 1], "--non-interactive");
      }
      assert.deepEqual(sdk[0].env, { PULUMI_AUTOMATION_API: "true", PULUMI_HOME: path.join(workDir, ".pulumi-home"), PATH0: path.join(fake.root, "bin"), AYTQ_TEST_PROBE: "from the workspace" });
    });

    it("a secret value reaches the CLI exactly, trailing newline and spaces included", async () => {
      const fake = new FakePulumi();
      const port = await open(fake);
      const odd = ` ${PASSWORD} two words\n`;
      await port.setConfig({ "recovery.adminPassword": odd }, { secret: true });
      assert.equal(await port.getConfig("recovery.adminPassword"), odd);
    });

    it("a rebuild's credentials never sit on a pulumi command line, and the stack holds them as secrets", async () => {
      const fake = new FakePulumi({ config: { recovery: { mode: "normal" } } });
      const port = await open(fake);
      fake.clearCalls();
      await converge({ kind: "rebuild" }, { port, liveServerName: "s189t01-aytq-ts-pg", log: () => undefined, secrets: { "recovery.adminLogin": "aytq_admin", "recovery.adminPassword": PASSWORD } });
      const argvs = fake.calls();
      assert.ok(argvs.some((c) => c[0] === "up"), "the rebuild did not go up");
      assert.ok(!argvs.some((c) => c.some((a) => a.includes(PASSWORD))), `an argv holds the password: ${JSON.stringify(argvs.filter((c) => c.some((a) => a.includes(PASSWORD))))}`);
      const state = fake.state();
      assert.deepEqual(state.secretKeys, ["aytq:recovery.adminLogin", "aytq:recovery.adminPassword"]);
      assert.ok(!JSON.stringify(state.config).includes(PASSWORD), "the fake stack file holds the password in clear");
      assert.equal(await port.getConfig("recovery.adminPassword"), PASSWORD);
    });

    it("never puts a secret value in an error, even when the command fails and the CLI echoes it", async () => {
      const fake = new FakePulumi({ fail: { config: `error: could not encrypt '${PASSWORD}': no secrets provider` } });
      const port = await open(fake);
      await assert.rejects(port.setConfig({ "recovery.adminPassword": PASSWORD }, { secret: true }), (e: unknown) => {
        assert.ok(e instanceof ToolError, String(e));
        assert.match(e.message, /setting secret config/);
        assert.match(e.message, /no secrets provider/);
        assert.ok(!allText(e).includes(PASSWORD), allText(e));
        return true;
      });
    });

    it("a locked stack while setting a secret is a LockedError; a CLI that says nothing gives its exit code", async () => {
      const locked = new FakePulumi({ locked: ["config"] });
      const port = await open(locked);
      await assert.rejects(port.setConfig({ "recovery.adminPassword": PASSWORD }, { secret: true }), (e: unknown) => e instanceof LockedError && /locked by another update/.test(e.message));
      const silent = new FakePulumi({ fail: { "config set": " " } });
      const quiet = await open(silent);
      await assert.rejects(quiet.setConfig({ "recovery.adminPassword": PASSWORD }, { secret: true }), (e: unknown) => {
        assert.ok(e instanceof ToolError, String(e));
        assert.equal(e.message, 'pulumi failed during setting secret config aytq:recovery.adminPassword on stack "test": (pulumi printed no error message; exited with code 255)');
        assert.ok(!allText(e).includes(PASSWORD), allText(e));
        return true;
      });
    });

    it("never puts a secret value in a progress line or a later failure of the same port", async () => {
      const server = urnOf(SERVER, "aytq-database-server");
      const fake = new FakePulumi({
        upEvents: [preEvent("create", SERVER, "aytq-database-server"), diagEvent("warning", `administratorLoginPassword ${PASSWORD} looks weak`, server)],
        engineFail: { up: { stderr: `error: password ${PASSWORD} rejected\n` } },
      });
      const lines: string[] = [];
      const port = await open(fake, { onProgress: (l) => lines.push(l) });
      await port.setConfig({ "recovery.adminPassword": PASSWORD }, { secret: true });
      await assert.rejects(port.up(), (e: unknown) => {
        assert.match(String(e), /password \*\*\* rejected/);
        assert.ok(!allText(e).includes(PASSWORD), allText(e));
        return true;
      });
      assert.ok(lines.some((l) => /up: warning: .*administratorLoginPassword \*\*\* looks weak/.test(l)), lines.join("\n"));
      assert.ok(!lines.join("\n").includes(PASSWORD));
    });
  });

  describe("state ids and forget", () => {
    const server = urnOf(SERVER, "aytq-database-server");
    const database = urnOf(DATABASE, "aytq-database");
    const diagnostic = urnOf(PULUMI_TYPES.diagnosticSetting, "aytq-database-diagnostics");
    const provider = urnOf(PROVIDER, "default_3_28_0");
    const resources = (): FakeResource[] => [
      { urn: urnOf("pulumi:pulumi:Stack", "aytq-test"), type: "pulumi:pulumi:Stack", custom: false },
      { urn: provider, type: PROVIDER, custom: true, id: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" },
      { urn: server, type: SERVER, custom: true, id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/s189t01-aytq-ts-pg", provider: `${provider}::04da6b54-80e4-46f7-96ec-b56ff0331ba9` },
      { urn: database, type: DATABASE, custom: true, id: "/subscriptions/s/…/databases/aytq", parent: server, dependencies: [server], propertyDependencies: { serverName: [server] } },
      {
        urn: diagnostic,
        type: PULUMI_TYPES.diagnosticSetting,
        custom: true,
        id: "/subscriptions/s/resourcegroups/rg/providers/microsoft.dbforpostgresql/flexibleservers/s189t01-aytq-ts-pg/providers/microsoft.insights/diagnosticSettings/aytq",
        importID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/s189t01-aytq-ts-pg/providers/Microsoft.Insights/diagnosticSettings/aytq",
        propertyDependencies: { resourceUri: [server] },
      },
    ];

    it("resourceUrns() reads `stack export --show-secrets` and returns urn, type, id and importId", async () => {
      const fake = new FakePulumi({ resources: resources() });
      const port = await open(fake);
      fake.clearCalls();
      const state = await port.resourceUrns();
      assert.deepEqual(fake.calls(), [["stack", "export", "--show-secrets", "--stack", "test"]]);
      assert.deepEqual(state.find((r) => r.urn === diagnostic), {
        urn: diagnostic,
        type: PULUMI_TYPES.diagnosticSetting,
        id: resources()[4].id,
        importId: resources()[4].importID,
      });
      assert.deepEqual(state.find((r) => r.urn === database), { urn: database, type: DATABASE, id: resources()[3].id });
      assert.deepEqual(state[0], { urn: urnOf("pulumi:pulumi:Stack", "aytq-test"), type: "pulumi:pulumi:Stack", id: "" });
    });

    it("forget() exports, drops the resources, and imports the state back", async () => {
      const fake = new FakePulumi({ resources: resources(), pendingOperations: [{ resource: resources()[3], type: "creating" }] });
      const port = await open(fake);
      fake.clearCalls();
      const result = await port.forget([database, diagnostic]);
      assert.deepEqual(result, { clearedPendingOperations: [{ urn: database, type: "creating" }] });
      assert.deepEqual(fake.commands(), [
        ["stack", "export", "--show-secrets", "--stack", "test"],
        ["stack", "import", "--file", "<file>", "--stack", "test"],
      ]);
      const after = fake.state();
      assert.deepEqual(
        after.resources?.map((r) => r.urn),
        [urnOf("pulumi:pulumi:Stack", "aytq-test"), provider, server],
      );
      assert.deepEqual(after.resources?.[2], resources()[2], "a kept resource changed");
      assert.equal(after.pendingOperations, undefined);
      assert.equal(after.imports, 1);
    });

    it("forget() reports every pending operation the import clears, those of resources it keeps too, and says so", async () => {
      const fake = new FakePulumi({
        resources: resources(),
        pendingOperations: [
          { resource: resources()[2], type: "creating" },
          { resource: resources()[4], type: "updating" },
        ],
      });
      const lines: string[] = [];
      const port = await open(fake, { onProgress: (l) => lines.push(l) });
      const result = await port.forget([diagnostic]);
      assert.deepEqual(result.clearedPendingOperations, [
        { urn: server, type: "creating" },
        { urn: diagnostic, type: "updating" },
      ]);
      assert.equal(fake.state().pendingOperations, undefined);
      assert.ok(lines.some((l) => l.includes(server) && /creating/.test(l) && /pending/.test(l)), lines.join("\n"));
    });

    it("forget() imports from a file only its owner can read, in a folder only its owner can open, and removes both", async () => {
      const fake = new FakePulumi({ resources: resources() });
      const port = await open(fake);
      assert.deepEqual(await port.forget([diagnostic]), { clearedPendingOperations: [] });
      const files = fake.state().files ?? [];
      assert.equal(files.length, 1, JSON.stringify(files));
      assert.deepEqual({ existed: files[0].existed, mode: files[0].mode, dirMode: files[0].dirMode }, { existed: true, mode: "600", dirMode: "700" });
      assert.notEqual(path.dirname(files[0].path), os.tmpdir());
      assert.ok(!existsSync(files[0].path), "the state file is left behind");
      assert.ok(!existsSync(path.dirname(files[0].path)), "the state folder is left behind");
    });

    it("forget() refuses while another resource still names one as parent or dependency, naming it, and imports nothing", async () => {
      const fake = new FakePulumi({ resources: resources() });
      const port = await open(fake);
      fake.clearCalls();
      await assert.rejects(port.forget([server]), (e: unknown) => {
        assert.ok(e instanceof RefusedError, String(e));
        assert.ok(e.message.includes(`cannot forget ${server}`), e.message);
        assert.ok(e.message.includes(`${database} (parent names ${server})`), e.message);
        assert.ok(e.message.includes(`${database} (dependencies names ${server})`), e.message);
        assert.ok(e.message.includes(`${diagnostic} (propertyDependencies names ${server})`), e.message);
        assert.match(e.message, /nothing was changed/);
        return true;
      });
      assert.deepEqual(fake.commands(), [["stack", "export", "--show-secrets", "--stack", "test"]]);
      assert.equal(fake.state().resources?.length, 5);
    });

    it("forget() refuses to drop a provider that resources still use", async () => {
      const fake = new FakePulumi({ resources: resources() });
      const port = await open(fake);
      await assert.rejects(port.forget([provider]), (e: unknown) => e instanceof RefusedError && e.message.includes(`${server} (provider names ${provider})`));
    });

    it("forget() of a resource and everything that points at it succeeds", async () => {
      const fake = new FakePulumi({ resources: resources() });
      const port = await open(fake);
      await port.forget([server, database, diagnostic]);
      assert.deepEqual(
        fake.state().resources?.map((r) => r.urn),
        [urnOf("pulumi:pulumi:Stack", "aytq-test"), provider],
      );
    });

    it("forget([]) runs nothing; forget of URNs not in state exports only", async () => {
      const fake = new FakePulumi({ resources: resources() });
      const port = await open(fake);
      fake.clearCalls();
      await port.forget([]);
      assert.deepEqual(fake.calls(), []);
      await port.forget([urnOf(DATABASE, "gone-already")]);
      assert.deepEqual(fake.commands(), [["stack", "export", "--show-secrets", "--stack", "test"]]);
      assert.equal(fake.state().imports, undefined);
    });

    it("a failed `stack import` leaves no copy of the state (secrets in clear) behind", async () => {
      const fake = new FakePulumi({ resources: resources(), fail: { "stack import": "error: could not import deployment: the service said no" } });
      const port = await open(fake);
      const before = new Set(readdirSync(os.tmpdir()).filter((n) => /^automation-\d{6}$/.test(n)));
      await assert.rejects(port.forget([diagnostic]), (e: unknown) => e instanceof ToolError && /writing the state/.test(e.message) && /the service said no/.test(e.message));
      const files = fake.state().files ?? [];
      assert.equal(files.length, 1, JSON.stringify(files));
      assert.equal(files[0].mode, "600");
      assert.ok(!existsSync(path.dirname(files[0].path)), "the state folder is left behind");
      const left = readdirSync(os.tmpdir()).filter((n) => /^automation-\d{6}$/.test(n) && !before.has(n));
      assert.deepEqual(left, []);
      assert.equal(fake.state().imports, undefined);
    });
  });

  describe("live progress", () => {
    it("turns up's engine events into lines as they happen, with a line per running step each interval", async () => {
      const fake = new FakePulumi({
        upEvents: [
          preEvent("same", "pulumi:pulumi:Stack", "aytq-test"),
          preEvent("create", SERVER, "aytq-database-server"),
          { sleepMs: 1_200 },
          doneEvent("create", SERVER, "aytq-database-server"),
          preEvent("update", PULUMI_TYPES.deployment, "web"),
          doneEvent("update", PULUMI_TYPES.deployment, "web"),
          diagEvent("warning", "resource has drifted", urnOf(PULUMI_TYPES.deployment, "web")),
        ],
      });
      const lines: string[] = [];
      const port = await open(fake, { onProgress: (l) => lines.push(l), progressIntervalMs: 100 });
      await port.up();
      const server = "azure-native:dbforpostgresql:Server aytq-database-server";
      // until the first event arrives, each tick says the update runs on
      const said = lines.filter((l) => !/^up: still running \(\d+s\)$/.test(l));
      assert.equal(said[0], `up: creating ${server} ...`);
      const still = lines.filter((l) => l.startsWith(`up: still creating ${server} (`));
      assert.ok(still.length >= 2, lines.join("\n"));
      assert.match(still[0], /\(\d+s\)$/);
      const created = lines.findIndex((l) => l.startsWith(`up: created ${server} (`));
      assert.ok(created > lines.indexOf(still[still.length - 1]), lines.join("\n"));
      assert.match(lines[created], /\((1|2)s\)$/);
      assert.ok(lines.includes("up: updating kubernetes:apps/v1:Deployment web ..."), lines.join("\n"));
      assert.ok(lines.some((l) => /^up: updated kubernetes:apps\/v1:Deployment web \(\d+s\)$/.test(l)), lines.join("\n"));
      assert.ok(lines.includes("up: warning: kubernetes:apps/v1:Deployment web: resource has drifted"), lines.join("\n"));
      assert.ok(!lines.some((l) => /pulumi:pulumi:Stack/.test(l)), lines.join("\n"));
      const count = lines.length;
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(lines.length, count, "the progress timer still runs after up returned");
    });

    it("reports a refresh's steps, and a resource the refresh found gone", async () => {
      const fake = new FakePulumi({
        refreshEvents: [preEvent("refresh", SERVER, "aytq-database-server"), doneEvent("refresh", SERVER, "aytq-database-server"), preEvent("refresh", DATABASE, "aytq-database"), doneEvent("delete", DATABASE, "aytq-database")],
      });
      const lines: string[] = [];
      const port = await open(fake, { onProgress: (l) => lines.push(l) });
      await port.refresh([urnOf(SERVER, "aytq-database-server"), urnOf(DATABASE, "aytq-database")]);
      assert.equal(lines[0], "refresh: refreshing azure-native:dbforpostgresql:Server aytq-database-server ...");
      assert.match(lines[1], /^refresh: refreshed azure-native:dbforpostgresql:Server aytq-database-server \(\d+s\)$/);
      assert.equal(lines[2], "refresh: refreshing azure-native:dbforpostgresql:Database aytq-database ...");
      assert.match(lines[3] ?? "", /^refresh: azure-native:dbforpostgresql:Database aytq-database no longer exists; dropped from state \(\d+s\)$/);
      assert.equal(lines.length, 4, lines.join("\n"));
    });

    it("reports what a preview would do, without completion lines", async () => {
      const fake = new FakePulumi({ previewEvents: [preEvent("create", SERVER, "ptr-copy"), doneEvent("create", SERVER, "ptr-copy"), preEvent("same", SERVER, "live")] });
      const lines: string[] = [];
      const port = await open(fake, { onProgress: (l) => lines.push(l) });
      await port.preview();
      assert.deepEqual(lines, ["preview: would create azure-native:dbforpostgresql:Server ptr-copy"]);
    });
  });

  describe("readable failures", () => {
    const server = urnOf(SERVER, "aytq-database-server");
    const azureError = 'Status=400 Code="InvalidParameterValue" Message="Invalid value given for parameter pointInTimeUTC. Specify a valid parameter value."';
    const failedUp = [
      "Updating (test):",
      "",
      "    pulumi:pulumi:Stack aytq-test running ",
      " +  azure-native:dbforpostgresql:Server aytq-database-server creating (0s) ",
      `@ Updating....`,
      ` +  azure-native:dbforpostgresql:Server aytq-database-server creating (12s) error: ${azureError}`,
      ` +  azure-native:dbforpostgresql:Server aytq-database-server **creating failed** error: ${azureError}`,
      "    pulumi:pulumi:Stack aytq-test running error: update failed",
      "    pulumi:pulumi:Stack aytq-test **failed** 1 error",
      "Diagnostics:",
      "  azure-native:dbforpostgresql:Server (aytq-database-server):",
      `    error: ${azureError}`,
      "",
      "  pulumi:pulumi:Stack (aytq-test):",
      "    error: update failed",
      "",
      "Resources:",
      "    12 unchanged",
      "",
      "Duration: 14s",
      "",
    ].join("\n");

    it("names the resource and Azure's error from the engine's Diagnostics on stdout, without Pulumi's boilerplate", async () => {
      const fake = new FakePulumi({ engineFail: { up: { stdout: failedUp } } });
      const port = await open(fake);
      await assert.rejects(port.up(), (e: unknown) => {
        assert.ok(e instanceof ToolError, String(e));
        assert.equal(e.message, `pulumi failed during up on stack "test": azure-native:dbforpostgresql:Server aytq-database-server: ${azureError}`);
        assert.match(e.hint ?? "", /previews the stack as this update left it/);
        return true;
      });
    });

    it("says each diagnostic once when the events and stdout both carry it, and adds the CLI's stderr", async () => {
      const fake = new FakePulumi({
        upEvents: [preEvent("create", SERVER, "aytq-database-server"), doneEvent("create", SERVER, "aytq-database-server", { failed: true }), diagEvent("error", azureError, server), diagEvent("error", "update failed", urnOf("pulumi:pulumi:Stack", "aytq-test"))],
        engineFail: { up: { stdout: failedUp, stderr: "error: one or more resources failed; see above\n" } },
      });
      const port = await open(fake);
      await assert.rejects(port.up(), (e: unknown) => {
        assert.ok(e instanceof ToolError, String(e));
        const lines = e.message.split("\n");
        assert.deepEqual(lines, ['pulumi failed during up on stack "test":', `  azure-native:dbforpostgresql:Server aytq-database-server: ${azureError}`, "  one or more resources failed; see above"]);
        return true;
      });
    });

    it("a CLI that fails saying nothing gives its exit code, not its argv", async () => {
      const fake = new FakePulumi({ fail: { up: " " } });
      const port = await open(fake);
      await assert.rejects(port.up(), (e: unknown) => {
        assert.ok(e instanceof ToolError, String(e));
        assert.equal(e.message, 'pulumi failed during up on stack "test": (pulumi printed no error message; Command failed with exit code 255)');
        return true;
      });
    });

    it("keeps a failure with many diagnostics to 40 lines", async () => {
      const many = Array.from({ length: 60 }, (_, i) => diagEvent("error", `Status=409 Conflict number ${i}`, urnOf(DATABASE, `db-${i}`)));
      const fake = new FakePulumi({ upEvents: many, engineFail: { up: { stdout: "Updating (test):\n" } } });
      const port = await open(fake);
      await assert.rejects(port.up(), (e: unknown) => {
        assert.ok(e instanceof ToolError, String(e));
        const lines = e.message.split("\n").slice(1);
        assert.equal(lines.length, 40);
        assert.match(lines[0], /db-0: Status=409 Conflict number 0$/);
        assert.equal(lines[39], "  … 21 more lines not shown");
        return true;
      });
    });
  });
});
