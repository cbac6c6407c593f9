/**
 * The drill's numbers and incident SQL, one place for both platforms: how long it warms up, how
 * far before the incident the restore point lies, how long damage goes unnoticed, and what each
 * incident runs against live. Tests that want a faster drill change these here, nowhere else.
 */

/** Heartbeat rows written before the incident, so there is something to lose. */
export const WARMUP_ROWS = 12;
/** How far before the incident the data-loss restore point lies (and the pause before a server is lost). */
export const RESTORE_POINT_LEAD_MS = 1000;
/**
 * The surgical variant: how long the damage goes unnoticed while the app (the heartbeat writer)
 * keeps writing. Minutes in a real incident; a few seconds here make the same point: rows written
 * after the restore point that a whole restore would throw away.
 */
export const DETECTION_DELAY_MS = 3000;
/** Local: archive_timeout (1 s) ships what was written to the WAL archive before the server is lost with it. */
export const LOCAL_ARCHIVE_SHIP_MS = 1000;

/** Local data-loss: one table dropped, half of another deleted. */
export const LOCAL_DATA_LOSS_SQL = "drop table qualifications; delete from inductions where id % 2 = 0;";
export const LOCAL_DATA_LOSS = "dropped table qualifications and deleted every other induction";
/** The surgical variant's incident (local): a third of one table deleted, another table's rows changed. */
export const SURGICAL_INCIDENT_SQL = "delete from qualifications where id % 3 = 0; update inductions set status = 'overwritten by the incident' where id % 4 = 0;";
export const SURGICAL_INCIDENT = "deleted a third of qualifications and overwrote a quarter of inductions' status";

/** Azure: the drill-owned table the data-loss incident drops (never an application table). */
export const DRILL_SCRATCH_TABLE = "drill_scratch";
/** Rows the scratch table is created with, so its return can be counted and checksummed. */
export const DRILL_SCRATCH_ROWS = 1000;
export const SCRATCH_SQL = `drop table if exists ${DRILL_SCRATCH_TABLE};
create table ${DRILL_SCRATCH_TABLE} (id int primary key, label text not null);
insert into ${DRILL_SCRATCH_TABLE} select g, 'drill row ' || g from generate_series(1, ${DRILL_SCRATCH_ROWS}) g;`;
