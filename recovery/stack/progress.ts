/**
 * Live progress of a refresh, preview or up: engine events in, short lines out, as they happen
 * ("up: creating <type> <name> ...", "up: created <type> <name> (12m04s)"), plus a line per step
 * still running each time the caller's timer ticks. Pure: the caller passes the time and owns the
 * timer (automation.ts), so tests feed events and clock values directly.
 */
import type { DiagnosticEvent, EngineEvent, StepEventMetadata } from "@pulumi/pulumi/automation";
import { urnName } from "./port";

export type EnginePhase = "refresh" | "preview" | "up";

/** How often a step that is still running gets a line of its own. @default one minute */
export const DEFAULT_PROGRESS_INTERVAL_MS = 60_000;

/** Longest progress line for a diagnostic; Azure errors can run to pages. */
const MAX_DIAGNOSTIC_LINE_CHARS = 300;

/** [doing, done] for each step op; `same` is absent on purpose: nothing happens, nothing to say. */
const VERBS: Readonly<Record<string, readonly [string, string]>> = {
  create: ["creating", "created"],
  update: ["updating", "updated"],
  delete: ["deleting", "deleted"],
  replace: ["replacing", "replaced"],
  "create-replacement": ["creating the replacement of", "created the replacement of"],
  "delete-replaced": ["deleting the replaced", "deleted the replaced"],
  read: ["reading", "read"],
  "read-replacement": ["reading the replacement of", "read the replacement of"],
  refresh: ["refreshing", "refreshed"],
  discard: ["discarding", "discarded"],
  "discard-replaced": ["discarding the replaced", "discarded the replaced"],
  "remove-pending-replace": ["removing the pending replace of", "removed the pending replace of"],
  import: ["importing", "imported"],
  "import-replacement": ["importing the replacement of", "imported the replacement of"],
};

/** The engine's own closing words on a failed operation: they say nothing the lines before did not. */
export const GENERIC_FAILURE = /^(update|preview|refresh|destroy) failed\.?$/i;

/** `754000` -> `12m34s`; `47m00s`, `1h02m03s`, `5s`. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h}h${pad(m)}m${pad(s)}s`;
  if (m > 0) return `${m}m${pad(s)}s`;
  return `${s}s`;
}

/** The type token of a URN: `urn:pulumi:s::p::parent$azure-native:x:Y::name` -> `azure-native:x:Y`. */
export function urnType(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.slice(qualified.lastIndexOf("$") + 1);
}

/** How a line names a resource: `<type> <logical name>`, as Pulumi's own display does. */
export function resourceLabel(urn: string, type = urnType(urn)): string {
  return `${type} ${urnName(urn)}`;
}

/** The stack and the providers are bookkeeping: their steps are not news. */
function isBookkeeping(type: string): boolean {
  return type === "pulumi:pulumi:Stack" || type.startsWith("pulumi:providers:");
}

/** Pulumi's colour directives (`<{%reset%}>`) and ANSI codes, which the event log keeps in messages. */
export function stripColors(text: string): string {
  return text.replace(/<\{%[^%]*%\}>/g, "").replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
}

/** Where a diagnostic points: the resource label, or undefined for the stack itself and URN-less ones. */
export function diagnosticWhere(d: Pick<DiagnosticEvent, "urn">): string | undefined {
  if (!d.urn) return undefined;
  const type = urnType(d.urn);
  return type === "pulumi:pulumi:Stack" ? undefined : resourceLabel(d.urn, type);
}

interface Running {
  urn: string;
  label: string;
  op: string;
  startedMs: number;
}

export class ProgressTracker {
  private readonly running = new Map<string, Running>();
  private spokeSinceTick = false;

  /**
   * @param phase the operation, first word of every line
   * @param startedMs when the operation started (for the "still running" line)
   * @param clean applied to every line (redaction of secrets)
   */
  constructor(
    private readonly phase: EnginePhase,
    private readonly startedMs: number,
    private readonly clean: (line: string) => string = (line) => line,
  ) {}

