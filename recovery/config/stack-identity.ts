/**
 * What a stack IS, read from its file, must agree with what it is CALLED. The production guard
 * asks for --confirm-production by the stack's name; a `Pulumi.test.yaml` holding production's
 * settings would otherwise converge production's server under the name `test` with no
 * confirmation. So every command that reads a stack file checks, before anything else, that the
 * file's `aytq:environment`, short code and the names of the resource group, the server and the
 * backup storage account belong to the stack it was called by.
 *
 * The naming is the platform's (reference/FACTS.md, "resource prefix" and the name rows):
 * `<prefix>-aytq-<code>-...` for groups and servers, `<prefix>aytq...<code>sa` for storage
 * accounts; the prefix names the subscription, `s189p01` production's and `s189t01` the others'.
 */
import type { RawConfig, StackName } from "../../infra/config";
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";

interface StackIdentity {
  shortCode: string;
  /** The subscription's resource prefix. */
  prefix: string;
}

const STACK_IDENTITIES: Readonly<Record<StackName, StackIdentity>> = {
  test: { shortCode: "ts", prefix: "s189t01" },
  preproduction: { shortCode: "pp", prefix: "s189t01" },
  production: { shortCode: "pd", prefix: "s189p01" },
};

const PRODUCTION_PREFIX = STACK_IDENTITIES.production.prefix;

function section(raw: RawConfig, key: string): Record<string, unknown> {
  const v = raw[key];
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Every string value anywhere in the config, with its dotted path. */
function strings(value: unknown, at: string): [string, string][] {
  if (typeof value === "string") return [[at, value]];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
}

/** What disagrees between a stack's name and its file; empty when they agree. */
export function identityProblems(stack: StackName, raw: RawConfig): string[] {
  const want = STACK_IDENTITIES[stack];
  const problems: string[] = [];
  const said = (key: string, value: unknown) => `${key} is ${value === undefined ? "missing" : `"${clipInput(String(value))}"`}`;
  if (raw.environment !== stack) problems.push(`${said("environment", raw.environment)}, not "${stack}"`);
  if (raw.shortCode !== want.shortCode) problems.push(`${said("shortCode", raw.shortCode)}, not "${want.shortCode}"`);
  const named: [string, unknown, (v: string) => boolean, string][] = [
    ["resourceGroupName", raw.resourceGroupName, (v) => v.startsWith(`${want.prefix}-aytq-${want.shortCode}-`), `${want.prefix}-aytq-${want.shortCode}-...`],
    ["database.serverName", section(raw, "database").serverName, (v) => v.startsWith(`${want.prefix}-aytq-${want.shortCode}-`), `${want.prefix}-aytq-${want.shortCode}-...`],
    ["backup.storageAccountName", section(raw, "backup").storageAccountName, (v) => v.startsWith(`${want.prefix}aytq`) && v.endsWith(`${want.shortCode}sa`), `${want.prefix}aytq...${want.shortCode}sa`],
  ];
  for (const [key, value, ok, shape] of named) {
    if (typeof value !== "string" || !ok(value)) problems.push(`${said(key, value)}, not a ${stack} name (${shape})`);
  }
  // a production name anywhere in another stack's file (a network, a DNS zone's group) points that stack at production
  if (stack !== "production") {
    for (const [key, value] of strings(raw, "")) {
      if (value.toLowerCase().includes(PRODUCTION_PREFIX) && !problems.some((p) => p.startsWith(key + " "))) problems.push(`${key} names production's subscription ("${clipInput(value)}")`);
    }
  }
  return problems;
}

/**
 * Refuse a stack file that describes another stack than the one named: exit 2 before anything is
 * read from Azure or changed.
 */
export function checkStackIdentity(stack: StackName, raw: RawConfig, file: string): void {
  const problems = identityProblems(stack, raw);
  if (problems.length === 0) return;
  throw new UsageError(
    `${file} does not describe the ${stack} stack: ${problems.join("; ")}; nothing was changed`,
    `put the ${stack} stack's own settings in ${file} (git diff / git checkout -- ${file} shows what changed), or pass the --stack this file describes`,
  );
}
