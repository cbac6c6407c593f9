/**
 * What a surgical way (tables, undelete) will write, decided from both catalogs before anyone is
 * asked; nothing here writes. The rules, each for a reason a person can check:
 *
 * - A table is taken only when copy and live store the same columns and the same primary key: a
 *   column added or dropped since the restore point (a migration) would lose a column's values or
 *   fail a NOT NULL, so such a table is refused, named with its columns.
 * - `tables` forces in every table whose foreign key references a replaced table, transitively:
 *   the replacement removes the rows written since the restore point, and rows elsewhere may point
 *   at them (ON DELETE CASCADE would remove them silently, NO ACTION would fail). A replaced
 *   table's own references are left to the constraint: a copy row that points at a row live no
 *   longer has fails the transaction, which names the constraint and the key.
 * - `undelete` needs a primary key: without one a deleted row and a changed row look the same.
 *   A table only in live has nothing to undelete (skipped); a table only in the copy has nowhere
 *   to go (refused: live has no such table).
 * - User triggers (not those that enforce constraints) on the tables written are switched off for
 *   the transaction only: the way puts rows back as they were at the restore point, as `whole`
 *   does (pg_dump loads data before it creates triggers); a trigger that stamps updated_at or
 *   writes an audit row would make the restored rows differ from the copy or record the restore
 *   as the app's own activity. They are listed before asking. Constraint triggers still fire.
 * - Generated columns are not written: live computes them from the columns that are.
 */
import { psql } from "../pg/psql";
import { UsageError } from "../errors";
import { CATALOG, tableShapes, type TableShape } from "./table-diff";
import type { SurgicalPlan, SurgicalWay } from "./types";

export interface ForeignKey {
  name: string;
  /** The referencing table. */
  child: string;
  /** The referenced table. */
  parent: string;
  /** ON DELETE action: a (no action), r (restrict), c (cascade), n (set null), d (set default). */
  onDelete: string;
}

/** One table of live as the surgical ways need it. */
interface LiveTable extends TableShape {
  /** Stored columns that are identity columns GENERATED ALWAYS (an INSERT must override them). */
  identityAlways: string[];
  /** Sequences owned by a column (serial, identity): `{ sequence, column }`, sequence qualified. */
  sequences: { sequence: string; column: string }[];
  /** User triggers that are enabled and enforce no constraint. */
  triggers: string[];
}

export interface LiveCatalog {
  tables: LiveTable[];
  foreignKeys: ForeignKey[];
}

const LIVE_CATALOG = `
WITH t AS (
  SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS qualified
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
)
SELECT json_build_object(
  'tables', coalesce((SELECT json_agg(json_build_object(
    'table', t.qualified,
    'identityAlways', coalesce((SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
      WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity = 'a'), '[]'),
    'sequences', coalesce((SELECT json_agg(json_build_object('sequence', format('%I.%I', sn.nspname, s.relname), 'column', a.attname) ORDER BY a.attnum)
      FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_namespace sn ON sn.oid = s.relnamespace
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
      WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = t.oid AND d.deptype IN ('a', 'i')), '[]'),
    'triggers', coalesce((SELECT json_agg(g.tgname ORDER BY g.tgname) FROM pg_trigger g
      WHERE g.tgrelid = t.oid AND NOT g.tgisinternal AND g.tgconstraint = 0 AND g.tgenabled <> 'D'), '[]')
  ) ORDER BY t.qualified) FROM t), '[]'),
  'foreignKeys', coalesce((SELECT json_agg(json_build_object('name', k.conname, 'child', ct.qualified, 'parent', pt.qualified, 'onDelete', k.confdeltype) ORDER BY k.conname)
    FROM pg_constraint k JOIN t ct ON ct.oid = k.conrelid JOIN t pt ON pt.oid = k.confrelid WHERE k.contype = 'f'), '[]')
)`;

/** Live's tables (shape, identity columns, owned sequences, user triggers) and foreign keys. */
async function readLiveCatalog(url: string, label: string): Promise<LiveCatalog> {
  // one query, one connection: the restore reads this again just before it writes
  const text = await psql(url, `SELECT json_build_object('shapes', (${CATALOG}), 'extra', (${LIVE_CATALOG}))`, { what: `reading the tables, foreign keys and triggers of ${label}` });
  const { shapes, extra } = JSON.parse(text.trim()) as { shapes: TableShape[]; extra: { tables: (Omit<LiveTable, keyof TableShape> & { table: string })[]; foreignKeys: ForeignKey[] } };
  const byName = new Map(extra.tables.map((t) => [t.table, t]));
  return {
    tables: shapes.map((s) => ({ identityAlways: [], sequences: [], triggers: [], ...byName.get(s.table), ...s })),
    foreignKeys: extra.foreignKeys,
  };
}

/**
 * A plan's table as it is carried out: which columns move, how rows are matched, what the
 * INSERT overrides, which sequences may need moving and which triggers are switched off.
 */
export interface PlannedTable {
  table: string;
  pk: string[];
  columns: string[];
  identityAlways: string[];
  sequences: { sequence: string; column: string }[];
  triggers: string[];
}

/** Everything surgical.ts needs to carry a plan out, in the order it writes (parents first). */
export interface ResolvedPlan {
  plan: SurgicalPlan;
  tables: PlannedTable[];
}

