/**
 * The live server as Azure reports it against what the stack declares: HA, SKU, storage, version
 * and server parameters. A restored or revived server comes back single-instance and without its
 * parameters, and Pulumi never shows that as a diff, so only a read of the real server tells.
 */
import type { Settings } from "../../infra/config";
import type { AzureServerApi } from "../azure/arm";
import { confirmProductionFlag } from "../config/production";
import { describeDifference, serverDifferences, ServerDifference } from "../ops/verify-server";

export const SERVER_CHECK = "live server as the stack declares (HA, SKU, storage, version, parameters)";

/** What a read of the real server found: its differences, or that it is not there. */
export type ServerReading = { present: true; summary: string; differences: ServerDifference[] } | { present: false };

export async function readServer(azure: AzureServerApi, s: Settings): Promise<ServerReading> {
  const { facts, differences } = await serverDifferences(azure, s);
  if (!facts) return { present: false };
  return {
    present: true,
    summary: `HA ${facts.highAvailability}, ${facts.skuName}, ${facts.storageSizeGB} GB, PostgreSQL ${facts.version}, ${Object.keys(s.database.parameters).length} parameters`,
    differences,
  };
}

/** The pre-flight row for a reading (or for why there is none). */
export function serverCheck(stack: string, reading: ServerReading | undefined, error?: string): { name: string; status: "pass" | "warn" | "fail"; detail: string; fix?: string } {
  if (error !== undefined) return { name: SERVER_CHECK, status: "fail", detail: error, fix: "az login (or the AZURE_* variables), with Reader on the resource group" };
  if (reading === undefined) {
    return { name: SERVER_CHECK, status: "warn", detail: "not read: the stack's subscription is unknown", fix: "set aytq:subscriptionId in the stack file, or export AZURE_SUBSCRIPTION_ID=<subscription GUID>" };
  }
  if (!reading.present) {
    return { name: SERVER_CHECK, status: "fail", detail: "the live server is not in Azure", fix: `recover it: aytq-dr run server-lost-revive --stack ${stack} ... (within 5 days of the deletion) or server-lost-rebuild` };
  }
  if (reading.differences.length === 0) return { name: SERVER_CHECK, status: "pass", detail: reading.summary };
  const fixable = reading.differences.some((d) => d.fix !== undefined);
  return {
    name: SERVER_CHECK,
    status: "fail",
    detail: reading.differences.map(describeDifference).join("; "),
    fix: [
      ...(fixable ? [`aytq-dr normal --stack ${stack}${confirmProductionFlag(stack)} converges HA, SKU, storage and parameters in place${reading.differences.some((d) => d.fix && "restart" in d.fix) ? " (it restarts the server for the parameters pending a restart)" : ""}`] : []),
      ...(reading.differences.some((d) => d.fix === undefined) ? ["a version (or a larger storage) cannot change in place: set the stack setting to what the server runs, or upgrade the server"] : []),
    ].join("; "),
  };
}

/** One status line for the real server. */
export function serverStatusLine(reading: ServerReading | undefined, error?: string): string {
  const label = "real server:  ";
  if (error !== undefined) return `${label}not read (${error})`;
  if (reading === undefined) return `${label}not read (set aytq:subscriptionId or AZURE_SUBSCRIPTION_ID to compare it with the stack)`;
  if (!reading.present) return `${label}NOT IN AZURE`;
  if (reading.differences.length === 0) return `${label}as declared (${reading.summary})`;
  return `${label}DIFFERS from the stack: ${reading.differences.map(describeDifference).join("; ")} (aytq-dr normal converges it)`;
}
