/**
 * StatusCake's REST API v1, as the heartbeat check and pre-flight need it: list uptime checks, and
 * create / read / update / delete / list heartbeat (push) checks. Bearer token, form-encoded bodies,
 * JSON answers, pages of at most 100. Every failure is one {@link StatusCakeError}: what happened and
 * its fix, by kind (bad token, rate limit with when to retry, timeout, not found, unreachable,
 * refused), never with the token in it.
 *
 * Endpoints and fields, from StatusCake's OpenAPI description (API 1.2.0,
 * https://developers.statuscake.com/api, and the client generated from it, StatusCakeDev/statuscake-go):
 * - `GET /uptime?page&limit` -> `{ data: [{ id, name, website_url, paused, status: "up"|"down", check_rate, tags }], metadata: { page, per_page, page_count, total_count } }`
 * - `GET /heartbeat?page&limit` -> the same envelope of `{ id, name, url, period, contact_groups, paused, status, tags }`
 * - `GET /heartbeat/{id}` -> `{ data: { ..., url (the push URL), last_tested_at (RFC 3339) } }`
 * - `POST /heartbeat` (name, period 30..172800, contact_groups[], paused, tags[]) -> 201 `{ data: { new_id } }`
 * - `PUT /heartbeat/{id}` (the same fields; only those sent change) -> 204; `DELETE /heartbeat/{id}` -> 204
 * - errors `{ message, errors: { field: [..] } }`; 429 with `x-ratelimit-reset` (seconds until the window resets)
 *   (https://developers.statuscake.com/guides/api/ratelimiting: 60 requests a minute on free plans, 5 a second for all).
 *
 * This module uses nothing but Node's globals (fetch, URL, AbortSignal, timers): the heartbeat's
 * dynamic provider (heartbeat.ts) is serialized with its functions, this module by value with them.
 */

export const STATUSCAKE_API_URL = "https://api.statuscake.com/v1";
/** Per request. */
const STATUSCAKE_TIMEOUT_MS = 15_000;
/** StatusCake's largest page. */
const STATUSCAKE_PAGE_LIMIT = 100;
/** A 429 whose window resets within this is waited out, once; a longer one is an error saying when to retry. */
const RATE_LIMIT_WAIT_MAX_MS = 5_000;
/** A heartbeat's period bounds (StatusCake's). */
export const HEARTBEAT_PERIOD_MIN_SECONDS = 30;
export const HEARTBEAT_PERIOD_MAX_SECONDS = 172_800;
/** Where the token comes from, and nowhere else. */
export const STATUSCAKE_TOKEN_ENV = "STATUSCAKE_API_TOKEN";

/**
 * How a call failed:
 * - `no-token`: STATUSCAKE_API_TOKEN is not set (nothing was sent);
 * - `token`: StatusCake refused the token (401) or its account (403);
 * - `rate-limit`: 429, `retryAfterSeconds` says when;
 * - `timeout`: no answer within the timeout;
 * - `not-found`: 404 for one check;
 * - `unreachable`: the request never got an answer;
 * - `refused`: any other error answer (400 with the fields at fault, 5xx);
 * - `bad-answer`: an answer that is not the JSON StatusCake documents.
 */
export type StatusCakeFailureKind = "no-token" | "token" | "rate-limit" | "timeout" | "not-found" | "unreachable" | "refused" | "bad-answer";

