/**
 * The deploy pipeline's brake: branch protection of the app repository's main branch. Frozen, it
 * needs more approving reviews than anyone will give (GitHub's maximum is 6) and binds admins too,
 * which blocks merges and hence automatic deploys.
 *
 * The provider manages the rule whole (reference/ENGINE.md §10): every flag left out is sent as
 * false and an absent status-check or push-restriction block switches that feature off. So every
 * input is declared here, from {@link branchProtectionRule}, the same plain rule pre-flight
 * compares with the live one.
 *
 * Exactly one stack declares it: the pipeline stack (PIPELINE_STACK, Pulumi.pipeline.yaml), whose
 * program is {@link createPipelineProgram} alone. Three environment stacks declaring one rule would
 * each rewrite the others' freeze (a test drill's unfreeze lifting production's).
 */
import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import { PipelineSettings, branchProtectionRule } from "./config";

export interface PipelineArgs {
  /** The pipeline stack's settings (`aytq:pipeline` of Pulumi.pipeline.yaml). */
  pipeline: PipelineSettings;
}

export class Pipeline extends pulumi.ComponentResource {
  public readonly frozen: pulumi.Output<boolean>;
  public readonly requiredApprovals: pulumi.Output<number>;

  constructor(name: string, args: PipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aytq:pipeline:Pipeline", name, {}, opts);
    const p = args.pipeline;
    const [owner, repository] = p.repository.split("/");
    const rule = branchProtectionRule(p);

    // The token comes from GITHUB_TOKEN in the environment, never from config. It is passed explicitly so the SDK wraps it as a secret: left to itself, the provider
    // reads GITHUB_TOKEN into its inputs as plain text, and provider inputs are kept in the state.
    const provider = new github.Provider(`${name}-github`, { owner, token: process.env.GITHUB_TOKEN || undefined }, { parent: this });

    new github.BranchProtection(
      `${name}-branch-protection`,
      {
        repositoryId: repository,
        pattern: rule.pattern,
        enforceAdmins: rule.enforceAdmins,
        requiredPullRequestReviews: [
          {
            requiredApprovingReviewCount: rule.requiredApprovingReviewCount,
            dismissStaleReviews: rule.dismissStaleReviews,
            requireCodeOwnerReviews: rule.requireCodeOwnerReviews,
            requireLastPushApproval: rule.requireLastPushApproval,
            restrictDismissals: rule.restrictDismissals,
            dismissalRestrictions: rule.dismissalRestrictions,
            pullRequestBypassers: rule.pullRequestBypassers,
          },
        ],
        // An empty list, not an absent one: the feature is off because the stack says so.
        requiredStatusChecks: rule.requiredStatusChecks ? [{ strict: rule.requiredStatusChecks.strict, contexts: rule.requiredStatusChecks.contexts }] : [],
        restrictPushes: rule.restrictPushes ? [{ pushAllowances: rule.restrictPushes.pushAllowances, blocksCreations: rule.restrictPushes.blocksCreations }] : [],
        requireConversationResolution: rule.requireConversationResolution,
        requiredLinearHistory: rule.requiredLinearHistory,
        requireSignedCommits: rule.requireSignedCommits,
        allowsForcePushes: rule.allowsForcePushes,
        forcePushBypassers: rule.forcePushBypassers,
        allowsDeletions: rule.allowsDeletions,
        lockBranch: rule.lockBranch,
      },
      { parent: this, provider },
    );

    this.frozen = pulumi.output(p.frozen);
    this.requiredApprovals = pulumi.output(rule.requiredApprovingReviewCount);
    this.registerOutputs({ frozen: this.frozen, requiredApprovals: this.requiredApprovals });
  }
}

/** The pipeline stack's outputs. `status` and the freeze read these names: keep them stable. */
export interface PipelineOutputs {
  repository: string;
  branch: string;
  pipelineFrozen: pulumi.Output<boolean>;
  requiredApprovals: pulumi.Output<number>;
}

/** The whole program of the pipeline stack: the GitHub provider and main's branch protection, nothing else. */
export function createPipelineProgram(pipeline: PipelineSettings): PipelineOutputs {
  const component = new Pipeline("aytq-pipeline", { pipeline });
  return { repository: pipeline.repository, branch: pipeline.branch, pipelineFrozen: component.frozen, requiredApprovals: component.requiredApprovals };
}
