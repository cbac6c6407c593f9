/**
 * Point-in-time restore (PTR) copies of the live server: one server per `recovery.ptrCopies`
 * entry, same network, SKU and version, tagged as a DR copy. Removing an entry deletes its copy,
 * so copies are never protected.
 */
import * as pulumi from "@pulumi/pulumi";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import { PtrCopy, Settings } from "./config";
import { StackIds } from "./ids";
import { serverShapeArgs, serverTimeouts } from "./database";
import { RESTORE_INPUTS } from "./restore-plan";

/** Tags that mark a server as a DR copy (the tidy-up and `status` read them). */
export const DR_COPY_TAGS = {
  copy: "dr-copy",
  source: "dr-source",
  restorePoint: "dr-restore-point",
  createdAt: "dr-created-at",
} as const;

export function ptrCopyTags(s: Settings, copy: PtrCopy): Record<string, string> {
  return {
    [DR_COPY_TAGS.copy]: "true",
    [DR_COPY_TAGS.source]: s.database.serverName,
    [DR_COPY_TAGS.restorePoint]: copy.restorePointUTC,
    [DR_COPY_TAGS.createdAt]: copy.createdAtUTC ?? copy.restorePointUTC,
  };
}

export interface PtrCopiesArgs {
  settings: Settings;
  ids: StackIds;
  /** The live server: copies restore from its backups, so they wait for it. @default none */
  liveServer?: pulumi.Resource;
}

/** What the stack reports about one copy. */
export interface PtrCopyOutput {
  name: string;
  fqdn: string;
  restorePointUTC: string;
  createdAtUTC: string;
}

export class PtrCopies extends pulumi.ComponentResource {
  /** One entry per copy, in config order. */
  public readonly copies: pulumi.Output<PtrCopyOutput[]>;

  constructor(name: string, args: PtrCopiesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aytq:database:PtrCopies", name, {}, opts);
    const { settings: s, ids } = args;

    const outputs = s.recovery.ptrCopies.map((copy) => {
      const server = new dbforpostgresql.Server(
        `${name}-${copy.name}`,
        {
          ...serverShapeArgs(s, ids),
          serverName: copy.name,
          createMode: "PointInTimeRestore",
          sourceServerResourceId: ids.serverId,
          pointInTimeUTC: copy.restorePointUTC,
          tags: ptrCopyTags(s, copy),
        },
        {
          parent: this,
          protect: false,
          ignoreChanges: [...RESTORE_INPUTS],
          customTimeouts: serverTimeouts(s),
          dependsOn: args.liveServer ? [args.liveServer] : [],
        },
      );
      return pulumi.output({
        name: copy.name,
        fqdn: server.fullyQualifiedDomainName,
        restorePointUTC: copy.restorePointUTC,
        createdAtUTC: copy.createdAtUTC ?? copy.restorePointUTC,
      });
    });

    this.copies = pulumi.all(outputs);
    this.registerOutputs({ copies: this.copies });
  }
}
