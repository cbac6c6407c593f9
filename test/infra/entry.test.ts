/** infra/index.ts, the entry point `pulumi up` runs: reads the aytq config, fails on bad config before declaring anything. */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../infra/config";
import { readStackConfig } from "../../recovery/config/stackfile";
import { PLAN_SUBSCRIPTION_ID, PlanMocks } from "../../recovery/plan/mocks";
import { PULUMI_TYPES } from "../../infra/types";

async function runEntry(overrides: Record<string, string>): Promise<{ mocks: PlanMocks; result: unknown; error: unknown }> {
  const mocks = new PlanMocks();
  await pulumi.runtime.setMocks(mocks, "aytq", "test", false);
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(readStackConfig("test"))) config[`aytq:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  Object.assign(config, overrides);
  pulumi.runtime.setAllConfig(config);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the entry uses `export =`, loaded as Pulumi loads it
  const main = require("../../infra/index") as () => Promise<Record<string, unknown>>;
  let result: unknown;
  let error: unknown;
  await pulumi.runtime.runInPulumiStack(async () => {
    try {
      result = await main();
      return result as Record<string, unknown>;
    } catch (err) {
      error = err;
      return {};
    }
  });
  await pulumi.runtime.disconnect();
  return { mocks, result, error };
}

describe("infra/index.ts (the program entry)", () => {
  it("reads the aytq config, asks the provider for the subscription and declares the stack", async () => {
    const { mocks, error } = await runEntry({});
    assert.equal(error, undefined);
    const server = mocks.seen.find((r) => r.type === PULUMI_TYPES.server);
    assert.ok(server, "the live server is declared");
    assert.match(String((server.inputs.network as Record<string, unknown>).delegatedSubnetResourceId), new RegExp(PLAN_SUBSCRIPTION_ID));
  });
  it("refuses an unknown recovery.mode before declaring any resource", async () => {
    const { mocks, error } = await runEntry({ "aytq:recovery": JSON.stringify({ mode: "bogus", ptrCopies: [] }) });
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    assert.match(error.message, /aytq:recovery.mode/);
    assert.deepEqual(mocks.seen.filter((r) => r.type !== "pulumi:pulumi:Stack"), []);
  });
});
