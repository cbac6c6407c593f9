/**
 * The flag production asks for. ops/guard.ts refuses production without it, so every command a
 * message suggests for a stack carries it when the stack is production: the line can be pasted as is.
 */
export function confirmProductionFlag(stack: string): string {
  return stack === "production" ? " --confirm-production" : "";
}
