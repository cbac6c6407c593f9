/**
 * infra/types.ts, the one map of Pulumi type tokens, against what the programs really declare:
 * every stack's program, production's in each recovery mode and in maintenance too, and the pipeline program. A token the SDKs spell
 * differently, a resource added without its token, or a token left after its resource went, fails here.
 */
import { strict as assert } from "node:assert";
import { parseSettings, STACK_NAMES } from "../../infra/config";
import { PULUMI_TYPES } from "../../infra/types";
import { readStackConfig } from "../../recovery/config/stackfile";
import { evaluateProgram } from "../../recovery/plan/evaluate";
import { buildPipeline } from "./harness";

/** The stack resource every program has; Pulumi's, not a type the program declares. */
const STACK_RESOURCE = "pulumi:pulumi:Stack";

describe("infra/types.ts: the Pulumi type tokens", function () {
  this.timeout(60_000);

  it("holds every type the programs declare, and nothing they do not", async () => {
    const declared = new Set<string>();
    // each stack as deployed; production also in each recovery mode and in maintenance (what the others add)
    for (const stack of STACK_NAMES) {
      const raw = readStackConfig(stack);
      const recoveries = stack !== "production" ? [] : [{ mode: "reviveDropped", restorePointUTC: "2024-07-24T06:10:00Z", ptrCopies: [{ name: "x-ptr-1", restorePointUTC: "2024-07-24T06:00:00Z" }] }, { mode: "rebuild" }];
      const variants = [raw, ...recoveries.map((recovery) => ({ ...raw, recovery: { ...(raw.recovery as object), ...recovery } }))];
      if (stack === "production") variants.push({ ...raw, app: { ...(raw.app as object), maintenance: true } });
      for (const variant of variants) {
        for (const r of (await evaluateProgram(parseSettings(variant), { stack })).resources) declared.add(r.type);
      }
    }
    for (const r of (await buildPipeline()).resources) declared.add(r.type);
    declared.delete(STACK_RESOURCE);
    const known: Set<string> = new Set(Object.values(PULUMI_TYPES));
    assert.deepEqual([...declared].filter((t) => !known.has(t)).sort(), [], "declared by a program, missing from PULUMI_TYPES");
    assert.deepEqual([...known].filter((t) => !declared.has(t)).sort(), [], "in PULUMI_TYPES, declared by no program");
  });

  it("names each token once", () => {
    const tokens = Object.values(PULUMI_TYPES);
    assert.deepEqual(tokens.filter((t, i) => tokens.indexOf(t) !== i), []);
  });
});
