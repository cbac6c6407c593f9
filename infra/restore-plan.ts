/**
 * What the recovery mode means for the live server, as plain data: its create mode, its
 * restore inputs, and which existing resources are adopted (the `import` resource option)
 * instead of created. Pure, so it is tested from a table and the components stay declarative.
 */
import { Settings } from "./config";
import { StackIds } from "./ids";

/** Write-only restore inputs: only read by Azure on create, so ignored afterwards. */
export const RESTORE_INPUTS = ["createMode", "pointInTimeUTC", "sourceServerResourceId"] as const;

export interface LiveServerPlan {
  createMode: "Default" | "ReviveDropped";
  /** Set only when reviving: the dropped server's own id. */
  sourceServerResourceId?: string;
  /** Set only when reviving: a time after the deletion. */
  pointInTimeUTC?: string;
  /** Whether the admin login and password are sent (a revived server keeps its own). */
  sendsAdminCredentials: boolean;
  /** Ids of resources that already exist and are adopted, not created. */
  adopt: {
    /** The application's database (comes back with a revived server). */
    databaseId?: string;
    /** Server parameters, by parameter name (come back with a revived server). */
    configurationIds: Record<string, string>;
    /** The diagnostic setting that outlived the deleted server (only declared when monitoring is enabled). */
    diagnosticSettingId?: string;
  };
}

function staleDiagnosticSetting(s: Settings, ids: StackIds): string | undefined {
  if (!s.monitoring.enabled) return undefined;
  return s.recovery.staleDiagnosticSettingId ?? ids.diagnosticSettingId;
}

export function liveServerPlan(s: Settings, ids: StackIds): LiveServerPlan {
  const mode = s.recovery.mode;
  switch (mode) {
    case "normal":
      return { createMode: "Default", sendsAdminCredentials: true, adopt: { configurationIds: {} } };
    case "reviveDropped": {
      if (s.recovery.restorePointUTC === undefined) {
        // parseSettings refuses this; kept as a guard for callers that build Settings by hand
        throw new Error("recovery.restorePointUTC is required when recovery.mode is reviveDropped");
      }
      const configurationIds: Record<string, string> = {};
      for (const name of Object.keys(s.database.parameters)) configurationIds[name] = `${ids.serverId}/configurations/${name}`;
      return {
        createMode: "ReviveDropped",
        sourceServerResourceId: ids.serverId,
        pointInTimeUTC: s.recovery.restorePointUTC,
        sendsAdminCredentials: false,
        adopt: {
          databaseId: `${ids.serverId}/databases/${s.database.databaseName}`,
          configurationIds,
          diagnosticSettingId: staleDiagnosticSetting(s, ids),
        },
      };
    }
    case "rebuild":
      return {
        createMode: "Default",
        sendsAdminCredentials: true,
        adopt: { configurationIds: {}, diagnosticSettingId: staleDiagnosticSetting(s, ids) },
      };
    default: {
      const unreachable: never = mode;
      throw new Error(`unknown recovery mode ${String(unreachable)}`);
    }
  }
}
