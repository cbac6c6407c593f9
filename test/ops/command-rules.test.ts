/** Rules the commands used to hold, now below the CLI: which operations ask Azure, tidy's names, unfreeze's holds, the guard's words, production's flag. */
import { strict as assert } from "node:assert";
import { RefusedError, UsageError } from "../../recovery/errors";
import { confirmProductionFlag } from "../../recovery/config/production";
import { azureUse } from "../../recovery/ops/operations";
import { tidyOperation } from "../../recovery/ops/tidy";
import { holdsToRelease } from "../../recovery/ops/hold-choice";
import { checkGuards, RESTORE_PRODUCTION } from "../../recovery/ops/guard";
import type { PipelineFreezeContext } from "../../recovery/ops/pipeline-holds";
import type { StackPort } from "../../recovery/stack/port";

/** A stack whose config lists these PTR copies. */
const withCopies = (names: string[]) => ({ stackName: "test", getConfig: async () => names.map((name) => ({ name, restorePointUTC: "2024-07-24T06:00:00Z" })), outputs: async () => ({}) }) as unknown as StackPort;
const noContext = (): PipelineFreezeContext => assert.fail("the holds were read, and nothing needed them");

describe("rules below the command line", () => {
  it("azureUse: revive and rebuild need Azure, normal uses it when it can, the rest never ask", () => {
    assert.equal(azureUse("revive"), "needs");
    assert.equal(azureUse("rebuild"), "needs");
    assert.equal(azureUse("normal"), "uses");
    for (const kind of ["stop", "ptr", "tidy", "maintenance-on"]) assert.equal(azureUse(kind), "none", kind);
  });

  it("tidy: one copy by name, or every one; a name that is no copy is refused (exit 2) naming those there are", async () => {
    assert.deepEqual((await tidyOperation(withCopies(["a", "b"]), { all: true })).names, ["a", "b"]);
    assert.deepEqual((await tidyOperation(withCopies(["a", "b"]), { name: "b" })).names, ["b"]);
    await assert.rejects(tidyOperation(withCopies(["a"]), { name: "z" }), (e: unknown) => e instanceof UsageError && /no copy named z; existing copies: a/.test(e.message) && /--all/.test(e.hint ?? ""));
    await assert.rejects(tidyOperation(withCopies([]), { name: "z" }), (e: unknown) => e instanceof UsageError && /existing copies: none/.test(e.message) && /nothing to tidy/.test(e.hint ?? ""));
  });

  it("unfreeze: the stack's manual hold, or a named one (production's needs the confirmation); never --release with --all", async () => {
    assert.deepEqual(await holdsToRelease({ stack: "test" }, noContext), { holds: ["test-manual"], production: false });
    assert.deepEqual(await holdsToRelease({ release: "production-run" }, noContext), { holds: ["production-run"], production: true });
    await assert.rejects(holdsToRelease({ release: "test-run", all: true }, noContext), (e: unknown) => e instanceof UsageError && /choose one/.test(e.message));
  });

  it("the guard speaks in the words of the change it guards, and a converge's by default", async () => {
    const base = { stack: "production", confirmProduction: false, yes: true, dryRun: false, isTTY: false };
    await assert.rejects(checkGuards(base), (e: unknown) => e instanceof RefusedError && /refusing to touch production/.test(e.message));
    await assert.rejects(checkGuards({ ...base, refusals: { production: RESTORE_PRODUCTION, noTerminal: ["x", "y"] } }), (e: unknown) => e instanceof RefusedError && /restoring into production needs --confirm-production/.test(e.message));
    await assert.rejects(checkGuards({ ...base, stack: "test", yes: false, refusals: { production: RESTORE_PRODUCTION, noTerminal: ["no terminal here", "add --yes"] } }), (e: unknown) => e instanceof RefusedError && e.message === "no terminal here");
  });

  it("the flag production asks for is added to production's commands only", () => {
    assert.equal(confirmProductionFlag("production"), " --confirm-production");
    assert.equal(confirmProductionFlag("test"), "");
  });
});
