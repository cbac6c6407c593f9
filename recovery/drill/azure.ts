/**
 * A drill on an Azure stack. It would create the incident itself (drop a table, delete the server)
 * after an explicit confirmation, then run the same runbook. This build cannot exercise Azure
 * (no Pulumi CLI, Azure, AKS or GitHub reachable here), so after the guards it refuses clearly
 * instead of pretending: nothing is created or deleted.
 */
import { NotAvailableError, RefusedError, UsageError } from "../errors";
import type { ScenarioName } from "../runbook/ports";

export interface AzureDrillRequest {
  stack: string;
  scenario: ScenarioName;
  /** Ask a person to confirm the incident; undefined when there is no terminal. */
  confirm?: (question: string) => Promise<boolean>;
  /** --yes: the incident is confirmed in advance. */
  yes: boolean;
}

/** What the drill would do to the stack, for the confirmation and the refusal. */
export function azureIncidentFor(scenario: ScenarioName, stack: string): string {
  switch (scenario) {
    case "data-loss":
      return `drop a table in the ${stack} database, then recover it with a point-in-time copy`;
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

export async function runAzureDrill(req: AzureDrillRequest): Promise<never> {
  if (req.stack === "production") {
    throw new RefusedError("drills never run on production", "drill on the test stack: aytq-dr drill --stack test --scenario <name>");
  }
  const incident = azureIncidentFor(req.scenario, req.stack);
  if (!req.yes) {
    if (!req.confirm) throw new UsageError(`the drill would ${incident}; confirm with --yes (no terminal to ask on)`, "add --yes to confirm");
    if (!(await req.confirm(`This drill will ${incident}. Type yes to go on: `))) {
      throw new RefusedError("not confirmed: nothing was done");
    }
  }
  throw new NotAvailableError(
    `drilling on the ${req.stack} stack is not available in this build: it needs the Pulumi CLI, Azure, AKS and GitHub, none of which this build has verified end to end. Nothing was created or deleted`,
    `rehearse locally with npm run drill, then on ${req.stack} follow docs/drill.md "Drilling on the test stack" step by step (aytq-dr run <scenario> --stack ${req.stack} after creating the incident by hand)`,
  );
}
