/**
 * The surgical ways against real PostgreSQL: tables and undelete on tables with and without primary
 * keys, foreign keys in both directions, a self-reference, sequences, an identity and a generated
 * column, user and constraint triggers, tables on one side only and changed columns; each either
 * correct or refused with the reason and live unchanged; and our process killed mid-way.
 */
import { strict as assert } from "node:assert";
import { compareDatabases } from "../../recovery/data/compare";
import { planSurgical, resolvePlan, parentsFirst, referencingClosure, type LiveCatalog } from "../../recovery/data/surgical-plan";
import { restoreSurgical } from "../../recovery/data/surgical";
import { RefusedError, UsageError } from "../../recovery/errors";
import type { PgCluster } from "../../recovery/pg/cluster";
import { psql } from "../../recovery/pg/psql";
import type { DatabaseConnection, SurgicalPlan, SurgicalWay, TableComparison } from "../../recovery/data/types";
import { fingerprint, livePair, startDataEnv, startScriptVictim, waitForNoSessions, type DataEnv } from "../helpers/data";

/** The restore point: both sides start from this. */
const BASE_SQL = String.raw`
CREATE TABLE teachers (id serial PRIMARY KEY, trn char(7) UNIQUE NOT NULL, name text NOT NULL, updated_at timestamptz NOT NULL DEFAULT '2026-01-01 00:00:00+00');
CREATE TABLE qualifications (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  teacher_id int NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
  kind text NOT NULL, details jsonb,
  label text GENERATED ALWAYS AS (kind || '#' || id) STORED);
CREATE TABLE staff (id int PRIMARY KEY, manager_id int REFERENCES staff(id), name text);
CREATE TABLE notes (trn text, body text);
CREATE TABLE heartbeat (id bigserial PRIMARY KEY, at timestamptz NOT NULL);
CREATE TABLE audit (id bigserial PRIMARY KEY, what text);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER teachers_touch BEFORE UPDATE OR INSERT ON teachers FOR EACH ROW EXECUTE FUNCTION touch();
CREATE FUNCTION audit_it() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit (what) VALUES (TG_TABLE_NAME || ' ' || TG_OP); RETURN NULL; END $$;
CREATE TRIGGER qualifications_audit AFTER INSERT OR UPDATE OR DELETE ON qualifications FOR EACH ROW EXECUTE FUNCTION audit_it();
ALTER TABLE teachers DISABLE TRIGGER teachers_touch;
INSERT INTO teachers (trn, name) SELECT lpad(g::text, 7, '0'), E'Teacher ' || g || E' Zoë\ttab' FROM generate_series(1, 300) g;
ALTER TABLE teachers ENABLE TRIGGER teachers_touch;
INSERT INTO qualifications (teacher_id, kind, details) SELECT 1 + (g % 300), 'QTS', jsonb_build_object('n', g, 'nested', jsonb_build_array(g, NULL)) FROM generate_series(1, 900) g;
INSERT INTO staff VALUES (1, NULL, 'head'), (2, 1, 'deputy'), (3, 2, 'teacher'), (4, 2, 'teacher'), (5, 1, 'bursar');
INSERT INTO notes VALUES ('0000001', 'a'), ('0000001', 'a'), ('0000002', NULL);
INSERT INTO heartbeat (at) SELECT timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute' FROM generate_series(1, 50) g;
`;

/** The incident and the writes since: a third of qualifications deleted, teachers updated, new rows everywhere. */
const INCIDENT_SQL = String.raw`
DELETE FROM qualifications WHERE id % 3 = 0;
UPDATE qualifications SET kind = 'EYTS' WHERE id IN (1, 2);
ALTER TABLE teachers DISABLE TRIGGER teachers_touch;
UPDATE teachers SET name = 'damaged' WHERE id <= 40;
ALTER TABLE teachers ENABLE TRIGGER teachers_touch;
INSERT INTO teachers (trn, name) VALUES ('9000001', 'new since'), ('9000002', 'new since');
INSERT INTO qualifications (teacher_id, kind) SELECT id, 'NPQ' FROM teachers WHERE trn LIKE '9%';
DELETE FROM staff WHERE id IN (3, 4);
DELETE FROM staff WHERE id = 2;
INSERT INTO notes VALUES ('0000003', 'new');
INSERT INTO heartbeat (at) SELECT timestamptz '2026-02-01 00:00:00+00' + g * interval '1 minute' FROM generate_series(1, 20) g;
DELETE FROM audit;
`;

