/**
 * Entry point for `pulumi up / preview`. Reads the `aytq` config namespace once, validates it
 * (config errors stop the program before any resource is declared), then declares everything.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { CONFIG_NAMESPACE, RawConfig, parseSettings } from "./config";
import { createInfra, InfraOutputs } from "./program";

/** The `aytq:` keys of the stack's config, without the namespace. */
function namespaceConfig(all: Record<string, string>): RawConfig {
  const raw: RawConfig = {};
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(CONFIG_NAMESPACE + ":")) raw[key.slice(CONFIG_NAMESPACE.length + 1)] = value;
  }
  return raw;
}

async function main(): Promise<InfraOutputs> {
  const settings = parseSettings(namespaceConfig(pulumi.runtime.allConfig()));
  const subscriptionId = settings.subscriptionId ?? (await authorization.getClientConfig()).subscriptionId;
  return createInfra(settings, { subscriptionId });
}

// Pulumi's Node.js runtime awaits an exported function's promise and uses its value as the stack outputs.
export = main;
