/**
 * The pipeline stack as two runners see it: one state backend (the rule as last applied, and the
 * stack's update lock) shared by every checkout, and per checkout its own Pulumi.pipeline.yaml
 * config. Each preview evaluates the pipeline program itself (infra/pipeline.ts under mocks) with
 * that checkout's config and diffs the BranchProtection's inputs against the backend's state, as
 * the engine does; a preview or up while another update holds the lock fails as the real CLI does
 * ("the stack is currently locked by", a LockedError through automation.ts); an up with a plan
 * applies the plan's inputs, whatever happened to the state since the preview (ENGINE.md §6: a
 * `same` is allowed in place of an update). Config and the call log are the one stub's (stack-stub.ts).
 */
import { parsePipelineSettings, PIPELINE_STACK, type RawConfig } from "../../infra/config";
import { PULUMI_TYPES } from "../../infra/types";
import { LockedError } from "../../recovery/errors";
import { evaluatePipelineProgram } from "../../recovery/plan/evaluate";
import type { PreviewOptions, PreviewResult, PreviewStep, StateResource, UpOptions, UpResult } from "../../recovery/stack/port";
import { StackStub } from "./stack-stub";
import { readStackConfig } from "../../recovery/config/stackfile";
import { GithubFailure, type GitRefsApi } from "../../recovery/github/client";
import type { PipelineFreezeContext } from "../../recovery/ops/pipeline-holds";

const BRANCH_PROTECTION = PULUMI_TYPES.branchProtection;
const URN = `urn:pulumi:${PIPELINE_STACK}::aytq::${PULUMI_TYPES.pipelineComponent}$${BRANCH_PROTECTION}::aytq-pipeline-branch-protection`;

/** The pipeline stack's state backend: what every checkout's up writes to. */
export class PipelineBackend {
  /** The BranchProtection's inputs as last applied (the live rule, since nothing else writes it). */
  applied: Record<string, unknown> | undefined;
  /** Whom the update lock is held by, if anyone. */
  lockedBy: string | undefined;
  /** Every up, in order: `<checkout> frozen|unfrozen`. */
  readonly ups: string[] = [];
  /** Awaited inside each up while it holds the lock: a test lets another runner act here. */
  duringUp?: (checkout: string) => Promise<void>;

  /** Required approving reviews on main now (undefined before the first up). */
  approvals(): number | undefined {
    const reviews = this.applied?.requiredPullRequestReviews as { requiredApprovingReviewCount?: number }[] | undefined;
    return reviews?.[0]?.requiredApprovingReviewCount;
  }

  /** The stack as deployed from the checked-in Pulumi.pipeline.yaml (main unfrozen). */
  static async deployed(): Promise<PipelineBackend> {
    const b = new PipelineBackend();
    b.applied = await ruleInputs(readStackConfig(PIPELINE_STACK));
    return b;
  }
}

async function ruleInputs(config: RawConfig): Promise<Record<string, unknown>> {
  const e = await evaluatePipelineProgram(parsePipelineSettings(config), { stack: PIPELINE_STACK });
  const bp = e.resources.find((r) => r.type === BRANCH_PROTECTION);
  if (!bp) throw new Error("the pipeline program declares no BranchProtection");
  return bp.inputs;
}

/** One checkout's view of the pipeline stack. */
export class FakePipelinePort extends StackStub {
  private plans = new Map<string, Record<string, unknown>>();
  /** Awaited at the start of each up, before the lock is taken: another runner acts here. */
  beforeUp?: () => Promise<void>;

  constructor(
    readonly backend: PipelineBackend,
    /** Names this checkout in the backend's records and its lock. */
    readonly checkout: string,
    raw: RawConfig = readStackConfig(PIPELINE_STACK),
  ) {
    super(PIPELINE_STACK, raw);
  }

  private checkLock(what: string): void {
    if (this.backend.lockedBy !== undefined && this.backend.lockedBy !== this.checkout) {
      throw new LockedError(`stack "${PIPELINE_STACK}" is locked by another update, so ${what} did not run and nothing was changed`, "wait for it to finish");
    }
  }

