/**
 * The last defence for echoes of operator input: whatever prints an argument (commander's own
 * messages included), an argument longer than 200 characters appears cut to 200, with how much
 * was left out, and one with a control character appears with it escaped. Messages built in this project cut at the source too (util/clip.ts).
 */
import { clipInput, hasControls, MAX_ECHO_CHARS } from "../util/clip";
import type { CliIO } from "./io";

/** The shortest argument with line breaks that is escaped where echoed: "\n  fix: x". */
const MIN_FORGED_LINE = 8;

/** The long pieces of argv: whole arguments, and the value of `--flag=value` and `key=value`. */
function longPieces(argv: readonly string[]): string[] {
  const pieces = new Set<string>();
  for (const arg of argv) {
    // A short argument with a control character is shown escaped wherever it is echoed whole: one
    // with an escape sequence (ESC, C1, bidi) always, one with only line breaks or tabs when it is
    // long enough to forge a line ("x\n  fix: ..."), never a bare "\n", which would also match the
    // line breaks of the message itself.
    if (arg.length <= MAX_ECHO_CHARS) {
      const breaksOnly = !hasControls(arg.replace(/[\n\r\t]/g, ""));
      if (hasControls(arg) && (!breaksOnly || arg.trim().length >= MIN_FORGED_LINE)) pieces.add(arg);
      continue;
    }
    pieces.add(arg);
    const eq = arg.indexOf("=");
    if (eq >= 0 && arg.length - eq - 1 > MAX_ECHO_CHARS) pieces.add(arg.slice(eq + 1));
    if (eq > MAX_ECHO_CHARS) pieces.add(arg.slice(0, eq));
  }
  // longest first, so that a whole argument is cut before its value is looked for
  return [...pieces].sort((a, b) => b.length - a.length);
}

/** Cut every long argument out of `text`. */
function clipArguments(text: string, pieces: readonly string[]): string {
  let out = text;
  for (const piece of pieces) if (out.includes(piece)) out = out.split(piece).join(clipInput(piece));
  return out;
}

/**
 * `io`, printing through the cut. The result inherits from `io`, so its other members (a test's
 * fake stack, prompts, Azure) are the same objects. With `--json`, standard output is data a
 * program reads (a plan's import ids are often longer than the cut): only messages are cut.
 */
export function withClippedEchoes(io: CliIO, argv: readonly string[]): CliIO {
  const pieces = longPieces(argv);
  if (pieces.length === 0) return io;
  const clipped = Object.create(io) as CliIO;
  if (!argv.includes("--json")) Object.defineProperty(clipped, "out", { value: (text: string) => io.out(clipArguments(text, pieces)) });
  Object.defineProperty(clipped, "err", { value: (text: string) => io.err(clipArguments(text, pieces)) });
  return clipped;
}
