/** `status`: the stack's outputs, main's freeze, the real server and the monitoring; it only reads. */
import type { Command } from "commander";
import type { CliIO } from "../io";
import { act } from "../command";
import { checkStackName, loadPipelineSettings, loadStackSettings } from "../../config/stackfile";
import { HOLD_PREFIX, listHolds } from "../../ops/pipeline-holds";
import { holdsLine } from "../../preflight/branch-protection";
import { githubOptionsFromEnv, githubRefs } from "../../github/client";
import { readServer, serverStatusLine, type ServerReading } from "../../preflight/server";
import { monitoringExpectation, monitoringStatusLines, readMonitoring, statusCakeFromEnv } from "../../preflight/monitoring";
import { addStackFlag, portFor, recoveryFor } from "./driver-common";
import { clipInput } from "../../util/clip";
import { checkStatusOutputs } from "../../ops/outputs";

interface CopyOut {
  name: string;
  restorePointUTC?: string;
  createdAtUTC?: string;
  fqdn?: string;
}

function age(fromIso: string | undefined, now: Date): string {
  if (!fromIso) return "age unknown";
  const minutes = Math.floor((now.getTime() - Date.parse(fromIso)) / 60_000);
  if (Number.isNaN(minutes)) return "age unknown";
  if (minutes < 60) return `${minutes} min old`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min old`;
  return `${Math.floor(minutes / 1440)} days old`;
}

/** main's freeze: the holds on it (the app repository's refs), or why they could not be read. */
export type MainFreeze = { holds: string[] } | { error: string };

/** Reads the holds on main with GITHUB_TOKEN (contents read); never throws. */
export async function readMainFreeze(env: NodeJS.ProcessEnv): Promise<MainFreeze> {
  try {
    const pipeline = loadPipelineSettings();
    return { holds: await listHolds(githubRefs(pipeline.repository, githubOptionsFromEnv(env))) };
  } catch (err) {
    return { error: err instanceof Error ? err.message.split("\n")[0] : String(err) };
  }
}

/** The status lines for a stack's outputs and main's freeze. Pure. */
export function statusLines(stack: string, o: Record<string, unknown>, now: Date, main: MainFreeze): string[] {
  const copies = (o.ptrCopies as CopyOut[] | undefined) ?? [];
  // every value here comes from the stack's outputs: shown with control characters escaped and cut
  return statusValues(stack, o, copies, now, main).map((line) => clipInput(line, 300));
}

/** An output value as text, whatever its shape: a damaged output (an object whose toString is not a function) is shown as JSON, never a crash. */
function shown(value: unknown, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  try {
    return JSON.stringify(value) ?? fallback;
  } catch {
    return "(not printable)";
  }
}

function statusValues(stack: string, o: Record<string, unknown>, copies: readonly CopyOut[], now: Date, main: MainFreeze): string[] {
  return [
    `stack:        ${stack}`,
    `recovery:     ${shown(o.recoveryMode, "unknown")}`,
    `pipeline:     ${"holds" in main ? holdsLine(main.holds) : `main: unknown (${main.error}; the holds are refs/${HOLD_PREFIX}* of the app repository)`}`,
    `replicas:     web ${shown(o.webReplicas, "?")}, worker ${shown(o.workerReplicas, "?")}`,
    `maintenance:  ${o.maintenance === true ? "ON" : o.maintenance === false ? "off" : "unknown"}`,
    `server:       ${shown(o.serverName, "?")}`,
    `restore from: ${typeof o.earliestRestoreDate === "string" ? `${o.earliestRestoreDate} (the server's earliest point-in-time restore)` : "unknown (the stack has no earliestRestoreDate output yet; ptr assumes 7 days)"}`,
    `PTR copies:   ${copies.length === 0 ? "none" : ""}`,
    ...copies.map((c) => `  ${c.name} at ${c.restorePointUTC ?? "?"}, created ${c.createdAtUTC ?? "?"} (${age(c.createdAtUTC, now)})`),
  ];
}

export function registerStatus(program: Command, io: CliIO): void {
  addStackFlag(program.command("status").description("only reads: recovery mode, replicas, maintenance, PTR copies (stack outputs), main's freeze (GITHUB_TOKEN), the real server against the stack (ARM) and the monitoring (StatusCake, action group, locks)"))
    .option("--json", "print the outputs as JSON")
    .action(
      act(io, async ({ io }, opts: { stack?: string; json?: boolean }) => {
        const stack = checkStackName(opts.stack);
        // the stack file first: one that describes another stack is refused before the stack is opened
        const settings = loadStackSettings(stack);
        const port = await portFor(io)(stack);
        const outputs = checkStatusOutputs(stack, await port.outputs());
        // the real server next to the outputs: what Azure did not restore never shows as a Pulumi diff
        let reading: ServerReading | undefined;
        let error: string | undefined;
        let recovery: Awaited<ReturnType<typeof recoveryFor>>;
        try {
          recovery = await recoveryFor(io, settings);
          reading = recovery ? await readServer(recovery.azure, settings) : undefined;
        } catch (err) {
          error = err instanceof Error ? err.message.split("\n")[0] : String(err);
        }
        // the monitoring next to it: StatusCake's checks and heartbeat, the action group, the locks ("not read (why)" without credentials)
        const expect = monitoringExpectation(stack, settings, recovery?.subscriptionId);
        const monitoring = await readMonitoring(expect, { statusCake: statusCakeFromEnv(io.env), azure: recovery?.azure });
        const main = await readMainFreeze(io.env);
        const now = new Date();
        if (opts.json) io.out(JSON.stringify({ ...outputs, main: "holds" in main ? { frozen: main.holds.length > 0, holds: main.holds } : main, realServer: error !== undefined ? { error } : (reading ?? null), monitoring: monitoringStatusLines(expect, monitoring, now) }, null, 2));
        else io.out([...statusLines(stack, outputs, now, main), serverStatusLine(reading, error), ...monitoringStatusLines(expect, monitoring, now)].join("\n"));
      }),
    );
}
