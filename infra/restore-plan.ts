/**
 * What the recovery mode means for the live server, as plain data: its create mode, its restore
 * inputs, which admin credentials it is created with, which of its children are declared, and
 * which existing resources are adopted (the `import` resource option). Pure, so it is tested from
 * a table and the components stay declarative.
 *
 * The rule behind it (ENGINE.md §1, §2, §8a): the engine reads every `import` during preview, so
 * a mode that creates the server declares no import at all; and azure-native refuses to create a
 * resource that exists, so what may come back with the server (its database, a diagnostic setting
 * Azure kept) is not declared while the server is created. A later converge in `normal` mode
 * declares them, adopting by the exact ids Azure reported (`recovery.adopt`), or creating them.
 */
import { Settings } from "./config";

/** Write-only restore inputs: only read by Azure on create, so ignored afterwards. */
export const RESTORE_INPUTS = ["createMode", "pointInTimeUTC", "sourceServerResourceId"] as const;

export interface LiveServerPlan {
  createMode: "Default" | "ReviveDropped";
  /** Set only when reviving: the dropped server's own id. */
  sourceServerResourceId?: string;
  /** Set only when reviving: a time after the deletion. */
  pointInTimeUTC?: string;
  /**
   * The admin credentials sent on create: the stack's generated password, the app's own
   * credentials (a rebuild, so that the app and the restore still log in), or none (a revived
   * server keeps its own).
   */
  adminCredentials: { kind: "generated" } | { kind: "app"; login: string; password: string } | { kind: "none" };
  /** Whether the application's database is declared (not while the server is being created). */
  declaresDatabase: boolean;
  /** Whether the diagnostic setting is declared (not while the server is being created). */
  declaresDiagnosticSetting: boolean;
  /** Ids of resources that already exist in Azure, adopted instead of created: only in `normal` mode. */
  adopt: {
    serverId?: string;
    databaseId?: string;
    diagnosticSettingId?: string;
  };
}

export function liveServerPlan(s: Settings, serverId: string): LiveServerPlan {
  const mode = s.recovery.mode;
  switch (mode) {
    case "normal":
      return {
        createMode: "Default",
        adminCredentials: { kind: "generated" },
        declaresDatabase: true,
        declaresDiagnosticSetting: true,
        adopt: { ...(s.recovery.adopt ?? {}) },
      };
    case "reviveDropped": {
      if (s.recovery.restorePointUTC === undefined) {
        // parseSettings refuses this; kept as a guard for callers that build Settings by hand
        throw new Error("recovery.restorePointUTC is required when recovery.mode is reviveDropped");
      }
      return {
        createMode: "ReviveDropped",
        sourceServerResourceId: serverId,
        pointInTimeUTC: s.recovery.restorePointUTC,
        adminCredentials: { kind: "none" },
        declaresDatabase: false,
        declaresDiagnosticSetting: false,
        adopt: {},
      };
    }
    case "rebuild":
      return {
        createMode: "Default",
        adminCredentials:
          s.recovery.adminLogin !== undefined && s.recovery.adminPassword !== undefined
            ? { kind: "app", login: s.recovery.adminLogin, password: s.recovery.adminPassword }
            : { kind: "generated" },
        declaresDatabase: false,
        declaresDiagnosticSetting: false,
        adopt: {},
      };
    default: {
      const unreachable: never = mode;
      throw new Error(`unknown recovery mode ${String(unreachable)}`);
    }
  }
}
