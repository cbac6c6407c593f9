/**
 * The exact moment a dump is consistent to. pg_dump reads the database in one snapshot, taken when
 * it starts; the time a backup began (before pg_dump was even spawned) is earlier, and rows written
 * in between are in the dump although "newer" than the backup. So the backup exports a snapshot
 * from a session of its own (`pg_export_snapshot()` in a REPEATABLE READ transaction), reads the
 * server's clock in the same statement, hands the snapshot to pg_dump (`--snapshot`), and holds the
 * session open until pg_dump is done. Every row in the dump was committed before that snapshot, so
 * none is newer than the time recorded; a row committed after it is not in the dump.
 */
import { psqlArgs } from "../pg/psql";
import { pgFailure, spawnPg } from "../pg/tools";
import { ToolError } from "../errors";

/** A snapshot exported and held open by a session of its own. */
export interface HeldSnapshot {
  /** The id pg_dump imports with `--snapshot`. */
  id: string;
  /** The server's clock right after the snapshot was taken: no row of the dump is newer. */
  at: Date;
  /** End the exporting session (its transaction is read-only: rolled back). Safe to call twice. */
  release(): Promise<void>;
}

/** One line: the snapshot's id, a space, and the server's clock in UTC (ISO 8601, microseconds). */
const EXPORT = `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT pg_export_snapshot() || ' ' || to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
`;

/** Export a snapshot of the database at `url` and hold it until released. */
export async function exportSnapshot(url: string, label: string): Promise<HeldSnapshot> {
  // psql's own flags (no psqlrc, stop at the first error, unaligned tuples), the SQL on stdin as it is written
  const session = spawnPg("psql", psqlArgs("", { stdin: "" }), url, { stdin: "pipe", stdout: "pipe" });
  const stdin = session.child.stdin!;
  stdin.on("error", () => undefined); // psql gone: its exit says why
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    stdin.end("ROLLBACK;\n");
    await session.done;
  };
  const line = new Promise<string>((resolve, reject) => {
    let out = "";
    session.child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(out.slice(0, nl).trim());
    });
    void session.done.then(({ code, stderr }) => reject(code === 0 ? new ToolError(`exporting a snapshot of ${label} returned nothing`, "run the command again") : pgFailure(`exporting a snapshot of ${label}`, stderr, url)));
  });
  stdin.write(EXPORT);
  let answer: string;
  try {
    answer = await line;
  } catch (err) {
    await release();
    throw err;
  }
  const m = /^(\S+) (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)$/.exec(answer);
  if (!m) {
    await release();
    throw new ToolError(`exporting a snapshot of ${label} gave an answer psql should not give: ${JSON.stringify(answer.slice(0, 100))}`, "run the command again; if it persists, report it");
  }
  // JavaScript dates hold milliseconds: round up, so that the recorded moment is never before the snapshot
  const micros = Number(m[2].slice(20, 26));
  const at = new Date(Date.parse(`${m[2].slice(0, 19)}Z`) + Math.ceil(micros / 1000));
  return { id: m[1], at, release };
}
