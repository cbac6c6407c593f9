/**
 * `CanNotDelete` management locks on the live server and the backup storage account, where
 * `locks.enabled` (production by default). `protect` stops Pulumi; a lock stops everyone: the portal,
 * the CLI and a mistaken script (the runbook's scenario 1 is exactly such a deletion). PTR copies
 * carry none, so tidying them keeps working.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { Settings } from "./config";
import { lockName } from "./monitoring-plan";

export interface LocksArgs {
  settings: Settings;
  /**
   * Whether the live server's lock is declared. False while a recovery whose identity may not write
   * locks left it out (`recovery.serverLockDeferred`): `aytq-dr lock` declares it again. @default true
   */
  declaresServerLock?: boolean;
  /** The live server's id and the resource, so the lock waits for the server (it is re-created after a revive or rebuild). */
  serverId: string;
  server: pulumi.Resource;
  storageAccountId: string;
  storageAccount: pulumi.Resource;
}

export class Locks extends pulumi.ComponentResource {
  constructor(name: string, args: LocksArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aytq:locks:Locks", name, {}, opts);
    const s = args.settings;
    if (args.declaresServerLock !== false) {
      new authorization.ManagementLockByScope(
        `${name}-server`,
        {
          scope: args.serverId,
          lockName: lockName(s.database.serverName),
          level: "CanNotDelete",
          notes: "The AYTQ and CTR live database. Deleting it is the DR runbook's scenario 1: remove this lock only to retire the server.",
        },
        { parent: this, dependsOn: [args.server] },
      );
    }
    new authorization.ManagementLockByScope(
      `${name}-backup-account`,
      {
        scope: args.storageAccountId,
        lockName: lockName(s.backup.storageAccountName),
        level: "CanNotDelete",
        notes: "The AYTQ and CTR database backups. Remove this lock only to retire the account.",
      },
      { parent: this, dependsOn: [args.storageAccount] },
    );
    this.registerOutputs({});
  }
}
