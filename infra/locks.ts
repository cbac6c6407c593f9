/**
 * `CanNotDelete` management locks on the live server and the backup storage account, where
 * `locks.enabled` (production by default). `protect` stops Pulumi; a lock stops everyone: the portal,
 * the CLI and a mistaken script (the runbook's scenario 1 is exactly such a deletion). PTR copies
 * carry none, so tidying them keeps working.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { lockName } from "./monitoring-plan";
import { PULUMI_TYPES } from "./types";

/** What the delete locks are declared from: exactly what the component reads. */
export interface LocksArgs {
  /**
   * Whether the live server's lock is declared. False while a recovery whose identity may not write
   * locks left it out (`recovery.serverLockDeferred`): `aytq-dr lock` declares it again. @default true
   */
  declaresServerLock?: boolean;
  /** The live server's name (the lock is named after it), its id and the resource, so the lock waits for the server (it is re-created after a revive or rebuild). */
  serverName: string;
  serverId: string;
  server: pulumi.Resource;
  /** The backup storage account's name, id and resource, likewise. */
  storageAccountName: string;
  storageAccountId: string;
  storageAccount: pulumi.Resource;
}

/** Locks that stop anyone, not only Pulumi, deleting the live server or the backups. */
export class Locks extends pulumi.ComponentResource {
  constructor(name: string, args: LocksArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PULUMI_TYPES.locksComponent, name, {}, opts);
    if (args.declaresServerLock !== false) {
      new authorization.ManagementLockByScope(
        `${name}-server`,
        {
          scope: args.serverId,
          lockName: lockName(args.serverName),
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
        lockName: lockName(args.storageAccountName),
        level: "CanNotDelete",
        notes: "The AYTQ and CTR database backups. Remove this lock only to retire the account.",
      },
      { parent: this, dependsOn: [args.storageAccount] },
    );
    this.registerOutputs({});
  }
}
