/**
 * Secrets against a server that really checks them (issue 9: the earlier "password never leaks"
 * tests ran against clusters that accept any password). The cluster asks for scram-sha-256 over
 * TCP; every data command runs with the right password, a wrong one and none: the right one
 * works, a refused one gets a fix about the credentials (not "is the server running"), and no
 * password, right or wrong, encoded or not, appears in any output.
 */
import { strict as assert } from "node:assert";
import { main } from "../../recovery/cli/main";
import { backupToBlob } from "../../recovery/data/backup";
import type { CliIO } from "../../recovery/cli/io";
import { psql } from "../../recovery/pg/psql";
import { connection, createDatabase, fingerprint, requirePasswords, seed, startDataEnv, type DataEnv } from "../helpers/data";

const PASSWORD = "S3cret-pw_That/Must@Not:Leak%";
const WRONG = "Wr0ng-pw_Also/Secret@x:%";

function captureIO(env: NodeJS.ProcessEnv): CliIO & { all(): string; stdout(): string; stderr(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false, env, all: () => [...out, ...err].join("\n"), stdout: () => out.join("\n"), stderr: () => err.join("\n") };
}

/** `url` with `password` in it (URL-encoded, as an operator would write it). */
const withPassword = (url: string, password: string | undefined): string => {
  const u = new URL(url);
  u.password = password === undefined ? "" : encodeURIComponent(password);
  return u.toString();
};

function assertNoSecret(text: string): void {
  for (const secret of [PASSWORD, WRONG]) {
    for (const form of [secret, encodeURIComponent(secret), secret.slice(0, 12)]) assert.ok(!text.includes(form), `a password (${form.slice(0, 3)}...) in the output:\n${text}`);
  }
}

describe("secrets against a cluster with password authentication (scram-sha-256)", function () {
  this.timeout(120_000);
  let env: DataEnv;
  let srcUrl: string;
  let dstUrl: string;
  let scratchUrl: string;
  let cs: Record<string, string>;

  before(async () => {
    // requirePasswords changes the whole cluster's authentication: not on the cluster the next file shares
    env = await startDataEnv({ ownCluster: true });
    const src = await createDatabase(env.cluster, "pwsrc");
    await seed(src);
    const dst = await createDatabase(env.cluster, "pwdst");
    const scratch = await createDatabase(env.cluster, "pwscratch");
    await requirePasswords(env.cluster, PASSWORD);
    [srcUrl, dstUrl, scratchUrl] = [src.url, dst.url, scratch.url].map((u) => withPassword(u, PASSWORD));
    cs = { AZURE_STORAGE_CONNECTION_STRING: env.azurite.connectionString };
    // the backup the refused commands would read (each test stands alone)
    await backupToBlob(connection(srcUrl), { kind: "connection-string", connectionString: env.azurite.connectionString, container: "pwok" }, "pw-one.sql.gz");
  });
  after(async () => env?.dispose());

  it("the cluster really refuses a wrong password and no password", async () => {
    await assert.rejects(psql(withPassword(srcUrl, WRONG), "SELECT 1"), /password authentication failed/);
    await assert.rejects(psql(withPassword(srcUrl, undefined), "SELECT 1"), /no password supplied|password authentication failed/);
    assert.equal((await psql(srcUrl, "SELECT count(*) FROM teachers")).trim(), "500");
  });

  it("with the right password: backup, list, restore (safety backup), compare, verify --into-url; no password in any output", async () => {
    const io = captureIO(cs);
    const storage = ["--container", "pwok"];
    assert.equal(await main(["node", "aytq-dr", "backup", "--database-url", srcUrl, "--name", "pw-two", "--json", ...storage], io), 0, io.stderr());
    assert.equal(await main(["node", "aytq-dr", "backups", "list", "--json", ...storage], io), 0, io.stderr());
    assert.equal(await main(["node", "aytq-dr", "restore", "--yes", "--database-url", dstUrl, "--file", "pw-two", "--json", ...storage], io), 0, io.stderr());
    assert.equal(await fingerprint(connection(dstUrl)), await fingerprint(connection(srcUrl)));
    assert.equal(await main(["node", "aytq-dr", "compare", "--database-url", srcUrl, "--database-url", dstUrl, "--json"], io), 0, io.stderr());
    assert.equal(await main(["node", "aytq-dr", "backups", "verify", "--file", "pw-two", "--into-url", scratchUrl, "--json", ...storage], io), 0, io.stderr());
    assertNoSecret(io.all());
  });

  const refusedCommands = (url: string): string[][] => [
    ["backup", "--database-url", url, "--name", "pw-refused", "--container", "pwbad"],
    ["restore", "--yes", "--database-url", url, "--file", "pw-one", "--no-safety-backup", "--container", "pwok"],
    ["compare", "--database-url", url, "--database-url", srcUrl],
    ["backups", "verify", "--file", "pw-one", "--into-url", url, "--container", "pwok"],
  ];

  for (const [what, password] of [["a wrong password", WRONG], ["no password", undefined]] as const) {
    it(`${what}: each command exits 4 with the server's refusal and a fix about the credentials, never "is the server running"; no password in the output`, async () => {
      for (const args of refusedCommands(withPassword(srcUrl, password))) {
        const io = captureIO(cs);
        assert.equal(await main(["node", "aytq-dr", ...args], io), 4, `${args[0]}: ${io.stderr()}`);
        assert.match(io.stderr(), /password authentication failed for user "postgres"|no password supplied/, args[0]);
        assert.match(io.stderr(), /\n {2}fix: the server refused these credentials: check the user and password in --database-url \(or the app's DATABASE_URL Secret/, args[0]);
        assert.doesNotMatch(io.stderr(), /is the server running/, args[0]);
        assertNoSecret(io.all());
      }
    });
  }
});
