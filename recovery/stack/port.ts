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

export interface PreviewOptions {
  /**
   * Save the update plan to this file (`pulumi preview --save-plan <file>`), so that an `up` given
   * the same file does exactly what this preview showed, or fails. @default no plan saved
   */
  savePlan?: string;
}

export interface UpOptions {
  /** The plan file a preview saved (`pulumi up --plan <file>`): any deviation fails the update. @default none */
  plan?: string;
}

/** One resource in state, as `pulumi stack export` lists it. */
export interface StateResource {
  urn: string;
  type: string;
  /** The provider id (the Azure resource id for azure-native), exactly as stored; "" for components. */
  id: string;
  /** The id given to `import` when the resource was adopted, as kept in state. */
  importId?: string;
}

/** An operation the engine started on a resource and never finished (apitype OperationV2). */
export interface PendingOperation {
  urn: string;
  /** The operation: `creating`, `updating`, `deleting`, `reading` or `importing`. */
  type: string;
}

/** What a forget did besides dropping the resources. */
export interface ForgetResult {
  /**
   * Every pending operation of the stack that the state import cleared, on any resource, not only
   * the forgotten ones (`pulumi stack import` clears them all). A pending `creating` may mean the
   * resource exists in the cloud and state no longer knows it. Empty when nothing was imported.
   */
  clearedPendingOperations: PendingOperation[];
}

export interface StackPort {
  readonly stackName: string;
  /** The value at a path key (`app.stopped`, `recovery.ptrCopies`) of namespace `aytq`; undefined when not set. */
  getConfig(path: string): Promise<unknown>;
  /**
   * Set path keys (`recovery.ptrCopies[0].name`) of namespace `aytq`, all in one command. With
   * `secret`, the values are stored encrypted (`pulumi config set --secret`, one command per key,
   * the value on its standard input, never on a command line) and never printed.
   */
  setConfig(values: Readonly<Record<string, ConfigScalar>>, options?: { secret?: boolean }): Promise<void>;
  /** Remove a path key of namespace `aytq`; no error when absent. */
  removeConfig(path: string): Promise<void>;
  /** Refresh the state of the given resources (URNs), so that the stack knows what was deleted. */
  refresh(targets: readonly string[]): Promise<void>;
  /** Resources in state with their ids, for choosing refresh targets and for never importing what state already holds. */
  resourceUrns(): Promise<StateResource[]>;
  /**
   * Drop resources from state without touching the cloud (`pulumi state delete`): for what a
   * recovery finds again through Azure later and adopts by the id Azure reports. Writing the state
   * back clears every pending operation of the stack: the result lists them.
   */
  forget(urns: readonly string[]): Promise<ForgetResult>;
  preview(options?: PreviewOptions): Promise<PreviewResult>;
  up(options?: UpOptions): Promise<UpResult>;
  outputs(): Promise<Record<string, unknown>>;
  /** Cancel the stack's running update (dangerous; used only on request). */
  cancel(): Promise<void>;
}

/** The logical name at the end of a URN: `urn:pulumi:s::p::t$t2::name` -> `name`. */
export function urnName(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i < 0 ? urn : urn.slice(i + 2);
}
