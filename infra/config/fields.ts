/**
 * Field schemas the sections share. Config set from the CLI arrives as strings ("true", "2"), from
 * a stack file as YAML values: both are accepted, and each field's message says what it must be.
 */
import { z } from "zod";
import { isIsoUtc } from "./time";

/** `true` / `false`, as a boolean or as the text the CLI sets. */
export const boolish = z.preprocess(
  (v) => (v === "true" ? true : v === "false" ? false : v),
  z.boolean({ error: "must be true or false" }),
);

/** A whole number between `min` and `max`, as a number or as the text the CLI sets. */
export const intish = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
    z
      .number({ error: "must be a whole number" })
      .int({ error: "must be a whole number" })
      .min(min, { error: `must be between ${min} and ${max}` })
      .max(max, { error: `must be between ${min} and ${max}` }),
  );

/** Azure flexible server names: 3-63 characters, lowercase letters, digits and hyphens, not starting or ending with a hyphen. */
export const AZURE_SERVER_NAME = /^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/;
/** Azure blob container names: 3-63 characters, lowercase letters, digits and single hyphens, starting and ending with a letter or digit. */
export const AZURE_CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A flexible server's name, live or copy: it becomes the server's Azure name. */
export const serverName = z
  .string({ error: "must be a server name" })
  .regex(AZURE_SERVER_NAME, {
    error: "must be a valid Azure server name: 3-63 characters, lowercase letters, digits and hyphens, not starting or ending with a hyphen",
  });

/** An instant in UTC, read as the recovery command reads times (infra/config/time.ts), with its `Z`. */
export const isoUtc = z
  .string({ error: "must be an ISO 8601 time in UTC" })
  .refine(isIsoUtc, { error: "must be an ISO 8601 time in UTC ending in Z, e.g. 2024-07-24T06:00:00Z" });

/** A public DNS host name, as the ingresses and the health URLs use it. */
export const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/, { error: "must be a DNS host name" });

/** An http(s) URL: status pages, webhooks, checks. */
export const url = z.string().url({ error: "must be a URL" });

/** An id exactly as Azure reports it (adoptions import by it). */
export const armResourceId = z.string().startsWith("/subscriptions/", { error: "must be an Azure resource id starting /subscriptions/" });

/** A Pulumi custom timeout is a Go duration (`6h`, `90m`, `2h30m`); the engine refuses `1d`. */
const GO_DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
function durationSeconds(text: string): number | undefined {
  const m = GO_DURATION.exec(text);
  if (!m || text === "") return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/**
 * A server's custom timeout: at least an hour, since azure-native's own default is 2 hours and a
 * restore of a large server can take longer.
 */
export const serverTimeout = z
  .string()
  .refine((t) => (durationSeconds(t) ?? 0) >= 3600, { error: "must be a duration of at least 1h in hours and minutes, e.g. 6h or 7h30m (Pulumi reads Go durations: no days)" });

/** A GitHub actor as the provider names it: `/login` (user), `org/team-slug` (team), or a node ID. */
const GITHUB_ACTOR = /^(?:\/[A-Za-z0-9][A-Za-z0-9-]{0,38}|[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+|[A-Z]{1,4}_[A-Za-z0-9_-]+|MD[A-Za-z0-9+]+={0,2})$/;
const actor = z.string().regex(GITHUB_ACTOR, { error: "must be a GitHub actor: /user, org/team or a node ID" });
/** A list of GitHub actors. @default [] */
export const actors = z.array(actor, { error: 'must be a list of GitHub actors, e.g. ["/octocat", "DFE-Digital/some-team"]' }).default([]);
