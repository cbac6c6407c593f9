/**
 * What revive, rebuild and `normal` need beyond the stack: Azure Resource Manager (to ask what
 * exists and converge the real server) and, for a rebuild, the credentials the app already uses,
 * read from its DATABASE_URL Secret so that the app and the restore log in to the new server
 * with no change.
 */
import type { Settings } from "../../../infra/config";
import type { AzureServerApi } from "../../azure/arm";
import { AzureSdkServerApi } from "../../azure/sdk";
import { realKube } from "../../data/tunnel";
import { ToolError, UsageError } from "../../errors";
import { credentialsFromDatabaseUrl } from "./credentials";
import type { RecoveryContext } from "../../ops/run-operation";
import type { ReadyPoll } from "../../ops/verify-server";
import { envValue } from "../../util/env";

export interface RecoveryDeps {
  env: NodeJS.ProcessEnv;
  /** ARM for a subscription. @default the Azure SDK clients with DefaultAzureCredential */
  openAzure?: (subscriptionId: string) => AzureServerApi;
  /** Read one key of a Kubernetes Secret. @default the Kubernetes API of the current kubeconfig context */
  readSecret?: (namespace: string, name: string, key: string) => Promise<string>;
  log?: (line: string) => void;
  /** How a busy server is polled until Ready. @default DEFAULT_READY_POLL */
  readyPoll?: ReadyPoll;
}

/** The stack's subscription: aytq:subscriptionId, else AZURE_SUBSCRIPTION_ID (an empty value counts as unset). */
export function subscriptionOf(settings: Settings, env: NodeJS.ProcessEnv): string | undefined {
  return settings.subscriptionId || envValue(env, "AZURE_SUBSCRIPTION_ID");
}

/** The recovery context of a stack, or undefined when its subscription is unknown (revive and rebuild then refuse, changing nothing). */
export async function recoveryContext(settings: Settings, deps: RecoveryDeps): Promise<RecoveryContext | undefined> {
  const subscriptionId = subscriptionOf(settings, deps.env);
  if (subscriptionId === undefined) return undefined;
  const azure = deps.openAzure ? deps.openAzure(subscriptionId) : new AzureSdkServerApi(subscriptionId);
  const namespace = settings.app.namespace;
  const secretName = settings.app.databaseSecretName;
  const where = `secret ${namespace}/${secretName}`;
  return {
    azure,
    settings,
    subscriptionId,
    ...(deps.readyPoll ? { readyPoll: deps.readyPoll } : {}),
    appCredentials: async () => {
      const read = deps.readSecret ?? (async (ns: string, name: string, key: string) => (await realKube()).readSecret(ns, name, key));
      const raw = await read(namespace, secretName, "DATABASE_URL").catch((err: unknown) => {
        if (err instanceof ToolError || err instanceof UsageError) throw err;
        throw new ToolError(
          `reading DATABASE_URL from ${where} failed: ${String((err as Error).message ?? err).split("\n")[0]}`,
          `the rebuild keeps the app's credentials and must read them first: check kubectl can (az aks get-credentials; kubectl get secret ${secretName} -n ${namespace}); nothing was changed`,
        );
      });
      return credentialsFromDatabaseUrl(raw, where);
    },
  };
}
