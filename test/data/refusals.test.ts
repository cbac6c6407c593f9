/**
 * Issue 9, the data side, sentence by sentence, against real PostgreSQL and Azurite through the
 * command line (`main` with a fake CliIO): every bad input is exit 2 with one line naming it and a
 * fix line, before any call; restore asks first and checks the backup before its safety backup;
 * fix lines match the cause.
 */
import { strict as assert } from "node:assert";
import { gzipSync } from "node:zlib";
import { BlobServiceClient } from "@azure/storage-blob";
import { main } from "../../recovery/cli/main";
import type { CliIO } from "../../recovery/cli/io";
import { AZURITE_KEY } from "../../recovery/data/azurite";
import { backupToBlob } from "../../recovery/data/backup";
import { parseArchiveHeader } from "../../recovery/data/pgtools";
import { listBackups } from "../../recovery/data/storage";
import type { DatabaseConnection, StorageLocation } from "../../recovery/data/types";
import { UsageError } from "../../recovery/errors";
import { psql } from "../../recovery/pg/psql";
import { createDataTools } from "../../recovery/runbook/data-tools";
import { createDatabase, failingDump, fingerprint, freshStorage, seed, startDataEnv, type DataEnv } from "../helpers/data";

interface Captured extends CliIO {
  stdout(): string;
  stderr(): string;
  questions: string[];
}

/** A CliIO; with `answers`, a terminal that answers each question in turn. */
function captureIO(env: NodeJS.ProcessEnv, answers?: string[]): Captured {
  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  const io: Captured = { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: answers !== undefined, env, stdout: () => out.join("\n"), stderr: () => err.join("\n"), questions };
  if (answers) {
    io.prompt = async (q) => {
      questions.push(q);
      return answers.shift() ?? "";
    };
  }
  return io;
}

const csOf = (s: StorageLocation): string => (s.kind === "connection-string" ? s.connectionString : "");
const containerOf = (s: StorageLocation) => BlobServiceClient.fromConnectionString(csOf(s)).getContainerClient(s.container);

async function upload(storage: StorageLocation, name: string, body: Buffer, container = storage.container): Promise<void> {
  const c = BlobServiceClient.fromConnectionString(csOf(storage)).getContainerClient(container);
  await c.createIfNotExists();
  await c.getBlockBlobClient(name).upload(body, body.length);
}

/** Exit 2: one line naming the input, one fix line; no stack trace. */
function assertUsage(code: number, io: Captured, named: RegExp): void {
  assert.equal(code, 2, io.stderr());
  const lines = io.stderr().trim().split("\n");
  assert.equal(lines.length, 2, `one line and a fix line:\n${io.stderr()}`);
  assert.match(lines[0], named);
  assert.match(lines[1], /^ {2}fix: \S/);
  assert.doesNotMatch(io.stderr(), /internal error|\n\s+at /);
}