/** One failed call: `what` happened and the `fix`; `message` is both on one line. Never holds the token. */
export class StatusCakeError extends Error {
  constructor(
    readonly what: string,
    readonly fix: string,
    readonly kind: StatusCakeFailureKind,
    readonly status?: number,
    /** For `rate-limit`: seconds until StatusCake's window resets, when it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${what}; fix: ${fix}`);
    this.name = "StatusCakeError";
  }
}

/** An uptime check as StatusCake lists it. */
export interface UptimeCheck {
  id: string;
  name: string;
  /** `website_url`: what the check requests. */
  websiteUrl: string;
  paused: boolean;
  /** `up` or `down`. */
  status: string;
  checkRateSeconds?: number;
  tags: string[];
}

/** A heartbeat (push) check. */
export interface HeartbeatCheck {
  id: string;
  name: string;
  /** `url`: what the job pings. Its query holds the account's push key: a secret, never printed. */
  pushUrl: string;
  /** Seconds without a ping before the check is down. */
  periodSeconds: number;
  contactGroupIds: string[];
  paused: boolean;
  /** `up` or `down`. */
  status: string;
  tags: string[];
  /** `last_tested_at`: the last ping StatusCake received; only `GET /heartbeat/{id}` has it. */
  lastPingAt?: Date;
}

/** What a heartbeat check is declared with. */
export interface HeartbeatCheckSpec {
  name: string;
  periodSeconds: number;
  contactGroupIds: string[];
  tags: string[];
  paused: boolean;
}

export interface StatusCakeClientOptions {
  /** The API token (STATUSCAKE_API_TOKEN); sent in a header only, never printed. */
  token: string;
  /** @default STATUSCAKE_API_URL; tests point it at a local server */
  baseUrl?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Per request. @default STATUSCAKE_TIMEOUT_MS */
  timeoutMs?: number;
  /** @default RATE_LIMIT_WAIT_MAX_MS; 0 never waits */
  rateLimitWaitMaxMs?: number;
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

type Json = Record<string, unknown>;

function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max - 3) + "..." : flat;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => str(x)).filter((x): x is string => x !== undefined) : [];
}

/** Seconds until the rate-limit window resets: `x-ratelimit-reset`, else `Retry-After`. */
function resetSeconds(headers: Headers): number | undefined {
  for (const h of ["x-ratelimit-reset", "retry-after"]) {
    const n = Number(headers.get(h));
    if (headers.has(h) && Number.isFinite(n) && n >= 0) return Math.ceil(n);
  }
  return undefined;
}

/** StatusCake's error body: `message`, and `errors` by field. */
function describeBody(body: unknown): string {
  if (typeof body !== "object" || body === null) return "";
  const b = body as { message?: unknown; errors?: unknown };
  const parts: string[] = [];
  if (typeof b.message === "string" && b.message.trim()) parts.push(b.message.trim());
  if (typeof b.errors === "object" && b.errors !== null) {
    for (const [field, list] of Object.entries(b.errors as Record<string, unknown>)) parts.push(`${field}: ${strings(list).join(", ") || "invalid"}`);
  }
  return oneLine(parts.join("; "));
}

export class StatusCakeClient {
  private readonly baseUrl: string;
  private readonly host: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly rateLimitWaitMaxMs: number;

  constructor(private readonly o: StatusCakeClientOptions) {
    this.baseUrl = (o.baseUrl ?? STATUSCAKE_API_URL).replace(/\/+$/, "");
    let host = this.baseUrl;
    try {
      host = new URL(this.baseUrl).host;
    } catch {
      // reported by the first call
    }
    this.host = host;
    this.fetchFn = o.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = o.timeoutMs ?? STATUSCAKE_TIMEOUT_MS;
    this.rateLimitWaitMaxMs = o.rateLimitWaitMaxMs ?? RATE_LIMIT_WAIT_MAX_MS;
  }

  /** Every uptime check of the account, every page. */
  async listUptimeChecks(): Promise<UptimeCheck[]> {
    return (await this.list("/uptime")).map((d) => this.uptimeCheck(d));
  }

  /** Every heartbeat check of the account (without `lastPingAt`: only a get of one has it). */
  async listHeartbeatChecks(): Promise<HeartbeatCheck[]> {
    return (await this.list("/heartbeat")).map((d) => this.heartbeatCheck(d, "GET /heartbeat"));
  }

  /** One heartbeat check, or undefined when StatusCake has none with this id. */
  async getHeartbeatCheck(id: string): Promise<HeartbeatCheck | undefined> {
    const path = `/heartbeat/${encodeURIComponent(id)}`;
    const a = await this.call("GET", path, undefined, true);
    if (a === undefined) return undefined;
    return this.heartbeatCheck(this.data(a, `GET ${path}`), `GET ${path}`);
  }

  /** Create a heartbeat check; resolves its id. */
  async createHeartbeatCheck(spec: HeartbeatCheckSpec): Promise<string> {
    const a = await this.call("POST", "/heartbeat", heartbeatForm(spec));
    const id = str((this.data(a!, "POST /heartbeat") as { new_id?: unknown }).new_id);
    if (!id) throw this.badAnswer("POST /heartbeat", "no data.new_id");
    return id;
  }

