/**
 * HTTP redirects, for the calls that must never follow one (health checks, webhooks): a health URL
 * answered "ok" by another host after a 307 checks the wrong service, and a webhook's message
 * re-posted to a redirect target leaks it. The caller asks fetch for `redirect: "manual"` and
 * reports a 3xx as a failure that names where it pointed (host only: the path and query may hold
 * a token).
 */
import { elideUrl } from "./urls";

/** 301, 302, 303, 307, 308 (and any other 3xx): an answer that points elsewhere. */
export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/** `HTTP 307 redirect to https://other.example/… (not followed)`; the Location resolved against the request URL. */
export function redirectProblem(res: { status: number; headers: { get(name: string): string | null } }, requestUrl: string): string {
  const location = res.headers.get("location");
  const where = location === null || location.trim() === "" ? "no Location given" : elideUrl(location, requestUrl);
  return `HTTP ${res.status} redirect to ${where} (not followed: give the final URL)`;
}
