/**
 * `aytq-dr restore-copy` against real PostgreSQL and Azurite: the comparison and the ways shown,
 * the way given by --way (with --yes), a safety backup of live first, then tables / undelete /
 * whole; bad input refused with nothing changed; a refused plan changes nothing and leaves no
 * safety backup.
 */
import { strict as assert } from "node:assert";
import { main } from "../../recovery/cli/main";
import type { CliIO } from "../../recovery/cli/io";
import { listBackups } from "../../recovery/data/storage";
import { psql } from "../../recovery/pg/psql";
import type { DatabaseConnection } from "../../recovery/data/types";
import { createDatabase, fingerprint, startDataEnv, type DataEnv } from "../helpers/data";

const PASSWORD = "Pa55wordThatMustNotLeak";
const withPassword = (url: string): string => url.replace("postgres@", `postgres:${PASSWORD}@`);

const BASE = `
CREATE TABLE teachers (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE notes (body text);
CREATE TABLE heartbeat (id bigserial PRIMARY KEY, at int);
INSERT INTO teachers (name) SELECT 'teacher ' || g FROM generate_series(1, 30) g;
INSERT INTO notes VALUES ('a'), ('b');
INSERT INTO heartbeat (at) SELECT g FROM generate_series(1, 10) g;
`;
const INCIDENT = "DELETE FROM teachers WHERE id % 3 = 0; UPDATE teachers SET name = 'damaged' WHERE id = 1; INSERT INTO heartbeat (at) SELECT g FROM generate_series(11, 15) g;";

function captureIO(env: NodeJS.ProcessEnv): CliIO & { text(): string; stdout(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false, env, text: () => [...out, ...err].join("\n"), stdout: () => out.join("\n") };
}

describe("restore-copy: data-loss's decision as one command", function () {
  this.timeout(180_000);
  let env: DataEnv;
  before(async () => (env = await startDataEnv()));
  after(async () => env?.dispose());

  async function pair(): Promise<{ live: DatabaseConnection; copy: DatabaseConnection }> {
    const [live, copy] = await Promise.all([createDatabase(env.cluster, "rclive"), createDatabase(env.cluster, "rccopy")]);
    await Promise.all([psql(live.url, "", { stdin: BASE }), psql(copy.url, "", { stdin: BASE })]);
    await psql(live.url, INCIDENT);
    return { live, copy };
  }

  let containers = 0;
  const run = async (live: DatabaseConnection, copy: DatabaseConnection, ...args: string[]) => {
    const io = captureIO({ AZURE_STORAGE_CONNECTION_STRING: env.azurite.connectionString });
    const container = `rc${++containers}`;
    const code = await main(["node", "aytq-dr", "restore-copy", "--copy", "aytq-ptr-1", "--database-url", withPassword(live.url), "--copy-url", withPassword(copy.url), "--container", container, ...args], io);
    return { code, io, container };
  };
  const backups = async (container: string) => (await listBackups({ kind: "connection-string", connectionString: env.azurite.connectionString, container }).catch(() => [])).map((b) => b.name);

  it("undelete: shows the comparison and each way, backs live up, brings the deleted rows back and keeps what was written since", async () => {
    const { live, copy } = await pair();
    const { code, io, container } = await run(live, copy, "--way", "undelete", "--yes");
    assert.equal(code, 0, io.text());
    assert.match(io.text(), /public\.teachers\s+primary key \(id\)\s+10\s+0\s+1/);
    assert.match(io.text(), /whole: the copy replaces all of live/);
    assert.match(io.text(), /public\.heartbeat: loses 5 rows only in live/);
    assert.match(io.text(), /undelete: inserts the copy's rows whose primary key live lacks; loses nothing/);
    assert.match(io.text(), /How should the copy aytq-ptr-1 come back into the live database\? undelete \(--way\)/);
    assert.match(io.stdout(), /brought aytq-ptr-1's rows back by "undelete" .*public\.teachers 10 inserted, 1 kept differing .*; safety backup safety_before_restore_copy_aytq-ptr-1_\d{8}T\d{6}Z\.sql\.gz/);
    assert.equal(await psql(live.url, "SELECT count(*), count(*) FILTER (WHERE name = 'damaged') FROM teachers"), "30\t1\n");
    assert.equal(await psql(live.url, "SELECT count(*) FROM heartbeat"), "15\n", "the heartbeat rows written since are kept");
    assert.deepEqual((await backups(container)).filter((b) => b.startsWith("safety_before_restore_copy_aytq-ptr-1_")).length, 1);
    assert.doesNotMatch(io.text(), new RegExp(PASSWORD));
  });

  it("tables: the damaged table exactly as in the copy, the heartbeat untouched; whole: live equals the copy", async () => {
    const t = await pair();
    const tables = await run(t.live, t.copy, "--way", "tables", "--yes");
    assert.equal(tables.code, 0, tables.io.text());
    assert.equal(await psql(t.live.url, "SELECT count(*), count(*) FILTER (WHERE name = 'damaged') FROM teachers"), "30\t0\n");
    assert.equal(await psql(t.live.url, "SELECT count(*) FROM heartbeat"), "15\n");
    const w = await pair();
    const whole = await run(w.live, w.copy, "--way", "whole", "--yes");
    assert.equal(whole.code, 0, whole.io.text());
    assert.equal(await fingerprint(w.live), await fingerprint(w.copy));
    assert.ok((await backups(whole.container)).some((b) => /^restore_copy_aytq-ptr-1_/.test(b)), "the copy's dump kept as a backup");
  });

  it("refuses bad input and a refused plan with nothing changed and no safety backup", async () => {
    const { live, copy } = await pair();
    const before = await fingerprint(live);
    const cases: [string[], number, RegExp][] = [
      [["--yes"], 3, /there is no terminal to ask on.*\n\s*fix: add --way whole\|tables\|undelete\|no/],
      [["--way", "tables"], 3, /no terminal to confirm on/],
      [["--way", "yes", "--yes"], 2, /--restore-copy yes no longer answers|expected whole, tables, undelete or no/],
      [["--way", "whole", "--tables", "public.teachers", "--yes"], 2, /--tables does not apply with --way whole/],
      [["--way", "tables", "--tables", "public.nosuch", "--yes"], 2, /"public\.nosuch" is not a table compare found/],
      // undelete cannot take a table without a primary key: refused before any backup or write
      [["--way", "undelete", "--tables", "public.notes,public.teachers", "--yes"], 3, /"undelete" cannot take public\.notes \(it has no primary key/],
    ];
    await psql(live.url, "DELETE FROM notes WHERE body = 'a'");
    const damaged = await fingerprint(live);
    for (const [args, code, message] of cases) {
      const r = await run(live, copy, ...args);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.io.text()}`);
      assert.match(r.io.text(), message);
      assert.deepEqual(await backups(r.container), [], `${args.join(" ")}: no safety backup`);
      assert.equal(await fingerprint(live), damaged, `${args.join(" ")}: live unchanged`);
    }
    assert.notEqual(before, damaged);
  });
});
