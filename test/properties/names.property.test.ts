/**
 * Property tests of the data tools' names (issue 9): backup names (`--file`, `--name`), PTR copy
 * names (`--copy`, `--server`), container names and storage connection strings. For at least
 * 1,000 generated inputs each: a valid value (by an oracle written from Azure's rules, and by the
 * config model where it has the rule) or a UsageError whose one line names the input (cut, control
 * characters escaped; a connection string never repeated) with a fix; round trips where they
 * exist. Then a sample through the real command line (`main`, real Azurite): never an internal
 * error or a stack trace, exit 2 always with a `fix:` line, no key in any output.
 */
import { strict as assert } from "node:assert";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import fc from "fast-check";
import { parseSettings, setConfigPath } from "../../infra/config";
import { main } from "../../recovery/cli/main";
import type { CliIO } from "../../recovery/cli/io";
import { AZURITE_KEY, type AzuriteHandle } from "../../recovery/data/azurite";
import { fileAzurite } from "../helpers/data";
import { backupName, checkBackupName, checkConnectionString, checkContainerName, CONNECTION_STRING_KEYS, connectionStringProblem, MAX_BACKUP_NAME_CHARS, shown } from "../../recovery/data/names";
import { checkCopyName } from "../../recovery/config/copy-name";
import { readStackConfig } from "../../recovery/config/stackfile";
import { EXIT, ToolError, UsageError } from "../../recovery/errors";

/** Generated cases per parser. */
const RUNS = 1000;
/** Generated cases through `main`, per parser. */
const MAIN_RUNS = 80;

function outcome<T>(fn: () => T): { value: T } | { refused: UsageError } {
  try {
    return { value: fn() };
  } catch (err) {
    if (err instanceof UsageError) return { refused: err };
    throw err; // anything else is a crash: the property fails
  }
}

/** A refusal: one line that starts with `prefix`, no stack, a fix. */
function assertRefusal(err: UsageError, prefix: string): void {
  assert.ok(err.message.startsWith(prefix), `${JSON.stringify(err.message.slice(0, 300))} does not start with ${JSON.stringify(prefix.slice(0, 100))}`);
  assert.ok(!err.message.includes("\n"), "one line");
  assert.ok(err.message.length < 700, `${err.message.length} characters`);
  assert.ok((err.hint ?? "").length > 10, "a fix");
  assert.ok(!(err.hint ?? "").includes("\n"));
}

// ---- generators ---------------------------------------------------------------------------------

const NAME_CHARS = "abcxyzABCXYZ0189._-";
const nameish = fc.oneof(
  fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 1, maxLength: 30 }),
  fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 190, maxLength: 230 }),
);
/** Backup-name-like strings broken in every way that matters: separators, '..', control characters, unicode, spaces. */
const backupNameInput = fc.oneof(
  { weight: 3, arbitrary: nameish },
  { weight: 3, arbitrary: fc.array(fc.oneof(nameish, fc.constantFrom("/", "\\", "..", ".", " ", "\u0000", "\n", "\t", "\u007f", "\u0085", "é", "😀", "%2F", "?", "#", ":", "*")), { minLength: 1, maxLength: 6 }).map((p) => p.join("")) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "../other/name", "..", ".", "a..b", "/x", "x/", "C:\\x", "x".repeat(100_000)) },
);

const LOWER = "abcz0189-";
/** Container- and server-name-like strings around every boundary (length 2/3/63/64, hyphens at the ends and doubled, case). */
const azureNameInput = fc.oneof(
  fc.string({ unit: fc.constantFrom(...LOWER), minLength: 0, maxLength: 70 }),
  fc.string({ unit: fc.constantFrom(...LOWER, "A", "_", ".", " ", "/"), minLength: 1, maxLength: 66 }),
  fc.integer({ min: 1, max: 66 }).chain((n) => fc.string({ unit: fc.constantFrom("a", "1", "-"), minLength: n, maxLength: n })),
  fc.string({ maxLength: 70 }),
  fc.constantFrom("database-backup", "a--b", "-abc", "abc-", "ab", "abc", "x".repeat(63), "x".repeat(64), "ABC", "é-backup"),
);

