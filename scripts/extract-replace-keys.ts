/**
 * Derives infra/azure-native-replace-keys.json: for each azure-native resource type the
 * program declares, the input keys whose change makes azure-native v3 replace the resource.
 *
 *   node --import tsx scripts/extract-replace-keys.ts test/fixtures/azure-rest-api-specs <commit> > infra/azure-native-replace-keys.json
 *
 * <specRoot> holds Azure/azure-rest-api-specs files at their repository paths (specification/...).
 * <commit> is the commit they were read at; a <specRoot>/COMMITS.json ({ "<path>": "<commit>" })
 * overrides it per file. test/fixtures/azure-rest-api-specs holds the projections of the spec
 * files it was run on (the PUT operations and the definitions they reach, as read at those
 * commits); test/infra/replace-keys.test.ts runs it on them and checks the table is its output.
 *
 * The rule mirrors pulumi-azure-native (provider/pkg/gen/properties.go `forceNew` and
 * `propChangeForcesRecreate`, provider/pkg/gen/replacement.go `forceNewMap`,
 * provider/pkg/provider/diff.go `calculateDetailedDiff`/`findForceNew`):
 * - every path parameter of the PUT operation is a replace key (subscriptionId is not an input);
 * - a body property whose x-ms-mutability has "create" but not "update" is ForceNew when it sits
 *   on the resource itself (after x-ms-client-flatten); inside a referenced type it is only
 *   "ForceNewSetOnReferencedType", which diff.go does not read;
 * - forceNewMap adds hand-listed names per module/resource (Storage/StorageAccount here);
 * - diff.go looks at ForceNew on top-level properties and one level into object/array types.
 * Read-only properties (readOnly, or mutability without "create"/"update") are not inputs, nor is
 * a top-level `etag`. Names are checked against the SDK's <Type>Args in node_modules.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface TypeSpec {
  token: string;
  sdkFile: string; // node_modules/@pulumi/azure-native/<this>.d.ts
  apiVersion: string;
  specFile: string;
  putPath: string;
  forceNewMap?: string[]; // replacement.go forceNewMap entry for this module/resource (spec names)
}

const TYPES: TypeSpec[] = [
  { token: "azure-native:dbforpostgresql:Server", sdkFile: "dbforpostgresql/server", apiVersion: "2025-08-01",
    specFile: "specification/postgresql/resource-manager/Microsoft.DBforPostgreSQL/PostgreSQL/stable/2025-08-01/openapi.json",
    putPath: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}" },
  { token: "azure-native:dbforpostgresql:Database", sdkFile: "dbforpostgresql/database", apiVersion: "2025-08-01",
    specFile: "specification/postgresql/resource-manager/Microsoft.DBforPostgreSQL/PostgreSQL/stable/2025-08-01/openapi.json",
    putPath: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/databases/{databaseName}" },
  { token: "azure-native:dbforpostgresql:Configuration", sdkFile: "dbforpostgresql/configuration", apiVersion: "2025-08-01",
    specFile: "specification/postgresql/resource-manager/Microsoft.DBforPostgreSQL/PostgreSQL/stable/2025-08-01/openapi.json",
    putPath: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/configurations/{configurationName}" },
  { token: "azure-native:storage:StorageAccount", sdkFile: "storage/storageAccount", apiVersion: "2024-01-01",
    specFile: "specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/storage.json",
    putPath: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}",
    forceNewMap: ["isHnsEnabled", "location"] },
  { token: "azure-native:storage:BlobContainer", sdkFile: "storage/blobContainer", apiVersion: "2024-01-01",
    specFile: "specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/blob.json",
    putPath: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{containerName}",
    forceNewMap: [] },
  { token: "azure-native:storage:BlobContainerImmutabilityPolicy", sdkFile: "storage/blobContainerImmutabilityPolicy", apiVersion: "2024-01-01",
    specFile: "specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/blob.json",
    putPath: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{containerName}/immutabilityPolicies/{immutabilityPolicyName}" },
  { token: "azure-native:storage:BlobServiceProperties", sdkFile: "storage/blobServiceProperties", apiVersion: "2024-01-01",
    specFile: "specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/blob.json",
    putPath: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}/blobServices/{BlobServicesName}" },
  { token: "azure-native:storage:ManagementPolicy", sdkFile: "storage/managementPolicy", apiVersion: "2024-01-01",
    specFile: "specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/storage.json",
    putPath: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}/managementPolicies/{managementPolicyName}" },
  { token: "azure-native:operationalinsights:Workspace", sdkFile: "operationalinsights/workspace", apiVersion: "2023-09-01",
    specFile: "specification/operationalinsights/resource-manager/Microsoft.OperationalInsights/OperationalInsights/stable/2023-09-01/Workspaces.json",
    putPath: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}" },
  { token: "azure-native:monitor:DiagnosticSetting", sdkFile: "monitor/diagnosticSetting", apiVersion: "2021-05-01-preview",
    specFile: "specification/monitor/resource-manager/Microsoft.Insights/Insights/preview/2021-05-01-preview/diagnosticsSettings_API.json",
    putPath: "/{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}" },
  { token: "azure-native:monitor:ActionGroup", sdkFile: "monitor/actionGroup", apiVersion: "2024-10-01-preview",
    specFile: "specification/monitor/resource-manager/Microsoft.Insights/Insights/preview/2024-10-01-preview/actionGroups_API.json",
    putPath: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Insights/actionGroups/{actionGroupName}" },
  { token: "azure-native:monitor:MetricAlert", sdkFile: "monitor/metricAlert", apiVersion: "2018-03-01",
    specFile: "specification/monitor/resource-manager/Microsoft.Insights/Insights/stable/2018-03-01/metricAlert_API.json",
    putPath: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Insights/metricAlerts/{ruleName}" },
  { token: "azure-native:authorization:ManagementLockByScope", sdkFile: "authorization/managementLockByScope", apiVersion: "2020-05-01",
    specFile: "specification/resources/resource-manager/Microsoft.Authorization/stable/2020-05-01/locks.json",
    putPath: "/{scope}/providers/Microsoft.Authorization/locks/{lockName}" },
];

/** diff.go applyAzureSpecificDiff: top-level keys compared without case (location also without spaces). */
const CASE_INSENSITIVE = ["location", "resourceGroupName"];
const NOT_INPUTS = new Set(["subscriptionId"]);

