/** `backups list` and `backups verify`: the backups of a container, and one proved restorable. */
import { checkBackupName } from "../../data/names";
import { listBackups } from "../../data/storage";
import { formatBytes } from "../../data/streams";
import { verifyBackup } from "../../data/verify";
import { reportVerify } from "../../ci/backup-report";
import { utcToSecond } from "../../util/utc";
import { act, type RegisterCommand } from "../command";
import { addStorageOptions, printJson, progressFor, settingsFor, storageFor, type DataOptions } from "./data-common";

function age(from: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - from.getTime()) / 60000));
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} d`;
}

export const registerBackups: RegisterCommand = (program, io) => {
  const group = program.command("backups").description("list and verify backups");
  addStorageOptions(group.command("list").description("backups, newest first").option("--stack <stack>", "test | preproduction | production").option("--json", "print JSON")).action(
    act(io, async ({ io }, opts: DataOptions) => {
      const backups = await listBackups(storageFor(opts, settingsFor(opts.stack), io));
      if (opts.json) {
        printJson(io, backups);
        return;
      }
      const now = new Date();
      // "data as of": the moment the dump is consistent to (its snapshot); older backups recorded only when they began
      const asOf = (b: (typeof backups)[number]) => (b.consistentAt ? utcToSecond(b.consistentAt) : `~${utcToSecond(b.createdAt)} (began)`);
      const rows = backups.map((b) => [b.name, formatBytes(b.bytes), age(b.createdAt, now), asOf(b), b.sourceServer ?? "-", b.verified ? `yes ${b.verifiedAt ?? ""}`.trim() : "no"]);
      const header = ["name", "size", "age", "data as of (UTC)", "source", "verified"];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      io.out([header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + (rows.length ? "" : "\n(no backups)"));
    }),
  );
  addStorageOptions(
    group
      .command("verify")
      .description("download, check the checksum, restore into a throwaway database, and mark the backup verified")
      .requiredOption("--file <name>", "backup name")
      .option("--stack <stack>", "test | preproduction | production")
      .option("--into-url <url>", "an empty scratch database to restore into (secret); default a local throwaway cluster")
      .option("--json", "print JSON"),
  ).action(
    act(io, async ({ io, interruptible }, opts: DataOptions & { file: string; intoUrl?: string }) => {
      checkBackupName(opts.file, "--file");
      const storage = storageFor(opts, settingsFor(opts.stack), io);
      const r = await interruptible((signal) => verifyBackup(storage, opts.file, { intoUrl: opts.intoUrl, onProgress: progressFor(io), signal }));
      reportVerify(io.env, r, (l) => io.err(l));
      if (opts.json) printJson(io, r);
      else io.out(`verified ${r.name}: ${r.tables} table${r.tables === 1 ? "" : "s"}, ${r.rows} row${r.rows === 1 ? "" : "s"} restored${r.recorded ? "" : ` (could not record it on the blob: ${r.recordError ?? ""})`}`);
    }),
  );
};