describe("surgical ways: tables and undelete, in one transaction on live", function () {
  this.timeout(300_000);
  let env: DataEnv;
  let cluster: PgCluster;
  before(async () => {
    env = await startDataEnv();
    cluster = env.cluster;
  });
  after(async () => env?.dispose());

  const pair = (liveSql = INCIDENT_SQL) => livePair(cluster, BASE_SQL, liveSql);

  async function plan(live: DatabaseConnection, copy: DatabaseConnection, way: SurgicalWay, tables: string[]): Promise<SurgicalPlan> {
    return (await planSurgical(live, copy, way, tables)).plan;
  }

  const table = async (live: DatabaseConnection, copy: DatabaseConnection, name: string): Promise<TableComparison> => {
    const t = (await compareDatabases(live, copy)).tables.find((x) => x.table === name);
    assert.ok(t, name);
    return t;
  };

  const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => assert.fail("expected a refusal"), (e: unknown) => e);

  it("undelete: the deleted rows come back with their ids, generated values and jsonb; rows written since and rows changed since stay as live has them", async () => {
    const { live, copy } = await pair();
    const before = await table(live, copy, "public.qualifications");
    assert.deepEqual([before.onlyInCopy, before.onlyInLive, before.changed], [300, 2, 2]);
    const p = await plan(live, copy, "undelete", ["public.qualifications"]);
    assert.deepEqual(p.refused, []);
    assert.deepEqual(p.triggersSkipped, ["public.qualifications: qualifications_audit"]);
    const r = await restoreSurgical(copy, live, p);
    assert.deepEqual(r.tables, [{ table: "public.qualifications", inserted: 300, updated: 0, deleted: 0, keptDiffering: 2 }]);
    const after = await table(live, copy, "public.qualifications");
    assert.deepEqual([after.onlyInCopy, after.onlyInLive, after.changed], [0, 2, 2], "nothing only in the copy; live's new and changed rows kept");
    assert.equal(await psql(live.url, "SELECT label FROM qualifications WHERE id = 3"), "QTS#3\n", "the generated column computed by live");
    assert.equal(await psql(live.url, "SELECT details->'nested' FROM qualifications WHERE id = 6"), "[6, null]\n");
    assert.equal(await psql(live.url, "SELECT count(*) FROM audit"), "0\n", "the audit trigger did not fire");
    assert.equal(await psql(live.url, "SELECT tgenabled FROM pg_trigger WHERE tgname = 'qualifications_audit'"), "O\n", "and is on again");
    // the identity's sequence is ahead of every id: the next row gets a new one
    assert.equal(await psql(live.url, "INSERT INTO qualifications (teacher_id, kind) VALUES (1, 'x') RETURNING id > 902"), "t\n");
    const again = await restoreSurgical(copy, live, p);
    assert.deepEqual(again.tables[0], { table: "public.qualifications", inserted: 0, updated: 0, deleted: 0, keptDiffering: 2 }, "idempotent");
  });

  it("tables: teachers come back exactly, qualifications forced in by its foreign key; other tables keep every row written since; no id reused", async () => {
    const { live, copy } = await pair();
    const p = await plan(live, copy, "tables", ["public.teachers"]);
    assert.deepEqual(p.forced, [{ table: "public.qualifications", because: "its foreign key qualifications_teacher_id_fkey references public.teachers" }]);
    assert.deepEqual(p.refused, []);
    assert.deepEqual(p.triggersSkipped.sort(), ["public.qualifications: qualifications_audit", "public.teachers: teachers_touch"]);
    const seqBefore = await psql(live.url, "SELECT last_value FROM teachers_id_seq");
    const heartbeat = await psql(live.url, "SELECT count(*), max(id) FROM heartbeat");
    const r = await restoreSurgical(copy, live, p);
    const byTable = Object.fromEntries(r.tables.map((t) => [t.table, t]));
    assert.deepEqual(byTable["public.teachers"], { table: "public.teachers", inserted: 0, updated: 40, deleted: 2, keptDiffering: 0 });
    assert.deepEqual(byTable["public.qualifications"], { table: "public.qualifications", inserted: 300, updated: 2, deleted: 2, keptDiffering: 0 });
    assert.deepEqual(r.tables.map((t) => t.table), ["public.teachers", "public.qualifications"], "parents first");
    for (const name of ["public.teachers", "public.qualifications"]) assert.equal((await table(live, copy, name)).equal, true, `${name} equals the copy`);
    assert.equal(await psql(live.url, "SELECT count(*), max(id) FROM heartbeat"), heartbeat, "heartbeat untouched");
    assert.equal((await table(live, copy, "public.staff")).equal, false, "staff untouched");
    assert.equal(await psql(live.url, "SELECT last_value FROM teachers_id_seq"), seqBefore, "never moved back");
    assert.deepEqual(r.sequences, []);
    assert.equal(await psql(live.url, "SELECT count(*) FROM audit"), "0\n");
  });

  it("tables: a sequence behind the ids the copy brings is moved forward, and said so", async () => {
    const { live, copy } = await pair("DELETE FROM heartbeat WHERE id > 10; SELECT setval('heartbeat_id_seq', 10);");
    const r = await restoreSurgical(copy, live, await plan(live, copy, "tables", ["public.heartbeat"]));
    assert.deepEqual(r.sequences, [{ sequence: "public.heartbeat_id_seq", lastValue: "50" }]);
    assert.equal(await psql(live.url, "SELECT nextval('heartbeat_id_seq')"), "51\n");
  });

  it("a row whose values are equal but print differently (jsonb 1 and 1.0) counts as changed, as compare counts it", async () => {
    // jsonb's = says 1 = 1.0; the row's text (and its bytes) differ: tables writes the copy's, undelete keeps live's and says so
    const since = `UPDATE qualifications SET details = jsonb_set(details, '{n}', '1.0') WHERE id = 1;`;
    for (const [way, expected] of [["undelete", { updated: 0, keptDiffering: 1 }], ["tables", { updated: 1, keptDiffering: 0 }]] as const) {
      const { live, copy } = await pair(since);
      assert.equal(await psql(live.url, "SELECT details = jsonb_set(details, '{n}', '1') FROM qualifications WHERE id = 1"), "t\n", "equal by jsonb's =");
      assert.equal((await table(live, copy, "public.qualifications")).changed, 1, "compare: changed");
      const r = await restoreSurgical(copy, live, await plan(live, copy, way, ["public.qualifications"]));
      assert.deepEqual({ updated: r.tables[0].updated, keptDiffering: r.tables[0].keptDiffering }, expected, way);
      assert.equal(await psql(live.url, "SELECT details->>'n' FROM qualifications WHERE id = 1"), way === "tables" ? "1\n" : "1.0\n", way);
    }
  });

  it("a self-reference comes back in one statement, with either way", async () => {
    for (const way of ["undelete", "tables"] as const) {
      const { live, copy } = await pair();
      const r = await restoreSurgical(copy, live, await plan(live, copy, way, ["public.staff"]));
      assert.equal(r.tables[0].inserted, 3, way);
      assert.equal((await table(live, copy, "public.staff")).equal, true, way);
    }
  });

  it("a table without a primary key: undelete refuses it with the reason; tables replaces its content", async () => {
    const { live, copy } = await pair();
    const p = await plan(live, copy, "undelete", ["public.notes", "public.staff"]);
    assert.deepEqual(p.refused, [{ table: "public.notes", reason: "it has no primary key, so a deleted row cannot be told from a changed one: use tables" }]);
    const before = await fingerprint(live);
    const err = await failure(restoreSurgical(copy, live, p));
    assert.ok(err instanceof RefusedError, String(err));
    assert.match(err.message, /public\.notes \(it has no primary key/);
    assert.equal(await fingerprint(live), before, "live unchanged: staff was not undeleted either");
    const r = await restoreSurgical(copy, live, await plan(live, copy, "tables", ["public.notes"]));
    assert.deepEqual(r.tables[0], { table: "public.notes", inserted: 3, updated: 0, deleted: 4, keptDiffering: 0 });
    assert.equal((await table(live, copy, "public.notes")).equal, true);
  });

  it("a copy row pointing at a row live no longer has: refused, naming the constraint and the key; live unchanged", async () => {
    // teacher 7 and (by cascade) its qualifications were deleted since; replacing qualifications alone needs teacher 7
    const { live, copy } = await pair("DELETE FROM teachers WHERE id = 7;");
    const before = await fingerprint(live);
    for (const way of ["tables", "undelete"] as const) {
      const err = await failure(restoreSurgical(copy, live, await plan(live, copy, way, ["public.qualifications"])));
      assert.ok(err instanceof RefusedError, String(err));
      assert.match(err.message, /qualifications_teacher_id_fkey/);
      assert.match(err.message, /Key \(teacher_id\)=\(7\) is not present in table "teachers"/);
      assert.match(err.message, /nothing was written \(rolled back\)/);
      assert.equal(await fingerprint(live), before, `${way}: live unchanged`);
    }
    // with the parent chosen too, it comes back (parents first)
    const r = await restoreSurgical(copy, live, await plan(live, copy, "undelete", ["public.qualifications", "public.teachers"]));
    assert.deepEqual(r.tables.map((t) => [t.table, t.inserted]), [["public.teachers", 1], ["public.qualifications", 3]]);
  });

  it("a conflict on another unique key, a CHECK added since and a constraint trigger: refused with the constraint, live unchanged", async () => {
    const cases: [string, RegExp][] = [
      // teacher 5 deleted, its trn reused by a new teacher: undelete cannot put it back
      ["DELETE FROM teachers WHERE id = 5; INSERT INTO teachers (trn, name) VALUES ('0000005', 'reused');", /teachers_trn_key.*Key \(trn\)=\(0000005\) already exists/],
      ["DELETE FROM staff WHERE id = 5; ALTER TABLE staff ADD CONSTRAINT staff_no_bursar CHECK (name <> 'bursar');", /staff_no_bursar/],
      [
        String.raw`DELETE FROM staff WHERE id = 5;
CREATE FUNCTION no_bursars() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.name = 'bursar' THEN RAISE EXCEPTION 'no bursars in staff'; END IF; RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER staff_no_bursars AFTER INSERT ON staff FOR EACH ROW EXECUTE FUNCTION no_bursars();`,
        /no bursars in staff/,
      ],
    ];
    for (const [since, names] of cases) {
      const { live, copy } = await pair(since);
      const target = /teachers/.test(since) ? "public.teachers" : "public.staff";
      const p = await plan(live, copy, "undelete", [target]);
      assert.deepEqual(p.triggersSkipped.filter((t) => /no_bursars/.test(t)), [], "a constraint trigger is not switched off");
      const before = await fingerprint(live);
      const err = await failure(restoreSurgical(copy, live, p));
      assert.ok(err instanceof RefusedError, String(err));
      assert.match(err.message, names);
      assert.equal(await fingerprint(live), before);
      assert.equal(await psql(live.url, "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'"), "0\n", "no trigger left off");
    }
  });

  it("a migration since the restore point: a table on one side only or with other columns is refused (or skipped) with the reason", async () => {
    const { live, copy } = await pair("ALTER TABLE staff ADD COLUMN email text; DROP TABLE notes; CREATE TABLE created_since (id int PRIMARY KEY);");
    const t = await plan(live, copy, "tables", ["public.staff", "public.notes", "public.created_since"]);
    assert.deepEqual(t.refused.map((r) => r.table), ["public.staff", "public.notes", "public.created_since"]);
    assert.match(t.refused[0].reason, /columns changed since the restore point \(only in live: email\)/);
    assert.match(t.refused[1].reason, /live has no such table/);
    assert.match(t.refused[2].reason, /the copy has no such table/);
    const u = await plan(live, copy, "undelete", ["public.created_since"]);
    assert.deepEqual([u.refused, u.triggersSkipped], [[], []], "nothing to undelete in a table created since");
    assert.deepEqual((await restoreSurgical(copy, live, u)).tables, []);
    const err = await failure(planSurgical(live, copy, "tables", ["public.nosuch"]));
    assert.ok(err instanceof UsageError, String(err));
    assert.match(err.message, /no table public\.nosuch in live or the copy/);
  });

  it("the plan changed between the question and the restore: nothing is written", async () => {
    const { live, copy } = await pair();
    const p = await plan(live, copy, "tables", ["public.staff"]);
    await psql(live.url, "ALTER TABLE qualifications ADD CONSTRAINT qualifications_staff FOREIGN KEY (teacher_id) REFERENCES staff(id) NOT VALID");
    const before = await fingerprint(live);
    const err = await failure(restoreSurgical(copy, live, p));
    assert.ok(err instanceof RefusedError, String(err));
    assert.match(err.message, /foreign keys of live changed since the plan was shown \(tables forced in now: public\.qualifications\)/);
    assert.equal(await fingerprint(live), before);
    for (const db of [copy, live]) {
      assert.equal(await waitForNoSessions(cluster, new URL(db.url).pathname.slice(1)), "0", `${db.label}: the sessions opened while the plan was made again (the copy's snapshot, live's session, the copy's reader) ended`);
    }
    // a table created since that references a replaced one: forced in, and refused, saying why
    await psql(live.url, "ALTER TABLE qualifications DROP CONSTRAINT qualifications_staff; CREATE TABLE rota (id int PRIMARY KEY, staff_id int REFERENCES staff(id))");
    const rota = (await plan(live, copy, "tables", ["public.staff"])).refused;
    assert.deepEqual(rota.map((r) => r.table), ["public.rota"]);
    assert.match(rota[0].reason, /forced in by its foreign key rota_staff_id_fkey, and the copy has no such table \(created since the restore point\?\): choose undelete or whole/);
  });

  it("our process killed with SIGKILL while it streams the copy's rows: live unchanged, no trigger left off", async () => {
    const { live, copy } = await pair();
    await psql(copy.url, "INSERT INTO qualifications (teacher_id, kind, details) SELECT 1, repeat('k', 500), jsonb_build_object('g', g) FROM generate_series(1, 400000) g");
    const p = await plan(live, copy, "undelete", ["public.qualifications"]);
    const before = await fingerprint(live);
    const db = new URL(live.url).pathname.slice(1);
    const child = startScriptVictim(
      `import { restoreSurgical } from "@/recovery/data/surgical";
const conn = (url: string) => ({ url, label: "db", serverName: "test", release: async () => undefined });
restoreSurgical(conn(process.env.SRC!), conn(process.env.DST!), JSON.parse(process.env.PLAN!)).then(() => console.log("restored"));
`,
      { SRC: copy.url, DST: live.url, PLAN: JSON.stringify(p) },
    );
    // mid-way: live's session is running the COPY into the staging table
    const deadline = Date.now() + 120_000;
    let copying = false;
    while (!copying && Date.now() < deadline && child.running()) {
      copying = (await psql(cluster.url("postgres"), `SELECT count(*) FROM pg_stat_activity WHERE datname = '${db}' AND query LIKE 'COPY aytq_dr_rows_%'`)).trim() !== "0";
      if (!copying) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(copying, `never reached the COPY (exit ${child.exitCode()}):\n${child.output()}`);
    assert.equal(await child.kill(), "SIGKILL");
    assert.doesNotMatch(child.output(), /restored/);
    assert.equal(await waitForNoSessions(cluster, db), "0", "the session ended (rolled back)");
    assert.equal(await fingerprint(live), before, "live is unchanged");
    assert.equal(await psql(live.url, "SELECT tgenabled FROM pg_trigger WHERE tgname = 'qualifications_audit'"), "O\n");
  });
});

describe("surgical plan rules (pure)", () => {
  const fk = (name: string, child: string, parent: string) => ({ name, child, parent, onDelete: "a" });
  const keys = [fk("b_a", "b", "a"), fk("c_b", "c", "b"), fk("d_a", "d", "a"), fk("a_self", "a", "a"), fk("e_c", "e", "c")];

  it("forces in the tables that reference a chosen one, transitively, each with its key; never a referenced one", () => {
    assert.deepEqual(referencingClosure(["b"], keys), [{ table: "c", because: "its foreign key c_b references b" }, { table: "e", because: "its foreign key e_c references c" }]);
    assert.deepEqual(referencingClosure(["a"], keys).map((f) => f.table), ["b", "d", "c", "e"]);
    assert.deepEqual(referencingClosure(["e"], keys), []);
  });

  it("orders referenced tables first; a cycle keeps its given order", () => {
    assert.deepEqual(parentsFirst(["e", "c", "b", "a"], keys), ["a", "b", "c", "e"]);
    assert.deepEqual(parentsFirst(["x", "y"], [fk("x_y", "x", "y"), fk("y_x", "y", "x")]), ["x", "y"]);
  });

  it("refuses changed keys; skips a live-only table for undelete; names each table's user triggers", () => {
    const shape = (table: string, pk: string[], columns: string[]) => ({ table, pk, columns });
    const catalog: LiveCatalog = {
      tables: [
        { ...shape("a", ["id"], ["id", "v"]), identityAlways: [], sequences: [], triggers: ["t1"] },
        { ...shape("b", ["id", "n"], ["id", "n"]), identityAlways: [], sequences: [], triggers: [] },
      ],
      foreignKeys: [],
    };
    const copy = [shape("a", ["id"], ["v", "id"]), shape("b", ["id"], ["id", "n"])];
    const r = resolvePlan("undelete", ["a", "b"], catalog, copy);
    assert.deepEqual(r.plan.refused, [{ table: "b", reason: "its primary key changed since the restore point (live: id, n; copy: id)" }]);
    assert.deepEqual(r.plan.triggersSkipped, ["a: t1"]);
    assert.deepEqual(r.tables.map((t) => t.columns), [["id", "v"]], "live's column order");
  });
});
