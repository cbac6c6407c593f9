/** Reads a stack's config from its `Pulumi.<stack>.yaml`, for commands that work offline (plan, local drills). */
import { readFileSync, existsSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CONFIG_NAMESPACE, PIPELINE_STACK, PipelineSettings, PipelineStackName, STACK_NAMES, StackName, RawConfig, Settings, parsePipelineSettings, parseSettings, setConfigPath } from "../../infra/config";
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";

/** The project folder: where Pulumi.yaml is. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export function checkStackName(stack: string | undefined): StackName {
  if (stack === undefined) throw new UsageError("missing --stack", `add --stack ${STACK_NAMES.join("|")}`);
  if (!(STACK_NAMES as readonly string[]).includes(stack)) {
    throw new UsageError(`unknown stack "${clipInput(stack)}"`, `use one of: ${STACK_NAMES.join(", ")}`);
  }
  return stack as StackName;
}

/** The `aytq:` part of a stack file's config, keys without the namespace. */
export function readStackConfig(stack: StackName | PipelineStackName, root: string = PROJECT_ROOT): RawConfig {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) throw new UsageError(`no stack file ${file}`, "run from a checkout of the project, or pass the right --stack");
  const doc = parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  const raw: RawConfig = {};
  for (const [key, value] of Object.entries(doc?.config ?? {})) {
    if (key.startsWith(CONFIG_NAMESPACE + ":")) raw[key.slice(CONFIG_NAMESPACE.length + 1)] = value;
  }
  return raw;
}

/**
 * Parse `key=value` overrides (as given to --set) onto raw config. A key given twice is a
 * conflict (which value was meant?); keys that would reach an object's prototype (`__proto__`,
 * `constructor`, `prototype`) are refused by setConfigPath before anything is written.
 */
export function applyOverrides(raw: RawConfig, sets: readonly string[]): RawConfig {
  const seen = new Map<string, string>();
  return sets.reduce((acc, item) => {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set "${clipInput(item)}" is not key=value`, "write it like --set recovery.mode=rebuild");
    const key = item.slice(0, eq).replace(new RegExp(`^${CONFIG_NAMESPACE}:`), "");
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new UsageError(`--set ${clipInput(key)} is given twice ("${clipInput(earlier)}" and "${clipInput(item)}"): the two conflict`, `give --set ${clipInput(key)}=<value> once`);
    }
    seen.set(key, item);
    return setConfigPath(acc, item.slice(0, eq), item.slice(eq + 1));
  }, raw);
}

/** A stack's validated settings from its file, with overrides. */
export function loadStackSettings(stack: StackName, sets: readonly string[] = [], root?: string): Settings {
  return parseSettings(applyOverrides(readStackConfig(stack, root), sets));
}

/** The pipeline stack's validated settings (Pulumi.pipeline.yaml), with overrides: main's branch protection. */
export function loadPipelineSettings(sets: readonly string[] = [], root?: string): PipelineSettings {
  return parsePipelineSettings(applyOverrides(readStackConfig(PIPELINE_STACK, root), sets));
}
