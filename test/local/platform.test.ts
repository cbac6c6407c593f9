import { strict as assert } from "node:assert";
import { existsSync, rmSync } from "node:fs";
import { makeTempDir } from "../../recovery/pg/cluster";
import { psql, psqlValue } from "../../recovery/pg/psql";
import { HeartbeatWriter, LOCAL_DATABASE, LocalEnvironment, RecoveryTargetError, readRecoveryLog } from "../../recovery/platforms/local";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("local platform against real PostgreSQL", function () {
  this.timeout(180_000);
  let root: string;
  let env: LocalEnvironment;
  let writer: HeartbeatWriter;

  before(async () => {
    root = await makeTempDir("aytq-local-");
    env = await LocalEnvironment.create({ name: "t-local", rows: 400, workRoot: root });
    writer = new HeartbeatWriter(env.platform.liveUrl, 100);
    writer.start();
  });

  after(async () => {
    await writer.stop();
    const problems = await env.teardown();
    assert.deepEqual(problems, []);
    assert.equal(existsSync(`${root}/t-local`), false, "teardown deletes the work folder");
    rmSync(root, { recursive: true, force: true });
  });

  it("app health is green on the public URLs, maintenance moves health targets to the temporary URLs", async () => {
    const publicTargets = env.platform.healthTargets();
    const res = await fetch(publicTargets[0].url);
    assert.equal(res.status, 200);
    await env.platform.setMaintenance(true);
    assert.equal((await fetch(publicTargets[0].url)).status, 503, "public host shows maintenance");
    const temp = env.platform.healthTargets();
    assert.notDeepEqual(temp, publicTargets);
    assert.equal((await fetch(temp[1].url)).status, 200, "temporary host reaches the app");
    assert.equal((await env.platform.setMaintenance(false)).status, "done");
    const freeze = await env.platform.setPipelineFrozen(true);
    assert.equal(freeze.status, "not-applicable");
    // says what Azure does: a hold through the pipeline stack, not a rule this run sets alone
    assert.match(freeze.summary, /creates the hold refs\/aytq-dr\/freeze\/<environment>-run .* through the pipeline stack, has main's branch protection require 6 approving reviews while any hold remains/);
    assert.match((await env.platform.setPipelineFrozen(false)).summary, /releases the hold .*only once no hold remains/);
  });

  it("a PTR copy holds exactly the rows committed up to the target time", async () => {
    while (writer.rows.length < 15) await sleep(100);
    // a target between two heartbeat rows, well clear of both
    const pivot = writer.rows[writer.rows.length - 5];
    const target = new Date(new Date(pivot.writtenAt).getTime() + 50);
    await sleep(600);
    const result = await env.platform.createPtrCopy("t-copy-1", target.toISOString());
    assert.equal(result.status, "done");
    const copy = await env.platform.connect({ kind: "copy", name: "t-copy-1" });
    const ids = (await psql(copy.url, "select id from drill_heartbeat order by id")).split("\n").filter(Boolean).map(Number);
    const before = writer.rows.filter((r) => new Date(r.writtenAt).getTime() <= target.getTime()).map((r) => r.id);
    const after = writer.rows.filter((r) => new Date(r.writtenAt).getTime() > target.getTime()).map((r) => r.id);
    assert.ok(after.length > 0, "the writer wrote rows after the target");
    assert.deepEqual(ids, before, "every row up to the target, none after");
    assert.equal(await psqlValue(copy.url, "select count(*) from teachers"), "100");
    assert.deepEqual((await env.platform.listPtrCopies()).map((c) => c.name), ["t-copy-1"]);
  });

  it("refuses a target before the base backup and a target past the archived WAL, leaving no copy", async () => {
    const early = new Date(env.state.baseBackupAt.getTime() - 1000).toISOString();
    await assert.rejects(env.platform.createPtrCopy("t-copy-early", early), RecoveryTargetError);
    await assert.rejects(env.platform.createPtrCopy("t-copy-future", new Date(Date.now() + 60_000).toISOString()), /in the future/);
    // the writer is paused so nothing commits after this target: the archive cannot reach past it
    await writer.stop();
    try {
      await sleep(300);
      const justNow = new Date().toISOString();
      await sleep(300);
      await assert.rejects(env.platform.createPtrCopy("t-copy-past-end", justNow), /WAL archive ends before the restore point/);
      assert.deepEqual((await env.platform.listPtrCopies()).map((c) => c.name), ["t-copy-1"]);
    } finally {
      writer.start();
    }
  });

  it("removePtrCopies stops and deletes copies", async () => {
    const copy = await env.platform.connect({ kind: "copy", name: "t-copy-1" });
    assert.equal((await env.platform.removePtrCopies(["t-copy-1"])).status, "done");
    await assert.rejects(psql(copy.url, "select 1"));
    assert.deepEqual(await env.platform.listPtrCopies(), []);
    assert.equal((await env.platform.removePtrCopies(["t-copy-1"])).status, "unchanged");
  });

  it("revive brings a deleted live server back from the base backup and archived WAL, on the same port", async () => {
    while (writer.rows.length < 40) await sleep(100);
    await sleep(1500); // archive_timeout has shipped what was written so far
    const live = env.platform.live;
    const port = live.port;
    await live.stop("immediate");
    rmSync(live.dataDir, { recursive: true, force: true });
    const deletedAt = new Date();
    await writer.stop();
    const result = await env.platform.reviveServer(deletedAt.toISOString());
    assert.equal(result.status, "done");
    assert.equal(env.platform.live.port, port);
    const ids = new Set((await psql(env.platform.liveUrl, "select id from drill_heartbeat")).split("\n").filter(Boolean).map(Number));
    const committedBefore = writer.rows.filter((r) => new Date(r.writtenAt).getTime() < deletedAt.getTime() - 1500);
    assert.ok(committedBefore.every((r) => ids.has(r.id)), "rows archived before the deletion are back");
    assert.equal((await fetch(env.platform.healthTargets()[0].url)).status, 200);
    await assert.rejects(env.platform.reviveServer(new Date().toISOString()), /exists/);
  });

  it("rebuild creates an empty live server with an empty database on the same port", async () => {
    const live = env.platform.live;
    await live.stop("immediate");
    rmSync(live.dataDir, { recursive: true, force: true });
    assert.equal((await env.platform.rebuildServer()).status, "done");
    assert.equal(env.platform.live.port, live.port);
    assert.equal(await psqlValue(env.platform.liveUrl, "select count(*) from information_schema.tables where table_schema = 'public'"), "0");
    const health = await fetch(env.platform.healthTargets()[0].url);
    assert.equal(health.status, 503, "health is red until the data is restored");
    assert.equal(LOCAL_DATABASE, "aytq_local");
  });
});

describe("recovery log reading", () => {
  it("finds the stop point, the last commit and the refusals", () => {
    const facts = readRecoveryLog(
      [
        "2026-11-22 02:38:51.5 UTC [1] LOG:  recovery stopping before commit of transaction 745, time 2026-11-22 02:38:51.468168+00",
        "2026-11-22 02:38:51.5 UTC [1] LOG:  last completed transaction was at log time 2026-11-22 02:38:51.256072+00",
        "2026-11-22 02:38:51.6 UTC [1] LOG:  archive recovery complete",
      ].join("\n"),
    );
    assert.equal(facts.stoppedBeforeCommitAt, "2026-11-22T02:38:51.468168Z");
    assert.equal(facts.lastCompletedAt, "2026-11-22T02:38:51.256072Z");
    assert.equal(facts.promoted, true);
    assert.equal(facts.endedBeforeTarget, false);
    const fatal = readRecoveryLog("x FATAL:  recovery ended before configured recovery target was reached");
    assert.equal(fatal.endedBeforeTarget, true);
    assert.match(fatal.fatal ?? "", /FATAL/);
  });
});
