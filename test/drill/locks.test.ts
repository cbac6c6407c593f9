/** The Azure drill and the delete locks (issue 11): a drill never deletes what the stack locks. */
import { strict as assert } from "node:assert";
import { confirmAzureDrill } from "../../recovery/drill";
import { RefusedError } from "../../recovery/errors";

describe("Azure drill: delete locks", () => {
  for (const scenario of ["server-lost-revive", "server-lost-rebuild"] as const) {
    it(`refuses ${scenario} where the stack locks the live server, saying so`, async () => {
      await assert.rejects(
        confirmAzureDrill({ stack: "test", scenario, yes: true, lockedServer: "s189t01-aytq-ts-pg" }),
        (e: unknown) => e instanceof RefusedError && /would delete the live server s189t01-aytq-ts-pg, and the stack declares a delete lock on it/.test(e.message) && /locks.enabled: false/.test(e.hint ?? ""),
      );
      // without a lock the same drill is only asked for (here: confirmed by --yes)
      await confirmAzureDrill({ stack: "test", scenario, yes: true });
    });
  }
  it("the data-loss drill deletes nothing locked, so it still runs", async () => {
    await confirmAzureDrill({ stack: "test", scenario: "data-loss", yes: true, lockedServer: "s189t01-aytq-ts-pg" });
  });
});
