/**
 * Pulumi's Automation API, loaded when a command first opens a stack rather than when aytq-dr
 * starts. It brings Pulumi's whole runtime, the TypeScript compiler and npm's arborist with it:
 * about 1.5 s of CPU that `--help`, every refused command line and the data commands never need.
 * Types are imported as usual (`import type`); only values come through here.
 */
type Automation = typeof import("@pulumi/pulumi/automation");

export function automation(): Automation {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (above); require's cache keeps the one copy
  return require("@pulumi/pulumi/automation") as Automation;
}
