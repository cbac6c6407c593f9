/**
 * The branch protection rule of main: what the stack declares against what GitHub has. The GitHub
 * provider writes the whole rule on every update (reference/ENGINE.md §10), so any difference
 * here is a change the next `pulumi up` (or freeze / unfreeze) makes on GitHub. Pre-flight names
 * each one, with the settings that would keep GitHub's value, before anyone converges.
 */
import { PIPELINE_STACK, type BranchProtectionRule } from "../../infra/config";
import type { PreflightResult } from "./result";

/** A user, team or app as GitHub lists it, named the way the stack names actors. */
export interface LiveActor {
  /** `/login` for a user, `org/slug` for a team, the node ID for an app. */
  name: string;
  nodeId?: string;
}

/** The live rule of one branch, read through GitHub's REST API. */
export interface LiveBranchProtection {
  /** undefined: pull requests need no reviews. */
  reviews:
    | {
        requiredApprovingReviewCount: number;
        dismissStaleReviews: boolean;
        requireCodeOwnerReviews: boolean;
        requireLastPushApproval: boolean;
        restrictDismissals: boolean;
        dismissalRestrictions: LiveActor[];
        pullRequestBypassers: LiveActor[];
      }
    | undefined;
  /** undefined: no required status checks. */
  requiredStatusChecks: { strict: boolean; contexts: string[] } | undefined;
  enforceAdmins: boolean;
  requireConversationResolution: boolean;
  requiredLinearHistory: boolean;
  requireSignedCommits: boolean;
  allowsForcePushes: boolean;
  allowsDeletions: boolean;
  lockBranch: boolean;
  /** undefined: no push restriction. */
  restrictPushes: { pushAllowances: LiveActor[]; blocksCreations: boolean } | undefined;
}

/** What the GitHub probe answers: the live rule (undefined: the branch is not protected), or why it could not be read. */
export type GithubBranchProtectionAnswer =
  | { ok: true; admin: boolean; live: LiveBranchProtection | undefined }
  | { ok: false; detail: string; fix: string };

/** What pre-flight knows of the pipeline from the pipeline stack (Pulumi.pipeline.yaml) and the freeze holds. */
export interface PipelineTarget {
  /** `owner/name`. */
  repository: string;
  /** Whether main should be frozen: while any hold exists (`holds`), else the pipeline stack's config. */
  frozen: boolean;
  /** What the pipeline stack's program declares for `frozen` (`branchProtectionRule`). */
  rule: BranchProtectionRule;
  /** The rule the pipeline stack declares frozen or open: pre-flight judges `frozen` from the holds. */
  ruleFor?: (frozen: boolean) => BranchProtectionRule;
  /** The freeze holds on main (`production-run`), once read; undefined: not read. */
  holds?: string[];
}

/** main's freeze as the holds say it: `main: FROZEN, held by production-run, test-manual` or `main: open (no holds)`. */
export function holdsLine(holds: readonly string[]): string {
  return holds.length ? `main: FROZEN, held by ${holds.join(", ")}` : "main: open (no holds)";
}

/** The target judged from the holds: frozen while any exists, and the rule the pipeline stack declares for that. */
export function withHolds(target: PipelineTarget, holds: readonly string[]): PipelineTarget {
  const frozen = holds.length > 0;
  return { ...target, holds: [...holds], frozen, rule: target.ruleFor ? target.ruleFor(frozen) : target.rule };
}

/** One setting where GitHub and the stack disagree. */
interface RuleDifference {
  /** The config key (`pipeline.enforceAdmins`), or a description when no key sets it alone. */
  label: string;
  stack: string;
  github: string;
  /** `key=value` (as `--set` takes it) that would make the stack declare GitHub's value; absent when no setting can. */
  keep?: string;
  /** Why no setting keeps GitHub's value. */
  note?: string;
}

const OFF = "off";

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function sameActors(declared: readonly string[], live: readonly LiveActor[]): boolean {
  const matches = (d: string, a: LiveActor) => d.toLowerCase() === a.name.toLowerCase() || d === a.nodeId;
  return declared.every((d) => live.some((a) => matches(d, a))) && live.every((a) => declared.some((d) => matches(d, a)));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === new Set(b).size && new Set(a).size === a.length && a.every((x) => b.includes(x));
}

