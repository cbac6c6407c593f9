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
 * program is this component alone (createPipelineProgram in infra/program.ts). Three environment stacks declaring one rule would
 * each rewrite the others' freeze (a test drill's unfreeze lifting production's).
 */
import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import { type BranchProtectionRule, DEFAULT_REPOSITORY } from "./config";
import { PULUMI_TYPES } from "./types";

/** What the branch protection is declared from: exactly what the component reads. */
export interface PipelineArgs {
  /** The app's repository, `owner/name`. @default DEFAULT_REPOSITORY */
  repository?: string;
  /** The whole rule (branchProtectionRule in infra/config, which pre-flight compares too). */
  rule: BranchProtectionRule;
  /** Whether the rule is the frozen one, reported as an output. @default false */
  frozen?: boolean;
}

/** main's branch protection rule, the brake on merges and hence on deploys. */

export class Pipeline extends pulumi.ComponentResource {
  public readonly frozen: pulumi.Output<boolean>;
  public readonly requiredApprovals: pulumi.Output<number>;

  constructor(name: string, args: PipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PULUMI_TYPES.pipelineComponent, name, {}, opts);
    const { rule } = args;
    const [owner, repository] = (args.repository ?? DEFAULT_REPOSITORY).split("/");

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

    this.frozen = pulumi.output(args.frozen === true);
    this.requiredApprovals = pulumi.output(rule.requiredApprovingReviewCount);
    this.registerOutputs({ frozen: this.frozen, requiredApprovals: this.requiredApprovals });
  }
}
