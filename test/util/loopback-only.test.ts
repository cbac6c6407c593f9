/** The credential chain's endpoints the test set-up (test/loopback-only.ts) points at loopback, and that the chain really uses them. */
import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { DefaultAzureCredential } from "@azure/identity";

describe("tests never reach Azure's managed-identity endpoint", () => {
  it("the set-up points the chain's IMDS and login hosts at loopback", () => {
    for (const name of ["AZURE_POD_IDENTITY_AUTHORITY_HOST", "AZURE_AUTHORITY_HOST"]) {
      assert.match(process.env[name] ?? "", /^https?:\/\/127\.0\.0\.1:\d+$/, name);
    }
  });

  it("DefaultAzureCredential asks the host the set-up names for its managed-identity token, not 169.254.169.254", async () => {
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
      paths.push(req.url ?? "");
      res.writeHead(400, { "content-type": "application/json" }).end('{"error":"invalid_request","error_description":"no identity here"}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const saved = process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const credential = new DefaultAzureCredential();
      await assert.rejects(credential.getToken("https://management.azure.com/.default"));
      assert.ok(paths.some((p) => p.startsWith("/metadata/identity/oauth2/token")), `requests seen: ${paths.join(", ") || "none"}`);
    } finally {
      process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = saved;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