const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Why a table both sides have cannot be taken, or undefined. */
function mismatch(live: TableShape, copy: TableShape): string | undefined {
  const inCopy = new Set(copy.columns);
  const inLive = new Set(live.columns);
  const liveOnly = live.columns.filter((c) => !inCopy.has(c));
  const copyOnly = copy.columns.filter((c) => !inLive.has(c));
  if (liveOnly.length || copyOnly.length) {
    const parts = [liveOnly.length ? `only in live: ${liveOnly.join(", ")}` : "", copyOnly.length ? `only in the copy: ${copyOnly.join(", ")}` : ""].filter(Boolean);
    return `its columns changed since the restore point (${parts.join("; ")})`;
  }
  if (!sameList(live.pk, copy.pk)) return `its primary key changed since the restore point (live: ${live.pk.join(", ") || "none"}; copy: ${copy.pk.join(", ") || "none"})`;
  return undefined;
}

/** Pure: `names` plus every table that references one of them by a foreign key, transitively, with the key that brought each in. */
export function referencingClosure(names: readonly string[], foreignKeys: readonly ForeignKey[]): { table: string; because: string }[] {
  const inSet = new Set(names);
  const forced: { table: string; because: string }[] = [];
  const queue = [...names];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const fk of foreignKeys) {
      if (fk.parent !== parent || inSet.has(fk.child)) continue;
      inSet.add(fk.child);
      forced.push({ table: fk.child, because: `its foreign key ${fk.name} references ${parent}` });
      queue.push(fk.child);
    }
  }
  return forced;
}

/** Pure: the tables with every referenced table before the tables that reference it (a cycle keeps the given order for its members). */
export function parentsFirst(names: readonly string[], foreignKeys: readonly ForeignKey[]): string[] {
  const set = new Set(names);
  const parents = new Map(names.map((n) => [n, new Set(foreignKeys.filter((k) => k.child === n && k.parent !== n && set.has(k.parent)).map((k) => k.parent))]));
  const out: string[] = [];
  const placed = new Set<string>();
  while (out.length < names.length) {
    const ready = names.filter((n) => !placed.has(n) && [...parents.get(n)!].every((p) => placed.has(p)));
    // a cycle: take the first waiting table; a deferrable key is checked at COMMIT, any other names itself
    const next = ready.length ? ready : [names.find((n) => !placed.has(n))!];
    for (const n of next) {
      placed.add(n);
      out.push(n);
    }
  }
  return out;
}

/**
 * Pure: the plan for `way` over `requested`, given live's catalog and the copy's table shapes.
 * Unknown names are a UsageError (nothing has been asked or written yet).
 */
export function resolvePlan(way: SurgicalWay, requested: readonly string[], live: LiveCatalog, copyShapes: readonly TableShape[]): ResolvedPlan {
  const liveBy = new Map(live.tables.map((t) => [t.table, t]));
  const copyBy = new Map(copyShapes.map((t) => [t.table, t]));
  const unknown = requested.filter((t) => !liveBy.has(t) && !copyBy.has(t));
  if (unknown.length) throw new UsageError(`no table ${unknown.join(", ")} in live or the copy`, "name tables as compare prints them, e.g. public.users");
  const chosen = [...new Set(requested)];
  const forced = way === "tables" ? referencingClosure(chosen.filter((t) => liveBy.has(t)), live.foreignKeys) : [];
  const refused: SurgicalPlan["refused"] = [];
  const taken: LiveTable[] = [];
  const forcedBy = new Map(forced.map((f) => [f.table, f.because]));
  for (const name of [...chosen, ...forced.map((f) => f.table)]) {
    const l = liveBy.get(name);
    const c = copyBy.get(name);
    if (!l) {
      refused.push({ table: name, reason: "live has no such table (dropped or renamed since the restore point?): only whole brings it back" });
      continue;
    }
    if (!c) {
      // nothing was there at the restore point: undelete has nothing to insert; tables would empty it
      const by = forcedBy.get(name);
      const reason = by
        ? `forced in by ${by.replace(/ references .*/, "")}, and the copy has no such table (created since the restore point?): choose undelete or whole`
        : "the copy has no such table (created since the restore point?): replacing it would empty it; leave it out";
      if (way === "tables") refused.push({ table: name, reason });
      continue;
    }
    const why = mismatch(l, c);
    if (why) {
      refused.push({ table: name, reason: why });
      continue;
    }
    if (way === "undelete" && l.pk.length === 0) {
      refused.push({ table: name, reason: "it has no primary key, so a deleted row cannot be told from a changed one: use tables" });
      continue;
    }
    taken.push(l);
  }
  const order = parentsFirst(taken.map((t) => t.table), live.foreignKeys);
  const tables = order.map((name) => {
    const t = liveBy.get(name)!;
    return { table: t.table, pk: t.pk, columns: t.columns, identityAlways: t.identityAlways, sequences: t.sequences, triggers: t.triggers };
  });
  return {
    plan: {
      way,
      chosen,
      forced,
      refused,
      triggersSkipped: tables.flatMap((t) => t.triggers.map((g) => `${t.table}: ${g}`)),
    },
    tables,
  };
}

/** Read both catalogs and plan; writes nothing. */
export async function planSurgical(live: { url: string; label: string }, copy: { url: string; label: string }, way: SurgicalWay, tables: readonly string[]): Promise<ResolvedPlan> {
  const [catalog, copyShapes] = await Promise.all([readLiveCatalog(live.url, live.label), tableShapes(copy.url, copy.label)]);
  return resolvePlan(way, tables, catalog, copyShapes);
}
