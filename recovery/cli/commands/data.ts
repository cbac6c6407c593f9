/** backup, restore, backups list|verify, compare, validate: thin commands over recovery/data. */
import type { Command } from "commander";
import { healthUrls } from "../../../infra/config";
import { EXIT, RefusedError, UsageError } from "../../errors";
import { backupToBlob } from "../../data/backup";
import { afterNightlyBackup } from "../../notify/nightly";
import { HEARTBEAT_URL_ENV, heartbeatTarget } from "../../notify/heartbeat";
import { compareDatabases, formatComparison } from "../../data/compare";
import { backupName, checkBackupName, shown, type BackupFormat } from "../../data/names";
import { checkCopyName } from "../../config/copy-name";
import { restoreSafely } from "../../data/safe-restore";
import { listBackups } from "../../data/storage";
import { formatBytes } from "../../data/streams";
import { formatHealth, validateHealth } from "../../data/validate";
import { verifyBackup } from "../../data/verify";
import { reportBackup, reportVerify } from "../../ci/backup-report";
import { checkGuards, confirm } from "../../ops/guard";
import type { DatabaseConnection } from "../../runbook/ports";
import { setExitCode } from "../command";
import { parseAttempts, parseDeadlineSeconds, parseJobs } from "../numbers";
import { checkHttpUrl } from "../../util/urls";
import type { CliIO } from "../io";
import type { RegisterCommand } from "../command";
import { addStorageOptions, asList, connectFor, progressFor, settingsFor, storageFor, withInterrupt, type DataOptions } from "./data-common";

async function using<T>(conn: DatabaseConnection, fn: (c: DatabaseConnection) => Promise<T>): Promise<T> {
  try {
    return await fn(conn);
  } finally {
    await conn.release();
  }
}

function parseFormat(v: string | undefined): BackupFormat {
  if (v === undefined || v === "plain") return "plain";
  if (v === "custom") return "custom";
  throw new UsageError(`--format ${v} is not known`, "use --format plain (default) or --format custom");
}

const json = (io: CliIO, value: unknown): void => io.out(JSON.stringify(value, null, 2));

const registerBackup: RegisterCommand = (program, io) => {
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
  ).action(async (opts: DataOptions & { name?: string; nightly?: boolean; format?: string; databaseUrl?: string; heartbeatUrl?: string }) => {
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
    const name = opts.name
      ? backupName({ kind: "given", name: opts.name, format })
      : backupName({ kind: opts.nightly ? "nightly" : "adhoc", shortCode, now, format });
    const storage = storageFor(opts, settings, io);
    const result = await withInterrupt((signal) =>
      connectFor(opts.databaseUrl, opts.server, settings, io).then((conn) =>
        using(conn, (c) => {
          if (!opts.json) io.err(`backing up ${c.label} to ${name}`);
          return backupToBlob(c, storage, name, { format, onProgress: progressFor(io), signal });
        }),
      ),
    );
    reportBackup(io.env, result, { stack: opts.stack, container: storage.container }, (l) => io.err(l));
    // nightly: read it back, and only then ping the heartbeat (a failed ping is a warning, never a failed backup)
    const after = heartbeat && (await withInterrupt((signal) => afterNightlyBackup(storage, result, heartbeat, { signal })));
    if (opts.json) json(io, after ? { ...result, readBack: after.readBack, heartbeat: { pinged: after.heartbeat.pinged, ok: after.heartbeat.pinged && after.heartbeat.ok } } : result);
    else io.out(`backup ${result.name}: ${formatBytes(result.bytes)} in ${(result.elapsedMs / 1000).toFixed(1)} s, sha256 ${result.sha256}${after ? " (read back: matches)" : ""}`);
    if (after) io.err(after.heartbeat.line);
  });
};

const registerRestore: RegisterCommand = (program, io) => {
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
  ).action(async (opts: DataOptions & { file: string; safetyBackup: boolean; yes?: boolean; confirmProduction?: boolean; jobs?: number | "auto"; databaseUrl?: string }) => {
    // every input and guard before any call: a wrong --file must not open a tunnel or leave a safety backup behind
    const file = checkBackupName(opts.file, "--file");
    if (opts.server !== undefined) checkCopyName(opts.server, "--server");
    const settings = settingsFor(opts.stack);
    if (opts.stack === "production" && !opts.confirmProduction) {
      throw new RefusedError("restoring into production needs --confirm-production", "add --confirm-production once you are sure; nothing was changed");
    }
    if (!opts.yes && !(io.isTTY && io.prompt)) {
      throw new RefusedError("restore replaces everything in the target database, and there is no terminal to ask on; nothing was changed", "add --yes to restore without a prompt");
    }
    // production on a terminal: type the stack name back
    await checkGuards({ stack: opts.stack ?? "", confirmProduction: Boolean(opts.confirmProduction), yes: Boolean(opts.yes), dryRun: false, isTTY: io.isTTY, prompt: io.prompt });
    const storage = storageFor(opts, settings, io);
    const result = await withInterrupt((signal) =>
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
    if (opts.json) json(io, result);
    else io.out(`restored ${result.name} (${formatBytes(result.bytes)}${result.sha256Verified ? ", sha256 verified" : ", no checksum in metadata"}${result.consistentAt ? `, data as of ${result.consistentAt}` : ""}) into ${result.target} in ${(result.elapsedMs / 1000).toFixed(1)} s${result.safetyBackup ? `; safety backup ${result.safetyBackup}` : ""}`);
  });
};

