/** Config that cannot be used: every problem at once, each with its key as an operator types it, never a secret's value. */
import type { z } from "zod";
import { CONFIG_NAMESPACE } from "./stacks";
import type { RawConfig } from "./raw";

/** One config problem: the key as an operator types it (`aytq:recovery.mode`) and what is wrong. */
export interface ConfigProblem {
  key: string;
  message: string;
}

/** Config that cannot be used. Lists every problem at once. */
export class ConfigError extends Error {
  constructor(public readonly problems: ConfigProblem[]) {
    super(
      problems.length === 1
        ? `invalid config: ${problems[0].key}: ${problems[0].message}`
        : `invalid config (${problems.length} problems):\n` + problems.map((p) => `  ${p.key}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Operator input in a message is cut to 200 characters (a 100 KB key must not become a 100 KB error). */
export function clipText(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}... (${text.length - 200} more characters)` : text;
}

function keyOf(path: ReadonlyArray<PropertyKey>): string {
  let key = CONFIG_NAMESPACE + ":";
  path.forEach((part, i) => {
    if (typeof part === "number") key += `[${part}]`;
    else key += (i === 0 ? "" : ".") + String(part);
  });
  return clipText(key);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  // JSON has no Infinity or NaN (a stack file's 1e999): never shown as null
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = raw;
  for (const part of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[part];
  }
  return v;
}

/** Every issue of a failed parse as one ConfigError, each with its key as an operator types it. */
export function configErrorOf(error: z.ZodError, input: RawConfig): ConfigError {
  const problems = error.issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === "unrecognized_keys") {
      // each unknown key by its own full name (`aytq:foo`, `aytq:app.foo`), never the bare namespace
      return issue.keys.map((k) => ({ key: keyOf([...issue.path, k]), message: "is not a config key; check the spelling against the README's config table" }));
    }
    // a secret value is never echoed back, even when it is wrong
    const secret = issue.path[issue.path.length - 1] === "adminPassword";
    const got = secret ? "[secret]" : valueAt(input, issue.path);
    const missing = got === undefined;
    return [
      {
        key: keyOf(issue.path),
        message: missing && issue.code !== "custom" ? "is required" : `${issue.message}${issue.code === "custom" ? "" : ` (got ${describe(got)})`}`,
      },
    ];
  });
  return new ConfigError(problems);
}
