/** Database connections for a step: opened through the platform (a tunnel on Azure), always released. */
import type { DatabaseConnection, DatabaseRef, Platform } from "./ports";

/** Run `fn` with a connection to `db`, released afterwards whatever happens (a tunnel must not outlive its step). */
export async function withConnection<T>(platform: Platform, db: DatabaseRef, fn: (c: DatabaseConnection) => Promise<T>): Promise<T> {
  const conn = await platform.connect(db);
  try {
    return await fn(conn);
  } finally {
    await conn.release();
  }
}

/** Run `fn` with live and the copy `copyName` open, both released afterwards. */
export function withLiveAndCopy<T>(platform: Platform, copyName: string, fn: (live: DatabaseConnection, copy: DatabaseConnection) => Promise<T>): Promise<T> {
  return withConnection(platform, { kind: "live" }, (live) => withConnection(platform, { kind: "copy", name: copyName }, (copy) => fn(live, copy)));
}
