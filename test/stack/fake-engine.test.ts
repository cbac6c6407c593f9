/**
 * The fake engine's own rules, one per row of ENGINE.md's summary: if one of these goes soft, every
 * recovery test above it turns green over a recovery that would fail on its first real run.
 */
import { strict as assert } from "node:assert";
import { readStackConfig } from "../../recovery/config/stackfile";
import { ToolError } from "../../recovery/errors";
import { FakeStackPort } from "../helpers/fake-stack";
import type { RawConfig } from "../../infra/config";
import { runOperation } from "../../recovery/ops/run-operation";
import { PULUMI_TYPES } from "../../infra/types";

const ops = (steps: { op: string; type: string; name: string }[]) => steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.type.split(":").pop()} ${s.name}`);

function withSet(port: FakeStackPort, mutate: (raw: RawConfig) => void): void {
  const raw = structuredClone(port.config);
  mutate(raw);
  port.config = raw;
}

const recovery = (raw: RawConfig) => raw.recovery as Record<string, unknown>;
const database = (raw: RawConfig) => raw.database as Record<string, unknown>;

describe("the strict fake engine (ENGINE.md, summary table)", () => {
  it("its view is the program's: a changed parameter updates that Configuration, nothing else", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    withSet(port, (raw) => (database(raw).parameters = { max_connections: "500", "connection_throttle.enable": "on" }));
    assert.deepEqual(ops((await port.preview()).steps), ["update Configuration max_connections"]);
  });

  it("reads an import during preview: a missing target fails the preview with the engine's message (§1)", async () => {
    const port = new FakeStackPort("production", readStackConfig("production"));
    await port.ready();
    const db = [...port.state.values()].find((r) => r.type === PULUMI_TYPES.database)!;
    await port.forget([db.urn]);
    withSet(port, (raw) => (recovery(raw).adopt = { databaseId: `${db.id}-gone` }));
    await assert.rejects(port.preview(), (e: unknown) => e instanceof ToolError && e.message.includes(`Preview failed: resource '${db.id}-gone' does not exist`));
    // and an import of what exists is an import step, then nothing more to do
    withSet(port, (raw) => (recovery(raw).adopt = { databaseId: db.id }));
    assert.deepEqual(ops((await port.preview()).steps), ["import Database aytq_production"]);
  });

  it("an import whose id differs from state's only by case plans an import-replacement, and the up deletes the resource (§2)", async () => {
    const port = new FakeStackPort("production", readStackConfig("production"));
    await port.ready();
    const setting = [...port.state.values()].find((r) => r.type === PULUMI_TYPES.diagnosticSetting)!;
    // state holds Azure's lower-cased id; the canonical-cased id we would build differs only by case
    const canonical = setting.id.replace("/resourcegroups/", "/resourceGroups/");
    assert.notEqual(canonical, setting.id);
    withSet(port, (raw) => (recovery(raw).adopt = { diagnosticSettingId: canonical }));
    const steps = ops((await port.preview()).steps);
    assert.deepEqual(steps, ["import-replacement DiagnosticSetting s189p01-aytq-pd-pg-diagnostics", "replace DiagnosticSetting s189p01-aytq-pd-pg-diagnostics"]);
    await port.up();
    assert.ok(port.history.some((x) => x.startsWith("delete-replaced")));
    assert.equal(port.azure.settings.size, 0, "the setting just imported is gone from Azure");
    // with the same id as state, nothing happens
    const again = new FakeStackPort("production", readStackConfig("production"));
    await again.ready();
    const same = [...again.state.values()].find((r) => r.type === PULUMI_TYPES.diagnosticSetting)!;
    withSet(again, (raw) => (recovery(raw).adopt = { diagnosticSettingId: same.id }));
    assert.deepEqual(ops((await again.preview()).steps), []);
  });

  it("refresh drops what Azure no longer has, protected or not, and keeps the rest (§4)", async () => {
    const port = new FakeStackPort("production", readStackConfig("production"));
    await port.deleteServerInAzure();
    const all = await port.resourceUrns();
    const server = all.find((r) => r.type === PULUMI_TYPES.server)!;
    assert.ok(port.state.get(server.urn)?.protect, "the production server is protected");
    await port.refresh(all.filter((r) => r.type.startsWith("azure-native:dbforpostgresql")).map((r) => r.urn));
    const left = await port.resourceUrns();
    assert.ok(!left.some((r) => r.type === PULUMI_TYPES.server || r.type === PULUMI_TYPES.database || r.type === PULUMI_TYPES.configuration));
    assert.ok(left.some((r) => r.type === PULUMI_TYPES.storageAccount), "untouched resources stay");
    await assert.rejects(port.refresh(["urn:pulumi:production::aytq::nope::x"]), /could not be found in the stack/);
  });

  it("a planned delete of a protected resource fails the preview, every one reported (§5)", async () => {
    const port = new FakeStackPort("production", readStackConfig("production"));
    await port.ready();
    // what a revive without its refresh would do: the server's database is not declared but still in state
    withSet(port, (raw) => {
      recovery(raw).mode = "reviveDropped";
      recovery(raw).restorePointUTC = "2024-07-24T06:10:00Z";
      (raw.backup as Record<string, unknown>).immutabilityDays = 0;
    });
    await assert.rejects(port.preview(), (e: unknown) => e instanceof ToolError && /BlobContainerImmutabilityPolicy[^"]*" cannot be deleted\nbecause it is protected/.test(e.message));
  });

  it("azure-native refuses to create what exists, except a server parameter (an upsert) (§8a)", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    await port.ready();
    const state = await port.resourceUrns();
    const db = state.find((r) => r.type === PULUMI_TYPES.database)!;
    const param = state.find((r) => r.type === PULUMI_TYPES.configuration)!;
    await port.forget([param.urn]);
    assert.deepEqual(ops((await port.preview()).steps), ["create Configuration max_connections"]);
    await port.up();
    await port.forget([db.urn]);
    await assert.rejects(port.up(), (e: unknown) => e instanceof ToolError && /cannot create already existing resource '.*\/databases\/aytq_test'/.test(e.message));
  });

  it("an up given a plan fails at the first step the preview did not approve (§6)", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    withSet(port, (raw) => ((raw.app as Record<string, unknown>).stopped = true));
    await port.preview({ savePlan: "/plans/stop" });
    // maintenance on touches resources the stop plan has no steps for
    withSet(port, (raw) => ((raw.app as Record<string, unknown>).maintenance = true));
    await assert.rejects(port.up({ plan: "/plans/stop" }), /update is not allowed by the plan: no steps were expected for this resource/);
    await assert.rejects(port.up({ plan: "/plans/none" }), /could not read plan file/);
  });
});

describe("maintenance on and off through the strict fake engine (issue 11)", () => {
  it("changes only the uptime checks' pause state, the ingresses and the maintenance page, and comes back to where it started", async () => {
    const port = new FakeStackPort("production", readStackConfig("production"));
    await port.ready();
    const before = new Map([...port.state.values()].map((r) => [r.urn, JSON.stringify(r.inputs)]));
    const log = () => undefined;
    const on = await runOperation({ kind: "maintenance", on: true }, { port, liveServerName: "s189p01-aytq-pd-pg", log });
    const changedTypes = new Set(on.gate.changes.map((c) => c.type.split(":").pop()));
    // the maintenance page itself (Deployment, Service, ConfigMap) is always deployed: the ingresses point at it
    assert.deepEqual([...changedTypes].sort(), ["Ingress", "IngressPatch", "UptimeCheck"]);
    const checks = on.gate.changes.filter((c) => c.type === PULUMI_TYPES.uptimeCheck);
    assert.deepEqual(checks.map((c) => c.op), ["update", "update", "update", "update"], "each check only paused or resumed");
    for (const c of checks) {
      const was = JSON.parse(before.get(c.urn) ?? "{}") as Record<string, unknown>;
      const now = port.state.get(c.urn)?.inputs ?? {};
      assert.deepEqual({ ...was, paused: undefined }, { ...now, paused: undefined }, `${c.urn}: nothing but paused changed`);
      assert.equal(now.paused, !was.paused);
    }
    await runOperation({ kind: "maintenance", on: false }, { port, liveServerName: "s189p01-aytq-pd-pg", log });
    const after = new Map([...port.state.values()].map((r) => [r.urn, JSON.stringify(r.inputs)]));
    assert.deepEqual(after, before, "off puts every resource back as it was");
  });
});
