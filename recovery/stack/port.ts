/**
 * The stack as recovery sees it: path-keyed config of the `aytq` namespace, refresh, preview, up,
 * outputs. The real adapter is automation.ts (Pulumi Automation API); fake.ts serves runbook tests.
 */

/** A config value as set with a path key: scalars only. Lists are set element by element (see ops/apply.ts). */
export type ConfigScalar = string | number | boolean;

/** Pulumi's step operations (the Automation API's OpType). */
export type StepOp =
  | "same"
  | "create"
  | "update"
  | "delete"
  | "replace"
  | "create-replacement"
  | "delete-replaced"
  | "read"
  | "read-replacement"
  | "refresh"
  | "discard"
  | "discard-replaced"
  | "remove-pending-replace"
  | "import"
  | "import-replacement";

/** One resource step of a preview. */
export interface PreviewStep {
  op: StepOp;
  /** Resource type token, e.g. `azure-native:dbforpostgresql:Server`. */
  type: string;
  urn: string;
  /** Whether the resource is `protect`ed (in its old or new state). */
  protected: boolean;
  /** The cloud name when the inputs say it (`serverName`, `accountName`, `name`), else the URN's logical name. */
  name: string;
}

export interface PreviewResult {
  /** Counts per op, from the engine's summary event. */
  changeSummary: Partial<Record<StepOp, number>>;
  steps: PreviewStep[];
  /** The human-readable diff (`pulumi preview --diff`). */
  diffText: string;
}

export interface UpResult {
  changeSummary: Partial<Record<StepOp, number>>;
  outputs: Record<string, unknown>;
}

export interface StackPort {
  readonly stackName: string;
  /** The value at a path key (`app.stopped`, `recovery.ptrCopies`) of namespace `aytq`; undefined when not set. */
  getConfig(path: string): Promise<unknown>;
  /** Set path keys (`recovery.ptrCopies[0].name`) of namespace `aytq`, all in one command. */
  setConfig(values: Readonly<Record<string, ConfigScalar>>): Promise<void>;
  /** Remove a path key of namespace `aytq`; no error when absent. */
  removeConfig(path: string): Promise<void>;
  /** Refresh the state of the given resources (URNs), so that the stack knows what was deleted. */
  refresh(targets: readonly string[], onOutput?: (text: string) => void): Promise<void>;
  /** URNs of resources in state, for choosing refresh targets. */
  resourceUrns(): Promise<{ urn: string; type: string }[]>;
  preview(onOutput?: (text: string) => void): Promise<PreviewResult>;
  up(onOutput?: (text: string) => void): Promise<UpResult>;
  outputs(): Promise<Record<string, unknown>>;
  /** Cancel the stack's running update (dangerous; used only on request). */
  cancel(): Promise<void>;
}

/** The logical name at the end of a URN: `urn:pulumi:s::p::t$t2::name` -> `name`. */
export function urnName(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i < 0 ? urn : urn.slice(i + 2);
}
