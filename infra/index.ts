/**
 * Entry point for `pulumi up / preview`. Reads the `aytq` config namespace once, validates it
 * (config errors stop the program before any resource is declared), then declares everything:
 * the pipeline stack's program (main's branch protection) or an environment's.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { CONFIG_NAMESPACE, PIPELINE_STACK, RawConfig, parsePipelineSettings, parseSettings } from "./config";
import { createInfra, createPipelineProgram, InfraOutputs, PipelineOutputs } from "./program";

/** The `aytq:` keys of the stack's config, without the namespace. */
function namespaceConfig(all: Record<string, string>): RawConfig {
  const raw: RawConfig = {};
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(CONFIG_NAMESPACE + ":")) raw[key.slice(CONFIG_NAMESPACE.length + 1)] = value;
  }
  return raw;
}

async function main(): Promise<InfraOutputs | PipelineOutputs> {
  const raw = namespaceConfig(pulumi.runtime.allConfig());
  // the pipeline stack declares main's branch protection and nothing else: it needs no Azure at all
  if (pulumi.getStack() === PIPELINE_STACK) return createPipelineProgram(parsePipelineSettings(raw));
  const settings = parseSettings(raw);
  const subscriptionId = settings.subscriptionId ?? (await authorization.getClientConfig()).subscriptionId;
  return createInfra(settings, { subscriptionId });
}

// Pulumi's Node.js runtime awaits an exported function's promise and uses its value as the stack outputs.
export = main;
