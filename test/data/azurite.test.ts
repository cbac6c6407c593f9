import { strict as assert } from "node:assert";
import { BlobServiceClient } from "@azure/storage-blob";
import { startAzurite } from "../../recovery/data/azurite";
import { portInUse } from "../../recovery/pg/cluster";

describe("startAzurite", () => {
  it("starts an in-memory blob service that stores blobs, and stop() frees its port", async () => {
    const azurite = await startAzurite();
    try {
      const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
      const container = service.getContainerClient("smoke");
      await container.create();
      await container.getBlockBlobClient("a.txt").upload("hello", 5);
      const names: string[] = [];
      for await (const b of container.listBlobsFlat()) names.push(b.name);
      assert.deepEqual(names, ["a.txt"]);
    } finally {
      await azurite.stop();
    }
    assert.equal(await portInUse(azurite.port), false);
  });
});