function age(from: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - from.getTime()) / 60000));
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} d`;
}

const registerBackups: RegisterCommand = (program, io) => {
  const group = program.command("backups").description("list and verify backups");
  addStorageOptions(group.command("list").description("backups, newest first").option("--stack <stack>", "test | preproduction | production").option("--json", "print JSON")).action(
    async (opts: DataOptions) => {
      const backups = await listBackups(storageFor(opts, settingsFor(opts.stack), io));
      if (opts.json) return json(io, backups);
      const now = new Date();
      // "data as of": the moment the dump is consistent to (its snapshot); older backups recorded only when they began
      const asOf = (b: (typeof backups)[number]) => (b.consistentAt ? b.consistentAt.toISOString().replace(/\.\d{3}Z$/, "Z") : `~${b.createdAt.toISOString().replace(/\.\d{3}Z$/, "Z")} (began)`);
      const rows = backups.map((b) => [b.name, formatBytes(b.bytes), age(b.createdAt, now), asOf(b), b.sourceServer ?? "-", b.verified ? `yes ${b.verifiedAt ?? ""}`.trim() : "no"]);
      const header = ["name", "size", "age", "data as of (UTC)", "source", "verified"];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      io.out([header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + (rows.length ? "" : "\n(no backups)"));
    },
  );
  addStorageOptions(
    group
      .command("verify")
      .description("download, check the checksum, restore into a throwaway database, and mark the backup verified")
      .requiredOption("--file <name>", "backup name")
      .option("--stack <stack>", "test | preproduction | production")
      .option("--into-url <url>", "an empty scratch database to restore into (secret); default a local throwaway cluster")
      .option("--json", "print JSON"),
  ).action(async (opts: DataOptions & { file: string; intoUrl?: string }) => {
    checkBackupName(opts.file, "--file");
    const storage = storageFor(opts, settingsFor(opts.stack), io);
    const r = await withInterrupt((signal) => verifyBackup(storage, opts.file, { intoUrl: opts.intoUrl, onProgress: progressFor(io), signal }));
    reportVerify(io.env, r, (l) => io.err(l));
    if (opts.json) json(io, r);
    else io.out(`verified ${r.name}: ${r.tables} table${r.tables === 1 ? "" : "s"}, ${r.rows} row${r.rows === 1 ? "" : "s"} restored${r.recorded ? "" : ` (could not record it on the blob: ${r.recordError ?? ""})`}`);
  });
};

const registerCompare: RegisterCommand = (program, io) => {
  program
    .command("compare")
    .description("compare two databases table by table: rows only in each and changed, by primary key (by content without one), counted inside PostgreSQL; A is live (the first --database-url), B the copy; exit 1 when they differ")
    .option("--stack <stack>", "test | preproduction | production")
    .option("--copy <name>", "PTR copy to compare with the live server")
    .option("--database-url <url>", "give twice to compare two databases directly (secret)", (v: string, acc: string[] = []) => [...acc, v])
    .option("--json", "print JSON")
    .action(async (opts: DataOptions & { copy?: string }, command: Command) => {
      if (opts.copy !== undefined) checkCopyName(opts.copy, "--copy");
      const settings = settingsFor(opts.stack);
      const urls = asList(opts.databaseUrl);
      if (urls.length !== 0 && urls.length !== 2) throw new UsageError("give --database-url twice (A and B), or --stack with --copy");
      if (urls.length === 0 && !opts.copy) throw new UsageError("nothing to compare", "pass --stack S --copy <ptr-name>, or two --database-url");
      const a = await connectFor(urls[0], undefined, settings, io);
      const result = await using(a, async (ca) => {
        const b = await connectFor(urls[1], opts.copy, settings, io);
        return using(b, async (cb) => ({ labels: { a: ca.label, b: cb.label }, result: await compareDatabases(ca, cb) }));
      });
      if (opts.json) json(io, { ...result.result, a: result.labels.a, b: result.labels.b });
      else {
        const names = opts.copy !== undefined ? { a: "live", b: "copy" } : { a: "A", b: "B" };
        io.out(`${names.a} = ${result.labels.a}\n${names.b} = ${result.labels.b}\n` + formatComparison(result.result, names, io.isTTY));
      }
      if (!result.result.equal) setExitCode(command, EXIT.different);
    });
};

/** The host of a --url, or a UsageError (a typo must not print a stack trace). The URL may hold credentials: never quoted. */
function healthUrlHost(url: string): string {
  return checkHttpUrl(url, { what: "--url", example: "https://host/health/all.json" }).host;
}

const registerValidate: RegisterCommand = (program, io) => {
  program
    .command("validate")
    .description("GET every health URL with retries; exit 1 if any fails")
    .option("--stack <stack>", "test | preproduction | production")
    .option("--url <url>", "a health URL to check instead of the stack's (repeatable)", (v: string, acc: string[] = []) => [...acc, v])
    .option("--deadline-seconds <n>", "overall deadline, in seconds (at most a day)", parseDeadlineSeconds)
    .option("--attempts <n>", "attempts per URL (1 to 100)", parseAttempts)
    .option("--json", "print JSON")
    .action(async (opts: { stack?: string; url?: string[]; deadlineSeconds?: number; attempts?: number; json?: boolean }, command: Command) => {
      const targets = opts.url?.length ? opts.url.map((url) => ({ service: healthUrlHost(url), url })) : healthUrls(settingsFor(opts.stack) ?? (() => { throw new UsageError("validate has nothing to check", "pass --stack S (its health URLs) or --url <url>"); })());
      const results = await validateHealth(targets, { deadlineMs: opts.deadlineSeconds !== undefined ? opts.deadlineSeconds * 1000 : undefined, attempts: opts.attempts });
      if (opts.json) json(io, results);
      else io.out(formatHealth(results));
      if (results.some((r) => !r.ok)) setExitCode(command, EXIT.different);
    });
};

export const DATA_COMMANDS: RegisterCommand[] = [registerBackup, registerRestore, registerBackups, registerCompare, registerValidate];
