/** Backup blob names: pure functions, tested from tables. */
import { UsageError } from "../errors";

export const PLAIN_EXTENSION = ".sql.gz";
export const CUSTOM_EXTENSION = ".dump";

export type BackupFormat = "plain" | "custom";

export type NameRequest =
  | { kind: "nightly"; shortCode: string; now: Date; format?: BackupFormat }
  | { kind: "adhoc"; shortCode: string; now: Date; format?: BackupFormat }
  | { kind: "given"; name: string; format?: BackupFormat };

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

const pad = (n: number): string => String(n).padStart(2, "0");
const day = (d: Date): string => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

function extensionFor(format: BackupFormat): string {
  switch (format) {
    case "plain":
      return PLAIN_EXTENSION;
    case "custom":
      return CUSTOM_EXTENSION;
    default: {
      const never: never = format;
      throw new UsageError(`unknown format ${String(never)}`);
    }
  }
}

/**
 * nightly: `aytq_<short>_YYYY-MM-DD.sql.gz`; ad hoc: `aytq_<short>_adhoc_YYYY-MM-DDTHHMMZ.sql.gz`;
 * given: the name with the format's extension appended when missing (`x` and `x.sql` -> `x.sql.gz`).
 */
export function backupName(request: NameRequest): string {
  const format = request.format ?? "plain";
  const ext = extensionFor(format);
  switch (request.kind) {
    case "nightly":
      return `aytq_${request.shortCode}_${day(request.now)}${ext}`;
    case "adhoc": {
      const d = request.now;
      return `aytq_${request.shortCode}_adhoc_${day(d)}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z${ext}`;
    }
    case "given": {
      const name = request.name.trim();
      let out: string;
      if (format === "plain") {
        if (name.endsWith(CUSTOM_EXTENSION)) throw new UsageError(`"${name}" is a custom-format name`, "add --format custom, or drop the .dump extension");
        out = name.endsWith(PLAIN_EXTENSION) ? name : name.endsWith(".sql") ? `${name}.gz` : `${name}${PLAIN_EXTENSION}`;
      } else {
        if (name.endsWith(PLAIN_EXTENSION)) throw new UsageError(`"${name}" is a plain SQL name`, "drop --format custom, or drop the .sql.gz extension");
        out = name.endsWith(CUSTOM_EXTENSION) ? name : `${name}${CUSTOM_EXTENSION}`;
      }
      if (!NAME_PATTERN.test(out)) {
        throw new UsageError(`backup name "${request.name}" is not allowed`, "use letters, digits, '.', '_' and '-' only (at most 200 characters), no folders");
      }
      return out;
    }
    default: {
      const never: never = request;
      throw new UsageError(`unknown name request ${JSON.stringify(never)}`);
    }
  }
}

/** Names `--file <name>` may mean, in order: exact, then with .sql.gz, then with .dump. */
export function restoreCandidates(name: string): string[] {
  const n = name.trim();
  if (n.endsWith(PLAIN_EXTENSION) || n.endsWith(CUSTOM_EXTENSION) || n.endsWith(".sql") || n.endsWith(".gz")) return [n];
  return [n, `${n}${PLAIN_EXTENSION}`, `${n}${CUSTOM_EXTENSION}`];
}

/** The safety backup taken before restoring into a live database: named after the restore. */
export function safetyBackupName(restoring: string, now: Date): string {
  const base = restoring.replace(/(\.sql\.gz|\.dump|\.sql|\.gz)$/, "");
  const stamp = `${day(now)}T${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}Z`;
  return `safety_before_restore_of_${base.slice(0, 120)}_${stamp}${PLAIN_EXTENSION}`;
}
