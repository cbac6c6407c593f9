/**
 * Changing one dotted path of raw config (`recovery.mode`, `app.stopped`) and nothing else: how the
 * driver swaps a stack into a recovery mode and back. Nothing here validates; parseSettings does.
 */
import { ConfigError, clipText } from "./errors";
import { RawConfig, normalise } from "./raw";
import { CONFIG_NAMESPACE } from "./stacks";

/** Keys that reach an object's prototype when written through: never config keys. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

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

/**
 * Set one dotted path (`recovery.mode`, `app.stopped`) in raw config, returning a new object.
 * A value that reads as JSON (true, 2, [...], {...}) is parsed; anything else stays text.
 * Unknown keys are not rejected here: {@link parseSettings} does that, with the same message as the program.
 */
export function setConfigPath(raw: RawConfig, path: string, value: string | unknown): RawConfig {
  const parts = path.replace(new RegExp(`^${CONFIG_NAMESPACE}:`), "").split(".");
  const shown = clipText(path);
  if (parts.some((p) => p.length === 0)) {
    throw new ConfigError([{ key: `${CONFIG_NAMESPACE}:${shown}`, message: "is not a valid key path; use dotted names like recovery.mode" }]);
  }
  const forbidden = parts.find((p) => FORBIDDEN_KEYS.has(p));
  if (forbidden !== undefined) {
    // `node["__proto__"]` is Object.prototype: writing through it would change every object in the process
    throw new ConfigError([{ key: `${CONFIG_NAMESPACE}:${shown}`, message: `"${forbidden}" is not a config key (no key of the model is named __proto__, constructor or prototype)` }]);
  }
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
    throw new ConfigError([{ key: `${CONFIG_NAMESPACE}:${shown}`, message: `its value has a key "${inValue}", which is not a config key (no key of the model is named __proto__, constructor or prototype)` }]);
  }
  const root = structuredClone(normalise(raw));
  let node: Record<string, unknown> = root;
  parts.slice(0, -1).forEach((part) => {
    const next = node[part];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  });
  node[parts[parts.length - 1]] = parsed;
  return root;
}

/** Remove one dotted path from raw config (no-op when absent), returning a new object. */
export function removeConfigPath(raw: RawConfig, path: string): RawConfig {
  const parts = path.replace(new RegExp(`^${CONFIG_NAMESPACE}:`), "").split(".");
  const root = structuredClone(normalise(raw));
  let node: unknown = root;
  for (const part of parts.slice(0, -1)) {
    if (node === null || typeof node !== "object") return root;
    node = (node as Record<string, unknown>)[part];
  }
  if (node !== null && typeof node === "object") delete (node as Record<string, unknown>)[parts[parts.length - 1]];
  return root;
}
