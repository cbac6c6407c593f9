/**
 * Environment variables as settings: one reading for every variable aytq-dr takes. An empty (or
 * blank) value counts as unset, as a shell's `VAR=` means "nothing": `AYTQ_DR_STATE_DIR=` must
 * fall back to the default folder, never to the current one.
 */

/** The variable's value, or undefined when it is unset, empty or only blanks. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value;
}
