/**
 * Health validation: GET each URL with retries, backoff and an overall deadline. A URL with a
 * user or password is refused before anything is called (health endpoints are public, and a
 * password in a URL ends up in logs); a redirect is never followed (a 307 to another host would
 * report that host's health as this service's): it is a failure naming where it pointed. URLs are
 * reported as `scheme://host/…` only (util/urls.ts elideUrl): a query may hold a token.
 */
import type { HealthCheckResult, HealthTarget } from "./types";
import { clipInput } from "../util/clip";
import { isRedirect, redirectProblem } from "../util/redirects";
import { checkHttpUrl, elideUrl, elideUrls } from "../util/urls";

const DEFAULT_VALIDATE = {
  /** Attempts per URL. */
  attempts: 5,
  /** First wait between attempts; doubles each time. */
  backoffMs: 1000,
  /** One request's limit. */
  requestTimeoutMs: 10_000,
  /** Everything, all URLs together. */
  deadlineMs: 120_000,
} as const;

export interface ValidateOptions {
  attempts?: number;
  backoffMs?: number;
  requestTimeoutMs?: number;
  deadlineMs?: number;
  /** For tests. @default globalThis.fetch */
  fetch?: typeof fetch;
}

async function checkOne(target: HealthTarget, options: Required<Omit<ValidateOptions, "fetch">> & { fetch: typeof fetch }, deadline: number): Promise<HealthCheckResult> {
  const shown = { ...target, service: clipInput(target.service, 60), url: elideUrl(target.url) };
  let last: HealthCheckResult = { ...shown, ok: false, status: null, latencyMs: null, error: "not tried" };
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      last = { ...last, error: `${last.error ?? "failed"} (deadline reached after ${attempt - 1} attempts)` };
      break;
    }
    const started = Date.now();
    try {
      const res = await options.fetch(target.url, { signal: AbortSignal.timeout(Math.min(options.requestTimeoutMs, remaining)), redirect: "manual" });
      await res.arrayBuffer().catch(() => undefined);
      const latencyMs = Date.now() - started;
      // a redirect answers the same every time: no retry
      if (isRedirect(res.status)) return { ...shown, ok: false, status: res.status, latencyMs, error: redirectProblem(res, target.url) };
      last = res.ok ? { ...shown, ok: true, status: res.status, latencyMs } : { ...shown, ok: false, status: res.status, latencyMs, error: `HTTP ${res.status}` };
      if (res.ok) return last;
    } catch (err) {
      const e = err as Error;
      const reason = e.name === "TimeoutError" || e.name === "AbortError" ? "no answer in time" : ((e.cause as Error | undefined)?.message ?? e.message);
      last = { ...shown, ok: false, status: null, latencyMs: Date.now() - started, error: clipInput(elideUrls(reason), 300) };
    }
    if (attempt < options.attempts) {
      const wait = Math.min(options.backoffMs * 2 ** (attempt - 1), Math.max(0, deadline - Date.now()));
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  return last;
}

export async function validateHealth(targets: readonly HealthTarget[], options: ValidateOptions = {}): Promise<HealthCheckResult[]> {
  const o = {
    attempts: options.attempts ?? DEFAULT_VALIDATE.attempts,
    backoffMs: options.backoffMs ?? DEFAULT_VALIDATE.backoffMs,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_VALIDATE.requestTimeoutMs,
    deadlineMs: options.deadlineMs ?? DEFAULT_VALIDATE.deadlineMs,
    fetch: options.fetch ?? globalThis.fetch,
  };
  targets.forEach((t, i) => checkHttpUrl(t.url, { what: `the health URL of ${clipInput(t.service, 60)}${targets.length > 1 ? ` (URL ${i + 1})` : ""}`, example: "https://host/health/all.json" }));
  const deadline = Date.now() + o.deadlineMs;
  return Promise.all(targets.map((t) => checkOne(t, o, deadline)));
}

export function formatHealth(results: readonly HealthCheckResult[]): string {
  const header = ["service", "status", "latency", "url", "result"];
  const rows = results.map((r) => [r.service, r.status === null ? "-" : String(r.status), r.latencyMs === null ? "-" : `${r.latencyMs} ms`, r.url, r.ok ? "ok" : `FAILED: ${r.error ?? ""}`]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((cells) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}