/** Storage on a port where nothing listens: a call would fail with exit 4, so exit 2 proves there was none. */
const NOWHERE = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;`;

describe("issue 9, data side: refusals, restore asks first, fixes that match the cause", function () {
  this.timeout(120_000);
  let env: DataEnv;
  let source: DatabaseConnection;
  before(async () => {
    env = await startDataEnv();
    source = await createDatabase(env.cluster, "refsrc");
    await seed(source);
  });
  after(async () => env?.dispose());

  describe("--file ../other/name never escapes the container", () => {
    let storage: StorageLocation;
    let target: DatabaseConnection;
    let targetBefore: string;
    before(async () => {
      storage = freshStorage(env);
      // a real backup in another container, where `../other/name` would lead
      await backupToBlob(source, { ...storage, container: "other" }, "name.sql.gz");
      await containerOf(storage).createIfNotExists();
      target = await createDatabase(env.cluster, "escape");
      await seed(target);
      await psqlDeleteSome(target);
      targetBefore = await fingerprint(target);
    });

    const bad = ["../other/name", "..\\other\\name", "other/name", "/other/name", "a..b", "x\u0000y", "before\nfix", "tab\there", " ../other/name "];
    for (const file of bad) {
      it(`restore --file ${JSON.stringify(file)}: exit 2 naming it, nothing restored, no safety backup`, async () => {
        const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) });
        assertUsage(await main(["node", "aytq-dr", "restore", "--yes", "--database-url", target.url, "--file", file, "--container", storage.container], io), io, /^aytq-dr: --file ".*" (is a path|is not a backup name)/);
        assert.ok(io.stderr().split("\n")[0].includes(JSON.stringify(file)), "the input is named, control characters escaped");
        assert.equal(await fingerprint(target), targetBefore);
        assert.deepEqual(await listBackups(storage), []);
      });
    }

    it("backups verify --file ../other/name: exit 2, the other container's blob is not marked verified", async () => {
      const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) });
      assertUsage(await main(["node", "aytq-dr", "backups", "verify", "--file", "../other/name", "--container", storage.container], io), io, /--file "\.\.\/other\/name" is a path/);
      assert.equal((await listBackups({ ...storage, container: "other" }))[0].verified, false);
    });

    it("backup --name with a separator, '..' or a control character: exit 2, nothing written", async () => {
      for (const name of ["../other/x", "a\\b", "a..b", "x\ry"]) {
        const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) });
        assertUsage(await main(["node", "aytq-dr", "backup", "--database-url", source.url, "--name", name, "--container", storage.container], io), io, /^aytq-dr: --name "/);
      }
      assert.deepEqual(await listBackups(storage), []);
    });

    it("the runbooks' backups (safety, copy) and restores refuse such names too, in the data layer", async () => {
      const tools = createDataTools();
      await assert.rejects(tools.backup(source, storage, { name: "../other/copy.sql.gz" }), (e: unknown) => e instanceof UsageError && /backup name "\.\.\/other\/copy\.sql\.gz" is a path/.test(e.message));
      await assert.rejects(tools.restore(storage, "../other/name", target), (e: unknown) => e instanceof UsageError && /is a path/.test(e.message));
      assert.deepEqual(await listBackups(storage), []);
      assert.equal(await fingerprint(target), targetBefore);
    });
  });

  describe("container names and connection strings by Azure's rules, before any call", () => {
    for (const container of ["Bad_Name", "ab", "a--b", "-abc", "abc-", "x".repeat(64), "UPPER"]) {
      it(`--container ${container.length > 20 ? `${container.slice(0, 8)}... (${container.length})` : container}: exit 2 naming it`, async () => {
        const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: NOWHERE });
        assertUsage(await main(["node", "aytq-dr", "backups", "list", "--container", container], io), io, new RegExp(`^aytq-dr: --container "${container}" is not a container name`));
      });
    }

    const badStrings: [string, string, RegExp][] = [
      ["no credentials", "AccountName=devstoreaccount1", /has no credentials/],
      ["a key that is not base64", `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=not base64!;EndpointSuffix=core.windows.net`, /AccountKey that is not base64/],
      ["an unknown part", `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${AZURITE_KEY};Endpoint=x`, /key that is not one of/],
      ["a bare key", `DefaultEndpointsProtocol=https;AccountName=acct;${AZURITE_KEY}`, /has part 3 (that is not key=value|with a key that is not one of)/],
      ["a blob endpoint that is not a URL", `DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=${AZURITE_KEY};BlobEndpoint=127.0.0.1:10000`, /BlobEndpoint that is not an http\(s\) URL/],
      ["a SAS without a signature", "BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=sv=2022-11-02&ss=b", /without its signature/],
      ["just text", "hello", /not key=value/],
    ];
    for (const [what, cs, problem] of badStrings) {
      it(`a connection string with ${what}: exit 2 naming where it came from, never its value`, async () => {
        const flag = captureIO({});
        assertUsage(await main(["node", "aytq-dr", "backups", "list", "--container", "backups", "--storage-connection-string", cs], flag), flag, /^aytq-dr: the storage connection string in --storage-connection-string /);
        assert.match(flag.stderr(), problem);
        const fromEnv = captureIO({ AZURE_STORAGE_CONNECTION_STRING: cs });
        assertUsage(await main(["node", "aytq-dr", "backups", "list", "--container", "backups"], fromEnv), fromEnv, /in AZURE_STORAGE_CONNECTION_STRING /);
        for (const io of [flag, fromEnv]) {
          assert.doesNotMatch(io.stderr(), /\*\*\*/, "nothing in our own message needed masking");
          assert.ok(!io.stderr().includes(AZURITE_KEY.slice(0, 20)), "the key is never repeated");
          if (cs.length > 12) assert.ok(!io.stderr().includes(cs), "the string is never repeated");
        }
      });
    }

    it("a wrong AccountKey (valid base64) in a connection string: exit 4 with a fix about the key, not az login", async () => {
      const wrong = csOf(freshStorage(env)).replace(AZURITE_KEY, Buffer.alloc(64, 7).toString("base64"));
      const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: wrong });
      assert.equal(await main(["node", "aytq-dr", "backups", "list", "--container", "backups"], io), 4, io.stderr());
      assert.match(io.stderr(), /HTTP 403/);
      assert.match(io.stderr(), /fix: the storage account refused the AccountKey in the connection string: copy the key again/);
      assert.doesNotMatch(io.stderr(), /az login/);
      const restore = captureIO({ AZURE_STORAGE_CONNECTION_STRING: wrong });
      assert.equal(await main(["node", "aytq-dr", "restore", "--yes", "--database-url", source.url, "--file", "x", "--container", "backups"], restore), 4, restore.stderr());
      assert.match(restore.stderr(), /fix: the storage account refused the AccountKey/);
    });
  });

  describe("restore asks first", () => {
    let storage: StorageLocation;
    let target: DatabaseConnection;
    let targetBefore: string;
    before(async () => {
      storage = freshStorage(env);
      await backupToBlob(source, storage, "asked.sql.gz");
      target = await createDatabase(env.cluster, "asked");
      await seed(target);
      await psqlDeleteSome(target);
      targetBefore = await fingerprint(target);
    });

    it("without a terminal it needs --yes: exit 3, nothing changed, no safety backup", async () => {
      const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) });
      assert.equal(await main(["node", "aytq-dr", "restore", "--database-url", target.url, "--file", "asked", "--container", storage.container], io), 3);
      assert.match(io.stderr(), /no terminal to ask on; nothing was changed\n {2}fix: add --yes/);
      assert.equal(await fingerprint(target), targetBefore);
      assert.deepEqual((await listBackups(storage)).map((b) => b.name), ["asked.sql.gz"]);
    });

    it("on a terminal it names the backup and the target database and asks; 'n' changes nothing (exit 3)", async () => {
      const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) }, ["n"]);
      assert.equal(await main(["node", "aytq-dr", "restore", "--database-url", target.url, "--file", "asked", "--container", storage.container], io), 3, io.stderr());
      const db = new URL(target.url).pathname.slice(1);
      assert.equal(io.questions.length, 1);
      assert.match(io.questions[0], new RegExp(`^Restore asked\\.sql\\.gz \\([\\d.]+ KB\\) into 127\\.0\\.0\\.1/${db}\\? Everything in that database is replaced \\(a safety backup of it is taken first\\)\\. \\[y/N\\] $`));
      assert.match(io.stderr(), /not confirmed: asked\.sql\.gz was not restored into 127\.0\.0\.1\/\w+; nothing was changed/);
      assert.equal(await fingerprint(target), targetBefore);
      assert.deepEqual((await listBackups(storage)).map((b) => b.name), ["asked.sql.gz"], "no safety backup before the answer");
    });

    it("on a terminal, 'y' restores (after the safety backup)", async () => {
      const dst = await createDatabase(env.cluster, "askedyes");
      const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) }, ["y"]);
      assert.equal(await main(["node", "aytq-dr", "restore", "--database-url", dst.url, "--file", "asked", "--container", storage.container], io), 0, io.stderr());
      assert.equal(await fingerprint(dst), await fingerprint(source));
      assert.ok((await listBackups(storage)).some((b) => b.name.startsWith("safety_before_restore_of_asked_")));
    });

    it("production needs --confirm-production, then the stack name typed back on a terminal: anything else changes nothing", async () => {
      const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) }, ["prod"]);
      assert.equal(await main(["node", "aytq-dr", "restore", "--stack", "production", "--confirm-production", "--database-url", target.url, "--file", "asked", "--container", storage.container], io), 3, io.stderr());
      assert.match(io.questions[0], /Type the stack name \(production\)/);
      assert.match(io.stderr(), /you typed "prod", not "production": nothing was changed/);
      const noFlag = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) }, ["production", "y"]);
      assert.equal(await main(["node", "aytq-dr", "restore", "--stack", "production", "--yes", "--database-url", target.url, "--file", "asked", "--container", storage.container], noFlag), 3);
      assert.match(noFlag.stderr(), /needs --confirm-production/);
      assert.equal(noFlag.questions.length, 0);
      assert.equal(await fingerprint(target), targetBefore);
    });
  });

  describe("everything checkable about the backup is checked before the safety backup", () => {
    let storage: StorageLocation;
    let target: DatabaseConnection;
    let targetBefore: string;
    before(async () => {
      storage = freshStorage(env);
      target = await createDatabase(env.cluster, "prechk");
      await seed(target);
      targetBefore = await fingerprint(target);
    });
    afterEach(async () => assert.equal(await fingerprint(target), targetBefore, "the target changed"));

    const restore = async (file: string): Promise<Captured & { code: number }> => {
      const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) });
      const code = await main(["node", "aytq-dr", "restore", "--yes", "--database-url", target.url, "--file", file, "--container", storage.container], io);
      return Object.assign(io, { code });
    };
    const safetyBackups = async (): Promise<string[]> => (await listBackups(storage)).map((b) => b.name).filter((n) => n.startsWith("safety_"));

    it("missing: exit 2, no safety backup", async () => {
      const r = await restore("missing");
      assert.equal(r.code, 2);
      assert.deepEqual(await safetyBackups(), []);
    });

    it("empty (0 bytes): exit 4 naming it, no safety backup", async () => {
      await upload(storage, "empty.sql.gz", Buffer.alloc(0));
      const r = await restore("empty");
      assert.equal(r.code, 4);
      assert.match(r.stderr(), /backup empty\.sql\.gz is empty \(0 bytes\): it cannot be restored; nothing was restored\n {2}fix: pick another backup/);
      assert.deepEqual(await safetyBackups(), []);
    });

    it("not a backup (binary data), and not valid gzip: exit 4, no safety backup", async () => {
      await upload(storage, "junk.sql", Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00, 0x10]));
      assert.match((await restore("junk.sql")).stderr(), /backup junk\.sql is not a backup: it is neither gzip'd SQL, plain SQL nor a pg_dump archive/);
      await upload(storage, "badgz.sql.gz", Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(64, 0xee)]));
      const r = await restore("badgz");
      assert.equal(r.code, 4);
      assert.match(r.stderr(), /backup badgz\.sql\.gz is not valid gzip/);
      assert.deepEqual(await safetyBackups(), []);
    });

    it("written by a newer pg_dump (plain, and a custom archive): exit 4 naming both versions, no safety backup", async () => {
      await upload(storage, "future.sql.gz", gzipSync("--\n-- Dumped from database version 99.1\n-- Dumped by pg_dump version 99.1\nDROP TABLE teachers CASCADE;\n-- PostgreSQL database dump complete\n"));
      const plain = await restore("future");
      assert.equal(plain.code, 4);
      assert.match(plain.stderr(), /psql [\d.]+ is older than the pg_dump 99\.1 that wrote this backup; .*nothing was restored\n {2}fix: install the PostgreSQL 99 client tools/);
      await upload(storage, "future.dump", archiveHeader("99.1 (Debian 99.1-1)"));
      const custom = await restore("future.dump");
      assert.equal(custom.code, 4);
      assert.match(custom.stderr(), /pg_restore [\d.]+ is older than the pg_dump 99\.1 that wrote this archive/);
      assert.deepEqual(await safetyBackups(), []);
    });

    it("a failure after the safety backup names it, so it can be found", async () => {
      await upload(storage, "fails.sql.gz", failingDump());
      const r = await restore("fails");
      assert.equal(r.code, 4);
      const [safety] = await safetyBackups();
      assert.ok(safety, "a safety backup was taken (the backup passed every check made before it)");
      assert.match(r.stderr(), new RegExp(`ERROR:\\s+division by zero; the safety backup ${safety.replace(/\./g, "\\.")} holds 127\\.0\\.0\\.1/\\w+ as it was before \\(aytq-dr restore --file ${safety.replace(/\./g, "\\.")} puts it back\\)`));
    });
  });

  it("reads pg_dump's version from a real custom archive's header", async () => {
    const storage = freshStorage(env);
    const r = await backupToBlob(source, storage, "hdr.dump", { format: "custom" });
    const head = await containerOf(storage).getBlockBlobClient("hdr.dump").downloadToBuffer(0, 4096);
    const parsed = parseArchiveHeader(head);
    assert.equal(parsed?.text, r.pgDumpVersion.split(" ")[0].split(".").slice(0, 2).join("."));
    assert.equal(parseArchiveHeader(archiveHeader("99.1 (x)"))?.text, "99.1");
    assert.equal(parseArchiveHeader(Buffer.from("PGDMP")), undefined);
  });

  it("backup --nightly with --name: exit 2 naming both", async () => {
    const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: NOWHERE });
    assertUsage(await main(["node", "aytq-dr", "backup", "--nightly", "--name", "mine", "--database-url", source.url, "--container", "backups"], io), io, /^aytq-dr: --nightly and --name "mine" conflict/);
  });

  it("backups verify --into-url a database that is not empty: refused (exit 3), nothing changed, not marked verified", async () => {
    const storage = freshStorage(env);
    await backupToBlob(source, storage, "v.sql.gz");
    const busy = await createDatabase(env.cluster, "busy");
    await seed(busy);
    const busyBefore = await fingerprint(busy);
    const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) });
    assert.equal(await main(["node", "aytq-dr", "backups", "verify", "--file", "v", "--into-url", busy.url, "--container", storage.container], io), 3, io.stderr());
    assert.match(io.stderr(), /the --into-url database postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+ is not empty \(\d+ tables, views or sequences\): a verification restores over it; nothing was changed\n {2}fix: give an empty scratch database/);
    assert.equal(await fingerprint(busy), busyBefore);
    assert.equal((await listBackups(storage))[0].verified, false);
  });

  it("compare --copy and backup/restore --server take server names only: exit 2", async () => {
    for (const args of [["compare", "--stack", "test", "--copy", "Bad_Name"], ["backup", "--stack", "test", "--server", "../x"], ["restore", "--yes", "--stack", "test", "--file", "x", "--server", "UP"]]) {
      const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: NOWHERE });
      assertUsage(await main(["node", "aytq-dr", ...args], io), io, /^aytq-dr: --(copy|server) ".*" is not a server name/);
    }
  });
});

/** Change the target so a restore would be visible. */
async function psqlDeleteSome(db: DatabaseConnection): Promise<void> {
  await psql(db.url, "DELETE FROM qualifications WHERE id % 5 = 0");
}

/** The start of a custom archive (archive 1.14, 4-byte ints) claiming `pgDumpVersion`. */
function archiveHeader(pgDumpVersion: string): Buffer {
  const int = (n: number): Buffer => Buffer.from([n < 0 ? 1 : 0, ...[0, 1, 2, 3].map((i) => (Math.abs(n) >> (8 * i)) & 0xff)]);
  const str = (s: string): Buffer => Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]);
  return Buffer.concat([
    Buffer.from("PGDMP"),
    Buffer.from([1, 14, 0, 4, 8, 1]),
    int(-1),
    ...[0, 0, 0, 1, 0, 124, 0].map(int),
    str("aytq"),
    str("15.4"),
    str(pgDumpVersion),
    Buffer.alloc(256, 0),
  ]);
}
