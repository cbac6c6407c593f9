/**
 * GitHub Actions expressions (`${{ ... }}`), evaluated as the runner does, for the subset of the
 * language the workflows use: literals, context properties, `!`, `==`, `!=`, `<`, `>`, `&&`, `||`
 * (returning an operand, not a boolean), parentheses and the functions format, fromJSON, toJSON,
 * contains, startsWith, endsWith, always, success, failure, cancelled. Anything else throws, so a
 * workflow using more than this fails its test instead of being mis-evaluated.
 */
export type Value = string | number | boolean | null | Value[] | { [k: string]: Value };
export type Contexts = Record<string, Value>;

type Token = { kind: "num"; v: number } | { kind: "str"; v: string } | { kind: "id"; v: string } | { kind: "op"; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let s = "";
      i++;
      for (;;) {
        if (i >= src.length) throw new Error(`unterminated string in ${src}`);
        if (src[i] === "'" && src[i + 1] === "'") {
          s += "'";
          i += 2;
        } else if (src[i] === "'") {
          i++;
          break;
        } else s += src[i++];
      }
      out.push({ kind: "str", v: s });
    } else if (/[0-9]/.test(c) || (c === "-" && /[0-9]/.test(src[i + 1] ?? ""))) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(src.slice(i));
      if (!m) throw new Error(`bad number in ${src}`);
      out.push({ kind: "num", v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
      if (!m) throw new Error(`bad name in ${src}`);
      out.push({ kind: "id", v: m[0] });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      if (["==", "!=", "<=", ">=", "&&", "||"].includes(two)) {
        out.push({ kind: "op", v: two });
        i += 2;
      } else if ("!<>().,[]*".includes(c)) {
        out.push({ kind: "op", v: c });
        i++;
      } else throw new Error(`unexpected "${c}" in ${src}`);
    }
  }
  return out;
}

export function truthy(v: Value | undefined): boolean {
  return !(v === undefined || v === null || v === false || v === 0 || v === "" || (typeof v === "number" && Number.isNaN(v)));
}

/** The runner's string form of a value (in a template, a `run:` line, an env value). */
export function asString(v: Value | undefined): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function looseEqual(a: Value | undefined, b: Value | undefined): boolean {
  const norm = (v: Value | undefined): Value => (v === undefined ? null : v);
  const x = norm(a);
  const y = norm(b);
  if (typeof x === "string" && typeof y === "string") return x.toLowerCase() === y.toLowerCase();
  if (typeof x === typeof y || x === null || y === null) return JSON.stringify(x) === JSON.stringify(y);
  const num = (v: Value): number => (typeof v === "boolean" ? (v ? 1 : 0) : typeof v === "string" ? (v.trim() === "" ? 0 : Number(v)) : typeof v === "number" ? v : NaN);
  return num(x) === num(y);
}

/** Job status functions, as a test chooses them. */
export interface Status {
  success: boolean;
  failure: boolean;
  cancelled: boolean;
}

