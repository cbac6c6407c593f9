import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { main } from "../../recovery/cli/main";
import type { CliIO } from "../../recovery/cli/io";
import { withDatabase } from "../../recovery/data/pgtools";
import { psql } from "../../recovery/pg/psql";
import { validateHealth } from "../../recovery/data/validate";
import { createDatabase, fingerprint, seed, startDataEnv, type DataEnv } from "../helpers/data";

const PASSWORD = "Pa55wordThatMustNotLeak";

function captureIO(env: NodeJS.ProcessEnv = {}): CliIO & { text(): string; stdout(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false, env, text: () => [...out, ...err].join("\n"), stdout: () => out.join("\n") };
}

/** The same database, with a password in the URL (the cluster trusts loopback, so it is accepted). */
const withPassword = (url: string): string => url.replace("postgres@", `postgres:${PASSWORD}@`);

describe("data commands (aytq-dr backup, restore, backups, compare, validate)", function () {
  this.timeout(120_000);
  let env: DataEnv;
  before(async () => {
    env = await startDataEnv();
  });
  after(async () => env?.dispose());

  it("backs up, lists, restores (with a safety backup) and compares; no password or account key in any output", async () => {
    const src = await createDatabase(env.cluster, "clisrc");
    await seed(src);
    const dst = await createDatabase(env.cluster, "clidst");
    const srcUrl = withPassword(src.url);
    const dstUrl = withPassword(dst.url);
    const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: env.azurite.connectionString });
    const storage = ["--container", "cli"];

    assert.equal(await main(["node", "aytq-dr", "backup", "--database-url", srcUrl, "--name", "cli-one", ...storage], io), 0);
    assert.match(io.stdout(), /backup cli-one\.sql\.gz: .* sha256 [0-9a-f]{64}/);
    assert.equal(await main(["node", "aytq-dr", "backup", "--database-url", srcUrl, "--name", "cli-one", ...storage], io), 3, "write-once refusal exits 3");

    assert.equal(await main(["node", "aytq-dr", "compare", "--database-url", srcUrl, "--database-url", dstUrl], io), 1, "different -> 1");
    assert.match(io.stdout(), /DIFFERENT: 2 of 2 tables differ/);
    // the seeded tables are only in A: every row is only there, and the table says so
    assert.match(io.stdout(), /public\.teachers\s+primary key \(id\)\s+500\s+\(no table\)\s+0\s+500\s+-\n/);
    assert.match(io.stdout(), /public\.teachers: table only in live/);

    assert.equal(await main(["node", "aytq-dr", "restore", "--yes", "--database-url", dstUrl, "--file", "cli-one", ...storage], io), 0);
    assert.equal(await fingerprint(dst), await fingerprint(src));
    assert.equal(await main(["node", "aytq-dr", "compare", "--database-url", srcUrl, "--database-url", dstUrl, "--json"], io), 0, "equal -> 0");
    await psql(dst.url, "DELETE FROM qualifications WHERE id <= 10; UPDATE teachers SET name = 'changed' WHERE id = 7");
    const diffIO = captureIO({});
    assert.equal(await main(["node", "aytq-dr", "compare", "--database-url", srcUrl, "--database-url", dstUrl, "--json"], diffIO), 1, "different -> 1");
    const diff = JSON.parse(diffIO.stdout()) as { tables: { table: string; key: string; onlyInCopy: number; onlyInLive: number; changed: number | null }[] };
    assert.deepEqual(
      diff.tables.map((t) => [t.table, t.key, t.onlyInCopy, t.onlyInLive, t.changed]),
      [["public.qualifications", "primary key (id)", 0, 10, 0], ["public.teachers", "primary key (id)", 0, 0, 1]],
    );

    const listIO = captureIO({ AZURE_STORAGE_CONNECTION_STRING: env.azurite.connectionString });
    assert.equal(await main(["node", "aytq-dr", "backups", "list", "--json", ...storage], listIO), 0);
    const listed = JSON.parse(listIO.stdout()) as { name: string; verified: boolean; sourceServer?: string }[];
    assert.equal(listed.length, 2);
    // --database-url on 127.0.0.1: the source is the whole address, not its first label "127"
    assert.equal(listed.find((b) => b.name === "cli-one.sql.gz")?.sourceServer, "127.0.0.1");
    assert.ok(listed.some((b) => b.name.startsWith("safety_before_restore_of_cli-one_")), "a safety backup was taken first");
    assert.ok(listed.some((b) => b.name === "cli-one.sql.gz"));

    assert.equal(await main(["node", "aytq-dr", "restore", "--yes", "--database-url", withPassword(withDatabase(src.url, "missingdb")), "--file", "cli-one", "--no-safety-backup", ...storage], io), 4);

    const all = io.text() + listIO.text();
    assert.doesNotMatch(all, new RegExp(PASSWORD));
    assert.doesNotMatch(all, /AccountKey=Eby8/);
  });

  it("backups verify restores into a throwaway cluster and records verified=true", async () => {
    const src = await createDatabase(env.cluster, "versrc");
    await seed(src);
    const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: env.azurite.connectionString });
    const storage = ["--container", "verify"];
    assert.equal(await main(["node", "aytq-dr", "backup", "--database-url", src.url, "--name", "v", ...storage], io), 0);
    assert.equal(await main(["node", "aytq-dr", "backups", "verify", "--file", "v", ...storage, "--json"], io), 0, io.text());
    const listIO = captureIO({ AZURE_STORAGE_CONNECTION_STRING: env.azurite.connectionString });
    await main(["node", "aytq-dr", "backups", "list", "--json", ...storage], listIO);
    const [b] = JSON.parse(listIO.stdout()) as { name: string; verified: boolean; sha256: string }[];
    assert.equal(b.verified, true);
    assert.match(b.sha256, /^[0-9a-f]{64}$/);
    const rows = Number((await psql(src.url, "SELECT (SELECT count(*) FROM teachers) + (SELECT count(*) FROM qualifications)")).trim());
    assert.match(io.stdout(), new RegExp(`"rows": ${rows}`));
  });

  describe("validate", () => {
    let server: http.Server;
    let base: string;
    before(async () => {
      server = http.createServer((req, res) => {
        if (req.url === "/ok") res.end("{}");
        else if (req.url === "/fail") {
          res.statusCode = 500;
          res.end("boom");
        } // "/never": no answer at all
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => {
      server.closeAllConnections();
      server.close();
    });

    it("reports 200 as ok, 500 and no answer as failures, within the deadline", async () => {
      const started = Date.now();
      const results = await validateHealth(
        [
          { service: "ok", url: `${base}/ok` },
          { service: "fail", url: `${base}/fail` },
          { service: "never", url: `${base}/never` },
        ],
        { attempts: 3, backoffMs: 50, requestTimeoutMs: 300, deadlineMs: 3000 },
      );
      const by = Object.fromEntries(results.map((r) => [r.service, r]));
      assert.equal(by.ok.ok, true);
      assert.equal(by.ok.status, 200);
      assert.ok((by.ok.latencyMs ?? -1) >= 0);
      assert.equal(by.fail.ok, false);
      assert.equal(by.fail.status, 500);
      assert.equal(by.never.ok, false);
      assert.equal(by.never.status, null);
      assert.match(by.never.error ?? "", /no answer in time/);
      assert.ok(Date.now() - started < 3000);
    });

    it("aytq-dr validate exits 1 when any URL fails and 0 when all pass", async () => {
      const io = captureIO();
      assert.equal(await main(["node", "aytq-dr", "validate", "--url", `${base}/ok`, "--url", `${base}/fail`, "--attempts", "2", "--deadline-seconds", "2"], io), 1);
      assert.match(io.stdout(), /FAILED: HTTP 500/);
      assert.equal(await main(["node", "aytq-dr", "validate", "--url", `${base}/ok`], captureIO()), 0);
    });

    it("aytq-dr validate refuses a bad --url, --attempts or --deadline-seconds as a usage error, without a stack trace or the URL", async () => {
      for (const args of [["--url", `not a url ${PASSWORD}`], ["--url", `ftp://u:${PASSWORD}@host/x`], ["--url", `${base}/ok`, "--attempts", "abc"], ["--url", `${base}/ok`, "--deadline-seconds", "0"]]) {
        const io = captureIO();
        assert.equal(await main(["node", "aytq-dr", "validate", ...args], io), 2, args.join(" "));
        assert.match(io.text(), /fix: /);
        assert.doesNotMatch(io.text(), /internal error|    at |FAILED/);
        assert.ok(!io.text().includes(PASSWORD));
      }
    });
  });
});
