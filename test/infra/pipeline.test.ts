/**
 * Branch protection declared whole (reference/ENGINE.md §10): the provider sends every flag it is
 * not given as false, so the program must declare each one, normal and frozen; and the config
 * that feeds them: defaults and refusals.
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  ConfigError,
  DEFAULT_BRANCH_PROTECTION,
  DEFAULT_FROZEN_APPROVALS,
  DEFAULT_NORMAL_APPROVALS,
  PIPELINE_STACK,
  PipelineSettings,
  STACK_NAMES,
  branchProtectionRule,
  parsePipelineSettings,
  parseSettings,
} from "../../infra/config";
import { applyOverrides, loadPipelineSettings, readStackConfig } from "../../recovery/config/stackfile";
import { evaluatePipelineProgram, type PlannedResource } from "../../recovery/plan/evaluate";
import { absent, build, buildPipeline, input, resource } from "./harness";
import { PULUMI_TYPES } from "../../infra/types";

const BP = "aytq-pipeline-branch-protection";
const GITHUB_TYPES = path.join(__dirname, "..", "..", "node_modules", "@pulumi", "github");

/** Property names of one interface in the provider's published typings: the provider's own list of inputs. */
function inputsOf(file: string, iface: string): string[] {
  const text = readFileSync(path.join(GITHUB_TYPES, file), "utf8");
  const body = new RegExp(`export interface ${iface} \\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1];
  assert.ok(body, `interface ${iface} not found in ${file}`);
  const names = [...body.matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]);
  assert.ok(names.length > 0, `no properties read from ${iface}`);
  return names;
}

function assertDeclared(r: PlannedResource, prefix: string, names: readonly string[], value: Record<string, unknown>): void {
  const missing = names.filter((n) => value[n] === undefined);
  assert.deepEqual(missing, [], `${r.name}: ${prefix} inputs not declared (the provider would send them as false / off): ${missing.join(", ")}`);
}

function settingsFor(sets: string[]): { pipeline: PipelineSettings } {
  return { pipeline: parsePipelineSettings(applyOverrides(readStackConfig(PIPELINE_STACK), sets)) };
}

describe("pipeline: one stack owns main's branch protection", () => {
  for (const stack of STACK_NAMES) {
    it(`${stack}: declares no BranchProtection and no GitHub provider (a freeze there would rewrite the other environments' rule)`, async () => {
      for (const sets of [[], ["app.stopped=true"]]) {
        const e = await build(stack, sets);
        assert.deepEqual(e.resources.filter((r) => r.type === PULUMI_TYPES.branchProtection || r.type === PULUMI_TYPES.githubProvider).map((r) => r.name), []);
        absent(e, PULUMI_TYPES.branchProtection, BP);
        assert.ok(!("pipelineFrozen" in e.outputs), "an environment's outputs say nothing of main's protection");
      }
    });
    it(`${stack}: an aytq:pipeline section left in its stack file is refused, naming where it moved`, () => {
      const raw = { ...readStackConfig(stack), pipeline: { frozen: true } };
      assert.throws(() => parseSettings(raw), (err: unknown) => err instanceof ConfigError && /aytq:pipeline: moved to Pulumi\.pipeline\.yaml/.test(err.message));
    });
  }
  it("the pipeline stack declares the rule, its GitHub provider, and nothing else", async () => {
    const e = await buildPipeline();
    assert.deepEqual(e.resources.filter((r) => r.custom).map((r) => r.type).sort(), [PULUMI_TYPES.branchProtection, PULUMI_TYPES.githubProvider].sort());
    resource(e, PULUMI_TYPES.branchProtection, BP);
  });
  for (const frozen of [false, true]) {
    it(`the pipeline stack, ${frozen ? "frozen" : "normal"}: ${frozen ? DEFAULT_FROZEN_APPROVALS : DEFAULT_NORMAL_APPROVALS} approving reviews on main, the provider's owner from the repository and no token in config`, async () => {
      const e = await buildPipeline([`pipeline.frozen=${frozen}`]);
      const bp = resource(e, PULUMI_TYPES.branchProtection, BP);
      assert.equal(input(bp, "repositoryId"), "access-your-teaching-qualifications");
      assert.equal(input(bp, "requiredPullRequestReviews.0.requiredApprovingReviewCount"), frozen ? DEFAULT_FROZEN_APPROVALS : DEFAULT_NORMAL_APPROVALS);
      assert.equal(input(resource(e, PULUMI_TYPES.githubProvider, "aytq-pipeline-github"), "owner"), "DFE-Digital");
      assert.equal(input(resource(e, PULUMI_TYPES.githubProvider, "aytq-pipeline-github"), "token"), undefined, "github provider: no token in config");
      assert.equal(e.outputs.pipelineFrozen, frozen);
      assert.equal(e.outputs.requiredApprovals, frozen ? DEFAULT_FROZEN_APPROVALS : DEFAULT_NORMAL_APPROVALS);
    });
  }
  it("the pipeline stack file holds only the pipeline section (no Azure: a freeze needs no environment's credentials)", () => {
    assert.deepEqual(Object.keys(readStackConfig(PIPELINE_STACK)), ["pipeline"]);
  });
});

