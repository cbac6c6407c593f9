/**
 * `restore-copy`: parse, call restoreCopy (runbook/restore-copy.ts), print. The way is asked on a
 * terminal after the comparison, or given by --way (with --yes without a terminal: --way answers
 * the question about data, --yes confirms the change, as `run` keeps them apart).
 */
import type { Command } from "commander";
import { RefusedError, UsageError } from "../../errors";
import { checkCopyName } from "../../config/copy-name";
import { checkConfirmable, checkProduction } from "../../ops/guard";
import { createDataTools } from "../../runbook/data-tools";
import { askForChoice, parseRestoreCopy, parseTablesFlag, WAYS_HINT } from "../../runbook/decision";
import { restoreCopy } from "../../runbook/restore-copy";
import type { CliIO } from "../io";
import { act } from "../command";
import { addStorageOptions, connectFor, progressFor, restoreGuard, settingsFor, storageFor, type DataOptions } from "./data-common";

type Flags = DataOptions & { copy?: string; copyUrl?: string; way?: string; tables?: string; yes?: boolean; confirmProduction?: boolean; safetyBackup: boolean };

export function registerRestoreCopy(program: Command, io: CliIO): void {
  addStorageOptions(
    program
      .command("restore-copy")
      .description("bring a PTR copy's data back into live, by whole, tables or undelete (data-loss's compare, decision and copy-into-live as one command): compares, shows what each way writes and loses, backs live up, then one transaction on live")
      .requiredOption("--copy <name>", "the PTR copy (as `ptr` named it)")
      .option("--stack <stack>", "test | preproduction | production")
      .option("--way <way>", "whole | tables | undelete | no: the answer to the question (required without a terminal)")
      .option("--tables <a,b>", "the tables tables/undelete take (default: those where live lost or changed rows since the restore point)")
      .option("--database-url <url>", "live, directly instead of through the Kubernetes tunnel (secret)")
      .option("--copy-url <url>", "the copy, directly instead of through the Kubernetes tunnel (secret)")
      .option("--no-safety-backup", "do not back live up first")
      .option("--yes", "change live without asking (required without a terminal)")
      .option("--confirm-production", "required to restore into production"),
  ).action(
    act(io, async ({ io, interruptible }, opts: Flags) => {
      // every input and guard before anything is opened
      const copyName = checkCopyName(opts.copy ?? "", "--copy");
      const way = opts.way === undefined ? undefined : parseRestoreCopy(opts.way);
      const tables = opts.tables === undefined ? undefined : parseTablesFlag(opts.tables);
      if (tables && way !== undefined && way !== "tables" && way !== "undelete") throw new UsageError(`--tables does not apply with --way ${way}; nothing was changed`, "leave out --tables, or use --way tables or --way undelete");
      if (typeof opts.databaseUrl !== "string" && opts.databaseUrl !== undefined) throw new UsageError("give --database-url once (live); the copy is --copy-url");
      if ((opts.databaseUrl === undefined) !== (opts.copyUrl === undefined)) throw new UsageError("give both --database-url (live) and --copy-url (the copy), or neither (through the stack's tunnel)");
      const settings = settingsFor(opts.stack);
      const guard = restoreGuard(opts, io, ["restore-copy changes live, and there is no terminal to confirm on; nothing was changed", "add --yes"]);
      await checkProduction(guard);
      // the question about data is answered by --way without a terminal (--yes only confirms the change)
      if (!(io.isTTY && io.prompt) && way === undefined) throw new RefusedError("restore-copy asks how the copy's data comes back, and there is no terminal to ask on; nothing was changed", `add --way whole|tables|undelete|no: ${WAYS_HINT}`);
      checkConfirmable(guard);
      const storage = storageFor(opts, settings, io);
      const outcome = await interruptible(async (signal) => {
        const data = createDataTools({ onProgress: progressFor(io), signal });
        const live = await connectFor(opts.databaseUrl as string | undefined, undefined, settings, io);
        try {
          const copy = await connectFor(opts.copyUrl, copyName, settings, io);
          try {
            return await restoreCopy({
              data,
              live,
              copy,
              copyName,
              storage,
              ...(tables ? { tables } : {}),
              safetyBackup: opts.safetyBackup,
              now: () => new Date(),
              log: (line) => io.err(line),
              choose: async (question, context, choices) => {
                io.err(context);
                if (way !== undefined) {
                  if (!choices.includes(way)) throw new RefusedError(`--way ${way} is not offered here (offered: ${choices.join(", ")}); nothing was changed`, "the lines above say why; choose one of those");
                  io.err(`${question} ${way} (--way)`);
                  return way;
                }
                return askForChoice(io.prompt!, question, choices, (line) => io.err(line));
              },
            });
          } finally {
            await copy.release();
          }
        } finally {
          await live.release();
        }
      });
      io.out(`${outcome.summary}${outcome.safetyBackup ? `; safety backup ${outcome.safetyBackup}` : ""}`);
    }),
  );
}