/** The generated parts of a connection string, with how Azure would judge each. */
const B64_KEY = Buffer.alloc(64, 7).toString("base64");
const keyName = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...CONNECTION_STRING_KEYS) }, { weight: 1, arbitrary: fc.constantFrom("accountkey", "ACCOUNTNAME", "Endpoint", "UseDevelopmentStorage", "") });
const partValue = (key: string): fc.Arbitrary<string> => {
  switch (key) {
    case "DefaultEndpointsProtocol":
      return fc.constantFrom("https", "http", "ftp", "HTTPS", "");
    case "AccountName":
      return fc.constantFrom("devstoreaccount1", "acct", "Acct", "a", "x".repeat(25), "");
    case "AccountKey":
      return fc.constantFrom(AZURITE_KEY, B64_KEY, "not base64!", "abc", "abcd", "", B64_KEY.slice(0, -1));
    case "BlobEndpoint":
    case "QueueEndpoint":
    case "TableEndpoint":
    case "FileEndpoint":
      return fc.constantFrom("http://127.0.0.1:1/devstoreaccount1", "https://acct.blob.core.windows.net", "127.0.0.1:1", "ftp://x", "");
    case "EndpointSuffix":
      return fc.constantFrom("core.windows.net", "core.chinacloudapi.cn", "nodot", "bad suffix", "");
    case "SharedAccessSignature":
      return fc.constantFrom("sv=2022-11-02&ss=b&srt=sco&sp=rwl&se=2030-01-01T00:00:00Z&sig=abc%2Bdef%3D", "?sv=2022-11-02&sig=xyz", "sv=2022-11-02", "not a query", "");
    default:
      return fc.string({ maxLength: 12 });
  }
};
const part = keyName.chain((k) => partValue(k).map((v) => ({ k, v })));
const connectionStringInput = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.array(part, { maxLength: 7 }), fc.constantFrom(";", "; ", ";;"), fc.boolean()).map(([parts, sep, trailing]) => parts.map((p) => `${p.k}=${p.v}`).join(sep) + (trailing ? ";" : "")) },
  { weight: 1, arbitrary: fc.constantFrom("UseDevelopmentStorage=true", "UseDevelopmentStorage=true;", "UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://127.0.0.1:1", "UseDevelopmentStorage=false", "usedevelopmentstorage=true", "UseDevelopmentStorage=true;AccountKey=x") },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 1, arbitrary: fc.constantFrom(`DefaultEndpointsProtocol=https;AccountName=acct;${B64_KEY}`, B64_KEY, `AccountKey=${B64_KEY}\n`, "") },
);
/** Connection strings built only from parts Azure accepts: every one must be accepted. */
const wellFormedConnectionString = fc.oneof(
  fc.record({ protocol: fc.constantFrom("https", "http"), account: fc.constantFrom("devstoreaccount1", "acct123"), key: fc.constantFrom(AZURITE_KEY, B64_KEY), endpoint: fc.constantFrom<"suffix" | "blob" | "both">("suffix", "blob", "both"), trailing: fc.boolean() }).map(
    (r) =>
      [`DefaultEndpointsProtocol=${r.protocol}`, `AccountName=${r.account}`, `AccountKey=${r.key}`, ...(r.endpoint !== "blob" ? ["EndpointSuffix=core.windows.net"] : []), ...(r.endpoint !== "suffix" ? [`BlobEndpoint=http://127.0.0.1:1/${r.account}`] : [])].join(";") +
      (r.trailing ? ";" : ""),
  ),
  fc.constantFrom("BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=sv=2022-11-02&sp=rl&sig=abc%3D", "BlobEndpoint=https://acct.blob.core.windows.net/;QueueEndpoint=https://acct.queue.core.windows.net/;SharedAccessSignature=?sv=2022-11-02&sig=x", "UseDevelopmentStorage=true"),
);

