/**
 * Point-in-time restore (PTR) copies of the live server: one server per `recovery.ptrCopies`
 * entry, same network, SKU and version, tagged as a DR copy. Removing an entry deletes its copy,
 * so copies are never protected.
 */
import * as pulumi from "@pulumi/pulumi";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import type { PtrCopy } from "./config";
import { ServerShape, serverShapeArgs, serverTimeouts } from "./server-shape";
import { RESTORE_INPUTS } from "./restore-plan";
import { PULUMI_TYPES } from "./types";

/** Tags that mark a server as a DR copy (the tidy-up and `status` read them). */
export const DR_COPY_TAGS = {
  copy: "dr-copy",
  source: "dr-source",
  restorePoint: "dr-restore-point",
  createdAt: "dr-created-at",
} as const;

/** The tags of one copy of `sourceServerName`: what marks it as a DR copy, of what, to when. */
function ptrCopyTags(sourceServerName: string, copy: PtrCopy): Record<string, string> {
  return {
    [DR_COPY_TAGS.copy]: "true",
    [DR_COPY_TAGS.source]: sourceServerName,
    [DR_COPY_TAGS.restorePoint]: copy.restorePointUTC,
    [DR_COPY_TAGS.createdAt]: copy.createdAtUTC ?? copy.restorePointUTC,
  };
}

/** What the copies are declared from: exactly what the component reads. */
export interface PtrCopiesArgs {
  /** Place, network, size and SKU: the live server's, so a copy is its twin. */
  shape: ServerShape;
  /** The live server's name, tagged on each copy as its source (the tidy-up and `status` read it). */
  sourceServerName: string;
  /** The live server's id: the copies restore from its backups. */
  sourceServerId: string;
  /** One server each, in this order (`recovery.ptrCopies`). @default [] */
  copies?: readonly PtrCopy[];
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

/** One point-in-time copy of the live server per entry; removing an entry deletes its copy. */
export class PtrCopies extends pulumi.ComponentResource {
  /** One entry per copy, in config order. */
  public readonly copies: pulumi.Output<PtrCopyOutput[]>;

  constructor(name: string, args: PtrCopiesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PULUMI_TYPES.ptrCopiesComponent, name, {}, opts);
    const { shape } = args;

    const outputs = (args.copies ?? []).map((copy) => {
      const server = new dbforpostgresql.Server(
        `${name}-${copy.name}`,
        {
          ...serverShapeArgs(shape),
          serverName: copy.name,
          createMode: "PointInTimeRestore",
          sourceServerResourceId: args.sourceServerId,
          pointInTimeUTC: copy.restorePointUTC,
          tags: ptrCopyTags(args.sourceServerName, copy),
        },
        {
          parent: this,
          protect: false,
          ignoreChanges: [...RESTORE_INPUTS],
          customTimeouts: serverTimeouts(shape),
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
