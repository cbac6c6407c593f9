/**
 * An error of Azure's SDK with its HTTP status, told as the SDK itself tells one (core-rest-pipeline's
 * isRestError: an Error named RestError). By name rather than `instanceof`: the SDKs are loaded only
 * when a command first needs them (azure/sdk.ts, data/storage.ts), and each package may bring its own
 * copy of the class.
 */
export function isRestError(err: unknown): err is Error & { statusCode?: number; code?: string } {
  return err instanceof Error && err.name === "RestError";
}
