/** --jobs only where it wins: the choice from cores and archive size, as a table. */
import { strict as assert } from "node:assert";
import { MAX_AUTO_JOBS, MIN_PARALLEL_ARCHIVE_BYTES, MIN_PARALLEL_CPUS, chooseRestoreJobs, jobsWarning } from "../../recovery/data/jobs";
import { jobsFor } from "../../recovery/data/restore";
import { backupToBlob } from "../../recovery/data/backup";
import { main } from "../../recovery/cli/main";
import type { CliIO } from "../../recovery/cli/io";
import { createDatabase, fingerprint, freshStorage, seed, startDataEnv, type DataEnv } from "../helpers/data";

const MB = 1024 * 1024;

describe("pg_restore --jobs: chosen from the cores and the data", () => {
  const cases: [cpus: number, bytes: number, jobs: number, why: RegExp][] = [
    [1, 10_000 * MB, 1, /no faster/],
    [2, 10_000 * MB, 1, /2 cores: parallel restore is no faster here, often slower.*1\.51x/],
    [MIN_PARALLEL_CPUS - 1, 10_000 * MB, 1, /no faster/],
    [MIN_PARALLEL_CPUS, MIN_PARALLEL_ARCHIVE_BYTES - 1, 1, /fresh database and the swap cost more/],
    [MIN_PARALLEL_CPUS, MIN_PARALLEL_ARCHIVE_BYTES, 2, /2 parallel jobs/],
    [16, 2_000 * MB, 8, /8 parallel jobs/],
    [64, 2_000 * MB, MAX_AUTO_JOBS, /parallel jobs/],
  ];
  for (const [cpus, bytes, jobs, why] of cases) {
    it(`${cpus} cores, ${Math.round(bytes / MB)} MB archive: ${jobs} job(s)`, () => {
      const choice = chooseRestoreJobs(cpus, bytes);
      assert.equal(choice.jobs, jobs);
      assert.match(choice.reason, why);
    });
  }

  it("honours an explicit --jobs but warns when it will probably be no faster", () => {
    assert.match(jobsWarning(2, 2, 1000 * MB) ?? "", /--jobs 2 as asked, though it will probably be no faster/);
    assert.equal(jobsWarning(4, 8, 1000 * MB), undefined);
    assert.equal(jobsWarning(1, 2, 1000 * MB), undefined);
    assert.deepEqual(jobsFor(2, 1000 * MB, 8), { used: 2, note: undefined });
    assert.equal(jobsFor(undefined, 1000 * MB, 2).used, 1);
  });

  it("--jobs auto says what it chose and why", () => {
    const two = jobsFor("auto", 1000 * MB, 2);
    assert.equal(two.used, 1);
    assert.match(two.note ?? "", /^--jobs auto: 2 cores/);
    assert.equal(jobsFor("auto", 1000 * MB, 8).used, 4);
  });
});

describe("aytq-dr restore --jobs auto (through main, real PostgreSQL and Azurite)", function () {
  this.timeout(120_000);
  let env: DataEnv;
  before(async () => {
    env = await startDataEnv();
  });
  after(async () => env?.dispose());

  it("restores a custom archive, says what it chose and why; refuses a --jobs that is neither a number nor auto", async () => {
    const src = await createDatabase(env.cluster, "jobsrc");
    await seed(src);
    const dst = await createDatabase(env.cluster, "jobdst");
    const storage = freshStorage(env);
    if (storage.kind !== "connection-string") throw new Error("tests use Azurite");
    await backupToBlob(src, storage, "jobs.dump");
    const out: string[] = [];
    const io: CliIO = { out: (t) => out.push(t), err: (t) => out.push(t), isTTY: false, env: { AZURE_STORAGE_CONNECTION_STRING: storage.connectionString } };
    const args = ["node", "aytq-dr", "restore", "--yes", "--no-safety-backup", "--database-url", dst.url, "--file", "jobs.dump", "--container", storage.container];
    assert.equal(await main([...args, "--jobs", "auto"], io), 0, out.join("\n"));
    assert.match(out.join("\n"), /--jobs auto: .*(one transaction|parallel jobs)/);
    assert.equal(await fingerprint(dst), await fingerprint(src));
    assert.equal(await main([...args, "--jobs", "many"], io), 2, out.join("\n"));
  });
});
