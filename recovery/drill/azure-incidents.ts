/**
 * The incidents an Azure drill injects, behind an interface so the drill can be tested with a
 * local stand-in for Azure Resource Manager. Losing data only ever touches the drill's own table;
 * losing the server is an ARM DELETE of the live flexible server, polled until Azure says done.
 */
import { DefaultAzureCredential } from "@azure/identity";
import { REVIVE_MIN_MINUTES_AFTER_DELETE } from "../../infra/config";
import { ToolError } from "../errors";
import { psql } from "../pg/psql";
import type { DatabaseConnection } from "../runbook/ports";

/** The drill-owned table the data-loss incident drops (never an application table). */
export const DRILL_SCRATCH_TABLE = "drill_scratch";
/** Rows the scratch table is created with, so its return can be counted and checksummed. */
export const DRILL_SCRATCH_ROWS = 1000;
export const ARM_BASE_URL = "https://management.azure.com";
export const FLEXIBLE_SERVER_API_VERSION = "2024-08-01";
const ARM_SCOPE = "https://management.azure.com/.default";
/** @default poll interval when Azure does not send Retry-After */
const DEFAULT_POLL_MS = 10_000;
/** Deleting a flexible server takes minutes; give up after this. */
const DEFAULT_DELETE_TIMEOUT_MS = 30 * 60_000;

export const SCRATCH_SQL = `drop table if exists ${DRILL_SCRATCH_TABLE};
create table ${DRILL_SCRATCH_TABLE} (id int primary key, label text not null);
insert into ${DRILL_SCRATCH_TABLE} select g, 'drill row ' || g from generate_series(1, ${DRILL_SCRATCH_ROWS}) g;`;

export interface IncidentRecord {
  /** When the incident was started (the DROP sent, the DELETE asked for). */
  at: Date;
  /** When it was complete (Azure reported the deletion done): rows committed up to here may survive. */
  completedAt: Date;
  description: string;
}

export interface AzureIncidents {
  /** Drop the drill's scratch table through the live connection; resolves with when. */
  loseData(live: DatabaseConnection): Promise<IncidentRecord>;
  /** Delete the live server; resolves once Azure reports the deletion finished, with when it was asked. */
  deleteServer(): Promise<IncidentRecord>;
}

/** What ArmAzureIncidents needs of a token source (DefaultAzureCredential fits). */
export interface TokenSource {
  getToken(scope: string): Promise<{ token: string } | null>;
}

export interface ArmIncidentsOptions {
  /** `/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.DBforPostgreSQL/flexibleServers/<name>` */
  serverId: string;
  /** @default ARM_BASE_URL; tests point it at a local server */
  armBaseUrl?: string;
  /** @default new DefaultAzureCredential() */
  credential?: TokenSource;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default Retry-After, else 10 s */
  pollIntervalMs?: number;
  /** @default 30 minutes */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** Once ARM has accepted the DELETE the server may be gone whatever went wrong after: say how to look and how to recover. */
function afterDeleteHint(serverId: string): string {
  return `ARM accepted the DELETE, so the server may be gone or going: look with az postgres flexible-server show --ids ${serverId}; once it is gone, recover it with aytq-dr run server-lost-revive --stack <stack> --deleted-at <when> --at <at least ${REVIVE_MIN_MINUTES_AFTER_DELETE} min later>`;
}

export class ArmAzureIncidents implements AzureIncidents {
  constructor(private readonly o: ArmIncidentsOptions) {}

  async loseData(live: DatabaseConnection): Promise<IncidentRecord> {
    const at = new Date();
    await psql(live.url, `drop table ${DRILL_SCRATCH_TABLE}`);
    return { at, completedAt: new Date(), description: `dropped the drill's table ${DRILL_SCRATCH_TABLE} (${DRILL_SCRATCH_ROWS} rows) in ${live.label}` };
  }

  async deleteServer(): Promise<IncidentRecord> {
    const doFetch = this.o.fetch ?? globalThis.fetch;
    const token = await this.token();
    const headers = { authorization: `Bearer ${token}` };
    const url = `${this.o.armBaseUrl ?? ARM_BASE_URL}${this.o.serverId}?api-version=${FLEXIBLE_SERVER_API_VERSION}`;
    const at = new Date();
    const res = await doFetch(url, { method: "DELETE", headers });
    const body = await res.text().catch(() => "");
    if (res.status === 200 || res.status === 204) return { at, completedAt: new Date(), description: `deleted the live server ${this.o.serverId}` };
    if (res.status !== 202) throw new ToolError(`ARM refused to delete ${this.o.serverId}: HTTP ${res.status} ${armMessage(body)}`, "check the drill identity has Contributor on the resource group and the server exists");
    const poll = res.headers.get("azure-asyncoperation") ?? res.headers.get("location");
    if (!poll) throw new ToolError("ARM accepted the delete but gave no Azure-AsyncOperation or Location header to follow", afterDeleteHint(this.o.serverId));
    await this.waitFor(poll, headers, res.headers.get("retry-after"));
    return { at, completedAt: new Date(), description: `deleted the live server ${this.o.serverId}` };
  }

  private async token(): Promise<string> {
    const credential = this.o.credential ?? new DefaultAzureCredential();
    const t = await credential.getToken(ARM_SCOPE).catch((err: Error) => {
      throw new ToolError(`no Azure token for ARM: ${err.message.split("\n")[0]}`, "az login, or set AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET (DefaultAzureCredential)");
    });
    if (!t) throw new ToolError("no Azure token for ARM", "az login, or set the AZURE_* variables DefaultAzureCredential reads");
    return t.token;
  }

  /** Follow the async operation: Azure-AsyncOperation answers {status}; Location answers 202 until done. */
  private async waitFor(pollUrl: string, headers: Record<string, string>, retryAfter: string | null): Promise<void> {
    const doFetch = this.o.fetch ?? globalThis.fetch;
    const deadline = Date.now() + (this.o.timeoutMs ?? DEFAULT_DELETE_TIMEOUT_MS);
    let wait = this.interval(retryAfter);
    for (;;) {
      if (Date.now() > deadline) throw new ToolError(`the deletion of ${this.o.serverId} did not finish in time`, afterDeleteHint(this.o.serverId));
      await new Promise((r) => setTimeout(r, wait));
      const res = await doFetch(pollUrl, { headers });
      const text = await res.text().catch(() => "");
      wait = this.interval(res.headers.get("retry-after"));
      if (res.status === 202) continue;
      if (res.status >= 400) throw new ToolError(`polling the deletion failed: HTTP ${res.status} ${armMessage(text)}`, afterDeleteHint(this.o.serverId));
      let status: string | undefined;
      try {
        status = (JSON.parse(text) as { status?: string }).status;
      } catch {
        status = undefined;
      }
      // a Location poll answers 200/204 with no status when done
      if (status === undefined || status === "Succeeded") return;
      if (status === "Failed" || status === "Canceled") throw new ToolError(`Azure reports the deletion ${status}: ${armMessage(text)}`, afterDeleteHint(this.o.serverId));
      this.o.log?.(`deleting the server: ${status}`);
    }
  }

  private interval(retryAfter: string | null): number {
    if (this.o.pollIntervalMs !== undefined) return this.o.pollIntervalMs;
    const s = Number(retryAfter);
    return Number.isFinite(s) && s > 0 ? s * 1000 : DEFAULT_POLL_MS;
  }
}

function armMessage(body: string): string {
  try {
    const e = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
    return e ? `${e.code ?? ""}: ${e.message ?? ""}` : body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}
