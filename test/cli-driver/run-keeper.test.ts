/**
 * Incident state that survives its checkout: a run's journal and recovery config are kept beside
 * the backups, `run --resume` from another checkout finds them, and a checkout whose stack config
 * no longer holds what the run left (git checkout ., another machine) says so before any step.
 */
import { fakePipelineFreeze } from "../helpers/fake-pipeline-stack";
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runAction, RunFlags } from "../../recovery/cli/commands/run-action";
import type { CliIO } from "../../recovery/cli/io";
import { readStackConfig } from "../../recovery/config/stackfile";
import { EXIT, UsageError } from "../../recovery/errors";
import { AzurePlatform, AzurePlatformOptions } from "../../recovery/platforms/azure/platform";
import type { DatabaseConnection, DatabaseRef } from "../../recovery/runbook/ports";
import { PROVIDER_TOKENS } from "../helpers/cli-io";
import { FakeStackPort } from "../helpers/fake-stack";
import { FakeData } from "../runbook/fakes";

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");

class NoTunnelAzurePlatform extends AzurePlatform {
  override async connect(db: DatabaseRef): Promise<DatabaseConnection> {
    const name = db.kind === "live" ? this.liveServerName : db.name;
    return { url: "postgres://u:pw@127.0.0.1:1/db", label: name, serverName: name, release: async () => undefined };
  }
}

