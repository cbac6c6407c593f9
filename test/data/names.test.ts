import { strict as assert } from "node:assert";
import { backupName, restoreCandidates, safetyBackupName, type NameRequest } from "../../recovery/data/names";
import { dumpVersionProblem, parseDumpHeader, parseToolVersion, restoreVersionProblem } from "../../recovery/data/pgtools";

const at = new Date("2024-03-05T04:07:09Z");

describe("backup names", () => {
  const cases: [NameRequest, string][] = [
    [{ kind: "nightly", shortCode: "pd", now: at }, "aytq_pd_2024-03-05.sql.gz"],
    [{ kind: "adhoc", shortCode: "ts", now: at }, "aytq_ts_adhoc_2024-03-05T0407Z.sql.gz"],
    [{ kind: "adhoc", shortCode: "ts", now: at, format: "custom" }, "aytq_ts_adhoc_2024-03-05T0407Z.dump"],
    [{ kind: "given", name: "before-fix" }, "before-fix.sql.gz"],
    [{ kind: "given", name: "before-fix.sql" }, "before-fix.sql.gz"],
    [{ kind: "given", name: "before-fix.sql.gz" }, "before-fix.sql.gz"],
    [{ kind: "given", name: " spaced " }, "spaced.sql.gz"],
    [{ kind: "given", name: "arch", format: "custom" }, "arch.dump"],
    [{ kind: "given", name: "arch.dump", format: "custom" }, "arch.dump"],
  ];
  for (const [request, expected] of cases) {
    it(`${JSON.stringify(request)} -> ${expected}`, () => assert.equal(backupName(request), expected));
  }
  it("refuses folders, odd characters and mismatched extensions", () => {
    assert.throws(() => backupName({ kind: "given", name: "a/b" }), /--name "a\/b" is a path, not a backup name/);
    assert.throws(() => backupName({ kind: "given", name: "x;rm" }), /is not a backup name: it must start with a letter or digit and hold only/);
    assert.throws(() => backupName({ kind: "given", name: "x".repeat(300) }), /longer than 200 characters/);
    assert.throws(() => backupName({ kind: "given", name: "x.dump" }), /custom-format/);
    assert.throws(() => backupName({ kind: "given", name: "x.sql.gz", format: "custom" }), /plain SQL/);
  });
  it("finds <name>.sql.gz then <name>.dump for a name without extension", () => {
    assert.deepEqual(restoreCandidates("x"), ["x", "x.sql.gz", "x.dump"]);
    assert.deepEqual(restoreCandidates("x.sql.gz"), ["x.sql.gz"]);
  });
  it("names the safety backup after the restore", () => {
    assert.equal(safetyBackupName("aytq_pd_2024-03-04.sql.gz", at), "safety_before_restore_of_aytq_pd_2024-03-04_2024-03-05T040709Z.sql.gz");
  });
});

describe("PostgreSQL version rules", () => {
  it("reads tool versions and dump headers", () => {
    assert.deepEqual(parseToolVersion("pg_dump (PostgreSQL) 17.2 (Debian 17.2-1.pgdg120+1)"), { major: 17, text: "17.2" });
    assert.deepEqual(parseDumpHeader("--\n-- Dumped from database version 16.4\n-- Dumped by pg_dump version 17.6 (Debian)\n"), { major: 17, text: "17.6" });
    assert.equal(parseDumpHeader("CREATE TABLE x();"), undefined);
  });
  it("refuses pg_dump older than the server, and psql older than the dump", () => {
    assert.equal(dumpVersionProblem({ major: 17, text: "17.2" }, { major: 16, text: "16.4" }), undefined);
    assert.equal(dumpVersionProblem({ major: 16, text: "16.0" }, { major: 16, text: "16.4" }), undefined);
    assert.match(dumpVersionProblem({ major: 15, text: "15.14" }, { major: 16, text: "16.4" }) ?? "", /pg_dump 15\.14 is older than the server \(PostgreSQL 16\.4\)/);
    assert.match(restoreVersionProblem({ major: 15, text: "15.14" }, { major: 17, text: "17.6" }) ?? "", /psql 15\.14 is older than the pg_dump 17\.6/);
    assert.equal(restoreVersionProblem({ major: 17, text: "17.0" }, { major: 17, text: "17.6" }), undefined);
  });
});
