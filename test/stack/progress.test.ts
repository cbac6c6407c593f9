import { strict as assert } from "node:assert";
import { formatElapsed, ProgressTracker, resourceLabel, stripColors, urnType } from "../../recovery/stack/progress";
import { diagEvent, doneEvent, preEvent, urnOf } from "./fake-pulumi";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { PULUMI_TYPES } from "../../infra/types";

const SERVER = PULUMI_TYPES.server;
const LABEL = `${SERVER} aytq-database-server`;
const MIN = 60_000;
// the helpers build the JSON the event log carries; the tracker reads it as the SDK's EngineEvent
const ev = (e: object) => e as EngineEvent;

describe("progress lines from engine events", () => {
  it("formats elapsed time as 5s, 12m04s, 47m00s, 1h02m03s", () => {
    assert.equal(formatElapsed(5_400), "5s");
    assert.equal(formatElapsed(12 * MIN + 4_000), "12m04s");
    assert.equal(formatElapsed(47 * MIN), "47m00s");
    assert.equal(formatElapsed(62 * MIN + 3_000), "1h02m03s");
    assert.equal(formatElapsed(-1), "0s");
  });

  it("names a resource by its type and logical name, also under a parent", () => {
    assert.equal(resourceLabel(urnOf(SERVER, "aytq-database-server")), LABEL);
    assert.equal(urnType("urn:pulumi:test::aytq::aytq:database:Database$azure-native:dbforpostgresql:Server::aytq-database-server"), SERVER);
  });

  it("strips Pulumi's colour directives and ANSI codes", () => {
    assert.equal(stripColors("<{%reset%}>boom<{%reset%}>\u001b[31m!\u001b[0m"), "boom!");
  });

  it("says when a step starts and ends, with how long it took", () => {
    const t = new ProgressTracker("up", 0);
    assert.deepEqual(t.event(ev(preEvent("create", SERVER, "aytq-database-server")), 1_000), [`up: creating ${LABEL} ...`]);
    assert.deepEqual(t.event(ev(doneEvent("create", SERVER, "aytq-database-server")), 1_000 + 12 * MIN + 4_000), [`up: created ${LABEL} (12m04s)`]);
  });

  it("says still creating, with the elapsed time, on every tick while the step runs", () => {
    const t = new ProgressTracker("up", 0);
    t.event(ev(preEvent("create", SERVER, "aytq-database-server")), 0);
    assert.deepEqual(t.tick(MIN), [`up: still creating ${LABEL} (1m00s)`]);
    assert.deepEqual(t.tick(47 * MIN), [`up: still creating ${LABEL} (47m00s)`]);
    t.event(ev(doneEvent("create", SERVER, "aytq-database-server")), 48 * MIN);
    assert.deepEqual(t.tick(49 * MIN), [], "a finished step is not reported again, and a line was said since the last tick");
    assert.deepEqual(t.tick(50 * MIN), ["up: still running (50m00s)"]);
  });

  it("reports each of several running steps on a tick", () => {
    const t = new ProgressTracker("up", 0);
    t.event(ev(preEvent("create", SERVER, "copy-a")), 0);
    t.event(ev(preEvent("delete", SERVER, "copy-b")), 30_000);
    assert.deepEqual(t.tick(MIN), [`up: still creating ${SERVER} copy-a (1m00s)`, `up: still deleting ${SERVER} copy-b (30s)`]);
  });

  it("says nothing about same steps, the stack or providers", () => {
    const t = new ProgressTracker("up", 0);
    assert.deepEqual(t.event(ev(preEvent("same", SERVER, "live")), 0), []);
    assert.deepEqual(t.event(ev(preEvent("create", "pulumi:pulumi:Stack", "aytq-test")), 0), []);
    assert.deepEqual(t.event(ev(preEvent("create", "pulumi:providers:azure-native", "default")), 0), []);
    assert.deepEqual(t.event(ev(doneEvent("same", SERVER, "live")), 0), []);
    assert.deepEqual(t.event(ev({ sequence: 1, timestamp: 0, summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: {}, policyPacks: {} } }), 0), []);
  });

  it("reports a failed step with its elapsed time", () => {
    const t = new ProgressTracker("up", 0);
    t.event(ev(preEvent("update", SERVER, "aytq-database-server")), 0);
    assert.deepEqual(t.event(ev(doneEvent("update", SERVER, "aytq-database-server", { failed: true })), 3 * MIN + 2_000), [`up: failed updating ${LABEL} (3m02s)`]);
    assert.deepEqual(t.tick(4 * MIN), []);
  });

  it("turns warning and error diagnostics into one line each, and drops info, ephemeral and the generic 'update failed'", () => {
    const t = new ProgressTracker("up", 0);
    const urn = urnOf(SERVER, "aytq-database-server");
    assert.deepEqual(t.event(ev(diagEvent("warning", "inputs to import do not match\n  sku", urn)), 0), [`up: warning: ${LABEL}: inputs to import do not match sku`]);
    assert.deepEqual(t.event(ev(diagEvent("error", 'Status=409 Code="Conflict"', urn)), 0), [`up: error: ${LABEL}: Status=409 Code="Conflict"`]);
    assert.deepEqual(t.event(ev(diagEvent("error", "update failed", urnOf("pulumi:pulumi:Stack", "aytq-test"))), 0), []);
    assert.deepEqual(t.event(ev(diagEvent("info", "hello")), 0), []);
    const ephemeral = diagEvent("warning", "x");
    (ephemeral.diagnosticEvent as { ephemeral?: boolean }).ephemeral = true;
    assert.deepEqual(t.event(ev(ephemeral), 0), []);
    assert.deepEqual(t.event(ev(diagEvent("warning", "on the stack", urnOf("pulumi:pulumi:Stack", "aytq-test"))), 0), ["up: warning: on the stack"]);
  });

  it("cuts a long diagnostic after redacting it, so no part of a secret shows", () => {
    const secret = "S3cret-value-1234";
    const t = new ProgressTracker("up", 0, (l) => l.split(secret).join("***"));
    const long = `${"x".repeat(285)} ${secret} tail`;
    const [line] = t.event(ev(diagEvent("error", long)), 0);
    assert.ok(line.length <= 300, String(line.length));
    assert.ok(!line.includes("S3cret"), line);
  });

  it("applies the redaction to every line", () => {
    const t = new ProgressTracker("up", 0, (l) => l.replace("aytq-database-server", "[name]"));
    assert.deepEqual(t.event(ev(preEvent("create", SERVER, "aytq-database-server")), 0), [`up: creating ${SERVER} [name] ...`]);
    assert.deepEqual(t.tick(MIN), [`up: still creating ${SERVER} [name] (1m00s)`]);
  });

  it("in a preview, says what would happen and nothing on completion", () => {
    const t = new ProgressTracker("preview", 0);
    assert.deepEqual(t.event(ev(preEvent("delete", SERVER, "old-copy")), 0), [`preview: would delete ${SERVER} old-copy`]);
    assert.deepEqual(t.tick(MIN), [`preview: still checking ${SERVER} old-copy (delete, 1m00s)`]);
    assert.deepEqual(t.event(ev(doneEvent("delete", SERVER, "old-copy")), MIN), []);
  });

  it("in a refresh, a resource that is gone is dropped from state, whichever op its end carries", () => {
    const t = new ProgressTracker("refresh", 0);
    assert.deepEqual(t.event(ev(preEvent("refresh", SERVER, "aytq-database-server")), 0), [`refresh: refreshing ${LABEL} ...`]);
    assert.deepEqual(t.event(ev(doneEvent("delete", SERVER, "aytq-database-server")), 2_000), [`refresh: ${LABEL} no longer exists; dropped from state (2s)`]);
    t.event(ev(preEvent("refresh", SERVER, "copy")), 0);
    const gone = doneEvent("refresh", SERVER, "copy");
    delete (gone.resOutputsEvent as { metadata: { new?: unknown } }).metadata.new;
    assert.deepEqual(t.event(ev(gone), 1_000), [`refresh: ${SERVER} copy no longer exists; dropped from state (1s)`]);
    t.event(ev(preEvent("refresh", SERVER, "live")), 0);
    assert.deepEqual(t.event(ev(doneEvent("refresh", SERVER, "live")), 3_000), [`refresh: refreshed ${SERVER} live (3s)`]);
  });
});
