/**
 * What an Azure drill checks before it touches the stack: never production, the live server's id
 * known (to delete it), no delete lock in the way, and the incident confirmed by a person (or --yes).
 */
import { type Settings } from "../../../infra/config";
import { flexibleServerId } from "../../../infra/ids";
import { RefusedError, UsageError } from "../../errors";
import type { ScenarioName } from "../../runbook/run-model";
import { envValue } from "../../util/env";
import { DRILL_SCRATCH_TABLE } from "../constants";

export interface AzureDrillRequest {
  stack: string;
  scenario: ScenarioName;
  /** Ask a person to confirm the incident; undefined when there is no terminal. */
  confirm?: (question: string) => Promise<boolean>;
  /** --yes: the incident is confirmed in advance. */
  yes: boolean;
  /** Delete locks the stack declares on the live server (`locks.enabled`): a drill that deletes it is refused. @default none */
  lockedServer?: string;
}

/** What the drill would do to the stack, for the confirmation and the refusal. */
function azureIncidentFor(scenario: ScenarioName, stack: string): string {
  switch (scenario) {
    case "data-loss":
      return `create the drill's own table ${DRILL_SCRATCH_TABLE} in the ${stack} database and drop it, then recover it with a point-in-time copy restored into live`;
    case "server-lost-revive":
      return `delete the ${stack} PostgreSQL server, then revive it (ReviveDropped)`;
    case "server-lost-rebuild":
      return `delete the ${stack} PostgreSQL server, then rebuild it and restore the latest backup`;
    default: {
      const _exhaustive: never = scenario;
      return _exhaustive;
    }
  }
}

/** The live server's ARM id, from settings and the subscription (aytq:subscriptionId, else AZURE_SUBSCRIPTION_ID); refused when neither is set. */
export function liveServerId(settings: Settings, env: NodeJS.ProcessEnv): string {
  const subscription = settings.subscriptionId || envValue(env, "AZURE_SUBSCRIPTION_ID");
  if (!subscription) {
    throw new UsageError(
      "the Azure drill needs the subscription of the live server to delete it, and neither aytq:subscriptionId nor AZURE_SUBSCRIPTION_ID is set",
      "set aytq:subscriptionId in the stack file, or export AZURE_SUBSCRIPTION_ID=<subscription GUID>",
    );
  }
  return flexibleServerId(subscription, settings.resourceGroupName, settings.database.serverName);
}

/** The production refusal and the confirmation of the incident; nothing touches the stack before these. */
export async function confirmAzureDrill(req: AzureDrillRequest): Promise<void> {
  if (req.stack === "production") {
    throw new RefusedError("drills never run on production", "drill on the test stack: aytq-dr drill --stack test --scenario <name>");
  }
  const incident = azureIncidentFor(req.scenario, req.stack);
  if (req.lockedServer !== undefined && req.scenario !== "data-loss") {
    throw new RefusedError(
      `the ${req.scenario} drill would delete the live server ${req.lockedServer}, and the stack declares a delete lock on it (locks.enabled): the lock is there so that nobody deletes it; nothing was done`,
      `drill the server scenarios on a stack without locks (locks.enabled: false), or run the data-loss drill here`,
    );
  }
  if (!req.yes) {
    if (!req.confirm) throw new UsageError(`the drill would ${incident}; confirm with --yes (no terminal to ask on)`, "add --yes to confirm");
    if (!(await req.confirm(`This drill will ${incident}. Type yes to go on: `))) {
      throw new RefusedError("not confirmed: nothing was done");
    }
  }
}
