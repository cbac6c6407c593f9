/**
 * Operator input echoed in a message is cut to a readable length: a 100 KB argument must not
 * become a 100 KB error. Secrets never reach here (they are never echoed at all).
 */

/** The longest piece of operator input any message repeats. */
export const MAX_ECHO_CHARS = 200;

/** `text`, or its first characters and how many more there were. */
export function clipInput(text: string, max: number = MAX_ECHO_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}... (${text.length - max} more characters)`;
}
