/**
 * Pulumi mocks that stand in for every provider while the program is evaluated offline:
 * resources echo their inputs plus the few computed outputs the program reads (names, FQDNs),
 * and the azure-native client config answers with a placeholder subscription.
 */
import type * as pulumi from "@pulumi/pulumi";
import { AZURE_NATIVE_PREFIX, PULUMI_TYPES } from "../../infra/types";

/** Subscription id used when the stack sets none and no provider can be asked. */
export const PLAN_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";
const PLAN_TENANT_ID = "00000000-0000-0000-0000-000000000001";

/** Inputs that carry a resource's own Azure name, by preference. */
const NAME_INPUTS = [
  "serverName",
  "databaseName",
  "configurationName",
  "accountName",
  "containerName",
  "workspaceName",
  "ruleName",
  "managementPolicyName",
  "blobServicesName",
  "immutabilityPolicyName",
  "name",
] as const;

/** The Azure name a resource of this type gets from its inputs (the child's own name, not its parent's). */
function azureNameOf(type: string, inputs: Record<string, unknown>): string | undefined {
  const own: Record<string, string> = {
    [PULUMI_TYPES.database]: "databaseName",
    [PULUMI_TYPES.configuration]: "configurationName",
    [PULUMI_TYPES.container]: "containerName",
    [PULUMI_TYPES.blobService]: "blobServicesName",
    [PULUMI_TYPES.lifecycle]: "managementPolicyName",
    [PULUMI_TYPES.immutability]: "immutabilityPolicyName",
    [PULUMI_TYPES.diagnosticSetting]: "name",
  };
  const key = own[type] ?? NAME_INPUTS.find((k) => typeof inputs[k] === "string");
  const value = key === undefined ? undefined : inputs[key];
  return typeof value === "string" ? value : undefined;
}

/** One resource as the mocks saw it: resolved inputs (secrets still wrapped). */
export interface MockedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  importId?: string;
}

export class PlanMocks implements pulumi.runtime.Mocks {
  readonly seen: MockedResource[] = [];

  constructor(private readonly subscriptionId: string = PLAN_SUBSCRIPTION_ID) {}

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    // The mock API types inputs as any; they are plain deserialized values.
    const inputs: Record<string, unknown> = args.inputs;
    this.seen.push({ type: args.type, name: args.name, inputs, importId: args.id || undefined });
    const state: Record<string, unknown> = { ...inputs };
    const azureName = azureNameOf(args.type, inputs);
    if (args.type.startsWith(AZURE_NATIVE_PREFIX) && azureName !== undefined) state.name = azureName;
    if (args.type === PULUMI_TYPES.server && azureName !== undefined) {
      state.fullyQualifiedDomainName = `${azureName}.postgres.database.azure.com`;
    }
    if (args.type === PULUMI_TYPES.password) state.result = "mock-password";
    return { id: args.id || `${args.name}_id`, state };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    if (args.token === "azure-native:authorization:getClientConfig") {
      return { subscriptionId: this.subscriptionId, tenantId: PLAN_TENANT_ID, clientId: "plan", objectId: "plan" };
    }
    // Echo: the mock API types inputs as any.
    return args.inputs;
  }
}
