/** The branch protection component built alone from its own arguments: the rule it is given, on the given repository. */
import * as assert from "node:assert/strict";
import { type BranchProtectionRule, DEFAULT_REPOSITORY } from "../../../infra/config";
import { Pipeline } from "../../../infra/pipeline";
import { buildAlone, declared } from "../alone";
import { PULUMI_TYPES } from "../../../infra/types";

const RULE: BranchProtectionRule = {
  pattern: "release",
  requiredApprovingReviewCount: 4,
  dismissStaleReviews: true,
  requireCodeOwnerReviews: false,
  requireLastPushApproval: true,
  restrictDismissals: false,
  dismissalRestrictions: [],
  pullRequestBypassers: ["/octocat"],
  requiredStatusChecks: undefined,
  enforceAdmins: true,
  requireConversationResolution: false,
  requiredLinearHistory: true,
  requireSignedCommits: false,
  allowsForcePushes: false,
  forcePushBypassers: [],
  allowsDeletions: false,
  restrictPushes: { pushAllowances: ["alone-org/deployers"], blocksCreations: false },
  lockBranch: false,
};

describe("component alone: Pipeline", () => {
  it("declares the given rule on the given repository, with the owner on the provider", async () => {
    const e = await buildAlone(() => {
      const p = new Pipeline("p", { repository: "alone-org/alone-repo", rule: RULE, frozen: true });
      return { frozen: p.frozen, requiredApprovals: p.requiredApprovals };
    });
    const bp = declared(e, PULUMI_TYPES.branchProtection, "p-branch-protection");
    assert.equal(bp.inputs.repositoryId, "alone-repo");
    assert.equal(bp.inputs.pattern, "release");
    assert.equal((bp.inputs.requiredPullRequestReviews as { requiredApprovingReviewCount: number }[])[0].requiredApprovingReviewCount, 4);
    assert.deepEqual(bp.inputs.requiredStatusChecks, [], "no status checks in the rule: an empty list, not an absent one");
    assert.deepEqual(bp.inputs.restrictPushes, [{ pushAllowances: ["alone-org/deployers"], blocksCreations: false }]);
    assert.equal(declared(e, PULUMI_TYPES.githubProvider, "p-github").inputs.owner, "alone-org");
    assert.deepEqual(e.outputs, { frozen: true, requiredApprovals: 4 });
  });

  it("no repository given: the default repository; not frozen by default", async () => {
    const e = await buildAlone(() => ({ frozen: new Pipeline("p", { rule: RULE }).frozen }));
    assert.equal(declared(e, PULUMI_TYPES.branchProtection, "p-branch-protection").inputs.repositoryId, DEFAULT_REPOSITORY.split("/")[1]);
    assert.equal(e.outputs.frozen, false);
  });
});