  override async resourceUrns(): Promise<StateResource[]> {
    await this.enter("resourceUrns");
    return this.backend.applied ? [{ urn: URN, type: BRANCH_PROTECTION, id: "BPR_main" }] : [];
  }

  override async preview(options: PreviewOptions = {}): Promise<PreviewResult> {
    await this.enter("preview");
    this.checkLock("the preview");
    const wanted = await ruleInputs(this.config);
    const same = JSON.stringify(wanted) === JSON.stringify(this.backend.applied);
    const op = this.backend.applied === undefined ? "create" : same ? "same" : "update";
    const steps: PreviewStep[] = [{ op, type: BRANCH_PROTECTION, urn: URN, protected: false, name: "aytq-pipeline-branch-protection" }];
    if (options.savePlan) this.plans.set(options.savePlan, wanted);
    return { changeSummary: { [op]: 1 }, steps, diffText: same ? "" : `  ~ ${BRANCH_PROTECTION} aytq-pipeline-branch-protection` };
  }

  override async up(options: UpOptions = {}): Promise<UpResult> {
    await this.enter("up");
    await this.beforeUp?.();
    this.checkLock("the update");
    this.backend.lockedBy = this.checkout;
    try {
      const wanted = (options.plan && this.plans.get(options.plan)) || (await ruleInputs(this.config));
      await this.backend.duringUp?.(this.checkout);
      this.backend.applied = wanted;
      const approvals = this.backend.approvals();
      this.backend.ups.push(`${this.checkout} ${approvals !== undefined && approvals > 1 ? "frozen" : "unfrozen"}`);
      return { changeSummary: { update: 1 }, outputs: await this.currentOutputs() };
    } finally {
      this.backend.lockedBy = undefined;
    }
  }

  protected override async currentOutputs(): Promise<Record<string, unknown>> {
    const approvals = this.backend.approvals();
    return { pipelineFrozen: approvals !== undefined && approvals > 1, requiredApprovals: approvals };
  }
}

/**
 * GitHub's refs in memory, with GitHub's answers (github.ts documents them): a create of a ref that
 * exists is "exists" (GitHub's 422), a delete of one that does not is "absent" (422). For tests that
 * need a freeze but not an HTTP server; test/ops/pipeline-holds.test.ts runs the real client over HTTP.
 */
export class MemoryRefs implements GitRefsApi {
  readonly refs = new Map<string, string>([["refs/heads/main", "009b8a3a9ccbb128af87f9b1c0f4c62e8a304f6d"]]);
  constructor(readonly repository = "DFE-Digital/access-your-teaching-qualifications") {}
  async branchSha(branch: string): Promise<string> {
    const sha = this.refs.get(`refs/heads/${branch}`);
    if (sha === undefined) throw new GithubFailure(`GitHub answered 404 for branch ${branch} of ${this.repository}`, "check aytq:pipeline.branch");
    return sha;
  }
  async createRef(ref: string, sha: string): Promise<"created" | "exists"> {
    if (this.refs.has(`refs/${ref}`)) return "exists";
    this.refs.set(`refs/${ref}`, sha);
    return "created";
  }
  async deleteRef(ref: string): Promise<"deleted" | "absent"> {
    return this.refs.delete(`refs/${ref}`) ? "deleted" : "absent";
  }
  async listRefs(prefix: string): Promise<string[]> {
    return [...this.refs.keys()].filter((r) => r.startsWith(`refs/${prefix}`));
  }
}

/** A freeze context over the in-memory refs and one checkout of a pipeline stack (deployed lazily, unfrozen). */
export function fakePipelineFreeze(refs = new MemoryRefs(), backend?: PipelineBackend): PipelineFreezeContext & { refs: MemoryRefs; backend: () => Promise<PipelineBackend> } {
  let b: Promise<PipelineBackend> | undefined = backend && Promise.resolve(backend);
  const get = () => (b ??= PipelineBackend.deployed());
  return {
    refs,
    branch: "main",
    openPort: async () => new FakePipelinePort(await get(), "runner"),
    log: () => undefined,
    sleep: async () => undefined,
    backend: get,
  };
}
