/** The earliestRestoreDate stack output: Azure's backup.earliestRestoreDate of the live server, read by `ptr`. */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { createInfra } from "../../infra/program";
import { loadStackSettings } from "../../recovery/config/stackfile";
import { PLAN_SUBSCRIPTION_ID, PlanMocks } from "../../recovery/plan/mocks";
import { PULUMI_TYPES } from "../../infra/types";

const EARLIEST = "2024-07-17T06:02:11.5+00:00";

/** The plan mocks, plus what Azure reports on a live server: the earliest restore date of its backups. */
class ReportingMocks extends PlanMocks {
  constructor(private readonly liveServer: string) {
    super();
  }
  override newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    const r = super.newResource(args);
    if (args.type === PULUMI_TYPES.server && r.state.name === this.liveServer) {
      r.state.backup = { ...(r.state.backup as Record<string, unknown>), earliestRestoreDate: EARLIEST };
    }
    return r;
  }
}

describe("program: earliestRestoreDate output", () => {
  it("exports the live server's backup.earliestRestoreDate, not a PTR copy's", async () => {
    const settings = loadStackSettings("test", ['recovery.ptrCopies=[{"name":"copy-1","restorePointUTC":"2024-07-24T06:00:00Z"}]']);
    await pulumi.runtime.setMocks(new ReportingMocks(settings.database.serverName), "aytq", "test", false);
    const outputs = (await pulumi.runtime.runInPulumiStack(async () => createInfra(settings, { subscriptionId: PLAN_SUBSCRIPTION_ID }))) as Record<string, unknown>;
    await pulumi.runtime.disconnect();
    assert.equal(outputs.earliestRestoreDate, EARLIEST);
  });
});
