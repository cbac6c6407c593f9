/** A run holds main's freeze under its own run id: a drill's unfreeze in the same environment never releases a recovery's hold. */
import { strict as assert } from "node:assert";
import { parseSettings } from "../../infra/config";
import { readStackConfig } from "../../recovery/config/stackfile";
import { listHolds, runHolder } from "../../recovery/ops/pipeline-holds";
import { AzurePlatform } from "../../recovery/platforms/azure/platform";
import { fakePipelineFreeze } from "../helpers/fake-pipeline-stack";
import { FakeStackPort } from "../helpers/fake-stack";

const RECOVERY = "20261206T030000Z-data-loss-ab12";
const DRILL = "20261206T031500Z-server-lost-revive-cd34";

describe("freeze holds by run", () => {
  it("a drill and a recovery of the same environment hold main separately; the drill's unfreeze leaves the recovery's hold", async () => {
    const freeze = fakePipelineFreeze();
    const platform = () => new AzurePlatform({ port: new FakeStackPort("test", readStackConfig("test")), settings: parseSettings(readStackConfig("test")), log: () => undefined, pipeline: freeze });
    await platform().setPipelineFrozen(true, runHolder(RECOVERY));
    await platform().setPipelineFrozen(true, runHolder(DRILL));
    const released = await platform().setPipelineFrozen(false, runHolder(DRILL));
    assert.deepEqual(await listHolds(freeze.refs), [`test-run-${RECOVERY.toLowerCase()}`]);
    assert.match(released.summary, /main stays frozen/);
    // the recovery, resumed in a new process, releases its own hold by its run id
    await platform().setPipelineFrozen(false, runHolder(RECOVERY));
    assert.deepEqual(await listHolds(freeze.refs), []);
  });
});
