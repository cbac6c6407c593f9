import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { pgBin, startThrowawayCluster } from "../recovery/pg/cluster";

describe("throwaway PostgreSQL cluster", () => {
  it("starts on a free loopback port, answers queries, and leaves nothing behind", async () => {
    const { cluster, dir, dispose } = await startThrowawayCluster();
    try {
      const res = spawnSync(pgBin("psql"), ["-X", "-At", "-d", cluster.url(), "-c", "select 40 + 2"], { encoding: "utf8" });
      assert.equal(res.status, 0, res.stderr);
      assert.equal(res.stdout.trim(), "42");
    } finally {
      await dispose();
    }
    assert.equal(await cluster.isRunning(), false);
    assert.equal(existsSync(dir), false);
  });
});
