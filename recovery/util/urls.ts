/**
 * URLs given by an operator (`validate --url`, the Slack and Teams webhooks): one rule, checked
 * before anything is called. An http(s) URL with a host and no user or password; anything else is
 * refused with a fix. These URLs may carry secrets (a webhook's path is its key, a query may hold
 * a token), so a refusal never quotes them, and every message shows a URL only as
 * `scheme://host/…` (elideUrl): path and query left out.
 */
import { UsageError } from "../errors";
import { clipInput } from "./clip";

export interface UrlRule {
  /** How the operator gave it: `--url`, `--slack-webhook`, `AYTQ_DR_SLACK_WEBHOOK`. */
  what: string;
  /** An example of a good one, for the fix line. */
  example: string;
}

/** The URL, or a UsageError naming where it came from (never the URL itself). */
export function checkHttpUrl(text: string, rule: UrlRule): URL {
  let url: URL | undefined;
  try {
    url = new URL(text.trim());
  } catch {
    // reported below
  }
  if (url === undefined) throw new UsageError(`${rule.what} is not a URL (not repeated here: it may hold a secret)`, `write it like ${rule.example}`);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`${rule.what} is a ${clipInput(url.protocol.replace(/:$/, ""), 20)} URL, not http(s) (not repeated here: it may hold a secret)`, `write it like ${rule.example}`);
  }
  if (url.hostname === "") throw new UsageError(`${rule.what} has no host (not repeated here: it may hold a secret)`, `write it like ${rule.example}`);
  if (url.username !== "" || url.password !== "") {
    // a password in a URL ends up in logs, process lists and error messages; fetch refuses it anyway
    throw new UsageError(
      `${rule.what} holds a user name or password (user:password@ before the host) (not repeated here: it is a secret)`,
      `remove the user:password@ part; write it like ${rule.example}`,
    );
  }
  return url;
}

/**
 * How a URL is shown in any message: `https://host:port/…`, the path and query elided (a
 * webhook's path is its key; `?token=` is a token). A URL that cannot be read shows as
 * `(a URL that cannot be read)`. `base` resolves a relative one (a redirect's Location).
 */
export function elideUrl(text: string, base?: string | URL): string {
  let url: URL;
  try {
    url = new URL(text.trim(), base);
  } catch {
    return "(a URL that cannot be read)";
  }
  if (url.host === "") return `${clipInput(url.protocol, 20)}…`;
  const more = (url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "" ? "/…" : "/";
  return `${clipInput(url.protocol, 20)}//${clipInput(url.host, 100)}${more}`;
}

/** `text` with every URL in it shown as elideUrl shows it (for error messages that quote one). */
export function elideUrls(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (match) => elideUrl(match));
}