describe("pipeline: branch protection declared whole", () => {
  const top = inputsOf("branchProtection.d.ts", "BranchProtectionArgs");
  const reviews = inputsOf("types/input.d.ts", "BranchProtectionRequiredPullRequestReview");
  const checks = inputsOf("types/input.d.ts", "BranchProtectionRequiredStatusCheck");
  const pushes = inputsOf("types/input.d.ts", "BranchProtectionRestrictPush");

  {
    for (const frozen of [false, true]) {
      it(`${frozen ? "frozen" : "normal"}: declares every input of BranchProtection and of its blocks`, async () => {
        // a push restriction, so that the restrictPushes block has its inner inputs to check
        const e = await buildPipeline([`pipeline.frozen=${frozen}`, 'pipeline.pushRestrictions=["DFE-Digital/tra-admins"]']);
        const bp = resource(e, PULUMI_TYPES.branchProtection, BP);
        assertDeclared(bp, "top-level", top, bp.inputs);
        const [review] = input(bp, "requiredPullRequestReviews") as Record<string, unknown>[];
        assertDeclared(bp, "requiredPullRequestReviews", reviews, review);
        const [check] = input(bp, "requiredStatusChecks") as Record<string, unknown>[];
        assertDeclared(bp, "requiredStatusChecks", checks, check);
        const [push] = input(bp, "restrictPushes") as Record<string, unknown>[];
        assertDeclared(bp, "restrictPushes", pushes, push);
      });
    }
  }

  it("declares today's defaults, normal: 1 review, Rspec on an up-to-date branch, admins bound, stale reviews dismissed, no force pushes or deletions", async () => {
    const bp = resource(await buildPipeline(), PULUMI_TYPES.branchProtection, BP);
    const d = DEFAULT_BRANCH_PROTECTION;
    assert.deepEqual(bp.inputs, {
      repositoryId: "access-your-teaching-qualifications",
      pattern: "main",
      enforceAdmins: d.enforceAdmins,
      requiredPullRequestReviews: [
        {
          requiredApprovingReviewCount: DEFAULT_NORMAL_APPROVALS,
          dismissStaleReviews: d.dismissStaleReviews,
          requireCodeOwnerReviews: d.requireCodeOwnerReviews,
          requireLastPushApproval: d.requireLastPushApproval,
          restrictDismissals: d.restrictDismissals,
          dismissalRestrictions: [],
          pullRequestBypassers: [],
        },
      ],
      requiredStatusChecks: [{ strict: d.requiredStatusChecks.strict, contexts: [...d.requiredStatusChecks.contexts] }],
      restrictPushes: [],
      requireConversationResolution: d.requireConversationResolution,
      requiredLinearHistory: d.requiredLinearHistory,
      requireSignedCommits: d.requireSignedCommits,
      allowsForcePushes: d.allowsForcePushes,
      forcePushBypassers: [],
      allowsDeletions: d.allowsDeletions,
      lockBranch: d.lockBranch,
    });
    // the safety the defaults stand for, spelled out so a changed constant cannot slip through
    assert.equal(input(bp, "enforceAdmins"), true);
    assert.equal(input(bp, "allowsForcePushes"), false);
    assert.equal(input(bp, "allowsDeletions"), false);
    assert.equal(input(bp, "requiredStatusChecks.0.strict"), true);
  });

  it("frozen: 6 reviews and admins enforced even when the stack does not enforce them; unfrozen they follow the setting again", async () => {
    const frozen = resource(await buildPipeline(["pipeline.frozen=true", "pipeline.enforceAdmins=false"]), PULUMI_TYPES.branchProtection, BP);
    assert.equal(input(frozen, "requiredPullRequestReviews.0.requiredApprovingReviewCount"), DEFAULT_FROZEN_APPROVALS);
    assert.equal(input(frozen, "enforceAdmins"), true, "admins cannot merge round a freeze");
    const normal = resource(await buildPipeline(["pipeline.frozen=false", "pipeline.enforceAdmins=false"]), PULUMI_TYPES.branchProtection, BP);
    assert.equal(input(normal, "requiredPullRequestReviews.0.requiredApprovingReviewCount"), DEFAULT_NORMAL_APPROVALS);
    assert.equal(input(normal, "enforceAdmins"), false);
  });

  it("frozen: review bypassers are dropped, and come back on unfreeze", async () => {
    const sets = ['pipeline.pullRequestBypassers=["/release-bot"]'];
    const frozen = resource(await buildPipeline([...sets, "pipeline.frozen=true"]), PULUMI_TYPES.branchProtection, BP);
    assert.deepEqual(input(frozen, "requiredPullRequestReviews.0.pullRequestBypassers"), []);
    const normal = resource(await buildPipeline(sets), PULUMI_TYPES.branchProtection, BP);
    assert.deepEqual(input(normal, "requiredPullRequestReviews.0.pullRequestBypassers"), ["/release-bot"]);
  });

  it("the freeze changes only the review count when admins are already enforced (the default)", async () => {
    const normal = resource(await buildPipeline(), PULUMI_TYPES.branchProtection, BP);
    const frozen = resource(await buildPipeline(["pipeline.frozen=true"]), PULUMI_TYPES.branchProtection, BP);
    const withCount = (inputs: Record<string, unknown>, n: number) =>
      JSON.parse(JSON.stringify(inputs).replace(/"requiredApprovingReviewCount":\d+/, `"requiredApprovingReviewCount":${n}`)) as unknown;
    assert.notDeepEqual(frozen.inputs, normal.inputs);
    assert.deepEqual(withCount(frozen.inputs, 0), withCount(normal.inputs, 0));
  });

  const each: [string, string[], string, unknown][] = [
    ["strict status checks off", ["pipeline.requiredStatusChecks.strict=false"], "requiredStatusChecks.0.strict", false],
    ["status check names", ['pipeline.requiredStatusChecks.contexts=["Rspec","Image build and push"]'], "requiredStatusChecks.0.contexts", ["Rspec", "Image build and push"]],
    ["no required status checks", ["pipeline.requiredStatusChecks.enabled=false"], "requiredStatusChecks", []],
    ["dismiss stale reviews off", ["pipeline.dismissStaleReviews=false"], "requiredPullRequestReviews.0.dismissStaleReviews", false],
    ["code-owner reviews", ["pipeline.requireCodeOwnerReviews=true"], "requiredPullRequestReviews.0.requireCodeOwnerReviews", true],
    ["last-push approval", ["pipeline.requireLastPushApproval=true"], "requiredPullRequestReviews.0.requireLastPushApproval", true],
    ["restricted dismissals", ["pipeline.restrictDismissals=true"], "requiredPullRequestReviews.0.restrictDismissals", true],
    ["who may dismiss", ["pipeline.restrictDismissals=true", 'pipeline.dismissalRestrictions=["DFE-Digital/tra-leads"]'], "requiredPullRequestReviews.0.dismissalRestrictions", ["DFE-Digital/tra-leads"]],
    ["conversation resolution", ["pipeline.requireConversationResolution=true"], "requireConversationResolution", true],
    ["linear history", ["pipeline.requiredLinearHistory=true"], "requiredLinearHistory", true],
    ["signed commits", ["pipeline.requireSignedCommits=true"], "requireSignedCommits", true],
    ["force pushes", ["pipeline.allowsForcePushes=true"], "allowsForcePushes", true],
    ["force-push bypassers", ['pipeline.forcePushBypassers=["/octocat"]'], "forcePushBypassers", ["/octocat"]],
    ["deletions", ["pipeline.allowsDeletions=true"], "allowsDeletions", true],
    ["lock branch", ["pipeline.lockBranch=true"], "lockBranch", true],
    ["push restrictions", ['pipeline.pushRestrictions=["/octocat","DFE-Digital/tra"]'], "restrictPushes", [{ pushAllowances: ["/octocat", "DFE-Digital/tra"], blocksCreations: true }]],
    ["push restrictions without blocking creations", ['pipeline.pushRestrictions=["/octocat"]', "pipeline.blocksCreations=false"], "restrictPushes", [{ pushAllowances: ["/octocat"], blocksCreations: false }]],
    ["admins not enforced", ["pipeline.enforceAdmins=false"], "enforceAdmins", false],
  ];
  for (const [what, sets, at, expected] of each) {
    it(`passes the stack's ${what} to ${at}`, async () => {
      const bp = resource(await buildPipeline(sets), PULUMI_TYPES.branchProtection, BP);
      assert.deepEqual(input(bp, at), expected);
    });
  }

  it("keeps the component's outputs: frozen and requiredApprovals", async () => {
    const e = await buildPipeline(["pipeline.frozen=true", "pipeline.frozenApprovals=5"]);
    assert.equal(e.outputs.pipelineFrozen, true);
    assert.equal(e.outputs.requiredApprovals, 5);
    assert.equal(input(resource(e, PULUMI_TYPES.branchProtection, BP), "requiredPullRequestReviews.0.requiredApprovingReviewCount"), 5);
  });

  // Pre-flight compares the live rule with branchProtectionRule(settings): it must be what the program sends.
  const variants: string[][] = [
    [],
    ["pipeline.frozen=true", "pipeline.enforceAdmins=false", 'pipeline.pullRequestBypassers=["/bot"]'],
    ["pipeline.requiredStatusChecks.enabled=false", 'pipeline.pushRestrictions=["/octocat"]', "pipeline.blocksCreations=false", "pipeline.requireSignedCommits=true"],
    ["pipeline.restrictDismissals=true", 'pipeline.dismissalRestrictions=["DFE-Digital/leads"]', "pipeline.lockBranch=true", "pipeline.allowsDeletions=true"],
  ];
  for (const sets of variants) {
    it(`branchProtectionRule (pre-flight's view) is what the program declares: ${sets.join(" ") || "defaults"}`, async () => {
      const settings = loadPipelineSettings(sets);
      const rule = branchProtectionRule(settings);
      const bp = resource(await evaluatePipelineProgram(settings, { stack: PIPELINE_STACK }), PULUMI_TYPES.branchProtection, BP);
      assert.equal(input(bp, "pattern"), rule.pattern);
      for (const k of ["enforceAdmins", "requireConversationResolution", "requiredLinearHistory", "requireSignedCommits", "allowsForcePushes", "forcePushBypassers", "allowsDeletions", "lockBranch"] as const) {
        assert.deepEqual(input(bp, k), rule[k], k);
      }
      for (const k of ["requiredApprovingReviewCount", "dismissStaleReviews", "requireCodeOwnerReviews", "requireLastPushApproval", "restrictDismissals", "dismissalRestrictions", "pullRequestBypassers"] as const) {
        assert.deepEqual(input(bp, `requiredPullRequestReviews.0.${k}`), rule[k], k);
      }
      assert.deepEqual(input(bp, "requiredStatusChecks"), rule.requiredStatusChecks ? [rule.requiredStatusChecks] : []);
      assert.deepEqual(input(bp, "restrictPushes"), rule.restrictPushes ? [rule.restrictPushes] : []);
    });
  }
});

