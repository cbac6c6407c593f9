/** The raw config of a stack's namespace, before validation, as the program and the driver both receive it. */
import { CONFIG_NAMESPACE } from "./stacks";

/** The raw config of the namespace: top-level key (without `aytq:`) to value (object, scalar or JSON text). */
export type RawConfig = Record<string, unknown>;

/** Top-level values may arrive as JSON text (pulumi.Config, Automation API); parse those. */
export function normalise(raw: RawConfig): RawConfig {
  const out: RawConfig = {};
  for (const [key, value] of Object.entries(raw)) {
    const bare = key.startsWith(CONFIG_NAMESPACE + ":") ? key.slice(CONFIG_NAMESPACE.length + 1) : key;
    if (typeof value === "string" && /^\s*[[{]/.test(value)) {
      try {
        out[bare] = JSON.parse(value);
        continue;
      } catch {
        // left as text: the schema then reports the key as the wrong type
      }
    }
    out[bare] = value;
  }
  return out;
}
