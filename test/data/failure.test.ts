/** The one mapping of a data pipeline's failure to an error and its exit code (recovery/data/failure.ts), from a table. */
import { strict as assert } from "node:assert";
import { RestError } from "@azure/storage-blob";
import { dataFailure } from "../../recovery/data/failure";
import { describeError, DrError, EXIT, InterruptedError, RefusedError, ToolError, UsageError } from "../../recovery/errors";

const LEFT = "live is unchanged (rolled back)";
const zlib = Object.assign(new Error("incorrect header check"), { code: "Z_DATA_ERROR" });

describe("data/failure: one mapping of a pipeline's failure to an exit code", () => {
  const table: [string, unknown, number, RegExp][] = [
    ["bad input met on the way stays bad input (the one-pass copy made it a tool failure)", new UsageError("the dump names a role"), EXIT.usage, /^the dump names a role; live is unchanged \(rolled back\)$/],
    ["a refusal stays a refusal", new RefusedError("a backup named x appeared while dumping"), EXIT.refused, /^a backup named x appeared while dumping; live is unchanged/],
    ["a tool's failure stays one", new ToolError("pg_dump of a failed: boom", "fix it", "stderr"), EXIT.failed, /^pg_dump of a failed: boom; live is unchanged/],
    ["gzip that does not inflate is a tool failure naming it", zlib, EXIT.failed, /^backup x\.sql\.gz is not valid gzip \(incorrect header check\); live is unchanged/],
    ["storage's refusal is a tool failure with its status", new RestError("denied", { statusCode: 403 }), EXIT.failed, /^copy of a into b failed \(HTTP 403\): denied; live is unchanged/],
    ["anything else is a tool failure, never a bug's stack trace", new Error("EPIPE"), EXIT.failed, /^copy of a into b failed: EPIPE; live is unchanged/],
  ];
  for (const [what, err, exitCode, message] of table) {
    it(`${what}: exit ${exitCode}`, () => {
      const e = dataFailure(err, { what: "copy of a into b", left: LEFT, gzipped: "backup x.sql.gz" });
      assert.ok(e instanceof DrError);
      assert.equal(describeError(e).exitCode, exitCode);
      assert.match(e.message, message);
      if (err instanceof DrError) assert.equal(e, err, "the same error: its fix and a tool's stderr are kept");
    });
  }

  it("once the signal is aborted, any failure is the interruption, with the signal's exit code", () => {
    const ac = new AbortController();
    ac.abort("SIGTERM");
    const e = dataFailure(new ToolError("psql exited with 137"), { what: "restore of x", left: "rolled back, the database is unchanged", signal: ac.signal, interruptedFix: "resume the run" });
    assert.ok(e instanceof InterruptedError);
    assert.equal(e.exitCode, EXIT.terminated);
    assert.equal(e.message, "restore of x interrupted; rolled back, the database is unchanged");
    assert.equal(e.hint, "resume the run");
  });

  it("typedSayLeft: a typed error that says what it left is not told again", () => {
    const e = dataFailure(new ToolError("restoring x (rolled back, the database is unchanged) failed"), { what: "restore of x", left: "rolled back, the database is unchanged", typedSayLeft: true });
    assert.equal(e.message, "restoring x (rolled back, the database is unchanged) failed");
  });
});