// ---- oracles (Azure's rules, written independently of the code under test) ----------------------

const backupOracle = (s: string): boolean => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s) && s.length <= MAX_BACKUP_NAME_CHARS && !s.includes("..") && !s.endsWith(".");
const containerOracle = (s: string): boolean => s.length >= 3 && s.length <= 63 && /^[a-z0-9-]+$/.test(s) && !s.startsWith("-") && !s.endsWith("-") && !s.includes("--");
const serverOracle = (s: string): boolean => s.length >= 3 && s.length <= 63 && /^[a-z0-9-]+$/.test(s) && !s.startsWith("-") && !s.endsWith("-");

const baseConfig = readStackConfig("test");
const liveServerName = parseSettings(baseConfig).database.serverName;
/** Whether the config model (infra/config/) accepts `value` at `path` (a string is passed as itself, never read as JSON). */
function configAccepts(path: string, value: unknown): boolean {
  try {
    parseSettings(setConfigPath(baseConfig, path, typeof value === "string" ? JSON.stringify(value) : value));
    return true;
  } catch {
    return false;
  }
}

describe("property: data names", () => {
  it("backup names: exactly the names Azure-safe blob names allow (no separator, no '..', no control character, at most 200), else a refusal naming the input", () => {
    fc.assert(
      fc.property(backupNameInput, (input) => {
        const o = outcome(() => checkBackupName(input, "--file"));
        const trimmed = input.replace(/^ +| +$/g, "");
        assert.equal("value" in o, backupOracle(trimmed), `${JSON.stringify(input.slice(0, 200))}: ${"refused" in o ? o.refused.message : "accepted"}`);
        if ("value" in o) assert.equal(o.value, trimmed);
        else assertRefusal(o.refused, `--file ${shown(input)} `);
      }),
      { numRuns: RUNS },
    );
  });

  it("backup names: round trip, a valid name is accepted as itself, and backupName(given) is idempotent and accepted", () => {
    const valid = fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 1, maxLength: 190 }).filter((s) => backupOracle(s) && !/\.(sql|gz|dump)$/.test(s));
    fc.assert(
      fc.property(valid, fc.constantFrom<"plain" | "custom">("plain", "custom"), (name, format) => {
        assert.equal(checkBackupName(name), name);
        const once = backupName({ kind: "given", name, format });
        assert.equal(checkBackupName(once), once);
        assert.equal(backupName({ kind: "given", name: once, format }), once);
      }),
      { numRuns: RUNS },
    );
  });

  it("container names: Azure's rule, the same as the config model's backup.containerName, else a refusal naming the input", () => {
    fc.assert(
      fc.property(azureNameInput, (input) => {
        const o = outcome(() => checkContainerName(input, "--container"));
        assert.equal("value" in o, containerOracle(input), `${JSON.stringify(input)}: ${"refused" in o ? o.refused.message : "accepted"}`);
        assert.equal("value" in o, configAccepts("backup.containerName", input), `the config model disagrees on ${JSON.stringify(input)}`);
        if ("refused" in o) assertRefusal(o.refused, `--container ${shown(input)} `);
        else assert.equal(o.value, input);
      }),
      { numRuns: RUNS },
    );
  });

  it("copy names: a server name by Azure's rule, the same as the config model's recovery.ptrCopies[].name, else a refusal naming the input", () => {
    fc.assert(
      fc.property(azureNameInput, (input) => {
        const o = outcome(() => checkCopyName(input, "--copy"));
        assert.equal("value" in o, serverOracle(input), `${JSON.stringify(input)}: ${"refused" in o ? o.refused.message : "accepted"}`);
        assert.equal("value" in o, configAccepts("recovery.ptrCopies", [{ name: input, restorePointUTC: "2024-07-24T06:00:00Z" }]) || input === liveServerName, `the config model disagrees on ${JSON.stringify(input)}`);
        if ("refused" in o) assertRefusal(o.refused, `--copy ${shown(input)} `);
      }),
      { numRuns: RUNS },
    );
  });

  it("connection strings: what we accept the SDK accepts (a URL and a key or SAS credential); a refusal names the source, never a value", () => {
    fc.assert(
      fc.property(connectionStringInput, (cs) => {
        const o = outcome(() => checkConnectionString(cs, "AZURE_STORAGE_CONNECTION_STRING"));
        if ("value" in o) {
          const service = BlobServiceClient.fromConnectionString(o.value);
          const url = new URL(service.url);
          assert.ok(url.protocol === "http:" || url.protocol === "https:", service.url);
          if (/(^|;)\s*AccountKey=/.test(o.value) || o.value.startsWith("UseDevelopmentStorage=true")) assert.ok(service.credential instanceof StorageSharedKeyCredential, "a key credential");
          else assert.match(service.url, /[?&]sig=/, "a SAS in the URL");
        } else {
          assertRefusal(o.refused, "the storage connection string in AZURE_STORAGE_CONNECTION_STRING ");
          const text = `${o.refused.message} ${o.refused.hint ?? ""}`;
          for (const secret of [AZURITE_KEY, B64_KEY, "abc%2Bdef", "sig=x"]) assert.ok(!text.includes(secret.slice(0, 10)), `a secret in ${text}`);
          // the message never repeats the string; the fix is fixed text, which may itself contain a
          // short input (`UseDevelopmentStorage=` is part of "give UseDevelopmentStorage=true")
          if (cs.length >= 16) assert.ok(!o.refused.message.includes(cs), "the string is not repeated");
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("connection strings: every string built from parts Azure accepts is accepted, and reads back as itself", () => {
    fc.assert(
      fc.property(wellFormedConnectionString, (cs) => {
        assert.equal(checkConnectionString(cs), cs.trim());
      }),
      { numRuns: RUNS },
    );
  });

  describe("a sample through the command line (main, real Azurite)", function () {
    this.timeout(300_000);
    let azurite: AzuriteHandle;
    before(async () => {
      azurite = await fileAzurite();
    });
    after(async () => azurite?.stop());

    function io(env: NodeJS.ProcessEnv): CliIO & { err: (t: string) => void; text(): string; errText(): string } {
      const out: string[] = [];
      const errs: string[] = [];
      return {
        out: (t) => out.push(t),
        err: (t) => errs.push(t),
        isTTY: false,
        env,
        text: () => [...out, ...errs].join("\n"),
        errText: () => errs.join("\n"),
        openTunnel: async () => {
          throw new ToolError("no cluster in this test", "nothing: a test's stand-in");
        },
      };
    }

    /** The contract for one run of main. */
    function assertContract(cli: ReturnType<typeof io>, code: number, input: string): void {
      const text = cli.text();
      assert.notEqual(code, EXIT.internal, `internal error for ${JSON.stringify(input.slice(0, 200))}:\n${text.slice(0, 2000)}`);
      assert.doesNotMatch(text, /\n\s+at \S+ \(|internal error/, `a stack trace for ${JSON.stringify(input.slice(0, 200))}`);
      assert.ok([EXIT.ok, EXIT.usage, EXIT.refused, EXIT.failed].includes(code as 0), `exit ${code}`);
      if (code === EXIT.usage) assert.match(cli.errText(), /\n {2}fix: \S/, `exit 2 without a fix for ${JSON.stringify(input.slice(0, 200))}:\n${cli.errText()}`);
      assert.ok(cli.errText().length < 3000, `${cli.errText().length} characters of messages`);
      assert.ok(!text.includes(AZURITE_KEY.slice(0, 16)) && !text.includes(B64_KEY.slice(0, 16)), "a key in the output");
    }

    const DOWN = "postgres://postgres:pw@127.0.0.1:1/nothing";

    it("restore --file and backup --name: exit 2 with a fix, or past the name (not found / database down)", async () => {
      await fc.assert(
        fc.asyncProperty(backupNameInput, async (name) => {
          const env = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString };
          const r = io(env);
          assertContract(r, await main(["node", "aytq-dr", "restore", "--yes", "--database-url", DOWN, "--file", name, "--container", "props"], r), name);
          const b = io(env);
          assertContract(b, await main(["node", "aytq-dr", "backup", "--database-url", DOWN, "--name", name, "--container", "props"], b), name);
        }),
        { numRuns: MAIN_RUNS },
      );
    });

    it("--container and compare --copy: exit 2 with a fix, or past the name", async () => {
      const listed = new Set<number>();
      await fc.assert(
        fc.asyncProperty(azureNameInput, async (name) => {
          const l = io({ AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString });
          const code = await main(["node", "aytq-dr", "backups", "list", "--container", name], l);
          listed.add(code);
          assertContract(l, code, name);
          assert.equal(code === EXIT.ok, containerOracle(name), `backups list --container ${JSON.stringify(name)}: exit ${code}`);
          const c = io({});
          assertContract(c, await main(["node", "aytq-dr", "compare", "--stack", "test", "--copy", name], c), name);
        }),
        { numRuns: MAIN_RUNS },
      );
      assert.ok(listed.has(EXIT.ok) && listed.has(EXIT.usage), `valid and invalid names both in the sample: ${[...listed].join(", ")}`);
    });

    it("--storage-connection-string and AZURE_STORAGE_CONNECTION_STRING (Azurite's, mutated): exit 2 with a fix, or Azurite answers (0, or 4 for a wrong key)", async () => {
      const mutated = fc.oneof(
        // the generic strings that are refused (an accepted one would send the SDK, with its retries, to a host that is not there)
        connectionStringInput.filter((cs) => connectionStringProblem(cs) !== undefined),
        fc.array(fc.constantFrom<(s: string) => string>(
          (s) => s.replace("AccountKey=", "accountkey="),
          (s) => s.replace(AZURITE_KEY, B64_KEY),
          (s) => s.replace(AZURITE_KEY, "not base64!"),
          (s) => s.replace("DefaultEndpointsProtocol=http;", ""),
          (s) => `${s};AccountName=devstoreaccount1`,
          (s) => s.replace("BlobEndpoint=http://", "BlobEndpoint=") ,
          (s) => ` ${s}; `,
          (s) => s.split(";").reverse().join(";"),
        ), { maxLength: 3 }).map((fs) => fs.reduce((s, f) => f(s), azurite.connectionString)),
      );
      const codes = new Set<number>();
      await fc.assert(
        fc.asyncProperty(mutated, fc.boolean(), async (cs, viaFlag) => {
          const cli = io(viaFlag ? {} : { AZURE_STORAGE_CONNECTION_STRING: cs });
          const code = await main(["node", "aytq-dr", "backups", "list", "--container", "props", ...(viaFlag ? ["--storage-connection-string", cs] : [])], cli);
          codes.add(code);
          assertContract(cli, code, cs);
          // (an empty AZURE_STORAGE_CONNECTION_STRING counts as unset: "no storage given")
          if (code === EXIT.usage && /connection string/.test(cli.errText())) assert.match(cli.errText(), viaFlag ? /in --storage-connection-string/ : /in AZURE_STORAGE_CONNECTION_STRING/);
        }),
        {
          numRuns: MAIN_RUNS,
          // one of each outcome always, before the random ones (a random sample of MAIN_RUNS missed the wrong key now and then)
          examples: [
            [azurite.connectionString, true],
            [azurite.connectionString.replace(AZURITE_KEY, B64_KEY), false],
            [azurite.connectionString.replace(AZURITE_KEY, "not base64!"), true],
          ],
        },
      );
      assert.ok(codes.has(EXIT.usage) && codes.has(EXIT.ok) && codes.has(EXIT.failed), `the sample reached refusals, Azurite's answers and its refusals of a wrong key: ${[...codes].join(", ")}`);
    });
  });
});
