/** stop / start, maintenance on|off: one config key each, converged; freeze / unfreeze: holds on main (freeze.ts). */
import type { Command } from "commander";
import { temporaryUrls } from "../../../infra/config";
import { UsageError } from "../../errors";
import { clipInput } from "../../util/clip";
import type { Operation } from "../../ops/operations";
import type { CliIO } from "../io";
import { executeOperation } from "./operation-run";
import { FREEZE_SPECS } from "./freeze";
import { registerSpec, type OperationSpec } from "./operation-spec";

const simple = (name: string, description: string, op: Operation, outputKeys: string[]): OperationSpec => ({
  name,
  description,
  run: async (ctx, flags, _args, forceDryRun) => {
    await executeOperation({ ctx, flags, build: async () => op, outputKeys, forceDryRun });
  },
});

export const SWITCH_SPECS: OperationSpec[] = [
  // holds on main's freeze through the pipeline stack, not this stack's config (freeze.ts)
  ...FREEZE_SPECS,
  simple("stop", "stop the app: web and worker replicas to 0 (app.stopped=true)", { kind: "stop" }, ["webReplicas", "workerReplicas"]),
  simple("start", "start the app at the configured replica counts (app.stopped=false)", { kind: "start" }, ["webReplicas", "workerReplicas"]),
  simple(
    "normal",
    "finish a revive or rebuild whose server is back (exit 6 says so): adopt what Azure has, recovery.mode=normal, verify the real server; never deletes or replaces the server (without the stack's subscription: only recovery.mode=normal, recovery keys cleared)",
    { kind: "normal" },
    ["recoveryMode", "serverName"],
  ),
  simple(
    "lock",
    "create the live server's delete lock that a revive or rebuild left out because its identity may not write locks (removes recovery.serverLockDeferred); run it as someone with Owner or User Access Administrator",
    { kind: "lock" },
    ["deleteLocks"],
  ),
  {
    name: "maintenance",
    description: "maintenance page on or off (app.maintenance); prints the temporary URLs",
    define: (c) => c.argument("<state>", "on | off"),
    run: async (ctx, flags, args, forceDryRun) => {
      const state = args[0];
      if (state !== "on" && state !== "off") throw new UsageError(`maintenance "${clipInput(state)}": expected on or off`, "aytq-dr maintenance on --stack test");
      await executeOperation({
        ctx,
        flags,
        forceDryRun,
        build: async () => ({ kind: "maintenance", on: state === "on" }),
        outputKeys: ["maintenance", "temporaryUrls"],
        after: (s) =>
          state === "on"
            ? [
                "temporary URLs (reach the app while the maintenance page serves the public hosts):",
                ...temporaryUrls(s).map((u) => `  ${u.service}: ${u.url}`),
                s.app.dsiTemporaryUrlsRegistered
                  ? "DfE Sign-in knows these URLs (app.dsiTemporaryUrlsRegistered)."
                  : "REMINDER: DfE Sign-in must know these temporary URLs, or signing in fails there. Ask the DfE Sign-in team to register them.",
              ]
            : [],
      });
    },
  },
];

export function registerSwitches(program: Command, cliIO: CliIO): void {
  for (const spec of SWITCH_SPECS) registerSpec(program, spec, false, cliIO);
}
