/** main's freeze as this machine reaches it: GITHUB_TOKEN, Pulumi.pipeline.yaml and the pipeline stack through the Automation API. */
import { PIPELINE_STACK } from "../../../infra/config";
import { loadPipelineSettings } from "../../config/stackfile";
import { ToolError } from "../../errors";
import type { PipelineFreezeContext } from "../../ops/pipeline-holds";
import { GithubFailure, githubOptionsFromEnv, githubRefs } from "../../preflight/github";
import { AutomationStackPort } from "../../stack/automation";

export function pipelineFreezeFromEnv(env: NodeJS.ProcessEnv, log: (text: string) => void, signal?: AbortSignal): PipelineFreezeContext {
  const pipeline = loadPipelineSettings();
  try {
    return {
      refs: githubRefs(pipeline.repository, githubOptionsFromEnv(env)),
      branch: pipeline.branch,
      openPort: (s) => AutomationStackPort.open(PIPELINE_STACK, { signal: s, onProgress: (line) => log(`  ${line}`) }),
      log,
      signal,
    };
  } catch (err) {
    if (err instanceof GithubFailure) throw new ToolError(`main's freeze cannot be reached: ${err.detail}`, err.fix);
    throw err;
  }
}
