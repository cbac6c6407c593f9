/**
 * A run tries every credential and tool its steps will use before the first step changes anything:
 * without them, data-loss and revive used to stop the app, turn maintenance on and freeze, then
 * fail at the safety backup or the revive with the service down.
 */
import { fakePipelineFreeze } from "../helpers/fake-pipeline-stack";
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runAction, RunFlags } from "../../recovery/cli/commands/run-action";
import type { CliIO } from "../../recovery/cli/io";
import type { AzureServerApi } from "../../recovery/azure/arm";
import { readStackConfig } from "../../recovery/config/stackfile";
import { UsageError } from "../../recovery/errors";
import { AzurePlatform, AzurePlatformOptions } from "../../recovery/platforms/azure/platform";
import { PLAN_SUBSCRIPTION_ID } from "../../recovery/plan/mocks";
import type { DatabaseConnection, DatabaseRef } from "../../recovery/runbook/ports";
import { PROVIDER_TOKENS } from "../helpers/cli-io";
import { FakeStackPort } from "../helpers/fake-stack";
import { APP_URL } from "../ops/recover-harness";
import { FakeData } from "../runbook/fakes";
import { needsOf } from "../../recovery/runbook/readiness";

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");
const NO_TOKEN = new Error("DefaultAzureCredential failed to retrieve a token from the included credentials");

class Platform extends AzurePlatform {
  static tunnelDown = false;
  override async connect(db: DatabaseRef): Promise<DatabaseConnection> {
    if (Platform.tunnelDown) throw new UsageError("kubectl: no current context (the Kubernetes tunnel could not start)", "az aks get-credentials, then run again");
    const name = db.kind === "live" ? this.liveServerName : db.name;
    return { url: "postgres://u:pw@127.0.0.1:1/db", label: name, serverName: name, release: async () => undefined };
  }
}

describe("run: every credential and tool is tried before the first step", () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-ready-"));
    Platform.tunnelDown = false;
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  function io(port: FakeStackPort, env: NodeJS.ProcessEnv, azure?: AzureServerApi): CliIO & { text: () => string } {
    const lines: string[] = [];
    return {
      out: (t) => lines.push(t),
      err: (t) => lines.push(t),
      isTTY: false,
      env: { AZURE_SUBSCRIPTION_ID: PLAN_SUBSCRIPTION_ID, AYTQ_DR_STATE_DIR: stateDir, ...env },
      openAzure: () => azure ?? port.azure,
      readSecret: async () => APP_URL(port.settings().database.serverName, port.settings().database.databaseName),
      text: () => lines.join("\n"),
    };
  }

  async function refused(scenario: string, flags: RunFlags, o: { env?: NodeJS.ProcessEnv; data?: FakeData; azure?: AzureServerApi }, problem: RegExp): Promise<void> {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const data = o.data ?? new FakeData();
    const cli = io(port, o.env ?? PROVIDER_TOKENS, o.azure);
    const err = await runAction(scenario, { stack: "test", yes: true, ...flags }, cli, { openPort: async () => port, data, platform: (p: AzurePlatformOptions) => new Platform({ pipeline: fakePipelineFreeze(), ...p }) }).then(
      (code) => new Error(`exit ${code}:\n${cli.text()}`),
      (e: unknown) => e,
    );
    assert.ok(err instanceof UsageError, String(err));
    assert.match(err.message, /^not started: .*after the app is stopped/);
    assert.match(err.message, problem);
    assert.match(err.message, /nothing was changed/);
    assert.deepEqual(port.calls.filter((c) => /^(setConfig|removeConfig|up)\b/.test(c)), [], "the stack was changed");
    assert.deepEqual(data.calls.filter((c) => /^(backup|restore|compare)/.test(c)), []);
    assert.ok(!existsSync(path.join(stateDir, "test")) || readdirSync(path.join(stateDir, "test")).length === 0, "a run was journalled");
  }

  it("data-loss without storage credentials: refused before the app is stopped, naming the safety backup", async () => {
    const data = new FakeData();
    data.latestBackup = async () => {
      throw NO_TOKEN;
    };
    await refused("data-loss", { at: iso(3_600_000), restoreCopy: "no" }, { data }, /backup storage: DefaultAzureCredential failed .*\(needed by safety-backup, copy-into-live\)/);
  });

  it("data-loss with a surgical way given: copy-into-live needs neither storage nor pg_dump, so only the safety backup is named", async () => {
    for (const way of ["tables", "undelete"]) {
      const data = new FakeData();
      data.latestBackup = async () => {
        throw NO_TOKEN;
      };
      await refused("data-loss", { at: iso(3_600_000), restoreCopy: way }, { data }, /backup storage: DefaultAzureCredential failed .*\(needed by safety-backup\)/);
    }
  });

  it("what copy-into-live needs follows its way: whole (or not known yet) dumps, stores and loads; tables and undelete only run SQL", () => {
    const settings = new FakeStackPort("test", readStackConfig("test")).settings();
    assert.deepEqual(needsOf("copy-into-live", settings, "tables"), ["psql"]);
    assert.deepEqual(needsOf("copy-into-live", settings, "undelete"), ["psql"]);
    assert.deepEqual(needsOf("copy-into-live", settings, "whole"), ["storage", "pg_dump", "psql"]);
    assert.deepEqual(needsOf("copy-into-live", settings), ["storage", "pg_dump", "psql"]);
    assert.deepEqual(needsOf("safety-backup", settings, "undelete"), ["storage", "live-database", "pg_dump"], "the safety backup is taken whatever the way");
  });

  it("data-loss without a route to the live database: refused, naming the safety backup and the comparison", async () => {
    Platform.tunnelDown = true;
    await refused("data-loss", { at: iso(3_600_000), restoreCopy: "no" }, {}, /the live database: kubectl: no current context .*\(needed by safety-backup, compare\)/);
  });

  it("revive without Azure credentials: refused before the app is stopped, naming the revive", async () => {
    const azure = new Proxy({} as AzureServerApi, { get: () => async () => Promise.reject(NO_TOKEN) });
    await refused("server-lost-revive", { at: iso(3_600_000) }, { azure }, /Azure: DefaultAzureCredential failed .*\(needed by revive\)/);
  });

  it("without GITHUB_TOKEN or STATUSCAKE_API_TOKEN: both named at once", async () => {
    await refused("server-lost-revive", { at: iso(3_600_000) }, { env: {} }, /STATUSCAKE_API_TOKEN is not set[^\n]*\n\s+- GITHUB_TOKEN is not set[^\n]*\(needed by freeze, unfreeze\)/s);
  });

  it("rebuild with an empty backup container: refused before the app is stopped", async () => {
    await refused("server-lost-rebuild", {}, {}, /the backup container holds no backup to restore \(needed by restore-latest-backup\)/);
  });

  it("with everything in reach, says what it tried and runs", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const data = Object.assign(new FakeData(), { blobs: ["aytq_test_nightly.sql.gz"] });
    const cli = io(port, PROVIDER_TOKENS);
    const code = await runAction("server-lost-rebuild", { stack: "test", yes: true }, cli, { openPort: async () => port, data, platform: (p: AzurePlatformOptions) => new Platform({ pipeline: fakePipelineFreeze(), ...p }) });
    assert.equal(code, 0, cli.text());
    assert.match(cli.text(), /ready: the stack's state can be read; STATUSCAKE_API_TOKEN is set; GITHUB_TOKEN is set; Azure answers for s189t01-aytq-ts-rg; .*latest backup: aytq_test_nightly\.sql\.gz; psql runs/);
  });
});
