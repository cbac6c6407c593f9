/**
 * The nightly backup's heartbeat: one GET of the StatusCake push URL after a backup was written and
 * read back, so StatusCake alerts when a night passes without one. A ping that fails is a warning,
 * never a failed backup: the backup is fine, and a missed ping only means StatusCake alerts early.
 * The push URL's query holds the account's push key: only its host is ever printed.
 */
import { UsageError } from "../errors";

/** The push URL when no --heartbeat-url is given (the workflow: `pulumi stack output backupHeartbeatUrl --show-secrets`). */
export const HEARTBEAT_URL_ENV = "AYTQ_DR_HEARTBEAT_URL";
/** Per attempt. */
const HEARTBEAT_TIMEOUT_MS = 10_000;
/** Attempts before giving up (a blip must not become tomorrow morning's false alarm). */
const HEARTBEAT_ATTEMPTS = 3;
/** Wait before the second attempt; doubled before each next one. */
const HEARTBEAT_RETRY_DELAY_MS = 2_000;

/** Where to ping, safe to print: the scheme and host, never the path or query. */
function describeHeartbeatUrl(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/** An http(s) URL, or undefined. Never echoes the text (it holds the push key). */
function parse(text: string): URL | undefined {
  try {
    const u = new URL(text);
    return u.protocol === "https:" || u.protocol === "http:" ? u : undefined;
  } catch {
    return undefined;
  }
}

/** Where the heartbeat is, from the flag or the environment; a problem with it, as a warning. */
export type HeartbeatTarget = { url: URL } | { url?: undefined; warning: string };

/**
 * The push URL: `--heartbeat-url` (a malformed one is bad input: exit 2 before anything runs), else
 * AYTQ_DR_HEARTBEAT_URL (a malformed one is a warning: the backup must still run).
 */
export function heartbeatTarget(flag: string | undefined, env: NodeJS.ProcessEnv): HeartbeatTarget {
  if (flag !== undefined) {
    const u = parse(flag.trim());
    if (!u) throw new UsageError("--heartbeat-url is not an http(s) URL (not shown: it holds the push key)", "give the heartbeat's push URL: pulumi stack output backupHeartbeatUrl --show-secrets");
    return { url: u };
  }
  const fromEnv = env[HEARTBEAT_URL_ENV]?.trim();
  if (!fromEnv) return { warning: `heartbeat: not pinged: no --heartbeat-url and ${HEARTBEAT_URL_ENV} is not set (StatusCake will alert as if the backup had not run)` };
  const u = parse(fromEnv);
  if (!u) return { warning: `WARNING: heartbeat: not pinged: ${HEARTBEAT_URL_ENV} is not an http(s) URL (not shown); fix: set it to pulumi stack output backupHeartbeatUrl --show-secrets` };
  return { url: u };
}

export interface HeartbeatPing {
  ok: boolean;
  /** One line to print: what happened and, when it failed, the fix. Never the URL's path or query. */
  line: string;
}

export interface PingOptions {
  /** @default HEARTBEAT_TIMEOUT_MS */
  timeoutMs?: number;
  /** @default HEARTBEAT_ATTEMPTS */
  attempts?: number;
  /** @default HEARTBEAT_RETRY_DELAY_MS */
  retryDelayMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Ping the heartbeat. Never throws: a failure is a warning line. */
export async function pingHeartbeat(url: URL, o: PingOptions = {}): Promise<HeartbeatPing> {
  const where = describeHeartbeatUrl(url);
  const secrets = [url.href, url.search, ...[...url.searchParams.values()].filter((v) => v.length >= 4)].filter(Boolean);
  const mask = (text: string): string => secrets.reduce((t, s) => t.split(s).join("***"), text);
  const attempts = Math.max(1, o.attempts ?? HEARTBEAT_ATTEMPTS);
  const timeoutMs = o.timeoutMs ?? HEARTBEAT_TIMEOUT_MS;
  const doFetch = o.fetch ?? ((input, init) => fetch(input, init));
  let why = "";
  let made = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    made = attempt;
    if (attempt > 1) await new Promise((r) => setTimeout(r, (o.retryDelayMs ?? HEARTBEAT_RETRY_DELAY_MS) * 2 ** (attempt - 2)));
    try {
      const res = await doFetch(url.href, { method: "GET", signal: AbortSignal.timeout(timeoutMs), redirect: "follow", headers: { "user-agent": "aytq-dr" } });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 400) return { ok: true, line: `heartbeat: pinged ${where} (HTTP ${res.status})` };
      why = `${where} answered HTTP ${res.status}`;
      // a 4xx will not change on a retry (a wrong or deleted check)
      if (res.status < 500 && res.status !== 429) break;
    } catch (err) {
      const e = err as Error & { cause?: unknown };
      why = e.name === "TimeoutError" || e.name === "AbortError" ? `${where} did not answer within ${Math.round(timeoutMs / 100) / 10} s` : `could not reach ${where}: ${mask(e.cause instanceof Error ? e.cause.message : e.message)}`;
    }
  }
  return {
    ok: false,
    line:
      `WARNING: heartbeat: not pinged (${why}, ${made} attempt${made === 1 ? "" : "s"}): the backup is fine, but StatusCake will alert when its period passes without a ping; ` +
      `fix: check the URL (pulumi stack output backupHeartbeatUrl --show-secrets, in ${HEARTBEAT_URL_ENV}) and that this machine reaches ${url.host}`,
  };
}