export function evaluate(src: string, ctx: Contexts, status: Status = { success: true, failure: false, cancelled: false }): Value {
  const t = tokenize(src);
  let p = 0;
  const peek = (): Token | undefined => t[p];
  const isOp = (v: string): boolean => peek()?.kind === "op" && peek()?.v === v;
  const expect = (v: string): void => {
    if (!isOp(v)) throw new Error(`expected "${v}" in ${src}`);
    p++;
  };
  const call = (name: string, args: Value[]): Value => {
    switch (name.toLowerCase()) {
      case "format":
        return asString(args[0]).replace(/\{(\d+)\}/g, (_m, n: string) => asString(args[Number(n) + 1]));
      case "fromjson":
        return JSON.parse(asString(args[0])) as Value;
      case "tojson":
        return JSON.stringify(args[0] ?? null);
      case "contains":
        return Array.isArray(args[0]) ? args[0].some((x) => looseEqual(x, args[1])) : asString(args[0]).toLowerCase().includes(asString(args[1]).toLowerCase());
      case "startswith":
        return asString(args[0]).toLowerCase().startsWith(asString(args[1]).toLowerCase());
      case "endswith":
        return asString(args[0]).toLowerCase().endsWith(asString(args[1]).toLowerCase());
      case "always":
        return true;
      case "success":
        return status.success;
      case "failure":
        return status.failure;
      case "cancelled":
        return status.cancelled;
      default:
        throw new Error(`function ${name}() is not supported by this evaluator (${src})`);
    }
  };
  const primary = (): Value | undefined => {
    const tok = peek();
    if (!tok) throw new Error(`unexpected end of ${src}`);
    p++;
    if (tok.kind === "num" || tok.kind === "str") return tok.v;
    if (tok.kind === "op" && tok.v === "(") {
      const v = or();
      expect(")");
      return v;
    }
    if (tok.kind !== "id") throw new Error(`unexpected "${tok.v}" in ${src}`);
    if (tok.v === "true") return true;
    if (tok.v === "false") return false;
    if (tok.v === "null") return null;
    if (isOp("(")) {
      p++;
      const args: Value[] = [];
      while (!isOp(")")) {
        args.push(or() ?? null);
        if (isOp(",")) p++;
      }
      expect(")");
      return call(tok.v, args);
    }
    if (!(tok.v in ctx)) throw new Error(`context "${tok.v}" is not given to the evaluator (${src})`);
    let v: Value | undefined = ctx[tok.v];
    for (;;) {
      if (isOp(".")) {
        p++;
        const name = peek();
        if (!name || name.kind !== "id") throw new Error(`expected a property name in ${src}`);
        p++;
        v = v !== null && typeof v === "object" && !Array.isArray(v) ? v[name.v] : undefined;
      } else if (isOp("[")) {
        p++;
        const key = or();
        expect("]");
        v = v !== null && typeof v === "object" ? (Array.isArray(v) ? v[Number(key)] : v[asString(key)]) : undefined;
      } else break;
    }
    return v;
  };
  const unary = (): Value | undefined => {
    if (isOp("!")) {
      p++;
      return !truthy(unary());
    }
    return primary();
  };
  const comparison = (): Value | undefined => {
    const left = unary();
    const tok = peek();
    if (tok?.kind === "op" && ["==", "!=", "<", ">", "<=", ">="].includes(tok.v)) {
      p++;
      const right = unary();
      switch (tok.v) {
        case "==":
          return looseEqual(left, right);
        case "!=":
          return !looseEqual(left, right);
        case "<":
          return Number(left) < Number(right);
        case ">":
          return Number(left) > Number(right);
        case "<=":
          return Number(left) <= Number(right);
        default:
          return Number(left) >= Number(right);
      }
    }
    return left;
  };
  const and = (): Value | undefined => {
    let left = comparison();
    while (isOp("&&")) {
      p++;
      const right = comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const or = (): Value | undefined => {
    let left = and();
    while (isOp("||")) {
      p++;
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  };
  const v = or();
  if (p !== t.length) throw new Error(`unexpected "${t[p].v}" in ${src}`);
  return v === undefined ? null : v;
}

/** A value that may hold `${{ }}` templates: a whole-template value keeps its type, a mixed one is a string. */
export function interpolate(value: unknown, ctx: Contexts, status?: Status): Value {
  if (typeof value !== "string") return (value ?? null) as Value;
  const whole = /^\s*\$\{\{([\s\S]*?)\}\}\s*$/.exec(value);
  if (whole && !whole[1].includes("}}")) return evaluate(whole[1], ctx, status);
  return value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, e: string) => asString(evaluate(e, ctx, status)));
}

/** The context names an expression (or a template) reads, e.g. `inputs.resume`, `vars.AZURE_CLIENT_ID`. */
export function references(value: unknown): string[] {
  if (typeof value !== "string") return [];
  const out: string[] = [];
  for (const m of value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    for (const r of m[1].replace(/'(?:[^']|'')*'/g, "''").matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)/g)) out.push(r[1] + r[2]);
  }
  return out;
}
