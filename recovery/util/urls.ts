/**
 * URLs given by an operator (`validate --url`, the Slack and Teams webhooks): one rule, checked
 * before anything is called. An http(s) URL with a host; anything else is refused with a fix.
 * These URLs may carry secrets (a webhook's path is its key, a health URL may hold a password),
 * so a refusal never quotes them.
 */
import { UsageError } from "../errors";

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
    throw new UsageError(`${rule.what} is a ${url.protocol.replace(/:$/, "")} URL, not http(s) (not repeated here: it may hold a secret)`, `write it like ${rule.example}`);
  }
  if (url.hostname === "") throw new UsageError(`${rule.what} has no host (not repeated here: it may hold a secret)`, `write it like ${rule.example}`);
  return url;
}
