/** revive, rebuild, ptr and tidy: the operations that create or remove servers. */
import type { Command } from "commander";
import { UsageError } from "../../errors";
import { tidyOperation } from "../../ops/tidy";
import { checkPtrWindowOnStack, chooseCopy } from "../../ops/ptr-copy";
import { echoTime, parseOperatorTime, checkPtrTime, checkReviveTimes } from "../../time";
import type { CliIO } from "../io";
import type { CommonFlags } from "./driver-common";
import { executeOperation } from "./operation-run";
import { registerSpec, type OperationSpec } from "./operation-spec";

type Flags = CommonFlags & { at?: string; deletedAt?: string; timezone?: string; name?: string; all?: boolean };

const timeFlags = (c: Command) => c.option("--timezone <zone>", "IANA zone a time without Z/offset is read in, e.g. Europe/London");

/** Now, for the time rules. */
const clock = () => new Date();

const REVIVE_SPEC: OperationSpec = {
  name: "revive",
  description:
    "revive the deleted live server as it was at --at (ReviveDropped), then adopt what came back with it by Azure's ids and converge the real server (HA, parameters); back to recovery.mode=normal after",
  define: (c) => timeFlags(c.option("--at <time>", "restore point, at least 10 minutes after the deletion").option("--deleted-at <time>", "when the server was deleted (the activity log's Delete server event)")),
  run: async (ctx, raw, _args, forceDryRun) => {
    const flags = raw as Flags;
    if (!flags.at) throw new UsageError("revive needs --at <time>", "e.g. aytq-dr revive --stack test --at 2024-07-24T06:10:00Z --deleted-at 2024-07-24T06:00:00Z");
    const at = parseOperatorTime(flags.at, "--at", flags.timezone);
    const deleted = flags.deletedAt ? parseOperatorTime(flags.deletedAt, "--deleted-at", flags.timezone) : undefined;
    checkReviveTimes(at.date, deleted?.date, clock(), flags.stack);
    const notes = [`restore point: ${echoTime(at.date)}`, ...(deleted ? [`deleted at:    ${echoTime(deleted.date)}`] : [])];
    await executeOperation({ ctx, flags, forceDryRun, notes, build: async () => ({ kind: "revive", restorePointUTC: at.utc }), outputKeys: ["serverName", "serverFqdn", "recoveryMode"] });
  },
};

const REBUILD_SPEC: OperationSpec = {
  name: "rebuild",
  description:
    "create an empty live server with the app's own credentials (from its DATABASE_URL Secret), then adopt or create its database and diagnostic setting and check the real server; back to recovery.mode=normal after",
  define: (c) => c,
  run: async (ctx, raw, _args, forceDryRun) => {
    const flags = raw as Flags;
    await executeOperation({
      ctx,
      flags,
      forceDryRun,
      build: async () => ({ kind: "rebuild" }),
      outputKeys: ["serverName", "serverFqdn", "recoveryMode"],
      after: () => ["next: restore the latest backup into the new server (aytq-dr run server-lost-rebuild does it for you)"],
    });
  },
};

const PTR_SPEC: OperationSpec = {
  name: "ptr",
  description: "create a point-in-time copy of the live server at --at (adds a recovery.ptrCopies entry)",
  define: (c) => timeFlags(c.option("--at <time>", "restore point: between the server's earliest restore date (about 7 days back) and 5 minutes ago").option("--name <name>", "name of the copy server (default <live>-ptr-<yyyymmddhhmm> of now)")),
  run: async (ctx, raw, _args, forceDryRun) => {
    const flags = raw as Flags;
    if (!flags.at) throw new UsageError("ptr needs --at <time>", "e.g. aytq-dr ptr --stack test --at 2024-07-24T06:00:00Z");
    const at = parseOperatorTime(flags.at, "--at", flags.timezone);
    const now = clock();
    // the window needs the server's earliest restore date, read from the stack before anything changes
    checkPtrTime(at.date, { now, windowLater: true });
    await executeOperation({
      ctx,
      flags,
      forceDryRun,
      notes: [`restore point: ${echoTime(at.date)}`],
      outputKeys: ["ptrCopies"],
      build: async (port, settings) => {
        await checkPtrWindowOnStack(port, at.date, now, (t) => ctx.io.err(t));
        const { copy, existing } = await chooseCopy(port, settings.database.serverName, flags.name, at.utc, now);
        ctx.io.err(`copy name: ${copy.name}`);
        return { kind: "ptr", copy, existing };
      },
    });
  },
};

const TIDY_SPEC: OperationSpec = {
  name: "tidy",
  description: "delete PTR copies: --name <name> or --all",
  define: (c) => c.option("--name <name>", "the copy to delete").option("--all", "delete every copy"),
  run: async (ctx, raw, _args, forceDryRun) => {
    const flags = raw as Flags;
    if (Boolean(flags.name) === Boolean(flags.all)) throw new UsageError("tidy needs exactly one of --name <name> or --all", "see the copies with aytq-dr status --stack <stack>");
    await executeOperation({
      ctx,
      flags,
      forceDryRun,
      outputKeys: ["ptrCopies"],
      build: (port) => tidyOperation(port, flags.all ? { all: true } : { name: flags.name as string }),
    });
  },
};

export const RESTORE_SPECS = [REVIVE_SPEC, REBUILD_SPEC, PTR_SPEC, TIDY_SPEC];

export function registerRestoreOps(program: Command, io: CliIO): void {
  for (const spec of RESTORE_SPECS) registerSpec(program, spec, false, io);
}

