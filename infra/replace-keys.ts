/**
 * What makes azure-native replace a resource instead of updating it, per azure-native type the
 * program declares (../../shared/reference/ENGINE.md §11): every path parameter of the type's PUT
 * (compared with case, except `location` and `resourceGroupName`) and every create-only property
 * (`x-ms-mutability` without `update`) of Azure's REST spec at the API version azure-native 3.28
 * uses. The table, azure-native-replace-keys.json, is extracted from the spec by
 * scripts/extract-replace-keys.ts; each entry names the spec file and commit it came from.
 *
 * The program reads it to adopt without replacing: an imported resource's inputs are the id's
 * path values plus Azure's whole GET, so every create-only property Azure reports, and every path
 * value Azure spells its own way, must be declared exactly or ignored (`ignoreChanges`). The fake
 * engine reads it to diff as azure-native does, and `aytq-dr plan` to say what an import would replace.
 */
import table from "./azure-native-replace-keys.json";

export interface ReplaceKeys {
  /** The API version azure-native 3.28 uses for the type. */
  apiVersion: string;
  /** The spec file, in Azure/azure-rest-api-specs, and the commit it was read at. */
  specFile: string;
  commit: string;
  /** The PUT operation's path, e.g. `/{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}`. */
  putPath: string;
  /** The SDK names of the path parameters (subscriptionId and api-version are not inputs). */
  pathParameters: readonly string[];
  /** Top-level SDK inputs Azure accepts only on create (a nested create-only property is not a replace key for azure-native). */
  createOnly: readonly string[];
  /** Every key whose change is a replace: the path parameters, the create-only inputs, and keys under a create-only parent. */
  replaceKeys: readonly string[];
  /** Keys compared without case (`location` also without spaces). */
  caseInsensitive: readonly string[];
}

const TYPES = table.types as Record<string, ReplaceKeys>;

/** The replace keys of an azure-native type token; undefined for a type the table does not hold. */
export function replaceKeysOf(type: string): ReplaceKeys | undefined {
  return Object.hasOwn(TYPES, type) ? TYPES[type] : undefined;
}

/** Every type token the table holds. */
export function replaceKeyTypes(): string[] {
  return Object.keys(TYPES);
}

/** The path segment azure-native 3.x drops the leading `/` of (pulumi-azure-native#4812; whether 3.28 has the fix is unproven). */
export type ResourceUriSlash = "kept" | "dropped";

/**
 * The path values azure-native's import reads from an id (`ParseResourceID`): each `{name}` of the
 * type's path matched against the id and copied verbatim. Literal segments match without case, as
 * ARM's do. Undefined when the id does not fit the path.
 */
export function pathValues(type: string, id: string, resourceUriSlash: ResourceUriSlash = "kept"): Record<string, string> | undefined {
  const keys = replaceKeysOf(type);
  if (!keys) return undefined;
  const names: string[] = [];
  const pattern = keys.putPath
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{([^}]+)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(m[1]);
      // a scope or resourceUri spans segments; every other parameter is one segment
      return /^(scope|resourceUri)$/.test(m[1]) ? "(.+?)" : "([^/]+)";
    })
    .join("");
  const match = new RegExp(`^${pattern}$`, "i").exec(id);
  if (!match) return undefined;
  const out: Record<string, string> = {};
  names.forEach((name, i) => {
    if (name === "subscriptionId" || name === "api-version") return;
    let value = match[i + 1];
    // `/{resourceUri}/providers/...`: the value is the id up to /providers/, its leading slash kept or dropped
    if (/^(scope|resourceUri)$/.test(name) && keys.putPath.startsWith(`/{${name}}`)) value = resourceUriSlash === "kept" ? `/${value}` : value;
    out[name] = value;
  });
  return out;
}

/**
 * The `ignoreChanges` an imported resource needs so that an import is never a replace: every
 * create-only property (Azure reports them whether or not the program declares them, and a key the
 * import read but the program omits is a change), plus the path parameters named in
 * `spelledByAzure` (those whose value in Azure's id is not ours to choose: case, a dropped slash).
 * A create-only property can never be changed in place anyway: ignoring it only stops azure-native
 * from turning Azure's own spelling into a replace of a protected resource.
 */
export function importIgnores(type: string, spelledByAzure: readonly string[] = []): string[] {
  const keys = replaceKeysOf(type);
  if (!keys) throw new Error(`no replace keys for ${type}: add the type to infra/azure-native-replace-keys.json (scripts/extract-replace-keys.ts)`);
  for (const p of spelledByAzure) {
    if (!keys.pathParameters.includes(p)) throw new Error(`${p} is not a path parameter of ${type}`);
  }
  return [...new Set([...spelledByAzure, ...keys.createOnly])];
}
