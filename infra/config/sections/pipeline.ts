/**
 * `aytq:pipeline` of Pulumi.pipeline.yaml: main's branch protection, frozen or not. Only the
 * pipeline stack reads it (PIPELINE_STACK); an environment's stack file may not have it.
 */
import { z } from "zod";
import {
  DEFAULT_BRANCH,
  DEFAULT_BRANCH_PROTECTION,
  DEFAULT_FROZEN_APPROVALS,
  DEFAULT_NORMAL_APPROVALS,
  DEFAULT_REPOSITORY,
  MAX_REQUIRED_APPROVALS,
} from "../defaults";
import { actors, boolish, intish } from "../fields";

const pipelineSchema = z
  .object({
    /** `owner/name`. @default DEFAULT_REPOSITORY */
    repository: z.string().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, { error: "must be owner/name" }).default(DEFAULT_REPOSITORY),
    /** @default DEFAULT_BRANCH */
    branch: z.string().min(1).default(DEFAULT_BRANCH),
    /** Merges need frozenApprovals reviews while true. @default false */
    frozen: boolish.default(false),
    /** @default DEFAULT_FROZEN_APPROVALS */
    frozenApprovals: intish(0, MAX_REQUIRED_APPROVALS).default(DEFAULT_FROZEN_APPROVALS),
    /** @default DEFAULT_NORMAL_APPROVALS */
    normalApprovals: intish(0, MAX_REQUIRED_APPROVALS).default(DEFAULT_NORMAL_APPROVALS),
    /** Checks that must pass before merging. @default DEFAULT_BRANCH_PROTECTION.requiredStatusChecks */
    requiredStatusChecks: z
      .object({
        /** false: no required status checks at all. @default true */
        enabled: boolish.default(DEFAULT_BRANCH_PROTECTION.requiredStatusChecks.enabled),
        /** The branch must be up to date with main before merging. @default true */
        strict: boolish.default(DEFAULT_BRANCH_PROTECTION.requiredStatusChecks.strict),
        /** Names of the checks (GitHub Actions job names). @default ["Rspec"] */
        contexts: z.array(z.string().min(1, { error: "must be a check name" }), { error: 'must be a list of check names, e.g. ["Rspec"]' }).default([...DEFAULT_BRANCH_PROTECTION.requiredStatusChecks.contexts]),
      })
      .strict()
      .prefault({}),
    /** The rule binds admins too; always true while frozen. @default true */
    enforceAdmins: boolish.default(DEFAULT_BRANCH_PROTECTION.enforceAdmins),
    /** A new commit dismisses earlier approvals. @default true */
    dismissStaleReviews: boolish.default(DEFAULT_BRANCH_PROTECTION.dismissStaleReviews),
    /** @default false */
    requireCodeOwnerReviews: boolish.default(DEFAULT_BRANCH_PROTECTION.requireCodeOwnerReviews),
    /** The last push must be approved by someone other than its pusher. @default false */
    requireLastPushApproval: boolish.default(DEFAULT_BRANCH_PROTECTION.requireLastPushApproval),
    /** Only admins (and dismissalRestrictions) may dismiss reviews. @default false */
    restrictDismissals: boolish.default(DEFAULT_BRANCH_PROTECTION.restrictDismissals),
    /** Actors who may dismiss reviews; needs restrictDismissals. @default [] */
    dismissalRestrictions: actors,
    /** Actors who may merge without the review requirements; empty while frozen. @default [] */
    pullRequestBypassers: actors,
    /** @default false */
    requireConversationResolution: boolish.default(DEFAULT_BRANCH_PROTECTION.requireConversationResolution),
    /** @default false */
    requiredLinearHistory: boolish.default(DEFAULT_BRANCH_PROTECTION.requiredLinearHistory),
    /** @default false */
    requireSignedCommits: boolish.default(DEFAULT_BRANCH_PROTECTION.requireSignedCommits),
    /** Everyone may force-push. @default false */
    allowsForcePushes: boolish.default(DEFAULT_BRANCH_PROTECTION.allowsForcePushes),
    /** Actors who alone may force-push (GitHub's REST API does not show them, so preflight cannot compare them). @default [] */
    forcePushBypassers: actors,
    /** @default false */
    allowsDeletions: boolish.default(DEFAULT_BRANCH_PROTECTION.allowsDeletions),
    /** Actors who alone may push to main; empty: no push restriction. @default [] */
    pushRestrictions: actors,
    /** With push restrictions, nobody else may create a matching branch. @default true */
    blocksCreations: boolish.default(DEFAULT_BRANCH_PROTECTION.blocksCreations),
    /** main is read-only: nothing can be merged or pushed. @default false */
    lockBranch: boolish.default(DEFAULT_BRANCH_PROTECTION.lockBranch),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.dismissalRestrictions.length > 0 && !p.restrictDismissals) {
      ctx.addIssue({ code: "custom", path: ["dismissalRestrictions"], message: "only applies with pipeline.restrictDismissals: true (GitHub would restrict dismissals anyway); set both or remove the list" });
    }
    if (p.forcePushBypassers.length > 0 && p.allowsForcePushes) {
      ctx.addIssue({ code: "custom", path: ["forcePushBypassers"], message: "lists who alone may force-push, but pipeline.allowsForcePushes: true lets everyone; keep one of the two" });
    }
  });

/** The pipeline stack's settings: `aytq:pipeline` of Pulumi.pipeline.yaml, validated. */
export type PipelineSettings = z.output<typeof pipelineSchema>;

/** Pulumi.pipeline.yaml's `aytq` namespace: the pipeline section and nothing else. */
export const pipelineStackSchema = z.object({ pipeline: pipelineSchema.prefault({}) }).strict();
