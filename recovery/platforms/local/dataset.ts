/**
 * A sample dataset shaped like the service (teachers, their qualifications and induction) and a
 * heartbeat writer that keeps committing timestamped rows, so a drill can measure what was lost.
 */
import { UsageError } from "../../errors";
import { clipInput } from "../../util/clip";
import { psql } from "../../pg/psql";

/** Named sizes in total rows (teachers + qualifications + inductions). */
export const DATASET_SIZES = { small: 4_000, medium: 200_000, large: 3_000_000 } as const;
type DatasetSizeName = keyof typeof DATASET_SIZES;
const DEFAULT_DATASET_SIZE: DatasetSizeName = "small";
const MIN_DATASET_ROWS = 100;
export const MAX_DATASET_ROWS = 10_000_000;
/** What one row of the dataset takes on disk, indexes included (measured: 120 bytes at 200,000 rows). */
const DATASET_BYTES_PER_ROW = 120;
/** Each teacher has two qualifications and one induction: four rows per teacher. */
const ROWS_PER_TEACHER = 4;

/** The tables the app's health check expects (like the real /health/all: every model's table exists). */
export const EXPECTED_TABLES = ["teachers", "qualifications", "inductions", "drill_heartbeat"] as const;
/** The table the writer fills. */
export const HEARTBEAT_TABLE = "drill_heartbeat";

/**
 * `small|medium|large`, a whole number of rows, or a size on disk (`1g`, `500m`, `1gb`: the rows
 * that take about that much, at DATASET_BYTES_PER_ROW) -> total rows. Throws UsageError naming the
 * allowed values.
 */
export function parseDatasetSize(value: string | undefined): number {
  const v = (value ?? DEFAULT_DATASET_SIZE).trim().toLowerCase();
  // own keys only: `"constructor" in {...}` is true
  if (Object.hasOwn(DATASET_SIZES, v)) return DATASET_SIZES[v as DatasetSizeName];
  let rows: number | undefined;
  if (/^\d+$/.test(v.replace(/_/g, ""))) rows = Number(v.replace(/_/g, ""));
  const bytes = /^(\d+)([mg])b?$/.exec(v);
  if (bytes) rows = Math.round((Number(bytes[1]) * (bytes[2] === "g" ? 1024 ** 3 : 1024 ** 2)) / DATASET_BYTES_PER_ROW);
  if (rows !== undefined && rows >= MIN_DATASET_ROWS && rows <= MAX_DATASET_ROWS) return rows;
  throw new UsageError(
    `--size "${clipInput(value ?? "")}" is not a dataset size`,
    `use small (${DATASET_SIZES.small} rows), medium (${DATASET_SIZES.medium}), large (${DATASET_SIZES.large}), a whole number of rows from ${MIN_DATASET_ROWS} to ${MAX_DATASET_ROWS}, or a size on disk up to 1g (e.g. 500m, 1g)`,
  );
}

/** The writer's table; `if not exists` so a drill on a stack keeps the table of earlier drills. */
export const HEARTBEAT_TABLE_SQL = `create table if not exists ${HEARTBEAT_TABLE} (
  id bigserial primary key,
  written_at timestamptz not null default clock_timestamp()
);`;

const SCHEMA_SQL = `
create table teachers (
  id bigserial primary key,
  trn char(7) not null unique,
  first_name text not null,
  last_name text not null,
  date_of_birth date not null,
  email text,
  created_at timestamptz not null default now()
);
create table qualifications (
  id bigserial primary key,
  teacher_id bigint not null references teachers(id),
  kind text not null,
  subject text,
  awarded_on date
);
create index qualifications_teacher_id on qualifications(teacher_id);
create table inductions (
  id bigserial primary key,
  teacher_id bigint not null unique references teachers(id),
  status text not null,
  started_on date,
  completed_on date
);
${HEARTBEAT_TABLE_SQL}
`;

/** SQL that fills the tables with `rows` rows in total, deterministic (same size, same content). */
function seedSql(rows: number): string {
  const teachers = Math.max(1, Math.ceil(rows / ROWS_PER_TEACHER));
  return `
insert into teachers (trn, first_name, last_name, date_of_birth, email, created_at)
select lpad(g::text, 7, '0'),
       (array['Ada','Ben','Cleo','Dev','Efe','Finn','Gwen','Hari'])[1 + g % 8],
       (array['Smith','Jones','Patel','Okafor','Nguyen','Evans'])[1 + g % 6],
       date '1960-01-01' + (g % 14000),
       'teacher' || g || '@example.org',
       timestamptz '2020-01-01 00:00:00+00' + g * interval '1 minute'
from generate_series(1, ${teachers}) g;
insert into qualifications (teacher_id, kind, subject, awarded_on)
select t, (array['QTS','EYTS','NPQH','NPQSL'])[1 + (t + k) % 4],
       (array['Mathematics','English','Physics','History','Art'])[1 + (t * k) % 5],
       date '2000-01-01' + ((t * 7 + k) % 8000)
from generate_series(1, ${teachers}) t, generate_series(1, 2) k;
insert into inductions (teacher_id, status, started_on, completed_on)
select t, (array['passed','in progress','exempt'])[1 + t % 3],
       date '2005-09-01' + (t % 6000),
       case when t % 3 = 0 then date '2006-07-01' + (t % 6000) end
from generate_series(1, ${teachers}) t;
analyze;
`;
}

/** Create the schema and seed it. */
export async function seedDatabase(url: string, rows: number): Promise<void> {
  await psql(url, "", { stdin: SCHEMA_SQL + seedSql(rows), timeoutMs: 30 * 60_000 });
}

/** One row the writer saw committed (psql printed it only after the commit). */
export interface HeartbeatRow {
  id: number;
  /** written_at as the server stored it, ISO 8601 UTC with microseconds. */
  writtenAt: string;
}

/** Gap between heartbeat inserts. The drill puts restore points between two rows, half this apart from each. */
export const HEARTBEAT_INTERVAL_MS = 200;

/**
 * Keeps inserting heartbeat rows (one short-lived psql each, so a lost server shows up as failed
 * inserts, not a hung client) until stopped. Only rows psql reported back count as committed.
 */
export class HeartbeatWriter {
  readonly rows: HeartbeatRow[] = [];
  failures = 0;
  lastError?: string;
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly intervalMs: number = HEARTBEAT_INTERVAL_MS,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stop after the insert in flight; resolves when it has finished. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = Date.now();
      try {
        const row = await insertHeartbeat(this.url);
        this.rows.push(row);
      } catch (err) {
        this.failures++;
        this.lastError = err instanceof Error ? err.message : String(err);
      }
      const wait = this.intervalMs - (Date.now() - started);
      if (this.running) await new Promise((r) => setTimeout(r, Math.max(wait, this.intervalMs / 2)));
    }
  }
}

/** A lost server shows up as a failed insert within this, not a hung writer. */
const HEARTBEAT_CONNECT_TIMEOUT_SECONDS = 2;

async function insertHeartbeat(url: string): Promise<HeartbeatRow> {
  const sql = `insert into ${HEARTBEAT_TABLE} default values returning id, to_char(written_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  const [id, writtenAt] = (await psql(url, sql, { timeoutMs: 5000, connectTimeoutSeconds: HEARTBEAT_CONNECT_TIMEOUT_SECONDS })).trim().split("\t");
  if (!id || !writtenAt) throw new Error("the heartbeat insert returned no row");
  return { id: Number(id), writtenAt };
}
