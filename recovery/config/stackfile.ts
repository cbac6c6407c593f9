/** Reads a stack's config from its `Pulumi.<stack>.yaml`, for commands that work offline (plan, local drills). */
import { readFileSync, existsSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CONFIG_NAMESPACE, STACK_NAMES, StackName, RawConfig, Settings, parseSettings, setConfigPath } from "../../infra/config";
import { UsageError } from "../errors";

/** The project folder: where Pulumi.yaml is. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export function checkStackName(stack: string | undefined): StackName {
  if (stack === undefined) throw new UsageError("missing --stack", `add --stack ${STACK_NAMES.join("|")}`);
  if (!(STACK_NAMES as readonly string[]).includes(stack)) {
    throw new UsageError(`unknown stack "${stack}"`, `use one of: ${STACK_NAMES.join(", ")}`);
  }
  return stack as StackName;
}

/** The `aytq:` part of a stack file's config, keys without the namespace. */
export function readStackConfig(stack: StackName, root: string = PROJECT_ROOT): RawConfig {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) throw new UsageError(`no stack file ${file}`, "run from a checkout of the project, or pass the right --stack");
  const doc = parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  const raw: RawConfig = {};
  for (const [key, value] of Object.entries(doc?.config ?? {})) {
    if (key.startsWith(CONFIG_NAMESPACE + ":")) raw[key.slice(CONFIG_NAMESPACE.length + 1)] = value;
  }
  return raw;
}

/** Parse `key=value` overrides (as given to --set) onto raw config. */
export function applyOverrides(raw: RawConfig, sets: readonly string[]): RawConfig {
  return sets.reduce((acc, item) => {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set "${item}" is not key=value`, "write it like --set recovery.mode=rebuild");
    return setConfigPath(acc, item.slice(0, eq), item.slice(eq + 1));
  }, raw);
}

/** A stack's validated settings from its file, with overrides. */
export function loadStackSettings(stack: StackName, sets: readonly string[] = [], root?: string): Settings {
  return parseSettings(applyOverrides(readStackConfig(stack, root), sets));
}
