/**
 * Where each stack's Pulumi state, secrets and cluster are, for a workflow that runs aytq-dr
 * (names from shared/reference/FACTS.md; the container and key names are docs/infra.md's). One
 * table, so a workflow passes only the stack name and `aytq-dr ci env` exports the rest.
 */
import { parse } from "yaml";
import { STACK_NAMES, type StackName } from "../../infra/config";
import { UsageError } from "../errors";

/** The blob container holding Pulumi state in each state storage account. */
const PULUMI_STATE_CONTAINER = "pulumi-state";
/** The key in each infrastructure key vault that wraps the stack's data key. */
const PULUMI_SECRETS_KEY = "pulumi-secrets";

export interface CiEnvironment {
  /** Storage account holding Pulumi state (today Terraform's state account). */
  stateStorageAccount: string;
  /** The environment's infrastructure key vault (secrets provider). */
  infrastructureKeyVault: string;
  /** The AKS cluster the app runs in, and its resource group. */
  aksCluster: string;
  aksResourceGroup: string;
}

export const CI_ENVIRONMENTS: Readonly<Record<StackName, CiEnvironment>> = {
  test: { stateStorageAccount: "s189t01aytqtstfsa", infrastructureKeyVault: "s189t01-aytq-ts-inf-kv", aksCluster: "s189t01-tsc-test-aks", aksResourceGroup: "s189t01-tsc-ts-rg" },
  preproduction: { stateStorageAccount: "s189t01aytqpptfsa", infrastructureKeyVault: "s189t01-aytq-pp-inf-kv", aksCluster: "s189t01-tsc-test-aks", aksResourceGroup: "s189t01-tsc-ts-rg" },
  production: { stateStorageAccount: "s189p01aytqpdtfsa", infrastructureKeyVault: "s189p01-aytq-pd-inf-kv", aksCluster: "s189p01-tsc-production-aks", aksResourceGroup: "s189p01-tsc-pd-rg" },
};

/**
 * What a workflow job does with a stack, each in a GitHub environment of its own, so that each has
 * its own OIDC subject (so its own identity and rights in Azure), its own secrets and its own rules:
 * - `recover`: recover.yml and the monthly drill, with the rights a recovery needs; production
 *   with required reviewers; limited to the default branch.
 * - `backup`: the nightly (and manual) backup, no reviewers: a job waiting for an approval every
 *   night backs nothing up, and fails after 30 days. Limited to the default branch.
 * - `preview`: a pull request's preview, an identity that can only read; not limited to a branch
 *   (a pull request runs from its own ref), and no admin GitHub token.
 */
export const JOB_ROLES = ["recover", "backup", "preview"] as const;
export type JobRole = (typeof JOB_ROLES)[number];

/** The GitHub environment a job of this role runs in for a stack: `<stack>`, `<stack>-backup`, `<stack>-preview`. */
export function githubEnvironmentName(stack: StackName, role: JobRole): string {
  return role === "recover" ? stack : `${stack}-${role}`;
}

/** The stack and role of a GitHub environment name, or undefined when it is none of ours. */
export function parseGithubEnvironmentName(name: string): { stack: StackName; role: JobRole } | undefined {
  for (const stack of STACK_NAMES) for (const role of JOB_ROLES) if (githubEnvironmentName(stack, role) === name) return { stack, role };
  return undefined;
}

/** The subject of the federated credential Azure trusts for a job of this role (`repo:<owner>/<repo>:environment:<name>`). */
export function oidcSubject(repository: string, stack: StackName, role: JobRole): string {
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) throw new UsageError(`"${repository}" is not owner/repository`);
  return `repo:${repository}:environment:${githubEnvironmentName(stack, role)}`;
}

/** `azblob://pulumi-state`; the account comes from AZURE_STORAGE_ACCOUNT, as docs/infra.md logs in. */
function pulumiBackendUrl(): string {
  return `azblob://${PULUMI_STATE_CONTAINER}`;
}

/** `azurekeyvault://<vault>.vault.azure.net/keys/pulumi-secrets`, as given to `pulumi stack init --secrets-provider`. */
export function secretsProviderUrl(stack: StackName): string {
  return `azurekeyvault://${CI_ENVIRONMENTS[stack].infrastructureKeyVault}.vault.azure.net/keys/${PULUMI_SECRETS_KEY}`;
}

/**
 * The variables a job exports for a stack: the Pulumi CLI reads AZURE_STORAGE_ACCOUNT (state) and
 * PULUMI_BACKEND_URL; PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER makes it use the key vault recorded in
 * state when the stack file names no secrets provider (instead of asking for a passphrase);
 * the workflow reads AKS_* for `az aks get-credentials`.
 */
export function ciEnvironmentVariables(stack: StackName): Record<string, string> {
  const e = CI_ENVIRONMENTS[stack];
  return {
    AYTQ_DR_STACK: stack,
    AZURE_STORAGE_ACCOUNT: e.stateStorageAccount,
    PULUMI_BACKEND_URL: pulumiBackendUrl(),
    AYTQ_DR_SECRETS_PROVIDER: secretsProviderUrl(stack),
    PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "true",
    AKS_RESOURCE_GROUP: e.aksResourceGroup,
    AKS_CLUSTER_NAME: e.aksCluster,
  };
}

/**
 * The stack file's secrets provider, checked before a job touches the stack: absent (Pulumi then
 * uses the one in state), or the environment's key vault. A passphrase, or another vault, would
 * make the job stop at its first config read with a less helpful message. Returns a note to print.
 */
export function checkSecretsProvider(stack: StackName, stackFileText: string): string {
  const doc = (parse(stackFileText) ?? {}) as { secretsprovider?: unknown; encryptionsalt?: unknown };
  const expected = secretsProviderUrl(stack);
  if (typeof doc.secretsprovider === "string") {
    if (doc.secretsprovider === expected) return `secrets provider: ${expected} (stack file)`;
    throw new UsageError(
      `Pulumi.${stack}.yaml names the secrets provider "${doc.secretsprovider}", but ${stack}'s secrets are in ${expected}`,
      `if the stack really uses another key, change it deliberately: pulumi stack change-secrets-provider --stack ${stack} "${expected}"`,
    );
  }
  if (doc.encryptionsalt !== undefined) {
    throw new UsageError(
      `Pulumi.${stack}.yaml holds a passphrase salt (encryptionsalt): the stack's secrets are protected by a passphrase, which a workflow does not have`,
      `move the stack to its key vault: pulumi stack change-secrets-provider --stack ${stack} "${expected}", then commit the stack file`,
    );
  }
  return `secrets provider: none in Pulumi.${stack}.yaml, so the one recorded in the stack's state (set up once with: pulumi stack init ${stack} --secrets-provider "${expected}")`;
}
