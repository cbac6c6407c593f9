/** `restore`: a backup into a database, all or nothing, after a safety backup of the target. */
import { checkBackupName } from "../../data/names";
import { checkCopyName } from "../../config/copy-name";
import { restoreSafely } from "../../data/safe-restore";
import { formatBytes } from "../../data/streams";
import { checkGuards, confirm } from "../../ops/guard";
import { parseJobs } from "../numbers";
import { act, type RegisterCommand } from "../command";
import { addStorageOptions, connectFor, printJson, progressFor, restoreGuard, settingsFor, storageFor, type DataOptions } from "./data-common";

type RestoreFlags = DataOptions & { file: string; safetyBackup: boolean; yes?: boolean; confirmProduction?: boolean; jobs?: number | "auto"; databaseUrl?: string };

export const registerRestore: RegisterCommand = (program, io) => {
  addStorageOptions(
    program
      .command("restore")
      .description("restore a backup into a database, all or nothing (a safety backup of the target first)")
      .requiredOption("--file <name>", "backup name (without extension: <name>.sql.gz, then <name>.dump)")
      .option("--stack <stack>", "test | preproduction | production")
      .option("--server <name>", "target server (a PTR copy by name); default the live server")
      .option("--database-url <url>", "connect directly instead of through the Kubernetes tunnel (secret)")
      .option("--no-safety-backup", "do not back up the target first")
      .option("--yes", "restore without asking (required without a terminal)")
      .option("--confirm-production", "required to restore into production")
      .option("--jobs <n>", "custom archives: parallel pg_restore into a fresh database, then swap (1 to 32, or auto: chosen from the cores and the archive's size)", (v: string) => (v === "auto" ? ("auto" as const) : parseJobs(v)))
      .option("--json", "print the result as JSON"),
  ).action(
    act(io, async ({ io, interruptible }, opts: RestoreFlags) => {
      // every input and guard before any call: a wrong --file must not open a tunnel or leave a safety backup behind
      const file = checkBackupName(opts.file, "--file");
      if (opts.server !== undefined) checkCopyName(opts.server, "--server");
      const settings = settingsFor(opts.stack);
      // production: --confirm-production, and on a terminal the stack name typed back
      await checkGuards(restoreGuard(opts, io, ["restore replaces everything in the target database, and there is no terminal to ask on; nothing was changed", "add --yes to restore without a prompt"]));
      const storage = storageFor(opts, settings, io);
      const result = await interruptible((signal) =>
        restoreSafely({
          storage,
          file,
          connect: () => connectFor(opts.databaseUrl, opts.server, settings, io),
          confirm: (question) => confirm(question, { yes: Boolean(opts.yes), isTTY: io.isTTY, prompt: io.prompt }),
          safetyBackup: opts.safetyBackup,
          jobs: opts.jobs,
          signal,
          onProgress: progressFor(io),
          log: opts.json ? undefined : (line) => io.err(line),
        }),
      );
      if (result.jobs?.note && !opts.json) io.err(result.jobs.note);
      if (opts.json) printJson(io, result);
      else io.out(`restored ${result.name} (${formatBytes(result.bytes)}${result.sha256Verified ? ", sha256 verified" : ", no checksum in metadata"}${result.consistentAt ? `, data as of ${result.consistentAt}` : ""}) into ${result.target} in ${(result.elapsedMs / 1000).toFixed(1)} s${result.safetyBackup ? `; safety backup ${result.safetyBackup}` : ""}`);
    }),
  );
};
