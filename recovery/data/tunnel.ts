/** A route to a database only the cluster can reach. Replaced by the real tunnel of issue 4. */
import { NotAvailableError } from "../errors";
import type { DatabaseConnection } from "../runbook/ports";

export interface KubernetesTunnelOptions {
  namespace: string;
  /** Secret holding the app's DATABASE_URL. */
  secretName: string;
  /** Connect to this server instead of the one in DATABASE_URL (a PTR copy), same credentials. */
  serverName?: string;
  /** Server name for labels when serverName is not given. */
  liveServerName: string;
}

export async function openKubernetesTunnel(_options: KubernetesTunnelOptions): Promise<DatabaseConnection> {
  throw new NotAvailableError("the Kubernetes tunnel is not available yet in this build", "connect with --database-url through konduit.sh");
}
