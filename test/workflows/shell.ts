/**
 * Bash word expansion for the `run:` scripts of the workflows, enough to turn a command line and
 * its environment into the argv the program receives: quotes, `$VAR`, `${VAR}`, `${VAR:+word}`,
 * `${VAR:-word}`, field splitting of unquoted expansions, line continuations, comments, and the
 * separators `;`, `&&`, `||`, `|` and newline. Each word remembers the `${VAR:+...}` guards it
 * sits in, so a check can ask which flags appear only when a variable is set.
 */
export interface Word {
  value: string;
  /** Variables whose `${VAR:+...}` encloses this word (outermost first). */
  guards: string[];
}

/** Index of the `}` closing a `${` whose body starts at `i`, skipping quotes and nested `${...}`. */
function closingBrace(s: string, i: number): number {
  let depth = 1;
  let j = i;
  while (j < s.length) {
    const c = s[j];
    if (c === "\\") j += 2;
    else if (c === "'") j = s.indexOf("'", j + 1) + 1;
    else if (c === '"') {
      j++;
      while (j < s.length && s[j] !== '"') j += s[j] === "\\" ? 2 : 1;
      j++;
    } else if (c === "$" && s[j + 1] === "{") {
      depth++;
      j += 2;
    } else if (c === "}") {
      if (--depth === 0) return j;
      j++;
    } else j++;
  }
  throw new Error(`no closing } in ${s}`);
}

/** Split a script into simple commands (comments and line continuations removed). */
export function commands(script: string): string[] {
  const text = script.replace(/\\\r?\n/g, " ");
  const out: string[] = [];
  let cur = "";
  let i = 0;
  const push = (): void => {
    if (cur.trim()) out.push(cur.trim());
    cur = "";
  };
  while (i < text.length) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      cur += text.slice(i, end + 1);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      cur += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === "$" && text[i + 1] === "{") {
      const end = closingBrace(text, i + 2);
      cur += text.slice(i, end + 1);
      i = end + 1;
    } else if (c === "#" && (cur === "" || /\s$/.test(cur))) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "\n" || c === ";") {
      push();
      i++;
    } else if ((c === "&" && text[i + 1] === "&") || (c === "|" && text[i + 1] === "|")) {
      push();
      i += 2;
    } else if (c === "|") {
      push();
      i++;
    } else {
      cur += c;
      i++;
    }
  }
  push();
  return out;
}

/** Expand one simple command into words. `env` values are what the step's environment holds. */
export function expand(command: string, env: Readonly<Record<string, string | undefined>>, guards: string[] = []): Word[] {
  const words: Word[] = [];
  let cur = "";
  // a word exists once it has any character or a quoted (possibly empty) part
  let started = false;
  let curGuards = guards;
  const end = (): void => {
    if (started) words.push({ value: cur, guards: curGuards });
    cur = "";
    started = false;
    curGuards = guards;
  };
  const lookup = (name: string): string => env[name] ?? "";
  /** Append an unquoted expansion: field-split on blanks. */
  const addSplit = (value: string): void => {
    const parts = value.split(/[ \t\n]+/);
    parts.forEach((part, k) => {
      if (k > 0) end();
      if (part !== "") {
        cur += part;
        started = true;
      }
    });
  };
  let i = 0;
  while (i < command.length) {
    const c = command[i];
    if (c === " " || c === "\t" || c === "\n") {
      end();
      i++;
    } else if (c === "\\") {
      cur += command[i + 1] ?? "";
      started = true;
      i += 2;
    } else if (c === "'") {
      const close = command.indexOf("'", i + 1);
      if (close < 0) throw new Error(`unterminated ' in ${command}`);
      cur += command.slice(i + 1, close);
      started = true;
      i = close + 1;
    } else if (c === '"') {
      started = true;
      i++;
      while (i < command.length && command[i] !== '"') {
        if (command[i] === "\\" && '"\\$`'.includes(command[i + 1] ?? "")) {
          cur += command[i + 1];
          i += 2;
        } else if (command[i] === "$") {
          const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(command.slice(i));
          if (!m) throw new Error(`unsupported expansion in double quotes: ${command.slice(i, i + 20)}`);
          cur += lookup(m[1] ?? m[2]);
          i += m[0].length;
        } else cur += command[i++];
      }
      if (command[i] !== '"') throw new Error(`unterminated " in ${command}`);
      i++;
    } else if (c === "$" && command[i + 1] === "{") {
      const close = closingBrace(command, i + 2);
      const body = command.slice(i + 2, close);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:[+-])([\s\S]*))?$/.exec(body);
      if (!m) throw new Error(`unsupported expansion \${${body}}`);
      const [, name, op, word] = m;
      if (op === undefined) addSplit(lookup(name));
      else if (op === ":-") {
        if (lookup(name) !== "") addSplit(lookup(name));
        else for (const w of expand(word, env, guards)) words.push(w);
      } else if (lookup(name) !== "") {
        const inner = expand(word, env, [...guards, name]);
        end();
        words.push(...inner);
      }
      i = close + 1;
    } else if (c === "$" && /[A-Za-z_]/.test(command[i + 1] ?? "")) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(command.slice(i));
      addSplit(lookup(m?.[1] ?? ""));
      i += m?.[0].length ?? 1;
    } else {
      cur += c;
      started = true;
      i++;
    }
  }
  end();
  return words;
}