const isObject = (v: Json | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: Json | undefined): string | undefined => (typeof v === "string" ? v : undefined);
const strings = (v: Json | undefined): string[] | undefined =>
  Array.isArray(v) && v.every((x): x is string => typeof x === "string") ? v : undefined;

/** A schema node together with the file its relative $refs resolve against. */
interface Node { file: string; node: JsonObject; key: string }

class Specs {
  private readonly cache = new Map<string, Json | null>();
  readonly used = new Set<string>();
  constructor(private readonly root: string) {}

  load(file: string): Json | undefined {
    if (!this.cache.has(file)) {
      const full = path.join(this.root, file);
      this.cache.set(file, existsSync(full) ? (JSON.parse(readFileSync(full, "utf8")) as Json) : null);
    }
    const doc = this.cache.get(file);
    if (doc === null || doc === undefined) return undefined;
    this.used.add(file);
    return doc;
  }

  /** Relative common-types refs that, written for an older folder depth, miss specification/common-types/: file as written -> file used. */
  readonly fallbacks = new Map<string, string>();

  /** Resolves `$ref` (relative to `from`); undefined when the file or pointer is not present. */
  resolve(ref: string, from: string): Node | undefined {
    const [rel, pointer = ""] = ref.split("#");
    let file = rel === "" ? from : path.posix.normalize(path.posix.join(path.posix.dirname(from), rel));
    const common = file.indexOf("/common-types/");
    if (this.load(file) === undefined && common >= 0) {
      const moved = `specification${file.slice(common)}`;
      if (this.load(moved) !== undefined) {
        this.fallbacks.set(file, moved);
        file = moved;
      }
    }
    let cur = this.load(file);
    for (const part of pointer.split("/").filter((p) => p !== "")) cur = isObject(cur) ? cur[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
    return isObject(cur) ? { file, node: cur, key: `${file}#${pointer}` } : undefined;
  }

  /** The schema a property site stands for: its $ref target with the site's own keywords on top (azure-native honours site-level readOnly, x-ms-client-name, x-ms-mutability). */
  site(node: JsonObject, file: string): Node | { unresolved: string } {
    const ref = str(node.$ref);
    if (ref === undefined) return { file, node, key: "" };
    const target = this.resolve(ref, file);
    if (target === undefined) return { unresolved: ref };
    const merged: JsonObject = { ...target.node };
    for (const [k, v] of Object.entries(node)) if (k !== "$ref") merged[k] = v;
    return { file: target.file, node: merged, key: target.key };
  }
}

/** gen ToLowerCamel, for the shapes that occur here: "EnableNfsV3" -> "enableNfsV3", "IPAddressOrRange" -> "ipAddressOrRange". */
function lowerCamel(name: string): string {
  const m = /^([A-Z]+)([A-Z][a-z].*)$/.exec(name);
  if (m) return m[1].toLowerCase() + m[2];
  return name.charAt(0).toLowerCase() + name.slice(1);
}

interface Found {
  path: string; // dotted SDK path, "[]" for array items
  specName: string;
  nested: boolean; // inside a referenced type (azure-native isType)
  mutability?: string[];
  createOnly: boolean;
  parentCreateOnly: boolean;
}

interface Walk { specs: Specs; found: Found[]; unresolved: { path: string; ref: string }[] }

/** Properties of a schema: its own and those of its allOf parents, each with the file its refs resolve against. */
function propertiesOf(specs: Specs, schema: Node, unresolved: Walk["unresolved"], at: string): { name: string; node: JsonObject; file: string }[] {
  const out: { name: string; node: JsonObject; file: string }[] = [];
  const props = schema.node.properties;
  if (isObject(props)) for (const [name, node] of Object.entries(props)) if (isObject(node)) out.push({ name, node, file: schema.file });
  for (const parent of Array.isArray(schema.node.allOf) ? schema.node.allOf : []) {
    if (!isObject(parent)) continue;
    const p = specs.site(parent, schema.file);
    if ("unresolved" in p) unresolved.push({ path: at || "(body)", ref: p.unresolved });
    else out.push(...propertiesOf(specs, p, unresolved, at));
  }
  return out;
}

function walk(w: Walk, schema: Node, prefix: string, nested: boolean, parentCreateOnly: boolean, stack: string[]): void {
  for (const { name, node, file } of propertiesOf(w.specs, schema, w.unresolved, prefix)) {
    if (name === "etag" && !nested) continue; // properties.go: never an input of a resource
    const resolved = w.specs.site(node, file);
    if ("unresolved" in resolved) {
      if (node.readOnly !== true) w.unresolved.push({ path: prefix + lowerCamel(str(node["x-ms-client-name"]) ?? name), ref: resolved.unresolved });
      continue;
    }
    const p = resolved.node;
    if (p.readOnly === true) continue;
    const flatten = node["x-ms-client-flatten"] === true && p.additionalProperties === undefined;
    if (flatten) {
      walk(w, resolved, prefix, nested, parentCreateOnly, stack);
      continue;
    }
    const mutability = strings(p["x-ms-mutability"]);
    if (mutability && !mutability.includes("create") && !mutability.includes("update")) continue; // read-only by mutability
    const createOnly = mutability !== undefined && mutability.includes("create") && !mutability.includes("update");
    const sdkPath = prefix + lowerCamel(str(p["x-ms-client-name"]) ?? name);
    w.found.push({ path: sdkPath, specName: name, nested, mutability, createOnly, parentCreateOnly });
    const items = isObject(p.items) ? w.specs.site(p.items, resolved.file) : undefined;
    const child = items !== undefined ? items : resolved;
    const childPrefix = items !== undefined ? `${sdkPath}[].` : `${sdkPath}.`;
    if ("unresolved" in child) {
      w.unresolved.push({ path: childPrefix.slice(0, -1), ref: child.unresolved });
      continue;
    }
    const hasShape = isObject(child.node.properties) || Array.isArray(child.node.allOf);
    if (!hasShape || (child.key !== "" && stack.includes(child.key)) || stack.length > 8) continue;
    walk(w, child, childPrefix, true, parentCreateOnly || createOnly, child.key === "" ? stack : [...stack, child.key]);
  }
}

/** Property names of `export interface <X>Args { ... }` and the API version line of the SDK's .d.ts. */
function sdkArgs(sdkRoot: string, sdkFile: string): { args: Set<string>; apiVersion?: string } {
  const text = readFileSync(path.join(sdkRoot, `${sdkFile}.d.ts`), "utf8");
  const start = text.search(/export interface \w+Args \{/);
  if (start < 0) throw new Error(`${sdkFile}.d.ts: no Args interface`);
  const body = text.slice(start, text.indexOf("\n}", start));
  const args = new Set([...body.matchAll(/^ {4}(?:readonly )?(\w+)\??:/gm)].map((m) => m[1]));
  return { args, apiVersion: /Uses Azure REST API version ([\w-]+)/.exec(text)?.[1] };
}

function derive(specs: Specs, sdkRoot: string, t: TypeSpec): JsonObject {
  specs.used.clear();
  specs.fallbacks.clear();
  const { args, apiVersion } = sdkArgs(sdkRoot, t.sdkFile);
  if (apiVersion !== t.apiVersion) throw new Error(`${t.token}: SDK uses ${apiVersion}, table says ${t.apiVersion}`);
  const doc = specs.load(t.specFile);
  const paths = isObject(doc) ? doc.paths : undefined;
  const item = isObject(paths) ? paths[t.putPath] : undefined;
  const put = isObject(item) ? item.put : undefined;
  if (!isObject(put) || !Array.isArray(put.parameters)) throw new Error(`${t.token}: no PUT ${t.putPath} in ${t.specFile}`);

  const w: Walk = { specs, found: [], unresolved: [] };
  const specPathParams: string[] = [];
  let body: Node | undefined;
  for (const raw of put.parameters) {
    if (!isObject(raw)) continue;
    const ref = str(raw.$ref);
    const param = ref !== undefined ? specs.resolve(ref, t.specFile)?.node : raw;
    if (param === undefined) {
      w.unresolved.push({ path: "(parameter)", ref: ref ?? "" });
      continue;
    }
    if (param.in === "path") specPathParams.push(str(param["x-ms-client-name"]) ?? String(param.name));
    if (param.in === "body" && isObject(param.schema)) {
      const b = specs.site(param.schema, t.specFile);
      if ("unresolved" in b) throw new Error(`${t.token}: body schema ${b.unresolved} not found`);
      body = b;
    }
  }
  // The URL template names every path parameter; a parameter whose $ref file is absent is taken from it.
  const templateParams = [...t.putPath.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const fromTemplateOnly = templateParams.filter((n) => !specPathParams.includes(n));
  const pathParams: string[] = [];
  const notInArgs: string[] = [];
  for (const name of [...specPathParams, ...fromTemplateOnly]) {
    if (NOT_INPUTS.has(name)) continue;
    const sdk = lowerCamel(name);
    if (args.has(sdk)) pathParams.push(sdk);
    else notInArgs.push(name);
  }
  if (notInArgs.length > 0) throw new Error(`${t.token}: path parameters not in Args: ${notInArgs.join(", ")}`);
  if (body === undefined) throw new Error(`${t.token}: PUT has no body`);
  walk(w, body, "", false, false, body.key === "" ? [] : [body.key]);

  const top = w.found.filter((f) => !f.nested);
  const byMutability = top.filter((f) => f.createOnly);
  const byMap = top.filter((f) => !f.createOnly && (t.forceNewMap ?? []).includes(f.specName));
  // diff.go findForceNew goes one level into referenced types; there only forceNewMap can set ForceNew.
  const nestedByMap = w.found.filter((f) => f.nested && !f.createOnly && /^[^.]+\.[^.]+$/.test(f.path.replace("[]", "")) && (t.forceNewMap ?? []).includes(f.specName));
  const createOnly = [...byMutability, ...byMap].map((f) => f.path);
  const unique = (xs: string[]): string[] => [...new Set(xs)];
  const source = (f: Found): string => (f.createOnly ? `x-ms-mutability ${JSON.stringify(f.mutability)}` : "forceNewMap (replacement.go)");

  const entry: JsonObject = {
    apiVersion: t.apiVersion,
    specFile: t.specFile,
    commit: commitOf(t.specFile),
    putPath: t.putPath,
    pathParameters: unique(pathParams),
    createOnly: unique(createOnly.filter((p) => args.has(p))),
    createOnlyNotInArgs: unique(createOnly.filter((p) => !args.has(p))),
    createOnlyWhy: Object.fromEntries([...byMutability, ...byMap].map((f) => [f.path, source(f)])),
    nestedCreateOnly: w.found
      .filter((f) => f.nested && f.createOnly)
      .map((f): JsonObject => ({ path: f.path, mutability: f.mutability ?? null, parentCreateOnly: f.parentCreateOnly, replaceKey: false })),
    nestedReplaceKeys: unique(nestedByMap.map((f) => f.path)),
    caseInsensitive: CASE_INSENSITIVE.filter((k) => args.has(k)),
    replaceKeys: unique([...pathParams, ...createOnly.filter((p) => args.has(p)), ...nestedByMap.map((f) => f.path)]).sort(),
    filesRead: Object.fromEntries([...specs.used].sort().map((f) => [f, commitOf(f)])),
  };
  if (specs.fallbacks.size > 0) entry.commonTypesRefsRelocated = Object.fromEntries(specs.fallbacks);
  if (fromTemplateOnly.length > 0) entry.pathParametersFromUrlTemplate = fromTemplateOnly.filter((n) => !NOT_INPUTS.has(n));
  if (w.unresolved.length > 0) entry.notExamined = w.unresolved.map((u): JsonObject => ({ path: u.path, ref: u.ref }));
  return entry;
}

let commits: Record<string, string> = {};
let defaultCommit = "";
const commitOf = (file: string): string => commits[file] ?? defaultCommit;

function main(argv: string[]): void {
  const [specRoot, commit] = argv;
  if (specRoot === undefined || commit === undefined) {
    console.error("usage: node --import tsx scripts/extract-replace-keys.ts <specRoot> <commit>");
    process.exit(2);
  }
  defaultCommit = commit;
  const commitsFile = path.join(specRoot, "COMMITS.json");
  if (existsSync(commitsFile)) commits = JSON.parse(readFileSync(commitsFile, "utf8")) as Record<string, string>;
  const sdkRoot = path.resolve("node_modules/@pulumi/azure-native");
  const specs = new Specs(specRoot);
  const types: JsonObject = {};
  for (const t of TYPES) types[t.token] = derive(specs, sdkRoot, t);
  const fixture: JsonObject = {
    source: {
      repository: "Azure/azure-rest-api-specs",
      derivedBy: "scripts/extract-replace-keys.ts: node --import tsx scripts/extract-replace-keys.ts <specRoot> <commit>, with <specRoot>/COMMITS.json giving each file's commit (every file read had one)",
      sdk: `@pulumi/azure-native ${String((JSON.parse(readFileSync(path.join(sdkRoot, "package.json"), "utf8")) as JsonObject).version)}`,
      notes: NOTES,
    },
    types,
  };
  process.stdout.write(`${JSON.stringify(fixture, null, 2)}\n`);
}

const NOTES: string[] = [
  "Rule followed (pulumi/pulumi-azure-native): provider/pkg/provider/diff.go calculateDetailedDiff adds every PUT path parameter (SDK name) to the replace keys, then findForceNew adds body properties with ForceNew=true, at top level and one level into object/array types (prefix 'name.' / 'name[].').",
  "provider/pkg/gen/properties.go forceNew: propChangeForcesRecreate is true when x-ms-mutability contains 'create' and not 'update'; for a resource-level property (after x-ms-client-flatten) that gives ForceNew, for a property of a referenced type it returns forceNewSetOnReferencedType (ForceNew=false, only reported). Failing that, forceNewMap (provider/pkg/gen/replacement.go) adds names per module/resource: Storage/StorageAccount {isHnsEnabled, location}, Storage/BlobContainer {} (no other module used here has an entry).",
  "So createOnly = top-level create-only inputs (plus forceNewMap names); nestedCreateOnly lists create-only properties inside nested types for information, with replaceKey=false because azure-native's diff does not treat them as replace keys; parentCreateOnly says whether an enclosing property is itself create-only (a change below a create-only parent IS a replace, diff.go calculateValueDiff).",
  "caseInsensitive: diff.go applyAzureSpecificDiff skips updates of top-level 'resourceGroupName' when equal ignoring case and 'location' when equal ignoring case and spaces.",
  "Sources read: pulumi/pulumi-azure-native provider/pkg/gen/properties.go at f65ea5bef29384bd93a2edb09b0a21beaadc5a20 and 000c531859797e289e572f526c7e15f5e2127833 (same forceNew code), provider/pkg/gen/replacement.go at f8d3054ad7a51690d78c6418a507ecd0a97bf847, provider/pkg/provider/diff.go in the TypeLookupFunc version (code-index id 48296842760; also 1b99ef0b634254a11e6182e278313b0542176bc2 and 03707ff7fc10b70f7dd23ec847a3ce1e9264c124). All import the module path .../v2; no v3-tagged copy was available, so 3.28.0 is assumed to keep this logic.",
  "The spec files were read through the code index (read_file, page by page) at the commits given per file (filesRead). The copies under <specRoot> that this script ran on are projections of those files: the PUT operations of these 13 paths and the parameters/definitions reachable from them, keeping exactly the keywords this derivation reads (properties, $ref, allOf, items, additionalProperties, readOnly, x-ms-mutability, x-ms-client-flatten, x-ms-client-name, required, parameter name/in) and dropping descriptions, enum values, examples and other operations; definitions reached only through read-only sites were left empty. notExamined lists $refs whose files were not copied (common-types v3 types.json, v5 managedidentity.json, OperationalInsights common/v1/types.json): nothing below those paths was examined; such path parameters are taken from the URL template (pathParametersFromUrlTemplate).",
  "commonTypesRefsRelocated: in the PostgreSQL (PostgreSQL/stable/2025-08-01) and OperationalInsights files the relative common-types $refs, resolved from the file's folder, land one level too deep (specification/<service>/.../common-types/...); they were read from specification/common-types/... instead.",
  "The commit is the one the index stored for that file, not necessarily the commit pulumi-azure-native 3.28.0 generated from (its azure-rest-api-specs submodule pin was not read).",
];

main(process.argv.slice(2));