  /** Change a heartbeat check to the spec (every field is sent). */
  async updateHeartbeatCheck(id: string, spec: HeartbeatCheckSpec): Promise<void> {
    await this.call("PUT", `/heartbeat/${encodeURIComponent(id)}`, heartbeatForm(spec));
  }

  /** Delete a heartbeat check; resolves false when it was already gone. */
  async deleteHeartbeatCheck(id: string): Promise<boolean> {
    return (await this.call("DELETE", `/heartbeat/${encodeURIComponent(id)}`, undefined, true)) !== undefined;
  }

  // ---------------------------------------------------------------------------------------------

  private async list(path: string): Promise<Json[]> {
    const out: Json[] = [];
    for (let page = 1; page <= 1000; page++) {
      const what = `GET ${path}`;
      const a = await this.call("GET", `${path}?page=${page}&limit=${STATUSCAKE_PAGE_LIMIT}`);
      const body = a!.body as { data?: unknown; metadata?: { page_count?: unknown } } | undefined;
      if (!body || !Array.isArray(body.data)) throw this.badAnswer(what, "no data list");
      out.push(...(body.data as Json[]));
      const pages = Number(body.metadata?.page_count ?? 1);
      if (!Number.isFinite(pages) || page >= pages || body.data.length === 0) return out;
    }
    return out;
  }

  private data(a: Answer, what: string): Json {
    const d = (a.body as { data?: unknown } | undefined)?.data;
    if (typeof d !== "object" || d === null || Array.isArray(d)) throw this.badAnswer(what, "no data object");
    return d as Json;
  }

  private uptimeCheck(d: Json): UptimeCheck {
    const rate = Number(d.check_rate);
    return {
      id: str(d.id) ?? "",
      name: str(d.name) ?? "",
      websiteUrl: str(d.website_url) ?? "",
      paused: d.paused === true,
      status: str(d.status) ?? "unknown",
      ...(Number.isFinite(rate) && d.check_rate !== undefined ? { checkRateSeconds: rate } : {}),
      tags: strings(d.tags),
    };
  }

  private heartbeatCheck(d: Json, what: string): HeartbeatCheck {
    const id = str(d.id);
    if (!id) throw this.badAnswer(what, "a heartbeat check without an id");
    const last = str(d.last_tested_at);
    const lastPingAt = last ? new Date(last) : undefined;
    return {
      id,
      name: str(d.name) ?? "",
      pushUrl: str(d.url) ?? "",
      periodSeconds: Number(d.period ?? 0),
      contactGroupIds: strings(d.contact_groups),
      paused: d.paused === true,
      status: str(d.status) ?? "unknown",
      tags: strings(d.tags),
      ...(lastPingAt && !Number.isNaN(lastPingAt.getTime()) ? { lastPingAt } : {}),
    };
  }

  /** One request; a 429 that resets soon is waited out once. `missingOk`: a 404 resolves undefined. */
  private async call(method: string, pathAndQuery: string, form?: URLSearchParams, missingOk = false): Promise<Answer | undefined> {
    const what = `${method} ${pathAndQuery.split("?")[0]}`;
    for (let attempt = 1; ; attempt++) {
      const a = await this.send(method, pathAndQuery, what, form);
      if (a.status === 429 && attempt === 1) {
        const wait = resetSeconds(a.headers);
        if (wait !== undefined && wait * 1000 <= this.rateLimitWaitMaxMs) {
          await new Promise((r) => setTimeout(r, Math.max(wait * 1000, 200)));
          continue;
        }
      }
      if (a.status >= 200 && a.status < 300) return a;
      if (a.status === 404 && missingOk) return undefined;
      throw this.failure(a, what);
    }
  }

