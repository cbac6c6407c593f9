/**
 * Our own process killed with SIGKILL mid-restore (issue 9: the earlier test fed psql by hand and
 * never ran our restore or killed our process). `bin/aytq-dr.js restore` runs as a child process
 * against a real cluster and Azurite; once its transaction is writing into the target, the child
 * gets SIGKILL (no handler can run). psql's input then ends without our COMMIT, so the server
 * rolls the transaction back: the target is exactly as before.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { backupToBlob } from "../../recovery/data/backup";
import { psql } from "../../recovery/pg/psql";
import { createDatabase, fingerprint, freshStorage, seed, startDataEnv, startVictim, waitForBulkCopy, waitForNoSessions, type DataEnv } from "../helpers/data";

const ROOT = path.resolve(__dirname, "../..");

describe("restore: our process killed with SIGKILL mid-stream", function () {
  this.timeout(300_000);
  let env: DataEnv;
  before(async () => {
    env = await startDataEnv();
  });
  after(async () => env?.dispose());

  it("leaves the target unchanged (the open transaction rolls back), and no session behind", async () => {
    const storage = freshStorage(env);
    if (storage.kind !== "connection-string") throw new Error("tests use Azurite");
    const big = await createDatabase(env.cluster, "killsrc");
    await seed(big, 400_000);
    const backup = await backupToBlob(big, storage, "big.sql.gz");
    const target = await createDatabase(env.cluster, "killdst");
    await seed(target);
    await psql(target.url, "UPDATE teachers SET name = 'before the restore' WHERE id % 3 = 0; DELETE FROM qualifications WHERE id > 1000");
    const before = await fingerprint(target);
    const db = new URL(target.url).pathname.slice(1);

    const child = startVictim([path.join(ROOT, "bin/aytq-dr.js"), "restore", "--yes", "--database-url", target.url, "--file", "big", "--no-safety-backup", "--container", storage.container], {
      AZURE_STORAGE_CONNECTION_STRING: storage.connectionString,
    });

    // mid-stream: the restore's transaction has written into the target (it holds a transaction id) and bulk's COPY is running
    const writing = await waitForBulkCopy(env.cluster, db, child.running);
    assert.ok(writing, `the restore never reached the bulk table's COPY (exit ${child.exitCode()}):\n${child.output()}`);
    const copiedSoFar = Number((await psql(env.cluster.url("postgres"), `SELECT coalesce(sum(tuples_processed), 0) FROM pg_stat_progress_copy WHERE datname = '${db}'`)).trim());
    assert.ok(copiedSoFar < 400_000, `killed mid-stream (${copiedSoFar} of 400000 rows copied)`);
    assert.equal(await child.kill(), "SIGKILL");
    assert.doesNotMatch(child.output(), /^restored /m, "it never reported a restore");

    // psql reads EOF without COMMIT and exits; the server rolls back and ends the session
    assert.equal(await waitForNoSessions(env.cluster, db), "0", "the restore's session ended");
    assert.equal(await fingerprint(target), before, "the target changed");
    assert.equal((await psql(target.url, "SELECT to_regclass('public.bulk') IS NULL")).trim(), "t", "the half-copied table is not there");
    assert.ok(backup.bytes > 1_000_000, "a large backup");
  });
});
