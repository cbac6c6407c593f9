/**
 * Where a stack's backups live on Azure: its backup storage account's blob endpoint and container.
 * The one place the account's URL is built (the platform, pre-flight and the data commands ask here).
 */
import type { Settings } from "../../infra/config";
import type { StorageLocation } from "../data/types";

/** The stack's backup container (backups, and the runs kept beside them), signed in with Azure's credentials. */
export function backupStorage(settings: Settings, container: string = settings.backup.containerName): StorageLocation {
  return { kind: "account", accountUrl: `https://${settings.backup.storageAccountName}.blob.core.windows.net`, container };
}
