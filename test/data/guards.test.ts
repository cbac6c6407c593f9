/** Issue 4, sentence by sentence: the guards and outputs of the data commands, against real PostgreSQL and Azurite. */
import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { BlobServiceClient } from "@azure/storage-blob";
import { main } from "../../recovery/cli/main";
import type { CliIO } from "../../recovery/cli/io";
import { backupToBlob } from "../../recovery/data/backup";
import { toolVersion } from "../../recovery/data/pgtools";
import { psql } from "../../recovery/pg/psql";
import { restoreFromBlob } from "../../recovery/data/restore";
import { listBackups } from "../../recovery/data/storage";
import { validateHealth } from "../../recovery/data/validate";
import { ToolError, UsageError } from "../../recovery/errors";
import type { StorageLocation } from "../../recovery/data/types";
import { createDatabase, fingerprint, freshStorage, seed, startDataEnv, type DataEnv } from "../helpers/data";

function captureIO(env: NodeJS.ProcessEnv, isTTY = false): CliIO & { stdout(): string; stderr(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t) => out.push(t), err: (t) => err.push(t), isTTY, env, stdout: () => out.join("\n"), stderr: () => err.join("\n") };
}

const containerArgs = (s: StorageLocation): string[] => ["--container", s.container];
const csOf = (s: StorageLocation): string => (s.kind === "connection-string" ? s.connectionString : "");

