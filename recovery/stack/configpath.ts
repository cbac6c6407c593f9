/** Path keys as Pulumi's `--path` reads them: `recovery.ptrCopies[0].name`. */

type PathPart = string | number;

function parsePath(p: string): PathPart[] {
  const parts: PathPart[] = [];
  for (const segment of p.split(".")) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(segment);
    if (!m) throw new Error(`bad config path "${p}"`);
    if (m[1]) parts.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) parts.push(Number(idx[1]));
  }
  return parts;
}

export function getPath(root: unknown, p: string): unknown {
  let node: unknown = root;
  for (const part of parsePath(p)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PathPart, unknown>)[part];
  }
  return node;
}

export function setPath(root: Record<string, unknown>, p: string, value: unknown): void {
  const parts = parsePath(p);
  let node: Record<PathPart, unknown> = root;
  parts.slice(0, -1).forEach((part, i) => {
    const nextIsIndex = typeof parts[i + 1] === "number";
    const next = node[part];
    if (next === null || typeof next !== "object") node[part] = nextIsIndex ? [] : {};
    node = node[part] as Record<PathPart, unknown>;
  });
  node[parts[parts.length - 1]] = value;
}

export function removePath(root: Record<string, unknown>, p: string): void {
  const parts = parsePath(p);
  const parent = getPath(root, parts.slice(0, -1).map((x) => (typeof x === "number" ? `[${x}]` : x)).join(".").replace(/\.\[/g, "["));
  const last = parts[parts.length - 1];
  if (parts.length === 1) {
    delete root[String(last)];
    return;
  }
  if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1);
  else if (parent !== null && typeof parent === "object") delete (parent as Record<PathPart, unknown>)[last];
}

/** Flatten a value into path keys with scalar values: `{a:[{b:1}]}` at `x` -> `x.a[0].b = 1`. */
export function flatten(prefix: string, value: unknown, out: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  if (Array.isArray(value)) value.forEach((v, i) => flatten(`${prefix}[${i}]`, v, out));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) if (v !== undefined) flatten(`${prefix}.${k}`, v, out);
  } else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[prefix] = value;
  return out;
}
