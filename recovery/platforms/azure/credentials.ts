/** The app's database credentials, as its DATABASE_URL Secret holds them (a rebuild keeps them). */
import { ToolError, UsageError } from "../../errors";
import { parseDatabaseUrl, type ConnectionTarget } from "../../pg/connection";

/** The admin login and password in a DATABASE_URL. Never echoes the URL. */
export function credentialsFromDatabaseUrl(raw: string, where: string): { login: string; password: string } {
  let url: ConnectionTarget;
  try {
    // the reading libpq (and so the app's own client) gives it: pg/connection.ts
    url = parseDatabaseUrl(raw);
  } catch (err) {
    const why = err instanceof UsageError ? err.message.replace(/^the database URL /, "") : "is not a URL";
    throw new ToolError(`DATABASE_URL in ${where} ${why}`, `look at it with kubectl (the value is secret: do not paste it anywhere)`);
  }
  const login = url.user ?? "";
  const password = url.password ?? "";
  if (!login || !password) {
    throw new ToolError(`DATABASE_URL in ${where} has no ${login ? "password" : "user name"}`, "the rebuilt server is created with the app's own credentials, so they must be in DATABASE_URL; fix the Secret first");
  }
  return { login, password };
}
