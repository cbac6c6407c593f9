/**
 * The blob client for a storage account (Azure, by DefaultAzureCredential): built without a call
 * to Azure, from the same copy of @azure/identity that the ARM client (azure/sdk.ts) uses. The
 * SDKs are loaded on first use (data/storage.ts), so an error is told by its name, as the SDK does.
 */
import { strict as assert } from "node:assert";
import { DefaultAzureCredential } from "@azure/identity";
import { RestError } from "@azure/core-rest-pipeline";
import { containerFor } from "../../recovery/data/storage";
import { isRestError } from "../../recovery/util/rest-error";

describe("blob storage by account", () => {
  it("a storage account's container client: its URL, and the CommonJS DefaultAzureCredential (one copy of @azure/identity, not its ESM build beside it)", async () => {
    const client = await containerFor({ kind: "account", accountUrl: "https://s189t01aytqdbbkptssa.blob.core.windows.net", container: "database-backup" });
    assert.equal(client.url, "https://s189t01aytqdbbkptssa.blob.core.windows.net/database-backup");
    assert.ok(client.credential instanceof DefaultAzureCredential, `credential is ${client.credential.constructor.name} from another copy of @azure/identity`);
  });

  it("an SDK error is told by its name, whichever copy made it; any other error is not one", () => {
    assert.equal(isRestError(new RestError("gone", { statusCode: 404 })), true);
    const fromAnotherCopy = Object.assign(new Error("conflict"), { name: "RestError", statusCode: 409 });
    assert.equal(isRestError(fromAnotherCopy), true);
    assert.equal(isRestError(new Error("RestError")), false);
    assert.equal(isRestError({ name: "RestError", statusCode: 404 }), false, "not an Error");
  });
});
