/**
 * Every name the data tools take from an operator, checked before anything is called: backup
 * (blob) names, container names and storage connection strings, each by the rules Azure applies,
 * plus the names we build. (A PTR copy's name is the stack's, so its check is in
 * recovery/config/copy-name.ts.) Pure functions, tested from tables and with
 * generated input. A refusal is a UsageError (exit 2): one line naming the input (cut to 200
 * characters, control characters escaped; a connection string is never repeated, it holds a key)
 * and a fix line.
 */
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";

const PLAIN_EXTENSION = ".sql.gz";
export const CUSTOM_EXTENSION = ".dump";

export type BackupFormat = "plain" | "custom";

export type NameRequest =
  | { kind: "nightly"; shortCode: string; now: Date; format?: BackupFormat }
  | { kind: "adhoc"; shortCode: string; now: Date; format?: BackupFormat }
  | { kind: "given"; name: string; format?: BackupFormat; /** The flag it came from, for messages. @default "--name" */ label?: string };

/** The longest backup name we write or read. */
export const MAX_BACKUP_NAME_CHARS = 200;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** What is wrong with an input, and what to do instead. */
export interface Refusal {
  problem: string;
  fix: string;
}

/** An operator's input as a message shows it: quoted, control characters escaped, cut to 200 characters. */
export function shown(input: string): string {
  // JSON's quoting (backslash and quote escaped); clipInput writes control characters as JSON does
  return `"${clipInput(input.replace(/[\\"]/g, (c) => `\\${c}`))}"`;
}

/** The UsageError for a refused input: `<label> "<input>" <problem>; nothing was read or changed`. */
export function refused(label: string, input: string | undefined, r: Refusal): UsageError {
  const what = input === undefined ? label : `${label} ${shown(input)}`;
  return new UsageError(`${what} ${r.problem}; nothing was read or changed`, r.fix);
}

const BACKUP_NAME_FIX = `give the backup's name as aytq-dr backups list shows it: letters, digits, '.', '_' and '-', at most ${MAX_BACKUP_NAME_CHARS} characters, no folders, no '..', not ending in '.'`;

/** Spaces around a name are dropped (a pasted name); nothing else is changed. */
const trimSpaces = (name: string): string => name.replace(/^ +| +$/g, "");

/**
 * Why `name` cannot be a backup (blob) name, or undefined. Backups are names in one container,
 * never paths: a separator or `..` could reach another container (or a virtual folder), and a
 * control character could hide what is really restored.
 */
export function backupNameProblem(input: string): Refusal | undefined {
  const name = trimSpaces(input);
  const r = (problem: string): Refusal => ({ problem, fix: BACKUP_NAME_FIX });
  if (name === "") return r("is empty: it is not a backup name");
  if (/[/\\]/.test(name)) return r("is a path, not a backup name (it has a '/' or '\\'): backups are names in the container, never paths");
  if (name.includes("..")) return r("is not a backup name: it contains '..'");
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return r("is not a backup name: it contains a control character");
  if (name.length > MAX_BACKUP_NAME_CHARS) return r(`is not a backup name: it is longer than ${MAX_BACKUP_NAME_CHARS} characters (${name.length})`);
  if (!NAME_PATTERN.test(name)) return r("is not a backup name: it must start with a letter or digit and hold only letters, digits, '.', '_' and '-'");
  // Azure advises against blob names ending in '.', and `x.` + `.sql.gz` would make `x..sql.gz`
  if (name.endsWith(".")) return r("is not a backup name: it ends with '.'");
  return undefined;
}

/** The backup name, spaces around it dropped; a UsageError naming `label` when it is not one. */
export function checkBackupName(input: string, label = "--file"): string {
  const problem = backupNameProblem(input);
  if (problem) throw refused(label, input, problem);
  return trimSpaces(input);
}

