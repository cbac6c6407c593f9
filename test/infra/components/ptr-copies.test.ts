/** The PTR copies' component built alone from its own arguments: one server per copy, restoring from the given source. */
import * as assert from "node:assert/strict";
import { DEFAULT_SERVER_TIMEOUT } from "../../../infra/config";
import { DR_COPY_TAGS, PtrCopies, type PtrCopiesArgs } from "../../../infra/ptr-copies";
import { buildAlone, declared, namesOf } from "../alone";
import { PULUMI_TYPES } from "../../../infra/types";

const SOURCE_ID = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/alone-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/alone-pg";
const ARGS: PtrCopiesArgs = {
  shape: { resourceGroupName: "alone-rg", skuName: "B_Standard_B1ms", skuTier: "Burstable", delegatedSubnetId: "/subnet", privateDnsZoneId: "/zone" },
  sourceServerName: "alone-pg",
  sourceServerId: SOURCE_ID,
  copies: [
    { name: "alone-pg-ptr-1", restorePointUTC: "2024-07-24T06:00:00Z" },
    { name: "alone-pg-ptr-2", restorePointUTC: "2024-07-24T07:00:00Z", createdAtUTC: "2024-07-24T09:30:00Z" },
  ],
};

describe("component alone: PtrCopies", () => {
  it("declares one unprotected point-in-time restore of the source per copy, tagged with its source and times", async () => {
    const e = await buildAlone(() => ({ copies: new PtrCopies("c", ARGS).copies }));
    assert.deepEqual(namesOf(e, PULUMI_TYPES.server), ["c-alone-pg-ptr-1", "c-alone-pg-ptr-2"]);
    const second = declared(e, PULUMI_TYPES.server, "c-alone-pg-ptr-2");
    assert.equal(second.inputs.createMode, "PointInTimeRestore");
    assert.equal(second.inputs.sourceServerResourceId, SOURCE_ID);
    assert.equal(second.inputs.pointInTimeUTC, "2024-07-24T07:00:00Z");
    assert.deepEqual(second.inputs.tags, {
      [DR_COPY_TAGS.copy]: "true",
      [DR_COPY_TAGS.source]: "alone-pg",
      [DR_COPY_TAGS.restorePoint]: "2024-07-24T07:00:00Z",
      [DR_COPY_TAGS.createdAt]: "2024-07-24T09:30:00Z",
    });
    assert.equal(second.options.protect, false);
    assert.equal(second.options.customTimeouts?.create, DEFAULT_SERVER_TIMEOUT);
    const first = (e.outputs.copies as { createdAtUTC: string }[])[0];
    assert.equal(first.createdAtUTC, "2024-07-24T06:00:00Z", "a copy without createdAtUTC reports its restore point");
  });

  it("no copies given: no server, and an empty list", async () => {
    const e = await buildAlone(() => ({ copies: new PtrCopies("c", { ...ARGS, copies: undefined }).copies }));
    assert.deepEqual(namesOf(e, PULUMI_TYPES.server), []);
    assert.deepEqual(e.outputs.copies, []);
  });
});
