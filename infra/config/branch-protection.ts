/** main's branch protection rule, derived once from the pipeline settings for the program and pre-flight alike. */
import type { PipelineSettings } from "./sections/pipeline";

/**
 * The branch protection rule the program declares for these settings, as plain data: the program
 * maps it onto the provider's inputs, pre-flight compares it with the live rule. Frozen, it also
 * enforces admins and drops the review bypassers, so nobody merges round the freeze.
 */
export interface BranchProtectionRule {
  pattern: string;
  requiredApprovingReviewCount: number;
  dismissStaleReviews: boolean;
  requireCodeOwnerReviews: boolean;
  requireLastPushApproval: boolean;
  restrictDismissals: boolean;
  dismissalRestrictions: string[];
  pullRequestBypassers: string[];
  /** undefined: no required status checks. */
  requiredStatusChecks: { strict: boolean; contexts: string[] } | undefined;
  enforceAdmins: boolean;
  requireConversationResolution: boolean;
  requiredLinearHistory: boolean;
  requireSignedCommits: boolean;
  allowsForcePushes: boolean;
  forcePushBypassers: string[];
  allowsDeletions: boolean;
  /** undefined: no push restriction. */
  restrictPushes: { pushAllowances: string[]; blocksCreations: boolean } | undefined;
  lockBranch: boolean;
}

/** The rule for these settings, freeze included. */
export function branchProtectionRule(p: PipelineSettings): BranchProtectionRule {
  return {
    pattern: p.branch,
    requiredApprovingReviewCount: requiredApprovals(p),
    dismissStaleReviews: p.dismissStaleReviews,
    requireCodeOwnerReviews: p.requireCodeOwnerReviews,
    requireLastPushApproval: p.requireLastPushApproval,
    restrictDismissals: p.restrictDismissals,
    dismissalRestrictions: [...p.dismissalRestrictions],
    pullRequestBypassers: p.frozen ? [] : [...p.pullRequestBypassers],
    requiredStatusChecks: p.requiredStatusChecks.enabled ? { strict: p.requiredStatusChecks.strict, contexts: [...p.requiredStatusChecks.contexts] } : undefined,
    enforceAdmins: p.frozen || p.enforceAdmins,
    requireConversationResolution: p.requireConversationResolution,
    requiredLinearHistory: p.requiredLinearHistory,
    requireSignedCommits: p.requireSignedCommits,
    allowsForcePushes: p.allowsForcePushes,
    forcePushBypassers: [...p.forcePushBypassers],
    allowsDeletions: p.allowsDeletions,
    restrictPushes: p.pushRestrictions.length > 0 ? { pushAllowances: [...p.pushRestrictions], blocksCreations: p.blocksCreations } : undefined,
    lockBranch: p.lockBranch,
  };
}

/** Required approving reviews for the current freeze state. */
export function requiredApprovals(p: PipelineSettings): number {
  return p.frozen ? p.frozenApprovals : p.normalApprovals;
}
