/**
 * What a failed pulumi command said, made readable: the engine's error diagnostics (from its
 * events and from the "Diagnostics:" section it prints) and the CLI's own error lines, redacted,
 * deduplicated, without Pulumi's boilerplate and bounded, so that a failure names the resource and
 * Azure's error instead of the last lines of a progress table. Pure: automation.ts feeds it.
 */
import type { DiagnosticEvent } from "@pulumi/pulumi/automation";
import { diagnosticWhere, GENERIC_FAILURE, stripColors } from "./progress";

/** At most this many lines of engine diagnostics go into an error message. */
const MAX_FAILURE_LINES = 40;
/** A single line longer than this is cut (Azure errors can embed whole JSON bodies). */
const MAX_FAILURE_LINE_CHARS = 400;

/** The engine's words when an `up --plan` deviates from its plan (pkg/resource/deploy, v3.248.0). */
const PLAN_VIOLATION = /violates plan|is not allowed by the plan|expected resource operations for \S+ but none were seen/;

/** What a failed engine command left behind. */
export interface EngineFailureText {
  /** Error diagnostic events seen during the operation, in order. */
  diagnostics?: readonly DiagnosticEvent[];
  stdout?: string;
  stderr?: string;
}

/** One thing the engine or the CLI reported: on a resource (`<type> <name>`) or on the whole run. */
export interface Finding {
  where?: string;
  message: string;
}

/** The error findings of the "Diagnostics:" section Pulumi prints at the end of a run. */
export function diagnosticsSection(stdout: string): Finding[] {
  const findings: Finding[] = [];
  const lines = stripColors(stdout).split(/\r?\n/);
  const start = lines.findIndex((l) => /^Diagnostics:\s*$/.test(l));
  if (start < 0) return findings;
  let where: string | undefined;
  let current: Finding | undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break; // the next section: Outputs:, Resources:, Duration:, Policies: ...
    const header = /^ {2}(\S+) \((.*)\):\s*$/.exec(line);
    if (header) {
      where = header[1] === "pulumi:pulumi:Stack" ? undefined : `${header[1]} ${header[2]}`;
      current = undefined;
      continue;
    }
    const item = /^\s{3,}(error|warning|info):\s?(.*)$/.exec(line);
    if (item) {
      current = item[1] === "error" ? { where, message: item[2] } : undefined;
      if (current) findings.push(current);
      continue;
    }
    if (current && line.trim()) current.message += `\n${line.trim()}`;
    else if (!line.trim()) current = undefined;
  }
  return findings;
}

/** Error lines of a CLI stream: `error: ...` lines (stdout), or every line that is not a warning (stderr). */
function errorLines(text: string, everyLine: boolean): Finding[] {
  const out: Finding[] = [];
  for (const raw of stripColors(text).split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || /^warning:/i.test(line) || /^Command (failed|was killed)/.test(line)) continue;
    const err = /^error:\s*(.*)$/i.exec(line);
    if (err) out.push({ message: err[1] });
    else if (everyLine) out.push({ message: line });
  }
  return out;
}

/** The engine's error diagnostics and the CLI's error lines, in that order. */
function findings(text: EngineFailureText): Finding[] {
  const fromEvents = (text.diagnostics ?? [])
    .filter((d) => d.severity === "error")
    .map((d) => ({ where: diagnosticWhere(d), message: stripColors(d.message).trim() }));
  const stdout = text.stdout ?? "";
  const section = diagnosticsSection(stdout);
  // with a Diagnostics section, the stdout lines before it are the progress table repeating it
  const fromStdout = section.length > 0 ? section : errorLines(stdout, false);
  return [...fromEvents, ...fromStdout, ...errorLines(text.stderr ?? "", true)].filter((f) => f.message);
}

const normal = (message: string) => message.replace(/^error:\s*/i, "").replace(/\s+/g, " ").trim();

/**
 * The lines of a failure message: each finding once (events and the printed Diagnostics say the same
 * thing twice), `clean` (redaction) applied to each, the engine's generic "update failed" dropped
 * unless it is all there is, and at most `maxLines` lines.
 */
export function failureLines(text: EngineFailureText, clean: (line: string) => string, maxLines = MAX_FAILURE_LINES): string[] {
  const all = findings(text);
  const specific = all.filter((f) => !GENERIC_FAILURE.test(normal(f.message)));
  const chosen = specific.length > 0 ? specific : all;
  const seen = new Set<string>();
  const seenMessages = new Set<string>();
  const lines: string[] = [];
  for (const f of chosen) {
    const message = normal(f.message);
    if (seen.has(`${f.where ?? ""}|${message}`) || (!f.where && seenMessages.has(message))) continue;
    seen.add(`${f.where ?? ""}|${message}`);
    seenMessages.add(message);
    const parts = f.message.split("\n").map((l) => l.trim()).filter(Boolean);
    parts.forEach((part, i) => {
      const line = clean(i === 0 ? (f.where ? `${f.where}: ${part.replace(/^error:\s*/i, "")}` : part.replace(/^error:\s*/i, "")) : `  ${part}`);
      lines.push(line.length > MAX_FAILURE_LINE_CHARS ? `${line.slice(0, MAX_FAILURE_LINE_CHARS - 1)}…` : line);
    });
  }
  if (lines.length <= maxLines) return lines;
  return [...lines.slice(0, maxLines - 1), `… ${lines.length - maxLines + 1} more lines not shown`];
}

/** Whether the engine refused to go on because the update deviated from the saved plan. */
export function isPlanViolation(text: EngineFailureText): boolean {
  return findings(text).some((f) => PLAN_VIOLATION.test(f.message));
}

/**
 * The CLI's output inside an Automation API CommandError's message, for commands run without
 * output callbacks. The SDK (v3.248.0 cmd.js) wraps execa's error, so the message is
 * `code: -2\n stdout: \n stderr: Command failed with exit code N: <argv>\n<stderr>\n<stdout>\n err?: ...`:
 * this returns `<stderr>\n<stdout>`, without the argv line (which can hold secret config values).
 */
export function commandErrorOutput(message: string): string {
  const m = /\n stderr: ([\s\S]*?)\n err\?: /.exec(message);
  const body = m ? m[1] : message;
  return body
    .split("\n")
    .filter((l) => !/^Command (failed|was killed)/.test(l))
    .join("\n")
    .trim();
}