describe("run: the journal kept beside the backups, resumed from another checkout", () => {
  let dirs: string[];
  beforeEach(() => (dirs = []));
  afterEach(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const stateDir = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), "aytq-keeper-"));
    dirs.push(d);
    return d;
  };
  const io = (state: string): CliIO & { text: () => string } => {
    const lines: string[] = [];
    return { out: (t) => lines.push(t), err: (t) => lines.push(t), isTTY: false, env: { ...PROVIDER_TOKENS, AYTQ_DR_STATE_DIR: state }, text: () => lines.join("\n") };
  };
  const run = (scenario: string | undefined, flags: RunFlags, cli: CliIO, port: FakeStackPort, data: FakeData) =>
    runAction(scenario, { stack: "test", yes: true, ...flags }, cli, { openPort: async () => port, data, platform: (o: AzurePlatformOptions) => new NoTunnelAzurePlatform({ pipeline: fakePipelineFreeze(), ...o }) });

  /** A data-loss run that stopped at its decision (--restore-copy no): the app stopped, maintenance on. */
  async function stoppedRun(port: FakeStackPort, data: FakeData, state = stateDir()): Promise<string> {
    const cli = io(state);
    assert.equal(await run("data-loss", { at: iso(3_600_000), restoreCopy: "no" }, cli, port, data), EXIT.refused, cli.text());
    const runId = /run (\S+-data-loss-[0-9a-f]{4}): stopped/.exec(cli.text())?.[1];
    assert.ok(runId, cli.text());
    return runId;
  }

  it("keeps run.json, every record and the config as the run goes", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const data = new FakeData();
    const state = stateDir();
    const runId = await stoppedRun(port, data, state);
    const kept = data.runs.stored.get(`test/${runId}`);
    assert.ok(kept, "nothing kept");
    assert.equal(JSON.parse(kept.runJson).runId, runId);
    // every record, in the journal's own order
    assert.deepEqual(kept.records, readFileSync(path.join(state, "test", runId, "journal.jsonl"), "utf8").trim().split("\n"));
    assert.deepEqual(kept.records.map((r) => JSON.parse(r).step).sort(), ["compare", "freeze", "maintenance-on", "ptr", "safety-backup", "stop"]);
    assert.equal(JSON.parse(kept.records[kept.records.length - 1]).step, "compare");
    assert.equal(kept.config?.values["app.stopped"], true);
    assert.equal(kept.config?.values["app.maintenance"], true);
  });

  it("resumes from a checkout that never saw the run: the journal is taken from the store and the run finishes", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const data = new FakeData();
    const runId = await stoppedRun(port, data);
    const elsewhere = stateDir();
    const cli = io(elsewhere);
    assert.equal(await run(undefined, { resume: runId, restoreCopy: "whole" }, cli, port, data), EXIT.ok, cli.text());
    assert.match(cli.text(), new RegExp(`run ${runId} is not in this checkout: taken from the backup container`));
    assert.ok(existsSync(path.join(elsewhere, "test", runId, "journal.jsonl")));
    assert.doesNotMatch(cli.text(), /\[stop\] starting/, "a completed step ran again");
  });

  it("a checkout whose stack config lost what the run left is refused before any step, and --adopt-run-config takes the run's values", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const data = new FakeData();
    const runId = await stoppedRun(port, data);
    // git checkout . on the laptop: the stack file is back to the committed values
    await port.setConfig({ "app.stopped": false, "app.maintenance": false });
    const before = port.calls.length;
    const cli = io(stateDir());
    const err = await run(undefined, { resume: runId, restoreCopy: "whole" }, cli, port, data).then(
      (code) => new Error(`exit ${code}`),
      (e: unknown) => e,
    );
    assert.ok(err instanceof UsageError, String(err));
    assert.match(err.message, /does not hold what run .* left .*app\.maintenance is false here, true in the run; app\.stopped is false here, true in the run/);
    assert.match(err.hint ?? "", /--adopt-run-config/);
    assert.deepEqual(port.calls.slice(before).filter((c) => /^(setConfig|removeConfig|up)\b/.test(c)), [], "something changed");

    const again = io(stateDir());
    assert.equal(await run(undefined, { resume: runId, restoreCopy: "whole", adoptRunConfig: true }, again, port, data), EXIT.ok, again.text());
    assert.match(again.text(), /took app\.stopped from the run: false -> true/);
  });

  it("a run that is neither here nor readable in the store: 'no run', with the store's reason, never a storage failure", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const data = new FakeData();
    data.runs.down = new Error("ChainedTokenCredential authentication failed");
    const cli = io(stateDir());
    const err = await run(undefined, { resume: "20261206T030000Z-data-loss-ab12", restoreCopy: "whole" }, cli, port, data).then(
      (code) => new Error(`exit ${code}`),
      (e: unknown) => e,
    );
    assert.ok(err instanceof UsageError, String(err));
    assert.match(err.message, /no run "20261206T030000Z-data-loss-ab12"/);
    assert.match(cli.text(), /the backup container could not be asked for it: ChainedTokenCredential authentication failed/);
  });

  it("a kept config the config model refuses (a secret, a bad value) is never compared or adopted", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const data = new FakeData();
    const runId = await stoppedRun(port, data);
    const kept = data.runs.stored.get(`test/${runId}`)!;
    data.runs.stored.set(`test/${runId}`, { ...kept, config: { ...kept.config!, values: { ...kept.config!.values, "app.stopped": "maybe" } } });
    await port.setConfig({ "app.stopped": false });
    const before = port.calls.length;
    const cli = io(stateDir());
    const err = await run(undefined, { resume: runId, restoreCopy: "whole", adoptRunConfig: true }, cli, port, data).then(
      (code) => new Error(`exit ${code}`),
      (e: unknown) => e,
    );
    assert.ok(err instanceof UsageError, String(err));
    assert.match(err.message, /app\.stopped/);
    assert.deepEqual(port.calls.slice(before).filter((c) => /^(setConfig|removeConfig|up)\b/.test(c)), [], "something changed");
  });

  it("a store that cannot be reached warns and never stops the run", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const data = new FakeData();
    data.runs.down = new Error("getaddrinfo ENOTFOUND s189t01aytqdbbkptssa.blob.core.windows.net");
    const state = stateDir();
    const cli = io(state);
    assert.equal(await run("data-loss", { at: iso(3_600_000), restoreCopy: "whole" }, cli, port, data), EXIT.ok, cli.text());
    assert.match(cli.text(), /WARNING: run \S+ could not be kept in the backup container \(getaddrinfo ENOTFOUND/);
    assert.equal(readdirSync(path.join(state, "test")).length, 1);
  });
});