  /** The lines one engine event is worth (often none). */
  event(e: EngineEvent, nowMs: number): string[] {
    const lines = this.linesFor(e, nowMs).map((l) => this.clean(l));
    if (lines.length > 0) this.spokeSinceTick = true;
    return lines;
  }

  /**
   * Called by the caller's timer: one line per step still running, with how long it has run; when
   * none is running and nothing was said since the last tick, one line saying the operation runs on.
   */
  tick(nowMs: number): string[] {
    const lines: string[] = [];
    for (const r of this.running.values()) {
      const elapsed = formatElapsed(nowMs - r.startedMs);
      lines.push(this.phase === "preview" ? `preview: still checking ${r.label} (${r.op}, ${elapsed})` : `${this.phase}: still ${VERBS[r.op]?.[0] ?? r.op} ${r.label} (${elapsed})`);
    }
    if (lines.length === 0 && !this.spokeSinceTick) lines.push(`${this.phase}: still running (${formatElapsed(nowMs - this.startedMs)})`);
    this.spokeSinceTick = false;
    return lines.map((l) => this.clean(l));
  }

  private linesFor(e: EngineEvent, nowMs: number): string[] {
    if (e.resourcePreEvent) return this.started(e.resourcePreEvent.metadata, nowMs);
    if (e.resOutputsEvent) return this.finished(e.resOutputsEvent.metadata, nowMs, false);
    if (e.resOpFailedEvent) return this.finished(e.resOpFailedEvent.metadata, nowMs, true);
    if (e.diagnosticEvent) return this.diagnostic(e.diagnosticEvent);
    return [];
  }

  private started(m: StepEventMetadata, nowMs: number): string[] {
    if (m.op === "same" || isBookkeeping(m.type)) return [];
    const label = resourceLabel(m.urn, m.type);
    this.running.set(`${m.op} ${m.urn}`, { urn: m.urn, label, op: m.op, startedMs: nowMs });
    if (this.phase === "preview") return [`preview: would ${m.op} ${label}`];
    return [`${this.phase}: ${VERBS[m.op]?.[0] ?? m.op} ${label} ...`];
  }

  private finished(m: StepEventMetadata, nowMs: number, failed: boolean): string[] {
    if (m.op === "same" || isBookkeeping(m.type)) return [];
    // the end of a step carries its op; a refresh may end under the op of its result (delete)
    let key = `${m.op} ${m.urn}`;
    if (!this.running.has(key)) key = [...this.running.entries()].find(([, r]) => r.urn === m.urn)?.[0] ?? key;
    const r = this.running.get(key);
    this.running.delete(key);
    const label = r?.label ?? resourceLabel(m.urn, m.type);
    const took = r ? ` (${formatElapsed(nowMs - r.startedMs)})` : "";
    if (failed) return [`${this.phase}: failed ${VERBS[m.op]?.[0] ?? m.op} ${label}${took}`];
    if (this.phase === "preview") return [];
    // a refresh that finds the resource gone leaves no new state: the engine drops it from the stack
    if (m.op === "delete" && this.phase === "refresh") return [`refresh: ${label} no longer exists; dropped from state${took}`];
    if (m.op === "refresh" && (!m.new || m.new.id === "")) return [`refresh: ${label} no longer exists; dropped from state${took}`];
    return [`${this.phase}: ${VERBS[m.op]?.[1] ?? m.op} ${label}${took}`];
  }

  private diagnostic(d: DiagnosticEvent): string[] {
    if ((d.severity !== "warning" && d.severity !== "error") || d.ephemeral) return [];
    const message = stripColors(d.message).replace(/\s+/g, " ").trim();
    if (!message || GENERIC_FAILURE.test(message)) return [];
    const where = diagnosticWhere(d);
    // redact before cutting, so that a secret across the cut cannot show half of itself
    const text = this.clean(`${this.phase}: ${d.severity}: ${where ? `${where}: ` : ""}${message}`);
    return [text.length > MAX_DIAGNOSTIC_LINE_CHARS ? `${text.slice(0, MAX_DIAGNOSTIC_LINE_CHARS - 1)}…` : text];
  }
}
