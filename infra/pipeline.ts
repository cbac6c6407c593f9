/**
 * The deploy pipeline's brake: branch protection of the app repository's main branch. Frozen, it
 * needs more approving reviews than anyone will give (GitHub's maximum is 6) and binds admins too,
 * which blocks merges and hence automatic deploys.
 *
 * The provider manages the rule whole (reference/ENGINE.md §10): every flag left out is sent as
 * false and an absent status-check or push-restriction block switches that feature off. So every
 * input is declared here, from {@link branchProtectionRule}, the same plain rule pre-flight
 * compares with the live one.
 */
import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import { Settings, branchProtectionRule } from "./config";

export interface PipelineArgs {
  settings: Settings;
}

export class Pipeline extends pulumi.ComponentResource {
  public readonly frozen: pulumi.Output<boolean>;
  public readonly requiredApprovals: pulumi.Output<number>;

  constructor(name: string, args: PipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aytq:pipeline:Pipeline", name, {}, opts);
    const s = args.settings;
    const [owner, repository] = s.pipeline.repository.split("/");
    const rule = branchProtectionRule(s);

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

    this.frozen = pulumi.output(s.pipeline.frozen);
    this.requiredApprovals = pulumi.output(rule.requiredApprovingReviewCount);
    this.registerOutputs({ frozen: this.frozen, requiredApprovals: this.requiredApprovals });
  }
}
