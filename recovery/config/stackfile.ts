/** Reads a stack's config from its `Pulumi.<stack>.yaml`, for commands that work offline (plan, local drills). */
import { readFileSync, existsSync } from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { CONFIG_NAMESPACE, PIPELINE_STACK, PipelineSettings, PipelineStackName, STACK_NAMES, StackName, RawConfig, Settings, parsePipelineSettings, parseSettings, setConfigPath } from "../../infra/config";
import { UsageError } from "../errors";
import { checkStackIdentity } from "./stack-identity";
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

/**
 * How many aliases a stack file may expand (the yaml package's own default, said out loud): a
 * "billion laughs" file of nested aliases is refused instead of eating the memory.
 */
const MAX_YAML_ALIASES = 100;

const FIX_STACK_FILE = "correct the stack file (git diff shows what changed in it; `git checkout -- <file>` puts the committed one back), then run this again";

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * A stack file's text as data. Every way it can be damaged is a UsageError naming file:line:
 * bad syntax, a key given twice (which value was meant?), an alias that is undefined or expands
 * too far, a top level or `config` that is not a map.
 */
function parseStackFile(text: string, file: string): Record<string, unknown> {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line;
    const what = first.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new UsageError(`${file}${line === undefined ? "" : `:${line}`}: ${clipInput(what)}: it is not valid YAML, so nothing was read or changed`, FIX_STACK_FILE);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    // the yaml package throws a ReferenceError for an unresolved alias and for an alias bomb
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new UsageError(`${file}: ${clipInput(why)} (an alias (*name) is undefined, or aliases expand more than ${MAX_YAML_ALIASES} times), so nothing was read or changed`, FIX_STACK_FILE);
  }
  if (data === null || data === undefined) return {};
  if (!isMap(data)) throw new UsageError(`${file}: the file is not a map of keys (it is ${Array.isArray(data) ? "a list" : `a ${typeof data}`}), so nothing was read or changed`, FIX_STACK_FILE);
  const config = data.config;
  if (config !== undefined && config !== null && !isMap(config)) {
    const node = doc.get("config", true) as { range?: [number] } | undefined;
    const at = node?.range ? `:${text.slice(0, node.range[0]).split("\n").length}` : "";
    throw new UsageError(`${file}${at}: config is not a map of keys (it is ${Array.isArray(config) ? "a list" : `a ${typeof config}`}), so nothing was read or changed`, FIX_STACK_FILE);
  }
  return data;
}

/** The `aytq:` part of a stack file's config, keys without the namespace. */
export function readStackConfig(stack: StackName | PipelineStackName, root: string = PROJECT_ROOT): RawConfig {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) throw new UsageError(`no stack file ${file}`, "run from a checkout of the project, or pass the right --stack");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read the stack file ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}), so nothing was read or changed`, "make it a readable file (a checkout of the project has it), then run this again");
  }
  const doc = parseStackFile(text, file);
  const raw: RawConfig = {};
  for (const [key, value] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) {
    if (key.startsWith(CONFIG_NAMESPACE + ":")) raw[key.slice(CONFIG_NAMESPACE.length + 1)] = value;
  }
  // what the file describes must be the stack it is read as (the production guard goes by the name)
  if (stack !== PIPELINE_STACK) checkStackIdentity(stack, raw, file);
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
