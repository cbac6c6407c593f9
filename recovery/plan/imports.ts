/**
 * What an `import` would replace, offline. azure-native builds an imported resource's inputs from
 * the id's path values and Azure's whole GET (ENGINE.md §11), and the engine refuses to replace a
 * resource that still specifies an import id; so an adoption is safe only when no replace key can
 * read differently from the declaration. From the id alone this checks the path parameters (read
 * with and without the leading slash pulumi-azure-native#4812 drops); the GET cannot be read
 * offline, so every create-only input the resource does not ignore is reported as a risk.
 */
import { pathValues, replaceKeysOf } from "../../infra/replace-keys";
import type { PlannedResource } from "./evaluate";
import { AZURE_NATIVE_PREFIX } from "../../infra/types";

interface ImportRisk {
  key: string;
  reason: string;
}

export interface ImportCheck {
  type: string;
  name: string;
  importId: string;
  /** Replace keys an import by this id would (or may) read differently from the declaration: empty when the adoption cannot be a replace. */
  wouldReplace: ImportRisk[];
}

/** True when `ignoreChanges` covers the key (the key itself or an enclosing object). */
function ignored(r: PlannedResource, key: string): boolean {
  return r.options.ignoreChanges.some((p) => p === key || key.startsWith(`${p}.`));
}

function differs(key: string, caseInsensitive: readonly string[], read: string, declared: unknown): boolean {
  if (typeof declared !== "string") return true;
  if (!caseInsensitive.includes(key)) return read !== declared;
  const fold = (v: string) => (key === "location" ? v.replace(/\s+/g, "") : v).toLowerCase();
  return fold(read) !== fold(declared);
}

/** The check of one adopted resource. */
export function checkImport(r: PlannedResource, importId: string): ImportCheck {
  const out: ImportCheck = { type: r.type, name: r.name, importId, wouldReplace: [] };
  const keys = replaceKeysOf(r.type);
  if (!keys) {
    if (r.type.startsWith(AZURE_NATIVE_PREFIX)) out.wouldReplace.push({ key: "*", reason: `no replace keys are known for ${r.type} (infra/azure-native-replace-keys.json)` });
    return out;
  }
  for (const slash of ["kept", "dropped"] as const) {
    const values = pathValues(r.type, importId, slash);
    if (!values) {
      out.wouldReplace.push({ key: "*", reason: `the id does not fit ${keys.putPath}` });
      return out;
    }
    for (const [key, read] of Object.entries(values)) {
      if (ignored(r, key) || out.wouldReplace.some((x) => x.key === key)) continue;
      if (differs(key, keys.caseInsensitive, read, r.inputs[key])) {
        out.wouldReplace.push({ key, reason: `path parameter: the id gives ${JSON.stringify(read)}${slash === "dropped" ? " (as azure-native versions with pulumi-azure-native#4812 read it)" : ""}, the program declares ${JSON.stringify(r.inputs[key])}` });
      }
    }
  }
  for (const key of keys.replaceKeys) {
    if (keys.pathParameters.includes(key) || ignored(r, key)) continue;
    out.wouldReplace.push({ key, reason: "create-only: Azure's GET reports it, and unless it reads exactly as declared the import is a replace; ignore it (ignoreChanges)" });
  }
  return out;
}

/** Every resource of a plan that is adopted (`import`), checked. */
export function checkImports(resources: readonly PlannedResource[]): ImportCheck[] {
  return resources.filter((r) => r.custom && r.options.import !== undefined).map((r) => checkImport(r, r.options.import as string));
}
