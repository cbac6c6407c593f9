/** An operation end to end: one converge, or a recovery in phases. */
import { UsageError } from "../errors";
import { ConvergeOptions, ConvergeResult, converge } from "./converge";
import { azureUse, type Operation } from "./operations";
import { finishRecovery, recoverServer, RecoveryOptions, RecoveryResult } from "./recover-server";

/** What revive, rebuild and normal need beyond a converge: Azure, the settings, the app's credentials. */
export type RecoveryContext = Omit<RecoveryOptions, keyof ConvergeOptions>;

/**
 * revive and rebuild run in phases (recover-server.ts) and need Azure; `normal` with Azure
 * finishes a recovery (adopt, finish, verify); the rest is one converge.
 */
export async function runOperation(op: Operation, o: ConvergeOptions & { recovery?: RecoveryContext }): Promise<ConvergeResult | RecoveryResult> {
  const use = azureUse(op.kind);
  if (use === "needs" || (use === "uses" && o.recovery)) {
    if (!o.recovery) {
      throw new UsageError(`${op.kind} needs to ask Azure about the live server and cannot here`, "set aytq:subscriptionId or AZURE_SUBSCRIPTION_ID, and log in to Azure (az login)");
    }
    const ro: RecoveryOptions = { ...o, ...o.recovery };
    return op.kind === "revive" || op.kind === "rebuild" ? recoverServer(op, ro) : finishRecovery(ro);
  }
  return converge(op, o);
}
