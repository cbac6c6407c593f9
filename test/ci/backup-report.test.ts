/** The nightly backup's facts and its verification in the job summary; the backup's name as a step output. */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { backupMarkdown, reportBackup, reportVerify, verifyMarkdown } from "../../recovery/ci/backup-report";

const BACKUP = { name: "aytq_pd_2024-07-24.sql.gz", bytes: 162_529_280, sha256: "9f".repeat(32), elapsedMs: 83_400 };

describe("ci/backup-report: a backup and its verification in the job summary", () => {
  it("the backup: name, size, duration, sha256 and container", () => {
    const md = backupMarkdown(BACKUP, { stack: "production", container: "database-backup" });
    assert.match(md, /### Backup of production: `aytq_pd_2024-07-24\.sql\.gz`/);
    assert.match(md, /\| `aytq_pd_2024-07-24\.sql\.gz` \| 155\.0 MB \| 1 min 23 s \| `9f9f[0-9f]{60}` \| database-backup \|/);
  });

  it("the verification: verified with its tables and rows; a warning when it holds nothing or had no checksum; why the blob was not marked", () => {
    assert.match(verifyMarkdown({ name: BACKUP.name, sha256Verified: true, tables: 12, rows: 48_113, recorded: true }), /^✅ \*\*verified\*\*: .* 12 tables, 48113 rows; sha256 matches; marked verified on the blob\.$/m);
    assert.match(verifyMarkdown({ name: BACKUP.name, sha256Verified: true, tables: 0, rows: 0, recorded: true }), /⚠️ \*\*restored, but it holds no tables\*\*/);
    assert.match(verifyMarkdown({ name: BACKUP.name, sha256Verified: false, tables: 3, rows: 1, recorded: false, recordError: "the container is immutable" }), /⚠️ .*not in the blob's metadata; not marked on the blob \(the container is immutable\)/);
  });

  it("writes the summary and the outputs the workflow verifies with, inside Actions only", () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), "aytq-ci-backup-"));
    try {
      const env = { GITHUB_STEP_SUMMARY: path.join(tmp, "s.md"), GITHUB_OUTPUT: path.join(tmp, "o") };
      reportBackup(env, BACKUP, { stack: "production" });
      reportVerify(env, { name: BACKUP.name, sha256Verified: true, tables: 12, rows: 48_113, recorded: true });
      assert.equal(readFileSync(env.GITHUB_OUTPUT, "utf8"), `name=${BACKUP.name}\nbytes=162529280\nsha256=${BACKUP.sha256}\nelapsed-ms=83400\nverified=true\ntables=12\nrows=48113\n`);
      const summary = readFileSync(env.GITHUB_STEP_SUMMARY, "utf8");
      assert.ok(summary.indexOf("### Backup") < summary.indexOf("✅ **verified**"));
      assert.doesNotThrow(() => reportBackup({}, BACKUP));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
