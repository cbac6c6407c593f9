/**
 * The deploy pipeline's brake: branch protection of the app repository's main branch. Frozen, it
 * needs more approving reviews than anyone will give (GitHub's maximum is 6), which blocks merges
 * and hence automatic deploys.
 */
import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import { Settings, requiredApprovals } from "./config";

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
    const approvals = requiredApprovals(s);

    // The token comes from GITHUB_TOKEN in the environment (the provider reads it), never from config.
    const provider = new github.Provider(`${name}-github`, { owner }, { parent: this });

    new github.BranchProtection(
      `${name}-branch-protection`,
      {
        repositoryId: repository,
        pattern: s.pipeline.branch,
        requiredPullRequestReviews: [{ requiredApprovingReviewCount: approvals }],
      },
      { parent: this, provider },
    );

    this.frozen = pulumi.output(s.pipeline.frozen);
    this.requiredApprovals = pulumi.output(approvals);
    this.registerOutputs({ frozen: this.frozen, requiredApprovals: this.requiredApprovals });
  }
}
