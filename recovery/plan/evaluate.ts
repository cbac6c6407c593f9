/**
 * Evaluate the Pulumi program offline: run {@link createInfra} under Pulumi's mocks and record
 * every declared resource with its resolved inputs and its resource options. No CLI, no
 * credentials, no network. Evaluations share Pulumi's global runtime state, so they run one at
 * a time (a queue), each with fresh mocks.
 */
import type * as Pulumi from "@pulumi/pulumi";
import { PipelineSettings, Settings } from "../../infra/config";
import type * as Program from "../../infra/program";
import { PLAN_SUBSCRIPTION_ID, PlanMocks } from "./mocks";

/**
 * Pulumi's runtime and the program with every provider's SDK, loaded by the first evaluation
 * rather than when aytq-dr starts: about 1.5 s of CPU that only `plan` and the fake engine need.
 */
function sdk(): { pulumi: typeof Pulumi; program: typeof Program } {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use (above); require's cache keeps the one copy */
  return { pulumi: require("@pulumi/pulumi") as typeof Pulumi, program: require("../../infra/program") as typeof Program };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Shown instead of any secret input. */
export const SECRET_PLACEHOLDER = "[secret]";
/** Shown instead of a dynamic resource's serialized provider. */
const DYNAMIC_PROVIDER = "[dynamic provider]";

interface PlannedOptions {
  protect: boolean;
  ignoreChanges: string[];
  /** `customTimeouts`, when set. */
  customTimeouts?: { create?: string; update?: string; delete?: string };
  /** Present when the resource is adopted: the id it is imported by. */
  import?: string;
}

export interface PlannedResource {
  /** Pulumi type token, e.g. `azure-native:dbforpostgresql:Server`. */
  type: string;
  /** Logical name. */
  name: string;
  /** `type::name` of the parent component, when it has one. */
  parent?: string;
  /** True for provider resources, false for components. */
  custom: boolean;
  /** Resolved inputs with secrets replaced by {@link SECRET_PLACEHOLDER}. Empty for components. */
  inputs: Record<string, unknown>;
  options: PlannedOptions;
}

export interface Evaluation {
  resources: PlannedResource[];
  /** The stack outputs, resolved. */
  outputs: Record<string, unknown>;
}

export function resourceKey(r: { type: string; name: string }): string {
  return `${r.type}::${r.name}`;
}

/** Replace Pulumi's secret wrappers (as the mocks receive them) with a placeholder, or with their value when `reveal`. */
export function redactSecrets(value: unknown, reveal = false): unknown {
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, reveal));
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const { pulumi } = sdk();
    if (obj[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return reveal ? redactSecrets(obj.value, reveal) : SECRET_PLACEHOLDER;
    if (pulumi.Output.isInstance(value)) return "[output]";
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (v !== undefined) out[k] = redactSecrets(v, reveal);
    }
    return out;
  }
  return value;
}

export interface EvaluateOptions {
  stack: string;
  subscriptionId?: string;
  /**
   * Keep secret inputs' values instead of the placeholder. Only for the fake engine, which hands
   * them to its simulated Azure (to check that the app's credentials still log in); never printed.
   * @default false
   */
  revealSecrets?: boolean;
}

interface Recorded {
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  options: PlannedOptions;
}

let queue: Promise<unknown> = Promise.resolve();

/** Evaluate the program for these settings. Never touches the network. */
export function evaluateProgram(settings: Settings, options: EvaluateOptions): Promise<Evaluation> {
  const subscriptionId = options.subscriptionId ?? settings.subscriptionId ?? PLAN_SUBSCRIPTION_ID;
  return queued(() => evaluateNow(() => sdk().program.createInfra(settings, { subscriptionId }), subscriptionId, options));
}

/** Evaluate the pipeline stack's program (main's branch protection alone). Never touches the network. */
export function evaluatePipelineProgram(pipeline: PipelineSettings, options: EvaluateOptions): Promise<Evaluation> {
  return queued(() => evaluateNow(() => sdk().program.createPipelineProgram(pipeline), options.subscriptionId ?? PLAN_SUBSCRIPTION_ID, options));
}

/** One evaluation at a time: the mocks are process-wide. */
function queued(evaluate: () => Promise<Evaluation>): Promise<Evaluation> {
  const run = queue.then(evaluate);
  queue = run.catch(() => undefined);
  return run;
}

async function evaluateNow(program: () => object, subscriptionId: string, options: EvaluateOptions): Promise<Evaluation> {
  const { pulumi } = sdk();
  const mocks = new PlanMocks(subscriptionId);
  await pulumi.runtime.setMocks(mocks, "aytq", options.stack, false);

  const recorded: Recorded[] = [];
  const keys = new Map<Pulumi.Resource, string>();
  let programError: unknown;
  // Pulumi stamps every promise it makes with `new Error().stack` for its leak report, and with
  // source maps on (tsx) each stamp maps every frame: about 60 % of an evaluation's time. No stack
  // is ever shown here (a program error is reported by its message), so none is captured while
  // the program runs.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const outputs = await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      const opts = args.opts as Pulumi.CustomResourceOptions;
      const key = resourceKey(args);
      keys.set(args.resource, key);
      recorded.push({
        type: args.type,
        name: args.name,
        // isInstance() reads a flag set after the base constructor ran; the prototype chain is already there
        custom: args.resource instanceof pulumi.CustomResource,
        parent: opts.parent ? keys.get(opts.parent) : undefined,
        options: {
          protect: opts.protect ?? false,
          ignoreChanges: [...(opts.ignoreChanges ?? [])],
          ...(opts.customTimeouts !== undefined ? { customTimeouts: { ...opts.customTimeouts } } : {}),
          ...(opts.import !== undefined ? { import: opts.import } : {}),
        },
      });
      return undefined;
    });
    try {
      return program();
    } catch (err) {
      programError = err;
      return {};
    }
  }).finally(() => {
    Error.stackTraceLimit = stackTraceLimit;
  });
  await pulumi.runtime.disconnect();
  if (programError !== undefined) throw programError;

  // a dynamic resource's provider is its serialized code (tens of KB): named, not printed
  const inputsByKey = new Map(mocks.seen.map((m) => [resourceKey(m), "__provider" in m.inputs ? { ...m.inputs, __provider: DYNAMIC_PROVIDER } : m.inputs]));
  const resources = recorded.map(
    (r): PlannedResource => ({
      type: r.type,
      name: r.name,
      ...(r.parent !== undefined ? { parent: r.parent } : {}),
      custom: r.custom,
      inputs: r.custom ? (redactSecrets(inputsByKey.get(resourceKey(r)) ?? {}, options.revealSecrets) as Record<string, unknown>) : {},
      options: r.options,
    }),
  );
  return { resources, outputs: (redactSecrets(outputs ?? {}) as Record<string, unknown>) };
}
