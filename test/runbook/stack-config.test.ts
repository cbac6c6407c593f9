/** The recovery's config carried from one workflow run to the next: snapshot and restore of the owned keys. */
import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, parseDocument } from "yaml";
import { readStackConfig } from "../../recovery/config/stackfile";
import { restoreStackConfig, snapshotStackConfig } from "../../recovery/runbook/stack-config";
import { configPatchFor, RECOVERY_OWNED_KEYS, type Operation } from "../../recovery/ops/operations";
import { UsageError } from "../../recovery/errors";

const REPO = path.join(__dirname, "..", "..");
const COPY = { name: "s189t01-aytq-ts-pg-ptr-202407240700-ab12", restorePointUTC: "2024-07-24T06:00:00Z", createdAtUTC: "2024-07-24T07:00:00Z" };

/** A checkout with the committed test stack file. */
function checkout(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "aytq-ci-stackcfg-"));
  copyFileSync(path.join(REPO, "Pulumi.test.yaml"), path.join(dir, "Pulumi.test.yaml"));
  return dir;
}

/** What `pulumi config set --path` leaves in the file during an incident. */
function incident(dir: string): void {
  const file = path.join(dir, "Pulumi.test.yaml");
  const doc = parseDocument(readFileSync(file, "utf8"));
  doc.setIn(["config", "aytq:app", "stopped"], true);
  doc.setIn(["config", "aytq:app", "maintenance"], true);
  doc.setIn(["config", "aytq:recovery", "ptrCopies"], doc.createNode([COPY]));
  doc.setIn(["config", "aytq:recovery", "adminPassword"], doc.createNode({ secure: "v1:ciphertext" }));
  writeFileSync(file, doc.toString());
}

describe("runbook/stack-config: a recovery's config between workflow runs", () => {
  const dirs: string[] = [];
  const fresh = (): string => {
    const d = checkout();
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("owns every key an operation writes on an environment stack (so nothing a step did is left behind)", () => {
    // freeze and unfreeze write the pipeline stack's config, derived from the holds (git refs that outlive the runner)
    const ops: Operation[] = [
      { kind: "stop" },
      { kind: "start" },
      { kind: "maintenance", on: true },
      { kind: "revive", restorePointUTC: COPY.restorePointUTC },
      { kind: "rebuild" },
      { kind: "adopt", ids: { serverId: "/x" } },
      { kind: "normal" },
      { kind: "ptr", copy: COPY, existing: [] },
      { kind: "tidy", names: [COPY.name], existing: [COPY] },
    ];
    for (const op of ops) {
      for (const key of Object.keys(configPatchFor(op))) {
        assert.ok(
          RECOVERY_OWNED_KEYS.some((owned) => key === owned || key.startsWith(owned + ".")),
          `${op.kind} writes ${key}, which the snapshot does not carry`,
        );
      }
    }
  });

  it("snapshots the owned keys as the incident left them, without the secret ones", () => {
    const a = fresh();
    incident(a);
    const s = snapshotStackConfig(a, "test", new Date("2024-07-24T07:01:00Z"));
    assert.equal(s.stack, "test");
    assert.equal(s.takenAt, "2024-07-24T07:01:00.000Z");
    assert.equal(s.values["app.stopped"], true);
    assert.equal(s.values["app.maintenance"], true);
    assert.ok(!("pipeline.frozen" in s.values), "main's freeze is a hold, not environment stack config");
    assert.deepEqual((s.values.recovery as { ptrCopies: unknown }).ptrCopies, [COPY]);
    assert.ok(!JSON.stringify(s).includes("ciphertext"), "a secret value reached the snapshot");
    assert.ok(!("adminPassword" in (s.values.recovery as object)));
  });

  it("puts them into a fresh checkout's stack file: the same config as the incident, every other key and the comments kept", () => {
    const a = fresh();
    incident(a);
    const snapshot = snapshotStackConfig(a, "test");
    const b = fresh();
    const before = readFileSync(path.join(b, "Pulumi.test.yaml"), "utf8");
    const changed = restoreStackConfig(b, "test", snapshot);
    assert.deepEqual(changed.map((c) => c.key).sort(), ["app.maintenance", "app.stopped", "recovery"]);
    const after = readFileSync(path.join(b, "Pulumi.test.yaml"), "utf8");
    const raw = readStackConfig("test", b);
    const committed = readStackConfig("test", REPO);
    assert.equal((raw.app as Record<string, unknown>).stopped, true);
    assert.equal(raw.pipeline, undefined, "an environment stack has no pipeline section");
    assert.deepEqual((raw.recovery as Record<string, unknown>).ptrCopies, [COPY]);
    // everything else as committed
    assert.deepEqual({ ...(raw.app as object), stopped: false, maintenance: false }, committed.app);
    assert.deepEqual(raw.database, committed.database);
    // the header comment survives
    assert.equal(before.split("\n")[0], after.split("\n")[0]);
    assert.match(after.split("\n")[0], /^#/);
  });

  it("a second restore changes nothing", () => {
    const a = fresh();
    incident(a);
    const b = fresh();
    restoreStackConfig(b, "test", snapshotStackConfig(a, "test"));
    assert.deepEqual(restoreStackConfig(b, "test", snapshotStackConfig(a, "test")), []);
  });

  it("removes an owned key the incident's file no longer had", () => {
    const a = fresh();
    const file = path.join(a, "Pulumi.test.yaml");
    const doc = parseDocument(readFileSync(file, "utf8"));
    doc.deleteIn(["config", "aytq:app", "maintenance"]);
    writeFileSync(file, doc.toString());
    const b = fresh();
    restoreStackConfig(b, "test", snapshotStackConfig(a, "test"));
    const app = (parse(readFileSync(path.join(b, "Pulumi.test.yaml"), "utf8")) as { config: Record<string, Record<string, unknown>> }).config["aytq:app"];
    assert.ok(!("maintenance" in app));
  });

  it("refuses a snapshot of another stack, or one carrying keys a recovery does not own, changing nothing", () => {
    const a = fresh();
    const snapshot = snapshotStackConfig(a, "test");
    const b = fresh();
    const before = readFileSync(path.join(b, "Pulumi.test.yaml"), "utf8");
    assert.throws(() => restoreStackConfig(b, "test", { ...snapshot, stack: "production" }), (e: unknown) => e instanceof UsageError && /production/.test(e.message));
    assert.throws(() => restoreStackConfig(b, "test", { ...snapshot, values: { ...snapshot.values, "database.skuName": "x" } }), (e: unknown) => e instanceof UsageError && /database\.skuName/.test(e.message));
    // an artifact from before the pipeline stack: main's freeze is a hold now, never written back into an environment stack
    assert.throws(
      () => restoreStackConfig(b, "test", { ...snapshot, values: { ...snapshot.values, "pipeline.frozen": true } }),
      (e: unknown) => e instanceof UsageError && /does not own: pipeline\.frozen/.test(e.message) && /main's freeze is a hold/.test(e.hint ?? ""),
    );
    assert.equal(readFileSync(path.join(b, "Pulumi.test.yaml"), "utf8"), before);
  });
});
