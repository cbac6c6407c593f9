/**
 * What a stack is called and which recovery modes its config can be in: the names the program,
 * the driver and the stack files agree on.
 */

/** Every key of a stack's config lives in this namespace (`aytq:database`, `aytq:recovery`, ...). */
export const CONFIG_NAMESPACE = "aytq";

/** The environment stacks: one per environment, each with its own server, storage and app. */
export const STACK_NAMES = ["test", "preproduction", "production"] as const;
/** An environment stack's name. */
export type StackName = (typeof STACK_NAMES)[number];

/**
 * The stack that alone declares main's branch protection (Pulumi.pipeline.yaml). Not an environment:
 * its program declares only the GitHub provider and the rule, so freezing main needs GITHUB_TOKEN
 * and the state backend, never an environment's Azure credentials. Every environment's freeze goes
 * through it (recovery/ops/pipeline-holds.ts).
 */
export const PIPELINE_STACK = "pipeline";
/** The pipeline stack's name, as a type, so it is never mistaken for an environment's. */
export type PipelineStackName = typeof PIPELINE_STACK;

/** How the live server is declared: as it is, revived after a deletion, or rebuilt empty. */
export const RECOVERY_MODES = ["normal", "reviveDropped", "rebuild"] as const;
/** One of {@link RECOVERY_MODES}. */
export type RecoveryMode = (typeof RECOVERY_MODES)[number];
