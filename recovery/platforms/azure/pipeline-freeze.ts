/** main's freeze as this machine reaches it: GITHUB_TOKEN, Pulumi.pipeline.yaml and the pipeline stack through the Automation API. */
import { PIPELINE_STACK } from "../../../infra/config";
import { loadPipelineSettings } from "../../config/stackfile";
import { ToolError } from "../../errors";
import type { PipelineFreezeContext } from "../../ops/pipeline-holds";
import { GithubFailure, githubOptionsFromEnv, githubRefs } from "../../github/client";
import { AutomationStackPort } from "../../stack/automation";
import type { StackPort } from "../../stack/port";
import { envValue } from "../../util/env";

/** Env var: the pipeline stack's state backend, when it is not the one this shell is logged in to (an environment's). */
const PIPELINE_BACKEND_ENV = "AYTQ_DR_PIPELINE_BACKEND_URL";

/**
 * The environment the pipeline stack's Pulumi CLI runs with: its one state backend. Every
 * environment's runner must reach the same state (and lock), or two states would each believe
 * they own main's rule; an environment's job is logged in to that environment's state account.
 */
export function pipelineStackEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const url = envValue(env, PIPELINE_BACKEND_ENV);
  return url ? { PULUMI_BACKEND_URL: url } : {};
}

/**
 * `openStack`: how the pipeline stack is opened (the CLI's opener, a test's fake).
 * @default the Automation API, progress lines to `log`
 */
export function pipelineFreezeFromEnv(
  env: NodeJS.ProcessEnv,
  log: (text: string) => void,
  signal?: AbortSignal,
  openStack?: (stack: typeof PIPELINE_STACK, signal?: AbortSignal) => Promise<StackPort>,
): PipelineFreezeContext {
  const pipeline = loadPipelineSettings();
  try {
    return {
      refs: githubRefs(pipeline.repository, githubOptionsFromEnv(env)),
      branch: pipeline.branch,
      openPort: (s) => (openStack ? openStack(PIPELINE_STACK, s) : AutomationStackPort.open(PIPELINE_STACK, { signal: s, env: pipelineStackEnv(env), onProgress: (line) => log(`  ${line}`) })),
      log,
      signal,
    };
  } catch (err) {
    if (err instanceof GithubFailure) throw new ToolError(`main's freeze cannot be reached: ${err.detail}`, err.fix);
    throw err;
  }
}