/**
 * Azure's rule for a blob container's name: 3 to 63 characters, lowercase letters, digits and
 * single hyphens, starting and ending with a letter or digit. The config model holds the stack's
 * backup.containerName to the same rule (infra/config/fields.ts, which the data tools may not
 * import); test/properties/names.property.test.ts holds the two to agreement.
 */
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Why `name` cannot be a blob container, or undefined (CONTAINER_NAME's rule, said part by part). */
function containerNameProblem(name: string): Refusal | undefined {
  if (CONTAINER_NAME.test(name)) return undefined;
  const fix = "container names are 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit (e.g. database-backup); leave --container out for the stack's own";
  if (name.length < 3 || name.length > 63) return { problem: `is not a container name: it has ${name.length} characters, Azure allows 3 to 63`, fix };
  if (/[A-Z]/.test(name) && /^[A-Za-z0-9-]+$/.test(name)) return { problem: "is not a container name: Azure allows lowercase letters only", fix };
  if (!/^[a-z0-9-]+$/.test(name)) return { problem: "is not a container name: Azure allows lowercase letters, digits and hyphens only", fix };
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return { problem: "is not a container name: it must start and end with a letter or digit", fix };
  return { problem: "is not a container name: Azure does not allow two hyphens in a row", fix };
}

export function checkContainerName(name: string, label = "--container"): string {
  const problem = containerNameProblem(name);
  if (problem) throw refused(label, name, problem);
  return name;
}

// --- storage connection strings -------------------------------------------------------------------

/** The keys @azure/storage-blob reads from a connection string (it matches them case-sensitively). */
export const CONNECTION_STRING_KEYS = ["DefaultEndpointsProtocol", "AccountName", "AccountKey", "BlobEndpoint", "QueueEndpoint", "TableEndpoint", "FileEndpoint", "EndpointSuffix", "SharedAccessSignature"] as const;
type ConnectionKey = (typeof CONNECTION_STRING_KEYS)[number];

const CONNECTION_STRING_FIX =
  "copy the connection string whole from the portal (storage account > Access keys: DefaultEndpointsProtocol, AccountName, AccountKey and EndpointSuffix; or a SAS: BlobEndpoint and SharedAccessSignature), or give UseDevelopmentStorage=true for Azurite; or leave it out and sign in (az login)";

const isHttpUrl = (v: string): boolean => {
  try {
    const u = new URL(v);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
};

/**
 * Why `cs` is not a storage connection string @azure/storage-blob can use, or undefined: Azurite's
 * `UseDevelopmentStorage=true`, an account key (DefaultEndpointsProtocol, AccountName, a base64
 * AccountKey, BlobEndpoint or EndpointSuffix) or a SAS (BlobEndpoint, SharedAccessSignature).
 * Problems name the part, never its value: the string holds a key.
 */
export function connectionStringProblem(cs: string): Refusal | undefined {
  const r = (problem: string): Refusal => ({ problem, fix: CONNECTION_STRING_FIX });
  const text = cs.trim();
  if (text === "") return r("is empty");
  if (/[\u0000-\u001f\u007f]/.test(text)) return r("contains a control character");
  const parts = text.split(";").map((p) => p.trim()).filter((p) => p !== "");
  if (parts[0] === "UseDevelopmentStorage=true") {
    for (const [i, part] of parts.slice(1).entries()) {
      const m = /^DevelopmentStorageProxyUri=(.*)$/.exec(part);
      if (!m) return r(`has part ${i + 2} after UseDevelopmentStorage=true; only DevelopmentStorageProxyUri=<url> may follow it`);
      if (!isHttpUrl(m[1])) return r("has a DevelopmentStorageProxyUri that is not an http(s) URL");
    }
    return undefined;
  }
  const values = new Map<ConnectionKey, string>();
  for (const [i, part] of parts.entries()) {
    const eq = part.indexOf("=");
    if (eq <= 0) return r(`has part ${i + 1} that is not key=value`);
    const key = part.slice(0, eq);
    if (!(CONNECTION_STRING_KEYS as readonly string[]).includes(key)) {
      return r(`has part ${i + 1} with a key that is not one of ${CONNECTION_STRING_KEYS.join(", ")} (keys are case-sensitive)`);
    }
    if (values.has(key as ConnectionKey)) return r(`gives ${key} twice`);
    const value = part.slice(eq + 1);
    if (value === "") return r(`has an empty ${key}`);
    values.set(key as ConnectionKey, value);
  }
  const protocol = values.get("DefaultEndpointsProtocol");
  if (protocol !== undefined && protocol !== "https" && protocol !== "http") return r("has a DefaultEndpointsProtocol that is neither https nor http");
  const account = values.get("AccountName");
  if (account !== undefined && !/^[a-z0-9]{3,24}$/.test(account)) return r("has an AccountName that is not a storage account name (3 to 24 lowercase letters and digits)");
  const key = values.get("AccountKey");
  if (key !== undefined && !(/^[A-Za-z0-9+/]+={0,2}$/.test(key) && key.length % 4 === 0)) return r("has an AccountKey that is not base64 (a key is copied whole, ending in '=' or '==')");
  for (const endpoint of ["BlobEndpoint", "QueueEndpoint", "TableEndpoint", "FileEndpoint"] as const) {
    const v = values.get(endpoint);
    if (v !== undefined && !isHttpUrl(v)) return r(`has a ${endpoint} that is not an http(s) URL`);
  }
  const suffix = values.get("EndpointSuffix");
  if (suffix !== undefined && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(suffix)) return r("has an EndpointSuffix that is not a domain (e.g. core.windows.net)");
  const sas = values.get("SharedAccessSignature");
  if (sas !== undefined && !/^\??[A-Za-z0-9%._~+-]+=[A-Za-z0-9%._~+:/=-]*(&[A-Za-z0-9%._~+-]+=[A-Za-z0-9%._~+:/=-]*)*$/.test(sas)) return r("has a SharedAccessSignature that is not a query string (its sv, se, sp and sig parameters)");
  if (sas !== undefined && !/(^|[?&])sig=[^&]+/.test(sas)) return r("has a SharedAccessSignature without its signature (the sig parameter)");
  if (key !== undefined && sas !== undefined) return r("has both an AccountKey and a SharedAccessSignature: give one");
  if (key !== undefined) {
    if (protocol === undefined) return r("has an AccountKey but no DefaultEndpointsProtocol (https)");
    if (account === undefined) return r("has an AccountKey but no AccountName");
    if (!values.has("BlobEndpoint") && suffix === undefined) return r("has an AccountKey but neither a BlobEndpoint nor an EndpointSuffix (core.windows.net)");
    return undefined;
  }
  if (sas !== undefined) {
    if (!values.has("BlobEndpoint")) return r("has a SharedAccessSignature but no BlobEndpoint");
    return undefined;
  }
  return r("has no credentials: neither an AccountKey nor a SharedAccessSignature");
}

/** The connection string, or a UsageError naming where it came from (never the string: it holds a key). */
export function checkConnectionString(cs: string, source = "--storage-connection-string"): string {
  const problem = connectionStringProblem(cs);
  if (problem) throw refused(`the storage connection string in ${source}`, undefined, problem);
  return cs.trim();
}

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
      const name = checkBackupName(request.name, request.label ?? "--name");
      let out: string;
      if (format === "plain") {
        if (name.endsWith(CUSTOM_EXTENSION)) throw new UsageError(`${shown(name)} is a custom-format name`, "add --format custom, or drop the .dump extension");
        out = name.endsWith(PLAIN_EXTENSION) ? name : name.endsWith(".sql") ? `${name}.gz` : `${name}${PLAIN_EXTENSION}`;
      } else {
        if (name.endsWith(PLAIN_EXTENSION)) throw new UsageError(`${shown(name)} is a plain SQL name`, "drop --format custom, or drop the .sql.gz extension");
        out = name.endsWith(CUSTOM_EXTENSION) ? name : `${name}${CUSTOM_EXTENSION}`;
      }
      return checkBackupName(out, request.label ?? "--name");
    }
    default: {
      const never: never = request;
      throw new UsageError(`unknown name request ${JSON.stringify(never)}`);
    }
  }
}

/** Names `--file <name>` may mean, in order: exact, then with .sql.gz, then with .dump. Refuses what is not a backup name. */
export function restoreCandidates(name: string, label = "--file"): string[] {
  const n = checkBackupName(name, label);
  if (n.endsWith(PLAIN_EXTENSION) || n.endsWith(CUSTOM_EXTENSION) || n.endsWith(".sql") || n.endsWith(".gz")) return [n];
  return [n, `${n}${PLAIN_EXTENSION}`, `${n}${CUSTOM_EXTENSION}`];
}

/** The safety backup taken before restoring into a live database: named after the restore. */
export function safetyBackupName(restoring: string, now: Date): string {
  const base = restoring.replace(/(\.sql\.gz|\.dump|\.sql|\.gz)$/, "");
  const stamp = `${day(now)}T${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}Z`;
  return `safety_before_restore_of_${base.slice(0, 120)}_${stamp}${PLAIN_EXTENSION}`;
}
