import { strict as assert } from "node:assert";
import type { ToolError } from "../../recovery/errors";
import { startThrowawayCluster } from "../../recovery/pg/cluster";
import { psql, psqlArgs, psqlEnv, psqlValue } from "../../recovery/pg/psql";

const SECRET = "s3cret-Pa55";

describe("psql: the connection goes through the environment, never argv", () => {
  it("builds argv without the URL, its password or its host", () => {
    const url = `postgres://admin:${SECRET}@db.example.org:6432/aytq?sslmode=require`;
    for (const args of [psqlArgs("select 1"), psqlArgs("", { stdin: "select 1;" })]) {
      const joined = args.join(" ");
      assert.ok(!joined.includes(SECRET), `password in argv: ${joined}`);
      assert.ok(!joined.includes("db.example.org"), `host in argv: ${joined}`);
      assert.ok(!args.includes("-d"), "no -d <url>");
    }
    assert.deepEqual(psqlArgs("select 1").slice(-2), ["-c", "select 1"]);
    assert.deepEqual(psqlArgs("", { stdin: "x" }).slice(-2), ["-f", "-"]);
    const env = psqlEnv(url, { PATH: "/bin", PGPASSWORD: "inherited", PGDATABASE: "other" });
    assert.equal(env.PGPASSWORD, SECRET);
    assert.equal(env.PGHOST, "db.example.org");
    assert.equal(env.PGPORT, "6432");
    assert.equal(env.PGUSER, "admin");
    assert.equal(env.PGDATABASE, "aytq", "an inherited PGDATABASE does not redirect the connection");
    assert.equal(env.PGSSLMODE, "require");
    assert.equal(env.PATH, "/bin");
  });

  it("queries a real server with a URL that has a password, which psql receives as PGPASSWORD", async function () {
    this.timeout(60_000);
    const { cluster, dispose } = await startThrowawayCluster();
    try {
      // the throwaway cluster trusts loopback, so the password is accepted whatever it is
      const url = cluster.url().replace("postgres@", `postgres:${SECRET}@`) + "?application_name=aytq-psql-test";
      assert.equal(await psqlValue(url, "select 40 + 2"), "42");
      assert.equal(await psqlValue(url, "select current_setting('application_name')"), "aytq-psql-test", "URL parameters reach psql");
      const seen = await psql(url, "", { stdin: "\\getenv p PGPASSWORD\nselect :'p';\n" });
      assert.equal(seen.trim(), SECRET, "psql got the password from its environment");
      await assert.rejects(psql(url, "select * from no_such_table"), (err: Error) => /psql against .* failed/.test(err.message) && !err.message.includes(SECRET));
      await assert.rejects(psql(url, "select * from no_such_table"), (err: Error) => /psql against .* failed: ERROR: +relation "no_such_table" does not exist/.test(err.message), "psql's error line is in the message");
      const down = cluster.url().replace("postgres@", `postgres:${SECRET}@`).replace(`:${cluster.port}/`, ":1/");
      await assert.rejects(psql(down, "select 1"), (err: ToolError) => /reachable/.test(err.hint ?? "") && !`${err.message} ${err.stderr ?? ""}`.includes(SECRET), "a server that does not answer says so, with the fix");
    } finally {
      await dispose();
    }
  });
});