describe("data command guards and outputs (issue 4 audit)", function () {
  this.timeout(120_000);
  let env: DataEnv;
  before(async () => {
    env = await startDataEnv();
  });
  after(async () => env?.dispose());

  it("refuses to restore into production without --confirm-production, before touching storage or the database", async () => {
    const storage = freshStorage(env);
    const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) });
    assert.equal(await main(["node", "aytq-dr", "restore", "--yes", "--stack", "production", "--file", "x", ...containerArgs(storage)], io), 3);
    assert.match(io.stderr(), /restoring into production needs --confirm-production/);
    // test is not production: the same command gets past the guard and fails on the missing backup (exit 2)
    const io2 = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) });
    assert.equal(await main(["node", "aytq-dr", "restore", "--yes", "--stack", "test", "--file", "x", ...containerArgs(storage)], io2), 2);
    assert.match(io2.stderr(), /no backup named x or x\.sql\.gz or x\.dump/);
  });

  it("a restore of a missing backup fails before the safety backup: nothing is left behind, the target is unchanged", async () => {
    const storage = freshStorage(env);
    const target = await createDatabase(env.cluster, "miss");
    await seed(target);
    const before = await fingerprint(target);
    const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) });
    assert.equal(await main(["node", "aytq-dr", "restore", "--yes", "--database-url", target.url, "--file", "nope", ...containerArgs(storage)], io), 2);
    assert.deepEqual(await listBackups(storage), [], "no safety backup was taken");
    assert.equal(await fingerprint(target), before);
  });

  it("--file without an extension restores <name>.sql.gz, and the safety backup is named after it", async () => {
    const storage = freshStorage(env);
    const src = await createDatabase(env.cluster, "ext");
    await seed(src);
    await backupToBlob(src, storage, "plainname.sql.gz");
    const dst = await createDatabase(env.cluster, "extdst");
    const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) });
    assert.equal(await main(["node", "aytq-dr", "restore", "--yes", "--database-url", dst.url, "--file", "plainname", "--json", ...containerArgs(storage)], io), 0, io.stderr());
    const r = JSON.parse(io.stdout()) as { name: string; safetyBackup: string };
    assert.equal(r.name, "plainname.sql.gz");
    assert.match(r.safetyBackup, /^safety_before_restore_of_plainname_\d{4}-\d\d-\d\dT\d{6}Z\.sql\.gz$/);
    assert.equal(await fingerprint(dst), await fingerprint(src));
  });

  it("backups list: newest first by creation time, with size, source and verified, as a table or --json", async () => {
    const storage = freshStorage(env);
    const src = await createDatabase(env.cluster, "list");
    await seed(src);
    // created out of name order, so the order can only come from the creation time
    await backupToBlob(src, storage, "b-middle.sql.gz", { now: () => new Date("2024-02-01T00:00:00Z") });
    await backupToBlob(src, storage, "a-newest.sql.gz", { now: () => new Date("2024-03-01T00:00:00Z") });
    await backupToBlob(src, storage, "c-oldest.sql.gz", { now: () => new Date("2024-01-01T00:00:00Z") });
    const blob = BlobServiceClient.fromConnectionString(csOf(storage)).getContainerClient(storage.container).getBlockBlobClient("b-middle.sql.gz");
    const props = await blob.getProperties();
    await blob.setMetadata({ ...props.metadata, verified: "true", verifiedat: "2024-02-02T00:00:00.000Z" });

    const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) });
    assert.equal(await main(["node", "aytq-dr", "backups", "list", "--json", ...containerArgs(storage)], io), 0);
    const listed = JSON.parse(io.stdout()) as { name: string; verified: boolean; sourceServer: string; bytes: number }[];
    assert.deepEqual(listed.map((b) => b.name), ["a-newest.sql.gz", "b-middle.sql.gz", "c-oldest.sql.gz"]);
    assert.deepEqual(listed.map((b) => b.verified), [false, true, false]);
    assert.ok(listed.every((b) => b.sourceServer === "local-test" && b.bytes > 0));

    const table = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) });
    assert.equal(await main(["node", "aytq-dr", "backups", "list", ...containerArgs(storage)], table), 0);
    const lines = table.stdout().split("\n");
    assert.match(lines[0], /^name\s+size\s+age\s+data as of \(UTC\)\s+source\s+verified$/);
    assert.match(lines[1], /^a-newest\.sql\.gz\s+[\d.]+ KB\s+\d+ d\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+local-test\s+no$/);
    assert.match(lines[2], /^b-middle\.sql\.gz\s.*\syes 2024-02-02T00:00:00\.000Z$/);
  });

  it("backups verify --into-url restores into the given database and records verified=true", async () => {
    const storage = freshStorage(env);
    const src = await createDatabase(env.cluster, "vsrc");
    await seed(src);
    await backupToBlob(src, storage, "tobeverified.sql.gz");
    const scratch = await createDatabase(env.cluster, "scratch");
    const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) });
    assert.equal(await main(["node", "aytq-dr", "backups", "verify", "--file", "tobeverified", "--into-url", scratch.url, "--json", ...containerArgs(storage)], io), 0, io.stderr());
    const r = JSON.parse(io.stdout()) as { name: string; sha256Verified: boolean; tables: number; rows: number; recorded: boolean };
    assert.deepEqual([r.name, r.sha256Verified, r.tables, r.rows, r.recorded], ["tobeverified.sql.gz", true, 2, 2500, true]);
    assert.equal(await fingerprint(scratch), await fingerprint(src), "the restore landed in --into-url");
    assert.equal((await listBackups(storage))[0].verified, true);
  });

  it("progress: bytes and rate on stderr on a terminal; none otherwise; --json keeps stdout pure JSON", async () => {
    const storage = freshStorage(env);
    const src = await createDatabase(env.cluster, "prog");
    await seed(src);
    const tty = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) }, true);
    assert.equal(await main(["node", "aytq-dr", "backup", "--database-url", src.url, "--name", "p1", "--json", ...containerArgs(storage)], tty), 0);
    assert.match(tty.stderr(), /^upload [\d.]+ (B|KB|MB) at [\d.]+ (B|KB|MB)\/s$/m);
    assert.equal((JSON.parse(tty.stdout()) as { name: string }).name, "p1.sql.gz");
    const dst = await createDatabase(env.cluster, "progdst");
    const ttyRestore = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) }, true);
    assert.equal(await main(["node", "aytq-dr", "restore", "--yes", "--database-url", dst.url, "--file", "p1", "--no-safety-backup", ...containerArgs(storage)], ttyRestore), 0);
    assert.match(ttyRestore.stderr(), /^download [\d.]+ (B|KB|MB) of [\d.]+ (B|KB|MB) at [\d.]+ (B|KB|MB)\/s$/m);

    const pipe = captureIO({ AZURE_STORAGE_CONNECTION_STRING: csOf(storage) }, false);
    assert.equal(await main(["node", "aytq-dr", "backup", "--database-url", src.url, "--name", "p2", "--json", ...containerArgs(storage)], pipe), 0);
    assert.equal(pipe.stderr(), "", "nothing on stderr when not a terminal with --json");
    assert.doesNotMatch(pipe.stdout(), /at [\d.]+ (KB|MB)\/s/);
  });

  it("refuses a dump written by a newer pg_dump, naming both versions and the client to install; target unchanged", async () => {
    const storage = freshStorage(env);
    const target = await createDatabase(env.cluster, "newer");
    await seed(target);
    const before = await fingerprint(target);
    const sql = "--\n-- PostgreSQL database dump\n--\n-- Dumped from database version 99.1\n-- Dumped by pg_dump version 99.1\nDROP TABLE qualifications;\n-- PostgreSQL database dump complete\n";
    const c = BlobServiceClient.fromConnectionString(csOf(storage)).getContainerClient(storage.container);
    await c.createIfNotExists();
    const body = gzipSync(sql);
    await c.getBlockBlobClient("future.sql.gz").upload(body, body.length);
    const psqlVersion = await toolVersion("psql");
    const err = await restoreFromBlob(storage, "future", target).then(
      () => assert.fail("restored a dump from a newer pg_dump"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ToolError);
    assert.match(err.message, new RegExp(`psql ${psqlVersion.text.replace(".", "\\.")} is older than the pg_dump 99\\.1`));
    assert.match(err.hint ?? "", /postgresql-client-99/);
    assert.equal(await fingerprint(target), before);
    assert.equal((await psql(target.url, "SELECT count(*) FROM qualifications")).trim(), "2000");
  });

  describe("validate", () => {
    let server: http.Server;
    let base: string;
    let flaky = 0;
    const authSeen: string[] = [];
    before(async () => {
      server = http.createServer((req, res) => {
        authSeen.push(req.headers.authorization ?? "");
        if (req.url === "/flaky") {
          flaky++;
          res.statusCode = flaky < 3 ? 500 : 200;
          res.end();
        } else if (req.url === "/fail") {
          res.statusCode = 500;
          res.end();
        } else res.end("{}");
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => {
      server.closeAllConnections();
      server.close();
    });

    it("retries a failing URL until it answers 200", async () => {
      const [r] = await validateHealth([{ service: "flaky", url: `${base}/flaky` }], { attempts: 5, backoffMs: 10, deadlineMs: 5000 });
      assert.equal(r.ok, true);
      assert.equal(flaky, 3, "two 500s, then 200 on the third attempt");
    });

    it("stops retrying at the deadline, well before the attempts run out", async () => {
      const started = Date.now();
      const [r] = await validateHealth([{ service: "fail", url: `${base}/fail` }], { attempts: 100, backoffMs: 100, deadlineMs: 500 });
      assert.equal(r.ok, false);
      assert.match(r.error ?? "", /HTTP 500/);
      assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
    });

    it("refuses a URL with credentials before calling anything, and never prints them (issue 20: health endpoints are public)", async () => {
      authSeen.length = 0;
      await assert.rejects(
        validateHealth([
          { service: "ok", url: `${base}/ok` },
          { service: "creds", url: `http://ops:H3althPw%21@127.0.0.1:${new URL(base).port}/ok` },
        ], { attempts: 1, deadlineMs: 3000 }),
        (e: unknown) => e instanceof UsageError && /holds a user name or password/.test(e.message) && !/H3althPw|ops/.test(`${e.message}${e.hint ?? ""}`),
      );
      assert.deepEqual(authSeen, [], "nothing was called");
    });
  });
});
