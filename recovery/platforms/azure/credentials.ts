/** The app's database credentials, as its DATABASE_URL Secret holds them (a rebuild keeps them). */
import { ToolError } from "../../errors";

/** The admin login and password in a DATABASE_URL. Never echoes the URL. */
export function credentialsFromDatabaseUrl(raw: string, where: string): { login: string; password: string } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ToolError(`DATABASE_URL in ${where} is not a URL`, `look at it with kubectl (the value is secret: do not paste it anywhere)`);
  }
  const login = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  if (!login || !password) {
    throw new ToolError(`DATABASE_URL in ${where} has no ${login ? "password" : "user name"}`, "the rebuilt server is created with the app's own credentials, so they must be in DATABASE_URL; fix the Secret first");
  }
  return { login, password };
}
