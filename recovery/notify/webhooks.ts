/**
 * Incident messages to Slack and Microsoft Teams incoming webhooks, both at once (the DR test
 * write-up: teams are moving from Slack to Teams). A message at the start, at each decision, on
 * failure and at the end. A webhook that fails is logged and never fails the recovery. Webhook
 * URLs are secrets: they are never printed, not even in errors, and a redirect is never followed
 * (the message would be re-posted to another host).
 */
import type { RunEvent } from "../runbook/run-model";
import { redact } from "../util/redact";
import { envValue } from "../util/env";
import { clipInput } from "../util/clip";
import { checkHttpUrl, elideUrls } from "../util/urls";
import { isRedirect, redirectProblem } from "../util/redirects";

export const SLACK_ENV = "AYTQ_DR_SLACK_WEBHOOK";
export const TEAMS_ENV = "AYTQ_DR_TEAMS_WEBHOOK";
/** One webhook call's limit: a slow chat service must not hold up a recovery. */
const WEBHOOK_TIMEOUT_MS = 5000;

export type Channel = "slack" | "teams";

export interface NotifyMessage {
  title: string;
  text: string;
  /** Colour hint: good news, needs attention, failure. */
  tone: "info" | "attention" | "failure" | "success";
}

/** Slack incoming webhook body: `text` is required (and is the notification text); blocks render it. */
function slackPayload(m: NotifyMessage): Record<string, unknown> {
  const icon = { info: ":information_source:", attention: ":raised_hand:", failure: ":rotating_light:", success: ":white_check_mark:" }[m.tone];
  return {
    text: `${icon} ${m.title}\n${m.text}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: m.title.slice(0, 150) } },
      { type: "section", text: { type: "mrkdwn", text: m.text.slice(0, 3000) } },
    ],
  };
}

/** Teams (Workflows "when a webhook request is received"): a message with one Adaptive Card. */
function teamsPayload(m: NotifyMessage): Record<string, unknown> {
  const color = { info: "Default", attention: "Warning", failure: "Attention", success: "Good" }[m.tone];
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", size: "Medium", weight: "Bolder", text: m.title, wrap: true, color },
            { type: "TextBlock", text: m.text, wrap: true },
          ],
        },
      },
    ],
  };
}

/**
 * PostgreSQL's DETAIL names the row a constraint refused by its values (`Key (trn)=(1234567) already
 * exists`, `Failing row contains (...)`): a teacher's reference number or a whole row of personal
 * data. The operator's terminal, the journal and the run report keep them (they are how the row is
 * found); a chat channel gets the constraint and the columns, not the values.
 */
export function withoutRowValues(text: string): string {
  return text
    .replace(/(Key \([^)]*\))=\(.*?\)(?= (?:is not present|already exists|is still referenced|conflicts with))/g, "$1=(…)")
    .replace(/Failing row contains \(.*\)/g, "Failing row contains (…)");
}

/** The message for a run event, or undefined for events that do not notify (step starts, steps that went well). */
export function messageFor(event: RunEvent, label: string): NotifyMessage | undefined {
  switch (event.type) {
    case "run-start":
      return { title: `DR ${label}: ${event.scenario} started on ${event.stack}`, text: `Run ${event.runId} started at ${event.at} (UTC).`, tone: "info" };
    case "decision":
      return {
        title: `DR ${label}: decision on run ${event.runId}`,
        text: `"${event.question}" answered "${event.answer}" by ${event.by === "flag" ? "a flag" : "a person"} at ${event.at}.`,
        tone: "attention",
      };
    case "step-end":
      if (event.record.status !== "failed" && event.record.status !== "interrupted") return undefined;
      return {
        title: `DR ${label}: step ${event.record.step} ${event.record.status}`,
        text: `Run ${event.runId}: ${withoutRowValues(event.record.error ?? event.record.summary ?? "no detail")}`,
        tone: "failure",
      };
    case "run-end":
      return {
        title: `DR ${label}: run ${event.outcome}`,
        text: `Run ${event.runId} ${event.outcome} at ${event.at}.`,
        tone: event.outcome === "completed" ? "success" : "failure",
      };
    case "step-start":
      return undefined;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export interface NotifierOptions {
  slackWebhook?: string;
  teamsWebhook?: string;
  /** Where failures are logged (never with the URL). */
  log: (line: string) => void;
  /** What the messages call this run ("drill", "recovery"). @default "recovery" */
  label?: string;
  /** For tests. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default WEBHOOK_TIMEOUT_MS */
  timeoutMs?: number;
}

/** Posts to every configured webhook. `onEvent` can be given straight to RunRequest.onEvent. */
export class Notifier {
  private readonly pending = new Set<Promise<void>>();
  private readonly targets: { channel: Channel; url: string }[];
  /** Count of messages that could not be delivered (each was logged). */
  failures = 0;

  constructor(private readonly options: NotifierOptions) {
    this.targets = [
      ...(options.slackWebhook ? [{ channel: "slack" as const, url: options.slackWebhook }] : []),
      ...(options.teamsWebhook ? [{ channel: "teams" as const, url: options.teamsWebhook }] : []),
    ];
  }

  get enabled(): Channel[] {
    return this.targets.map((t) => t.channel);
  }

  readonly onEvent = (event: RunEvent): void => {
    const message = messageFor(event, this.options.label ?? "recovery");
    if (message) this.send(message);
  };

  /** Send a message to every channel in the background; `flush()` waits for them. */
  send(message: NotifyMessage): void {
    for (const target of this.targets) {
      const p = this.post(target.channel, target.url, message).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  /** Wait for every message in flight (each has its own timeout). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async post(channel: Channel, url: string, message: NotifyMessage): Promise<void> {
    const body = JSON.stringify(channel === "slack" ? slackPayload(message) : teamsPayload(message));
    const doFetch = this.options.fetch ?? globalThis.fetch;
    const name = channel === "slack" ? "Slack" : "Teams";
    let why: string | undefined;
    // A connection that fails before any answer is tried once more: fetch reuses an idle
    // keep-alive connection, and a server may close it just as the next message goes out (the
    // message is then lost though nothing is wrong). A second copy of a message is better than none.
    for (let attempt = 1; attempt <= 2; attempt++) {
      why = undefined;
      try {
        // never follow a redirect: it would post the incident message to wherever the answer points
        const res = await doFetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(this.options.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (isRedirect(res.status)) why = redirectProblem(res, url);
        else if (!res.ok) why = `HTTP ${res.status}`;
        break;
      } catch (err) {
        const e = err as Error;
        if (e.name === "TimeoutError") {
          why = "no answer in time";
          break;
        }
        why = (e.cause as Error | undefined)?.message ?? e.message;
      }
    }
    if (why === undefined) return;
    this.failures++;
    // the URL is the secret: say which channel and at most its host, never its path or query
    this.options.log(`warning: the ${name} webhook failed (${clipInput(elideUrls(redact(why, [url])), 300)}); the recovery goes on`);
  }
}

/** Webhook URLs from flags, else the environment; one that is not an http(s) URL is refused before anything runs (never quoted: it is a secret). */
export function webhooksFrom(flags: { slackWebhook?: string; teamsWebhook?: string }, env: NodeJS.ProcessEnv): { slackWebhook?: string; teamsWebhook?: string } {
  // `||` on purpose: an empty flag or variable means "not configured", not a URL
  const pick = (flag: string | undefined, name: string, variable: string, example: string): string | undefined => {
    const given = flag?.trim() ? flag : undefined;
    const value = given ?? envValue(env, variable);
    if (value !== undefined) checkHttpUrl(value, { what: given !== undefined ? name : variable, example });
    return value;
  };
  return {
    slackWebhook: pick(flags.slackWebhook, "--slack-webhook", SLACK_ENV, "https://hooks.slack.com/services/T000/B000/XXXX"),
    teamsWebhook: pick(flags.teamsWebhook, "--teams-webhook", TEAMS_ENV, "https://<tenant>.webhook.office.com/... (the Workflows webhook URL)"),
  };
}