const FROZEN_NOTE = "fixed while main is frozen";

/** Every setting where the live rule differs from the declared one, in the order GitHub's settings page lists them. */
function compareBranchProtection(target: PipelineTarget, live: LiveBranchProtection): RuleDifference[] {
  const d = target.rule;
  const out: RuleDifference[] = [];
  const flag = (key: string, stack: boolean, github: boolean) => {
    if (stack !== github) out.push({ label: `pipeline.${key}`, stack: show(stack), github: show(github), keep: `pipeline.${key}=${show(github)}` });
  };
  const actors = (key: string, stack: readonly string[], github: readonly LiveActor[], note?: string) => {
    if (sameActors(stack, github)) return;
    const names = github.map((a) => a.name);
    out.push(note ? { label: `pipeline.${key}`, stack: show(stack), github: show(names), note } : { label: `pipeline.${key}`, stack: show(stack), github: show(names), keep: `pipeline.${key}=${show(names)}` });
  };

  // pull request reviews
  if (!live.reviews) {
    out.push({ label: "required pull request reviews", stack: `${d.requiredApprovingReviewCount} approving`, github: OFF, note: "the stack always requires reviews" });
  } else {
    const r = live.reviews;
    if (r.requiredApprovingReviewCount !== d.requiredApprovingReviewCount) {
      const key = target.frozen ? "pipeline.frozenApprovals" : "pipeline.normalApprovals";
      out.push({ label: key, stack: show(d.requiredApprovingReviewCount), github: show(r.requiredApprovingReviewCount), keep: `${key}=${r.requiredApprovingReviewCount}` });
    }
    flag("dismissStaleReviews", d.dismissStaleReviews, r.dismissStaleReviews);
    flag("requireCodeOwnerReviews", d.requireCodeOwnerReviews, r.requireCodeOwnerReviews);
    flag("requireLastPushApproval", d.requireLastPushApproval, r.requireLastPushApproval);
    flag("restrictDismissals", d.restrictDismissals, r.restrictDismissals);
    actors("dismissalRestrictions", d.dismissalRestrictions, r.dismissalRestrictions);
    actors("pullRequestBypassers", d.pullRequestBypassers, r.pullRequestBypassers, target.frozen ? FROZEN_NOTE : undefined);
  }

  // status checks
  const sc = d.requiredStatusChecks;
  const lc = live.requiredStatusChecks;
  if (sc && !lc) out.push({ label: "pipeline.requiredStatusChecks.enabled", stack: "true", github: "false", keep: "pipeline.requiredStatusChecks.enabled=false" });
  else if (!sc && lc) out.push({ label: "pipeline.requiredStatusChecks", stack: OFF, github: show(lc), keep: `pipeline.requiredStatusChecks=${show({ enabled: true, ...lc })}` });
  else if (sc && lc) {
    flag("requiredStatusChecks.strict", sc.strict, lc.strict);
    if (!sameSet(sc.contexts, lc.contexts)) out.push({ label: "pipeline.requiredStatusChecks.contexts", stack: show(sc.contexts), github: show(lc.contexts), keep: `pipeline.requiredStatusChecks.contexts=${show(lc.contexts)}` });
  }

  // the rest of the rule
  if (d.enforceAdmins !== live.enforceAdmins) {
    out.push(target.frozen ? { label: "enforceAdmins", stack: "true", github: show(live.enforceAdmins), note: FROZEN_NOTE } : { label: "pipeline.enforceAdmins", stack: show(d.enforceAdmins), github: show(live.enforceAdmins), keep: `pipeline.enforceAdmins=${show(live.enforceAdmins)}` });
  }
  flag("requireConversationResolution", d.requireConversationResolution, live.requireConversationResolution);
  flag("requiredLinearHistory", d.requiredLinearHistory, live.requiredLinearHistory);
  flag("requireSignedCommits", d.requireSignedCommits, live.requireSignedCommits);
  flag("allowsForcePushes", d.allowsForcePushes, live.allowsForcePushes);
  flag("allowsDeletions", d.allowsDeletions, live.allowsDeletions);
  actors("pushRestrictions", d.restrictPushes?.pushAllowances ?? [], live.restrictPushes?.pushAllowances ?? []);
  if (d.restrictPushes && live.restrictPushes) flag("blocksCreations", d.restrictPushes.blocksCreations, live.restrictPushes.blocksCreations);
  flag("lockBranch", d.lockBranch, live.lockBranch);
  return out;
}