describe("pipeline config", () => {
  it("fills every branch-protection setting with its default when the stack file sets none", () => {
    const raw = readStackConfig(PIPELINE_STACK);
    const { pipeline: _dropped, ...rest } = raw;
    assert.ok(_dropped !== undefined, "the pipeline stack file sets aytq:pipeline");
    const p = parsePipelineSettings(rest);
    const d = DEFAULT_BRANCH_PROTECTION;
    assert.deepEqual(p.requiredStatusChecks, { enabled: true, strict: d.requiredStatusChecks.strict, contexts: [...d.requiredStatusChecks.contexts] });
    assert.deepEqual(p.requiredStatusChecks.contexts, ["Rspec"]);
    for (const k of ["enforceAdmins", "dismissStaleReviews", "requireCodeOwnerReviews", "requireLastPushApproval", "restrictDismissals", "requireConversationResolution", "requiredLinearHistory", "requireSignedCommits", "allowsForcePushes", "allowsDeletions", "lockBranch", "blocksCreations"] as const) {
      assert.equal(p[k], d[k], k);
    }
    for (const k of ["dismissalRestrictions", "pullRequestBypassers", "forcePushBypassers", "pushRestrictions"] as const) assert.deepEqual(p[k], [], k);
    assert.equal(p.frozen, false);
    assert.equal(p.normalApprovals, DEFAULT_NORMAL_APPROVALS);
  });

  it("fills a partly given status-check block: only the contexts set, strict and enabled default", () => {
    const p = settingsFor(['pipeline.requiredStatusChecks={"contexts":["lint"]}']).pipeline;
    assert.deepEqual(p.requiredStatusChecks, { enabled: true, strict: true, contexts: ["lint"] });
  });

  it("takes CLI strings for the flags (true / false)", () => {
    const p = settingsFor(["pipeline.enforceAdmins=false", "pipeline.lockBranch=true"]).pipeline;
    assert.equal(p.enforceAdmins, false);
    assert.equal(p.lockBranch, true);
  });

  function refuse(sets: string[], expected: Record<string, RegExp>): void {
    assert.throws(
      () => settingsFor(sets),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
        for (const [key, pattern] of Object.entries(expected)) {
          const problem = err.problems.find((p) => p.key === key);
          assert.ok(problem, `expected a problem for ${key}; got ${err.message}`);
          assert.match(problem.message, pattern);
        }
        return true;
      },
    );
  }

  it("refuses 7 frozen approvals (GitHub's maximum is 6)", () => refuse(["pipeline.frozenApprovals=7"], { "aytq:pipeline.frozenApprovals": /between 0 and 6/ }));
  it("refuses -1 normal approvals", () => refuse(["pipeline.normalApprovals=-1"], { "aytq:pipeline.normalApprovals": /between 0 and 6/ }));
  it("accepts the boundaries 0 and 6 approvals", () => {
    const p = settingsFor(["pipeline.frozenApprovals=6", "pipeline.normalApprovals=0"]).pipeline;
    assert.deepEqual([p.frozenApprovals, p.normalApprovals], [6, 0]);
  });
  it("refuses a key of an environment in the pipeline stack file", () => refuse(["app.stopped=true"], { "aytq:app": /is not a config key/ }));
  it("refuses a flag that is not true or false", () => refuse(["pipeline.enforceAdmins=yes"], { "aytq:pipeline.enforceAdmins": /must be true or false \(got "yes"\)/ }));
  it("refuses status-check names given as one string", () =>
    refuse(["pipeline.requiredStatusChecks.contexts=Rspec"], { "aytq:pipeline.requiredStatusChecks.contexts": /must be a list of check names/ }));
  it("refuses an empty status-check name", () => refuse(['pipeline.requiredStatusChecks.contexts=["Rspec",""]'], { "aytq:pipeline.requiredStatusChecks.contexts[1]": /must be a check name/ }));
  it("refuses an unknown key in the status-check block", () => refuse(["pipeline.requiredStatusChecks.stritc=true"], { "aytq:pipeline.requiredStatusChecks.stritc": /is not a config key/ }));
  it("refuses an unknown pipeline key (a misspelt flag would silently be false on GitHub)", () => refuse(["pipeline.enforceAdmin=true"], { "aytq:pipeline.enforceAdmin": /is not a config key/ }));
  for (const bad of ["octocat", "/", "team/", "/has space"]) {
    it(`refuses the push-restriction actor ${JSON.stringify(bad)}`, () =>
      refuse([`pipeline.pushRestrictions=${JSON.stringify([bad])}`], { "aytq:pipeline.pushRestrictions[0]": /must be a GitHub actor: \/user, org\/team or a node ID/ }));
  }
  it("accepts a user, a team and node IDs (new and legacy) as actors", () => {
    const actors = ["/octocat", "DFE-Digital/tra-admins", "U_kgDOABCDEF", "MDQ6VXNlcjE="];
    assert.deepEqual(settingsFor([`pipeline.pushRestrictions=${JSON.stringify(actors)}`]).pipeline.pushRestrictions, actors);
  });
  it("refuses who-may-dismiss without restrictDismissals, and force-push bypassers while everyone may force-push, both at once", () =>
    refuse(['pipeline.dismissalRestrictions=["/octocat"]', 'pipeline.forcePushBypassers=["/octocat"]', "pipeline.allowsForcePushes=true"], {
      "aytq:pipeline.dismissalRestrictions": /only applies with pipeline.restrictDismissals: true/,
      "aytq:pipeline.forcePushBypassers": /allowsForcePushes: true lets everyone/,
    }));
  it("accepts who-may-dismiss with restrictDismissals", () => {
    assert.deepEqual(settingsFor(["pipeline.restrictDismissals=true", 'pipeline.dismissalRestrictions=["/octocat"]']).pipeline.dismissalRestrictions, ["/octocat"]);
  });
});
