/** Writing a config patch to a stack, and reading what it replaces (for rollback). */
import { configPathLeaves } from "../../infra/config";
import type { StackPort, ConfigScalar } from "../stack/port";
import type { ConfigPatch } from "./operations";

/**
 * Keys that hold secrets (a rebuild's credentials): always written with `--secret`, also when a
 * rollback puts them back, and never printed.
 */
export const SECRET_CONFIG_KEYS: ReadonlySet<string> = new Set(["recovery.adminLogin", "recovery.adminPassword"]);

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The secret entries (SECRET_CONFIG_KEYS) of a recovery-owned key's value: only `recovery` has any. */
export function secretEntries(key: string, value: unknown): Record<string, unknown> {
  return isMap(value) ? Object.fromEntries(Object.entries(value).filter(([k]) => SECRET_CONFIG_KEYS.has(`${key}.${k}`))) : {};
}

/** A recovery-owned key's value without its secret entries: what a run's snapshot may hold. */
export function withoutSecrets(key: string, value: unknown): unknown {
  return isMap(value) ? Object.fromEntries(Object.entries(value).filter(([k]) => !SECRET_CONFIG_KEYS.has(`${key}.${k}`))) : value;
}

/** The current values of the patch's keys: the patch that undoes it. */
export async function readPrevious(port: StackPort, patch: ConfigPatch): Promise<ConfigPatch> {
  const previous: ConfigPatch = {};
  for (const path of Object.keys(patch)) {
    // values come back as the config holds them: booleans, strings, or a list of copies
    previous[path] = (await port.getConfig(path)) as ConfigPatch[string];
  }
  return previous;
}

/**
 * Write a patch: keys set to undefined are removed; a list or an object is removed and set again
 * leaf by leaf (path keys hold scalars only); all scalars go in one `config set-all --path`.
 * Given the values the patch replaces, removals of keys already absent are skipped.
 */
export async function applyPatch(port: StackPort, patch: ConfigPatch, previous?: ConfigPatch): Promise<void> {
  const scalars: Record<string, ConfigScalar> = {};
  for (const [path, value] of Object.entries(patch)) {
    if (value === undefined) {
      // each removal is a CLI call: skip the keys known to be absent already
      if (previous !== undefined && previous[path] === undefined) continue;
      await port.removeConfig(path);
    } else if (Array.isArray(value) || (value !== null && typeof value === "object")) {
      await port.removeConfig(path);
      Object.assign(scalars, configPathLeaves(path, value));
    } else {
      scalars[path] = value;
    }
  }
  const secret = Object.fromEntries(Object.entries(scalars).filter(([k]) => SECRET_CONFIG_KEYS.has(k)));
  const plain = Object.fromEntries(Object.entries(scalars).filter(([k]) => !SECRET_CONFIG_KEYS.has(k)));
  if (Object.keys(plain).length > 0) await port.setConfig(plain);
  if (Object.keys(secret).length > 0) await port.setConfig(secret, { secret: true });
}

/** True when the config already holds the patch's values. */
export function patchIsNoop(patch: ConfigPatch, previous: ConfigPatch): boolean {
  return Object.keys(patch).every((k) => JSON.stringify(normal(patch[k])) === JSON.stringify(normal(previous[k])));
}

function normal(v: unknown): unknown {
  if (v === "true") return true;
  if (v === "false") return false;
  if (Array.isArray(v) && v.length === 0) return undefined;
  return v;
}