  private async send(method: string, pathAndQuery: string, what: string, form?: URLSearchParams): Promise<Answer> {
    if (!this.o.token) {
      throw new StatusCakeError(`no StatusCake API token: ${STATUSCAKE_TOKEN_ENV} is not set`, `export ${STATUSCAKE_TOKEN_ENV}=<a token from StatusCake's account panel> (never in a stack file)`, "no-token");
    }
    const headers: Record<string, string> = { authorization: `Bearer ${this.o.token}`, accept: "application/json", "user-agent": "aytq-dr" };
    if (form) headers["content-type"] = "application/x-www-form-urlencoded";
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(this.baseUrl + pathAndQuery, { method, headers, body: form?.toString(), signal: AbortSignal.timeout(this.timeoutMs) });
      text = await res.text();
    } catch (err) {
      const e = err as Error & { cause?: unknown };
      if (e.name === "TimeoutError" || e.name === "AbortError") {
        throw new StatusCakeError(
          `StatusCake (${this.host}) did not answer ${what} within ${Math.round(this.timeoutMs / 100) / 10} s`,
          `StatusCake may be slow or out of reach from here: check this machine reaches ${this.host} over HTTPS, then run the command again`,
          "timeout",
        );
      }
      const cause = e.cause instanceof Error ? e.cause.message : e.message;
      throw new StatusCakeError(`could not reach StatusCake (${this.host}) for ${what}: ${this.mask(oneLine(cause))}`, `check this machine reaches ${this.host} over HTTPS, then run the command again`, "unreachable");
    }
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        if (res.status < 300) throw this.badAnswer(what, "not JSON");
        body = { message: text.slice(0, 200) };
      }
    }
    return { status: res.status, headers: res.headers, body };
  }

  private failure(a: Answer, what: string): StatusCakeError {
    const says = this.mask(describeBody(a.body));
    const http = `HTTP ${a.status}${says ? `: ${says}` : ""}`;
    if (a.status === 401) {
      return new StatusCakeError(
        `StatusCake refused the API token (${http}, ${what})`,
        `the token in ${STATUSCAKE_TOKEN_ENV} is wrong or revoked: make one in StatusCake's account panel and export it as ${STATUSCAKE_TOKEN_ENV}`,
        "token",
        401,
      );
    }
    if (a.status === 403) {
      return new StatusCakeError(`StatusCake refused ${what} for this token (${http})`, `use a token of the StatusCake account that owns the checks (${STATUSCAKE_TOKEN_ENV})`, "token", 403);
    }
    if (a.status === 429) {
      const wait = resetSeconds(a.headers);
      return new StatusCakeError(
        `StatusCake is rate-limiting this account (${http}, ${what})${wait !== undefined ? `; its limit resets in ${wait} s` : ""}`,
        `wait ${wait !== undefined ? `${wait} s` : "a minute"} and run the command again (free plans allow 60 requests a minute, every plan 5 a second, shared by every client of the account)`,
        "rate-limit",
        429,
        wait,
      );
    }
    if (a.status === 404) {
      return new StatusCakeError(`StatusCake has no such check (${http}, ${what})`, "it was deleted in StatusCake: pulumi refresh forgets it and the next pulumi up creates it again", "not-found", 404);
    }
    if (a.status >= 500) {
      return new StatusCakeError(`StatusCake answered ${http} to ${what}`, "StatusCake may be having trouble: run the command again in a few minutes", "refused", a.status);
    }
    return new StatusCakeError(`StatusCake refused ${what} (${http})`, "correct the value StatusCake names and run the command again", "refused", a.status);
  }

  private badAnswer(what: string, why: string): StatusCakeError {
    return new StatusCakeError(`StatusCake's answer to ${what} is not what its API documents (${why})`, `check that ${this.baseUrl} is StatusCake's API v1`, "bad-answer");
  }

  /** A message never carries the token, even if an answer quotes it. */
  private mask(text: string): string {
    return this.o.token ? text.split(this.o.token).join("***") : text;
  }
}

/** The form StatusCake takes for a heartbeat check: arrays as `field[]`, an empty one as a single empty value (clears it). */
export function heartbeatForm(spec: HeartbeatCheckSpec): URLSearchParams {
  const f = new URLSearchParams();
  f.append("name", spec.name);
  f.append("period", String(spec.periodSeconds));
  if (spec.contactGroupIds.length === 0) f.append("contact_groups[]", "");
  for (const g of spec.contactGroupIds) f.append("contact_groups[]", g);
  if (spec.tags.length === 0) f.append("tags[]", "");
  for (const t of spec.tags) f.append("tags[]", t);
  f.append("paused", spec.paused ? "true" : "false");
  return f;
}
