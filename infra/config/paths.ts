/**
 * Config paths, the one grammar for them: Pulumi's `--path` keys, dotted names with `[n]` for an
 * item of a list (`recovery.mode`, `recovery.ptrCopies[0].name`), with or without `aytq:`. How the
 * driver swaps a stack into a recovery mode and back, how `--set` and a run's snapshot are read, and
 * how a value is written leaf by leaf (`config set-all --path`). Nothing here validates values;
 * parseSettings does.
 */
import { ConfigError, clipText } from "./errors";
import { RawConfig, normalise } from "./raw";
import { CONFIG_NAMESPACE } from "./stacks";

/** One step of a path: a key of an object, or an index into a list. */
type PathPart = string | number;

/** A config path's scalar leaves, as `config set-all --path` takes them. */
type ConfigLeaves = Record<string, string | number | boolean>;

/** Keys that reach an object's prototype when written through: never config keys. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** One segment: a name, then any number of `[n]`. */
const SEGMENT = /^([^.[\]]+)((?:\[\d+\])*)$/;

/** The path without `aytq:`. */
const bareOf = (path: string): string => path.replace(new RegExp(`^${CONFIG_NAMESPACE}:`), "");

function pathProblem(path: string, message: string): ConfigError {
  return new ConfigError([{ key: `${CONFIG_NAMESPACE}:${clipText(bareOf(path))}`, message }]);
}

/** The first forbidden key anywhere inside a parsed value (JSON.parse keeps `__proto__` as an own key). */
function forbiddenKeyIn(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(k)) return k;
    const inner = forbiddenKeyIn(v);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** `recovery.ptrCopies[0].name` as `["recovery", "ptrCopies", 0, "name"]`; a ConfigError naming the path when it is not one. */
export function parseConfigPath(path: string): PathPart[] {
  const bare = bareOf(path);
  const segments = bare.split(".");
  // named first, whatever else is wrong with the path: `node["__proto__"]` is Object.prototype, and
  // writing through it would change every object in the process
  const forbidden = segments.map((s) => s.split("[")[0]).find((name) => FORBIDDEN_KEYS.has(name));
  if (forbidden !== undefined) throw pathProblem(bare, `"${forbidden}" is not a config key (no key of the model is named __proto__, constructor or prototype)`);
  const parts: PathPart[] = [];
  for (const segment of segments) {
    const m = SEGMENT.exec(segment);
    if (!m) throw pathProblem(bare, "is not a valid key path; use dotted names like recovery.mode, and [n] for an item of a list (recovery.ptrCopies[0].name)");
    parts.push(m[1]);
    for (const index of m[2].matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The value at `path` in `root`, or undefined when the path is absent. */
export function readConfigPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const part of parseConfigPath(path)) {
    if (typeof part === "number" ? !Array.isArray(node) : !isMap(node)) return undefined;
    node = (node as Record<PathPart, unknown>)[part];
  }
  return node;
}

/**
 * Set `path` in `root`, in place, to `value` as given, making the objects and lists on the way (a
 * scalar in the way is replaced). An index may name an item or the one after the last, never leave a hole.
 */
export function writeConfigPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = parseConfigPath(path);
  let node: Record<PathPart, unknown> = root;
  parts.forEach((part, i) => {
    if (typeof part === "number" && part > (node as unknown as unknown[]).length) {
      throw pathProblem(path, `index ${part} is past the end of the list (it has ${(node as unknown as unknown[]).length} items)`);
    }
    if (i === parts.length - 1) {
      node[part] = value;
      return;
    }
    const nextIsIndex = typeof parts[i + 1] === "number";
    const next = node[part];
    if (nextIsIndex ? !Array.isArray(next) : !isMap(next)) node[part] = nextIsIndex ? [] : {};
    node = node[part] as Record<PathPart, unknown>;
  });
}

/** Remove `path` from `root`, in place: an item of a list is taken out (the later ones move up); absent, nothing changes. */
export function deleteConfigPath(root: Record<string, unknown>, path: string): void {
  const parts = parseConfigPath(path);
  const last = parts[parts.length - 1];
  let parent: unknown = root;
  for (const part of parts.slice(0, -1)) {
    if (typeof part === "number" ? !Array.isArray(parent) : !isMap(parent)) return;
    parent = (parent as Record<PathPart, unknown>)[part];
  }
  if (typeof last === "number" && Array.isArray(parent)) {
    if (last < parent.length) parent.splice(last, 1);
  } else if (typeof last === "string" && isMap(parent)) {
    delete parent[last];
  }
}

/** `value`'s scalar leaves as path keys under `path`: `{a:[{b:1}]}` at `x` is `x.a[0].b = 1`. */
export function configPathLeaves(path: string, value: unknown, out: ConfigLeaves = {}): ConfigLeaves {
  if (Array.isArray(value)) value.forEach((v, i) => configPathLeaves(`${path}[${i}]`, v, out));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) if (v !== undefined) configPathLeaves(`${path}.${k}`, v, out);
  } else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[path] = value;
  return out;
}

/**
 * Set one path in raw config, returning a new object. A value that reads as JSON (true, 2, [...],
 * {...}) is parsed; anything else stays text. Unknown keys are not rejected here:
 * {@link parseSettings} does that, with the same message as the program.
 */
export function setConfigPath(raw: RawConfig, path: string, value: string | unknown): RawConfig {
  parseConfigPath(path);
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = value;
    }
    // a number JSON cannot hold as typed (1e999 is Infinity, 99999999999999999999 loses digits) stays text,
    // so a refusal echoes what was typed, never `null` or another number
    if (typeof parsed === "number" && !(Number.isFinite(parsed) && (Number.isSafeInteger(parsed) || !Number.isInteger(parsed)))) parsed = value;
  }
  const inValue = forbiddenKeyIn(parsed);
  if (inValue !== undefined) {
    throw pathProblem(path, `its value has a key "${inValue}", which is not a config key (no key of the model is named __proto__, constructor or prototype)`);
  }
  const root = structuredClone(normalise(raw));
  writeConfigPath(root, path, parsed);
  return root;
}

/** Remove one path from raw config (no-op when absent), returning a new object. */
export function removeConfigPath(raw: RawConfig, path: string): RawConfig {
  const root = structuredClone(normalise(raw));
  deleteConfigPath(root, path);
  return root;
}
