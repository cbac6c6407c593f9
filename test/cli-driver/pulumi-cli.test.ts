/** A missing Pulumi CLI says to install it or set AYTQ_DR_PULUMI_ROOT, never the SDK's "code: -2". */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const BIN = path.join(__dirname, "..", "..", "bin", "aytq-dr.js");

describe("aytq-dr without a Pulumi CLI", function () {
  this.timeout(60_000);
  let empty: string;
  before(() => (empty = mkdtempSync(path.join(os.tmpdir(), "aytq-no-pulumi-"))));
  after(() => rmSync(empty, { recursive: true, force: true }));

  /** The command as a process whose PATH holds no pulumi. */
  function run(extraEnv: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: empty, AYTQ_DR_STATE_DIR: empty, ...extraEnv };
    delete env.AYTQ_DR_PULUMI_ROOT;
    Object.assign(env, extraEnv);
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, "status", "--stack", "test"], { env, timeout: 60_000 }, (err, _stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stderr });
      });
    });
  }

  for (const [what, env] of [
    ["AYTQ_DR_PULUMI_ROOT unset", {}],
    ["AYTQ_DR_PULUMI_ROOT= (empty counts as unset)", { AYTQ_DR_PULUMI_ROOT: "" }],
  ] as const) {
    it(`${what}: exit 4, says it is not installed and how to fix it`, async () => {
      const r = await run(env);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /the Pulumi CLI is not installed here: there is no `pulumi` on PATH/);
      assert.match(r.stderr, /fix: install the Pulumi CLI \(https:\/\/www\.pulumi\.com\/docs\/install\/\) so that `pulumi` is on PATH, or set AYTQ_DR_PULUMI_ROOT/);
      assert.doesNotMatch(r.stderr, /code: -2/);
    });
  }
});
