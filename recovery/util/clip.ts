/**
 * Outside text echoed in a message (arguments, typed answers, values read from stack outputs,
 * files or HTTP) goes through one function, clipInput: cut to a readable length (a 100 KB argument
 * must not become a 100 KB error) and with every control character shown as an escape, so that
 * echoed text cannot move the cursor, recolour or clear the terminal, forge a line (`\n  fix:`),
 * or reorder what follows it (bidi overrides). Secrets never reach here (they are never echoed at all).
 */

/** The longest piece of outside text any message repeats. */
export const MAX_ECHO_CHARS = 200;

/**
 * Characters never printed as they are: C0 controls (ESC, CR, LF, TAB, BEL, ...), DEL, C1 controls
 * (U+0080-U+009F, CSI among them), the line and paragraph separators, and the bidirectional
 * marks, embeddings, overrides and isolates (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };

/** `text` with each control character written as a visible escape, as JSON writes it (`\u001b`, `\n`, `\u202e`). */
function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** True when `text` holds a character escapeControls would rewrite. */
export function hasControls(text: string): boolean {
  CONTROL.lastIndex = 0;
  const found = CONTROL.test(text);
  CONTROL.lastIndex = 0;
  return found;
}

/** `text` with its control characters escaped, then its first characters and how many more there were. */
export function clipInput(text: string, max: number = MAX_ECHO_CHARS): string {
  const shown = escapeControls(text);
  if (shown.length <= max) return shown;
  let cut = shown.slice(0, max);
  // never end on half an escape or half a surrogate pair
  const partial = /\\(?:u[0-9a-f]{0,3}|[nrtbf]?)$/.exec(cut);
  if (partial && shown.slice(partial.index).match(/^\\(?:u[0-9a-f]{4}|[nrtbf])/)) cut = cut.slice(0, partial.index);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}... (${shown.length - cut.length} more characters)`;
}
