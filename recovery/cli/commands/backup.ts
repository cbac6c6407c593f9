/** `backup`: a database to blob storage, write-once; `--nightly` reads it back and pings the heartbeat. */
import { UsageError } from "../../errors";
import { backupToBlob } from "../../data/backup";
import { afterNightlyBackup } from "../../notify/nightly";
import { HEARTBEAT_URL_ENV, heartbeatTarget } from "../../notify/heartbeat";
import { backupName, shown, type BackupFormat } from "../../data/names";
import { checkCopyName } from "../../config/copy-name";
import { formatBytes } from "../../data/streams";
import { reportBackup } from "../../ci/backup-report";
import { act, type RegisterCommand } from "../command";
import { addStorageOptions, connectFor, printJson, progressFor, settingsFor, storageFor, using, type DataOptions } from "./data-common";

type BackupFlags = DataOptions & { name?: string; nightly?: boolean; format?: string; databaseUrl?: string; heartbeatUrl?: string };

function parseFormat(v: string | undefined): BackupFormat {
  if (v === undefined || v === "plain") return "plain";
  if (v === "custom") return "custom";
  throw new UsageError(`--format ${v} is not known`, "use --format plain (default) or --format custom");
}

export const registerBackup: RegisterCommand = (program, io) => {
  addStorageOptions(
    program
      .command("backup")
      .description("back up a database to blob storage (gzip'd plain SQL, or --format custom), write-once")
      .option("--stack <stack>", "test | preproduction | production")
      .option("--server <name>", "server to back up (a PTR copy by name); default the live server")
      .option("--database-url <url>", "connect directly instead of through the Kubernetes tunnel (secret)")
      .option("--name <name>", "backup name (.sql.gz appended when missing)")
      .option("--nightly", "use the nightly name aytq_<short>_YYYY-MM-DD.sql.gz, read the backup back, then ping the heartbeat")
      .option("--heartbeat-url <url>", `with --nightly: the StatusCake heartbeat's push URL, pinged once the backup reads back (secret); default ${HEARTBEAT_URL_ENV}`)
      .option("--format <format>", "plain (default) or custom (pg_restore archive, .dump)")
      .option("--json", "print the result as JSON"),
  ).action(
    act(io, async ({ io, interruptible }, opts: BackupFlags) => {
      if (opts.nightly && opts.name !== undefined) {
        throw new UsageError(`--nightly and --name ${shown(opts.name)} conflict: --nightly names the backup aytq_<short>_YYYY-MM-DD.sql.gz itself; nothing was done`, "give one of them: --nightly for the nightly backup, or --name <name> for an ad hoc one");
      }
      if (opts.server !== undefined) checkCopyName(opts.server, "--server");
      const settings = settingsFor(opts.stack);
      if (opts.heartbeatUrl !== undefined && !opts.nightly) throw new UsageError("--heartbeat-url goes with --nightly", "add --nightly, or leave --heartbeat-url out");
      const heartbeat = opts.nightly ? heartbeatTarget(opts.heartbeatUrl, io.env) : undefined;
      const format = parseFormat(opts.format);
      const shortCode = settings?.shortCode ?? "local";
      const now = new Date();
      const name = opts.name ? backupName({ kind: "given", name: opts.name, format }) : backupName({ kind: opts.nightly ? "nightly" : "adhoc", shortCode, now, format });
      const storage = storageFor(opts, settings, io);
      const result = await interruptible((signal) =>
        connectFor(opts.databaseUrl, opts.server, settings, io).then((conn) =>
          using(conn, (c) => {
            if (!opts.json) io.err(`backing up ${c.label} to ${name}`);
            return backupToBlob(c, storage, name, { format, onProgress: progressFor(io), signal });
          }),
        ),
      );
      reportBackup(io.env, result, { stack: opts.stack, container: storage.container }, (l) => io.err(l));
      // nightly: read it back, and only then ping the heartbeat (a failed ping is a warning, never a failed backup)
      const after = heartbeat && (await interruptible((signal) => afterNightlyBackup(storage, result, heartbeat, { signal })));
      if (opts.json) printJson(io, after ? { ...result, readBack: after.readBack, heartbeat: { pinged: after.heartbeat.pinged, ok: after.heartbeat.pinged && after.heartbeat.ok } } : result);
      else io.out(`backup ${result.name}: ${formatBytes(result.bytes)} in ${(result.elapsedMs / 1000).toFixed(1)} s, sha256 ${result.sha256}${after ? " (read back: matches)" : ""}`);
      if (after) io.err(after.heartbeat.line);
    }),
  );
};
