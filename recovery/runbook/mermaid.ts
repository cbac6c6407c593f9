/**
 * A run's steps as a Mermaid `gantt` chart, for the Markdown people read on GitHub (drill reports,
 * a recovery run's report and job summary): GitHub renders a fenced `mermaid` block as a diagram.
 *
 * Times are UTC. Mermaid's gantt parses dates in the viewer's local time zone and draws the axis in
 * it too, so each time is written as its UTC wall clock with no zone: parsed and drawn in the same
 * zone, the axis shows the UTC clock whatever the viewer's zone (except within an hour of that
 * zone's own clock change).
 *
 * Names come from outside (step names, a scenario, a stack), and gantt syntax breaks on them: a task
 * name ends at `:`, task data at `#` or `;`, a line that starts with a keyword (`section`, `title`,
 * `click`, `excludes`...) or `%` is something else. `mermaidText` keeps letters, digits and a few
 * safe marks, and puts `step ` before a name that would read as a keyword.
 */
import type { StepStatus } from "./run-model";

interface GanttTask {
  name: string;
  status: StepStatus;
  startedAt: string;
  /** Absent for a step cut off without an end: it is drawn up to `until`. */
  endedAt?: string;
}

/** A moment drawn as a milestone (incident, restore point, service validated). */
interface GanttMarker {
  name: string;
  at: string;
}

export interface GanttChart {
  title: string;
  /** Groups of tasks, in order; a group with no task is left out. */
  sections: { name: string; tasks: readonly GanttTask[] }[];
  markers?: { name: string; markers: readonly GanttMarker[] };
  /** Where a task without an end stops (the end of the run). */
  until?: string;
}

/** Lines Mermaid's gantt lexer reads as something other than a task (case-insensitive, as the lexer). */
const KEYWORD = /^(gantt|dateformat|axisformat|tickinterval|inclusiveenddates|topaxis|includes|excludes|todaymarker|weekday|weekend|title|section|click|call|href|acctitle|accdescr|accdescription)\b|^\d{4}-\d\d-\d\d/i;

/** Text safe as a gantt task, section or title: no `:`, `#`, `;`, `%`, quotes, brackets or line breaks. */
export function mermaidText(text: string, max = 80): string {
  let t = text
    .normalize("NFKC")
    .replace(/[^\p{L}\p{N} _.,()/+-]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (t.length > max) t = `${t.slice(0, max - 3).trimEnd()}...`;
  if (t === "") return "step";
  return KEYWORD.test(t) ? `step ${t}` : t;
}

/** Mermaid's tags per step status: done green-grey, failed red, interrupted striped. */
const TAGS: Record<StepStatus, string[]> = {
  done: ["done"],
  unchanged: ["done"],
  "not-applicable": [],
  failed: ["crit"],
  interrupted: ["crit", "active"],
};

/** `dateFormat` of the chart: dayjs tokens, matched by `utcWallClock`. */
const GANTT_DATE_FORMAT = "YYYY-MM-DD HH:mm:ss.SSS";

/** `2024-07-24 06:01:03.000` for any ISO time (microseconds dropped), or undefined if it is not a time. */
function utcWallClock(iso: string | undefined): string | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

/** The chart's Mermaid source, without the fence. Tasks and markers whose time is not a time are left out. */
export function ganttSource(chart: GanttChart): string {
  const lines = ["gantt", `  title ${mermaidText(chart.title, 120)}`, `  dateFormat ${GANTT_DATE_FORMAT}`, "  axisFormat %H:%M:%S", "  todayMarker off"];
  let n = 0;
  for (const section of chart.sections) {
    const rows: string[] = [];
    for (const t of section.tasks) {
      const start = utcWallClock(t.startedAt);
      if (start === undefined) continue;
      const endMs = Math.max(Date.parse(t.endedAt ?? chart.until ?? t.startedAt), Date.parse(t.startedAt));
      const end = utcWallClock(Number.isNaN(endMs) ? t.startedAt : new Date(endMs).toISOString()) ?? start;
      rows.push(`    ${mermaidText(t.name)} :${[...TAGS[t.status], `s${++n}`, start, end].join(", ")}`);
    }
    if (rows.length) lines.push(`  section ${mermaidText(section.name)}`, ...rows);
  }
  const markers = (chart.markers?.markers ?? []).flatMap((m) => {
    const at = utcWallClock(m.at);
    return at === undefined ? [] : [`    ${mermaidText(m.name)} :milestone, m${++n}, ${at}, ${at}`];
  });
  if (markers.length) lines.push(`  section ${mermaidText(chart.markers?.name ?? "events")}`, ...markers);
  return lines.join("\n");
}

/** The chart as a fenced `mermaid` block for Markdown. */
export function ganttBlock(chart: GanttChart): string {
  return ["```mermaid", ganttSource(chart), "```"].join("\n");
}

