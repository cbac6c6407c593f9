/**
 * The incidents an Azure drill injects. Losing data only ever touches the drill's own table;
 * losing the server is a delete of the live flexible server through the Azure SDK (its poller
 * follows the operation until Azure says done), worded here for the drill. Tests give the SDK a
 * local stand-in for Azure Resource Manager.
 */
import { REVIVE_MIN_MINUTES_AFTER_DELETE } from "../../time/azure-limits";
import type { AzureServerApi } from "../../azure/arm";
import { ArmError } from "../../azure/arm-error";
import { AzureSdkServerApi, type AzureSdkServerApiOptions } from "../../azure/sdk";
import { ToolError, UsageError } from "../../errors";
import { psql } from "../../pg/psql";
import type { DatabaseConnection } from "../../runbook/ports";
import { DRILL_SCRATCH_ROWS, DRILL_SCRATCH_TABLE } from "../constants";
import type { IncidentRecord, Incidents } from "../incidents";

/** Deleting a flexible server takes minutes; give up after this. */
const DEFAULT_DELETE_TIMEOUT_MS = 30 * 60_000;

export interface ArmIncidentsOptions {
  /** `/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.DBforPostgreSQL/flexibleServers/<name>` */
  serverId: string;
  /** @default new AzureSdkServerApi(<the server's subscription>, { ...sdk, operationTimeoutMs: 30 min unless given, log }) */
  api?: AzureServerApi;
  /** Options of the default client (credential, endpoint, polling, timeout); ignored with `api`. */
  sdk?: AzureSdkServerApiOptions;
  log?: (line: string) => void;
}

/** Once ARM has accepted the DELETE the server may be gone whatever went wrong after: say how to look and how to recover. */
function afterDeleteHint(serverId: string): string {
  return `ARM accepted the DELETE, so the server may be gone or going: look with az postgres flexible-server show --ids ${serverId}; once it is gone, recover it with aytq-dr run server-lost-revive --stack <stack> --deleted-at <when> --at <at least ${REVIVE_MIN_MINUTES_AFTER_DELETE} min later>`;
}

const SERVER_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers\/([^/]+)$/i;

export class ArmAzureIncidents implements Incidents {
  private readonly resourceGroupName: string;
  private readonly serverName: string;
  private readonly api: AzureServerApi;

  constructor(private readonly o: ArmIncidentsOptions) {
    const m = SERVER_ID.exec(o.serverId);
    if (!m) throw new UsageError(`not a flexible server id: ${o.serverId}`, "expected /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.DBforPostgreSQL/flexibleServers/<name>");
    const [, subscriptionId, resourceGroupName, serverName] = m;
    this.resourceGroupName = resourceGroupName;
    this.serverName = serverName;
    this.api = o.api ?? new AzureSdkServerApi(subscriptionId, { ...o.sdk, operationTimeoutMs: o.sdk?.operationTimeoutMs ?? DEFAULT_DELETE_TIMEOUT_MS, log: o.sdk?.log ?? o.log });
  }

  async loseData(live: DatabaseConnection): Promise<IncidentRecord> {
    const at = new Date();
    await psql(live.url, `drop table ${DRILL_SCRATCH_TABLE}`);
    return { at, completedAt: new Date(), description: `dropped the drill's table ${DRILL_SCRATCH_TABLE} (${DRILL_SCRATCH_ROWS} rows) in ${live.label}` };
  }

  async deleteServer(): Promise<IncidentRecord> {
    const at = new Date();
    try {
      await this.api.deleteServer(this.resourceGroupName, this.serverName);
    } catch (err) {
      throw this.deleteFailure(err);
    }
    return { at, completedAt: new Date(), description: `deleted the live server ${this.o.serverId}` };
  }

  /** The client's failure in the drill's words: refused (nothing happened) or accepted (the server may be going). */
  private deleteFailure(err: unknown): unknown {
    if (!(err instanceof ArmError)) return err;
    const id = this.o.serverId;
    const { statusCode, code, azureMessage, operationStatus } = err.detail;
    const azure = `${code ?? ""}: ${azureMessage ?? ""}`;
    switch (err.kind) {
      case "credential":
      case "unreachable":
        return err;
      case "refused":
        return new ToolError(
          `ARM refused to delete ${id}: HTTP ${statusCode} ${azure}`,
          statusCode === 401 || statusCode === 403 ? err.hint : "check the drill identity has Contributor on the resource group and the server exists",
        );
      case "untracked":
        return new ToolError("ARM accepted the delete but gave no Azure-AsyncOperation or Location header to follow", afterDeleteHint(id));
      case "poll-failed":
        return new ToolError(`polling the deletion failed: ${statusCode !== undefined ? `HTTP ${statusCode} ` : ""}${azure}`, afterDeleteHint(id));
      case "operation-failed":
        return new ToolError(`Azure reports the deletion ${operationStatus ?? "Failed"}: ${azure}`, afterDeleteHint(id));
      case "timeout":
        return new ToolError(`the deletion of ${id} did not finish in time`, afterDeleteHint(id));
      default: {
        const unknownKind: never = err.kind;
        return unknownKind;
      }
    }
  }
}