export const GITHUB_EDIT_CHECK = "GitHub token can edit branch protection";
export const ruleCheckName = (branch: string) => `GitHub branch protection of ${branch} matches the ${PIPELINE_STACK} stack`;
export const HOLDS_CHECK = "freeze holds on main";

/** The two GitHub rows of pre-flight: can the token edit the rule, and is the live rule the declared one. */
export function githubResults(target: PipelineTarget, answer: GithubBranchProtectionAnswer): PreflightResult[] {
  const stack = PIPELINE_STACK;
  const branch = target.rule.pattern;
  const ruleName = ruleCheckName(branch);
  if (!answer.ok) {
    return [
      { name: GITHUB_EDIT_CHECK, status: "fail", detail: answer.detail, fix: answer.fix },
      { name: ruleName, status: "fail", detail: "not compared: GitHub could not be read (see above)", fix: "fix the GitHub access above, then run aytq-dr preflight again" },
    ];
  }
  const out: PreflightResult[] = [
    answer.admin
      ? { name: GITHUB_EDIT_CHECK, status: "pass", detail: `admin on ${target.repository}` }
      : { name: GITHUB_EDIT_CHECK, status: "fail", detail: `the token can read ${target.repository} but is not an admin of it (freeze edits branch protection)`, fix: `set GITHUB_TOKEN to a token with admin rights on ${target.repository} (fine-grained: Administration read and write)` },
  ];
  if (!answer.live) {
    out.push({
      name: ruleName,
      status: "fail",
      detail: `${branch} of ${target.repository} has no branch protection on GitHub: nothing holds merges back, and a freeze would create the rule from the stack`,
      fix: `check pipeline.branch; if ${branch} is right, create the rule with pulumi up --stack ${stack} (it alone declares main's rule), then run preflight again`,
    });
    return out;
  }
  const diffs = compareBranchProtection(target, answer.live);
  if (diffs.length === 0) {
    out.push({ name: ruleName, status: "pass", detail: `the live rule is the one the ${stack} stack declares (${target.rule.requiredApprovingReviewCount} approving reviews${target.frozen ? ", frozen" : ""}${target.holds ? `; ${holdsLine(target.holds)}` : ""}; force-push bypassers are not visible over REST and not compared)` });
    return out;
  }
  const keep = diffs.flatMap((x) => (x.keep ? [x.keep] : []));
  const notes = diffs.flatMap((x) => (x.note ? [`${x.label}: ${x.note}`] : []));
  const looksFrozen = !target.frozen && answer.live.reviews !== undefined && answer.live.reviews.requiredApprovingReviewCount > target.rule.requiredApprovingReviewCount;
  const detail =
    `${diffs.length} difference${diffs.length === 1 ? "" : "s"} the next pulumi up, freeze or unfreeze would write to GitHub: ` +
    diffs.map((x) => `${x.label}: stack ${x.stack}, GitHub ${x.github}`).join("; ") +
    (looksFrozen ? (target.holds ? ` (GitHub asks for more reviews than the stack while no hold exists: frozen by hand, or a run that released its hold without converging?)` : ` (GitHub asks for more reviews than the stack while pipeline.frozen is false: frozen by hand, or a recovery elsewhere?)`) : "") +
    (target.holds?.length ? ` (${holdsLine(target.holds)})` : "");
  const fix =
    (keep.length ? `if GitHub is right, set these in Pulumi.${stack}.yaml before any pulumi up (try them first with aytq-dr plan --stack ${stack} --set ...): ${keep.join(" ")}` : "no setting keeps GitHub's value") +
    (notes.length ? ` (${notes.join("; ")})` : "") +
    `; if the stack is right, nothing to do: the next aytq-dr freeze or unfreeze writes it (they converge the ${stack} stack to the holds; a bare pulumi up --stack ${stack} writes its config's pipeline.frozen instead)`;
  out.push({ name: ruleName, status: "fail", detail, fix });
  return out;
}
