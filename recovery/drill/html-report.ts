/**
 * The drill report as one self-contained HTML page, written beside its Markdown and JSON: the
 * timeline of the Markdown's gantt chart drawn as inline SVG (rects and text: no script, nothing
 * fetched, so it opens offline from an artifact), and the RTO and RPO of the earlier drill reports
 * in the same folder (same scenario, platform and stack) as a small trend chart, also inline SVG.
 *
 * Times are UTC. Every text that comes from outside (step names, summaries, errors, check details,
 * the stack's name, earlier reports) is escaped for HTML / SVG.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { StepStatus } from "../runbook/run-model";
import type { GanttChart } from "../runbook/mermaid";
import type { DrillReport } from "./report";
import { COMPARISON_COLUMNS, COMPARISON_HEADING, WAYS_COLUMNS, WAYS_HEADING, comparisonIntro, comparisonRows, waysIntro, waysRows } from "./comparison";

/** One drill in the trend. */
export interface TrendPoint {
  runId: string;
  startedAt: string;
  rtoSeconds: number | null;
  rpoSeconds: number | null;
  green: boolean;
}

/** The trend keeps at most this many drills, the newest. */
export const TREND_LENGTH = 20;

/** `&`, `<`, `>`, `"` and `'` as entities: safe in HTML text, attribute values and SVG text. */


/** A heading, a sentence and a table of text cells (escaped). */
function tableSection(heading: string, intro: string, columns: readonly string[], rows: readonly string[][]): string[] {
  return [
    `<h2>${escapeHtml(heading)}</h2>`,
    `<p>${escapeHtml(intro)}</p>`,
    `<table><tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>${rows.map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`).join("")}</table>`,
  ];
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

const STATUS_COLOUR: Record<StepStatus, string> = {
  done: "#2e7d32",
  unchanged: "#81c784",
  "not-applicable": "#bdbdbd",
  failed: "#c62828",
  interrupted: "#ef6c00",
};
const MARKER_COLOUR: Record<string, string> = {
  incident: "#c62828",
  "restore point": "#1565c0",
  "data recovered to": "#6a1b9a",
  "service validated": "#2e7d32",
};
const RTO_COLOUR = "#1565c0";
const RPO_COLOUR = "#ef6c00";

const ms = (iso: string | undefined): number => (iso === undefined ? NaN : Date.parse(iso));
const secs = (n: number | null): string => (n === null ? "not measured" : `${n.toFixed(1)} s`);
const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const num = (n: number): string => (Math.round(n * 10) / 10).toString();

/** `06:01:03` (or `06:01:03.5` when the ticks are under a second apart), UTC. */
function clock(t: number, subSecond: boolean): string {
  const iso = new Date(t).toISOString();
  return subSecond ? iso.slice(11, 21) : iso.slice(11, 19);
}

const TICK_STEPS_MS = [100, 200, 500, 1e3, 2e3, 5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3, 1800e3, 3600e3, 7200e3, 21600e3, 43200e3, 86400e3];

/** The chart's timeline as SVG: a row per step (bar from start to end, coloured by status), a row per moment, UTC ticks, RTO and RPO spans. */
function timelineSvg(chart: GanttChart, r: Pick<DrillReport, "incidentAt" | "validatedAt" | "recoveredTo" | "rtoSeconds" | "rpoSeconds">): string {
  const tasks = chart.sections.flatMap((s) => s.tasks).filter((t) => !Number.isNaN(ms(t.startedAt)));
  const markers = (chart.markers?.markers ?? []).filter((m) => !Number.isNaN(ms(m.at)));
  const endOf = (t: (typeof tasks)[number]): number => Math.max(ms(t.startedAt), ms(t.endedAt ?? chart.until ?? t.startedAt) || ms(t.startedAt));
  const times = [...tasks.flatMap((t) => [ms(t.startedAt), endOf(t)]), ...markers.map((m) => ms(m.at))];
  if (times.length === 0) return `<p>No timed step to draw.</p>`;
  let t0 = Math.min(...times);
  let t1 = Math.max(...times);
  if (t1 - t0 < 1000) t1 = t0 + 1000;
  const pad = (t1 - t0) * 0.03;
  t0 -= pad;
  t1 += pad;

  const W = 1100;
  const labelW = 220;
  const right = 90;
  const plotW = W - labelW - right;
  const rowH = 22;
  const top = 40;
  const x = (t: number): number => labelW + ((t - t0) / (t1 - t0)) * plotW;
  const rows = tasks.length + markers.length;
  const spans = [
    r.rtoSeconds !== null && r.validatedAt ? { from: ms(r.incidentAt), to: ms(r.validatedAt), label: `RTO ${secs(r.rtoSeconds)}`, colour: RTO_COLOUR } : undefined,
    r.rpoSeconds !== null && r.recoveredTo ? { from: ms(r.recoveredTo), to: ms(r.incidentAt), label: `RPO ${secs(r.rpoSeconds)}`, colour: RPO_COLOUR } : undefined,
  ].filter((s): s is { from: number; to: number; label: string; colour: string } => s !== undefined && !Number.isNaN(s.from) && !Number.isNaN(s.to));
  const spansTop = top + rows * rowH + 14;
  const H = spansTop + spans.length * 24 + 30;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(chart.title)}">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  // ticks: about 8, at a round interval, labelled in UTC
  const step = TICK_STEPS_MS.find((s) => (t1 - t0) / s <= 8) ?? TICK_STEPS_MS[TICK_STEPS_MS.length - 1];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    out.push(`<line x1="${num(x(t))}" y1="${top - 8}" x2="${num(x(t))}" y2="${spansTop - 6}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${num(x(t))}" y="${top - 14}" text-anchor="middle" class="tick">${clock(t, step < 1000)}</text>`);
  }
  out.push(`<text x="8" y="${top - 14}" class="tick">UTC</text>`);
  tasks.forEach((t, i) => {
    const y = top + i * rowH;
    const a = ms(t.startedAt);
    const b = endOf(t);
    const w = Math.max(2, x(b) - x(a));
    const took = t.endedAt ? `${((b - a) / 1000).toFixed(1)} s` : "no end recorded";
    out.push(`<text x="${labelW - 10}" y="${y + 15}" text-anchor="end" class="label">${escapeHtml(clip(t.name, 32))}</text>`);
    out.push(
      `<rect x="${num(x(a))}" y="${y + 4}" width="${num(w)}" height="14" rx="2" fill="${STATUS_COLOUR[t.status] ?? "#757575"}"><title>${escapeHtml(`${t.name}: ${t.status}, ${t.startedAt} to ${t.endedAt ?? "?"} (${took})`)}</title></rect>`,
    );
    out.push(`<text x="${num(x(a) + w + 6)}" y="${y + 15}" class="took">${escapeHtml(t.status === "done" ? took : `${took}, ${t.status}`)}</text>`);
  });
  markers.forEach((m, i) => {
    const y = top + (tasks.length + i) * rowH;
    const colour = MARKER_COLOUR[m.name] ?? "#424242";
    const cx = x(ms(m.at));
    out.push(`<line x1="${num(cx)}" y1="${top}" x2="${num(cx)}" y2="${y + 11}" stroke="${colour}" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${labelW - 10}" y="${y + 15}" text-anchor="end" class="label">${escapeHtml(clip(m.name, 32))}</text>`);
    out.push(`<path d="M ${num(cx)} ${y + 4} l 7 7 l -7 7 l -7 -7 z" fill="${colour}"><title>${escapeHtml(`${m.name}: ${m.at}`)}</title></path>`);
    out.push(`<text x="${num(cx + 12)}" y="${y + 15}" class="took">${escapeHtml(clock(ms(m.at), true))}</text>`);
  });
  spans.forEach((s, i) => {
    const y = spansTop + i * 24;
    const a = x(Math.min(s.from, s.to));
    const b = x(Math.max(s.from, s.to));
    out.push(`<line x1="${num(a)}" y1="${y + 8}" x2="${num(b)}" y2="${y + 8}" stroke="${s.colour}" stroke-width="3"/>`);
    out.push(`<line x1="${num(a)}" y1="${y + 2}" x2="${num(a)}" y2="${y + 14}" stroke="${s.colour}" stroke-width="2"/>`);
    out.push(`<line x1="${num(b)}" y1="${y + 2}" x2="${num(b)}" y2="${y + 14}" stroke="${s.colour}" stroke-width="2"/>`);
    out.push(`<text x="${labelW - 10}" y="${y + 13}" text-anchor="end" class="span" fill="${s.colour}">${escapeHtml(s.label)}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n");
}

/** The earlier drills' RTO and RPO, oldest first, then this one: a line each, a dot per drill (ringed red when the drill was RED). */
function trendSvg(points: readonly TrendPoint[], W = 480, H = 230): string {
  const left = 56;
  const right = 44;
  const top = 30;
  const bottom = 52;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const values = points.flatMap((p) => [p.rtoSeconds, p.rpoSeconds]).filter((v): v is number => v !== null && Number.isFinite(v));
  const rawMax = Math.max(1, ...values);
  const mag = 10 ** Math.floor(Math.log10(rawMax));
  // a top whose quarters are round numbers
  const yMax = [1, 2, 4, 6, 8, 10].map((f) => f * mag).find((v) => v >= rawMax * 1.05) ?? 10 * mag;
  const x = (i: number): number => left + (points.length === 1 ? plotW / 2 : (i / (points.length - 1)) * plotW);
  const y = (v: number): number => top + plotH - (v / yMax) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="trend" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="RTO and RPO of the drills in this folder">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  for (let k = 0; k <= 4; k++) {
    const v = (yMax * k) / 4;
    out.push(`<line x1="${left}" y1="${num(y(v))}" x2="${W - right}" y2="${num(y(v))}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${left - 8}" y="${num(y(v) + 4)}" text-anchor="end" class="tick">${Number(v.toFixed(2))} s</text>`);
  }
  const every = Math.max(1, Math.ceil(points.length / Math.max(1, Math.floor(plotW / 90))));
  points.forEach((p, i) => {
    if (i % every !== 0 && i !== points.length - 1) return;
    const at = Number.isNaN(ms(p.startedAt)) ? "?" : new Date(ms(p.startedAt)).toISOString().slice(5, 16).replace("T", " ");
    out.push(`<text x="${num(x(i))}" y="${top + plotH + 20}" text-anchor="middle" class="tick">${escapeHtml(at)}</text>`);
  });
  out.push(`<text x="${left + plotW / 2}" y="${H - 10}" text-anchor="middle" class="tick">drill started (UTC), oldest to newest</text>`);
  for (const [key, colour] of [["rtoSeconds", RTO_COLOUR], ["rpoSeconds", RPO_COLOUR]] as const) {
    const pts = points.map((p, i) => [i, p[key]] as const).filter((e): e is readonly [number, number] => e[1] !== null && Number.isFinite(e[1]));
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.map(([i, v]) => `${num(x(i))},${num(y(v))}`).join(" ")}"/>`);
    for (const [i, v] of pts) {
      const p = points[i];
      out.push(
        `<circle cx="${num(x(i))}" cy="${num(y(v))}" r="5" fill="${colour}"${p.green ? "" : ` stroke="#c62828" stroke-width="3"`}><title>${escapeHtml(`${key === "rtoSeconds" ? "RTO" : "RPO"} ${v.toFixed(1)} s, drill ${p.runId} started ${p.startedAt}${p.green ? "" : " (RED)"}`)}</title></circle>`,
      );
    }
  }
  out.push(`<rect x="${left + 10}" y="${top - 22}" width="12" height="12" fill="${RTO_COLOUR}"/><text x="${left + 28}" y="${top - 12}" class="tick">RTO</text>`);
  out.push(`<rect x="${left + 80}" y="${top - 22}" width="12" height="12" fill="${RPO_COLOUR}"/><text x="${left + 98}" y="${top - 12}" class="tick">RPO</text>`);
  out.push(`<circle cx="${left + 166}" cy="${top - 16}" r="5" fill="#ffffff" stroke="#c62828" stroke-width="3"/><text x="${left + 178}" y="${top - 12}" class="tick">a RED drill</text>`);
  out.push(`</svg>`);
  return out.join("\n");
}

/** The drills of the same scenario, platform and stack reported in `dir` before this one (JSON reports; anything else is skipped), oldest first. */
export function earlierDrills(dir: string, r: Pick<DrillReport, "scenario" | "platform" | "stack" | "runId" | "startedAt">): TrendPoint[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  const found: TrendPoint[] = [];
  for (const name of names) {
    let doc: Partial<DrillReport>;
    try {
      doc = JSON.parse(readFileSync(path.join(dir, name), "utf8")) as Partial<DrillReport>;
    } catch {
      continue;
    }
    if (doc === null || typeof doc !== "object" || doc.scenario !== r.scenario || doc.platform !== r.platform || doc.stack !== r.stack) continue;
    if (typeof doc.runId !== "string" || doc.runId === r.runId || typeof doc.startedAt !== "string" || !(ms(doc.startedAt) < ms(r.startedAt))) continue;
    const n = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
    found.push({ runId: doc.runId, startedAt: doc.startedAt, rtoSeconds: n(doc.rtoSeconds), rpoSeconds: n(doc.rpoSeconds), green: doc.green === true });
  }
  return found.sort((a, b) => ms(a.startedAt) - ms(b.startedAt)).slice(-(TREND_LENGTH - 1));
}

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 24px; color: #212121; background: #ffffff; }
h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 17px; margin: 24px 0 8px; }
.result { display: inline-block; padding: 2px 10px; border-radius: 4px; color: #ffffff; font-weight: bold; }
.green { background: #2e7d32; } .red { background: #c62828; }
table { border-collapse: collapse; font-size: 13px; } .measures { max-width: 600px; }
.overview { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; } .overview p { font-size: 12px; color: #616161; margin: 4px 0 0; max-width: 480px; } td, th { border: 1px solid #e0e0e0; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
svg { display: block; } svg text { font-family: inherit; } .overview strong { display: block; font-size: 14px; margin-bottom: 4px; } .tick { font-size: 11px; fill: #616161; } .label { font-size: 12px; fill: #212121; }
.took { font-size: 11px; fill: #424242; } .span { font-size: 12px; font-weight: bold; }
.pass { color: #2e7d32; } .fail { color: #c62828; font-weight: bold; } .na { color: #757575; }
`;

/** The whole page. `history` is the earlier drills, oldest first (this one is added at the end). */
export function toHtml(r: DrillReport, chart: GanttChart, history: readonly TrendPoint[]): string {
  const e = escapeHtml;
  const trend = [...history, { runId: r.runId, startedAt: r.startedAt, rtoSeconds: r.rtoSeconds, rpoSeconds: r.rpoSeconds, green: r.green }];
  const measures: [string, string][] = [
    ["incident", `${r.incident} at ${r.incidentAt}`],
    ["restore point", r.restorePoint],
    ["data recovered to", r.recoveredTo ?? "nothing"],
    ["service validated", r.validatedAt ?? "never"],
    ["RTO (incident to validated service)", secs(r.rtoSeconds)],
    ["RPO (incident minus newest data recovered)", secs(r.rpoSeconds)],
    ["rows lost", `${r.rowsLost} of ${r.writer.rowsCommitted} heartbeat rows`],
    ["dataset", `${r.datasetRows} rows`],
  ];
  const checkClass = { pass: "pass", fail: "fail", "n/a": "na" } as const;
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${e(`DR drill: ${r.scenario} on ${r.platform} (${r.stack})`)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${e(`DR drill: ${r.scenario} on ${r.platform} (${r.stack})`)}</h1>`,
    `<p><span class="result ${r.green ? "green" : "red"}">${r.green ? "GREEN" : "RED"}</span> runbook ${e(r.outcome)}, run id <code>${e(r.runId)}</code>, started ${e(r.startedAt)}, finished ${e(r.finishedAt)} (UTC).</p>`,
    `<div class="overview">`,
    `<table class="measures">${measures.map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`).join("")}</table>`,
    `<div><strong>RTO and RPO, drill by drill</strong>`,
    trendSvg(trend),
    `<p>${
      history.length === 0
        ? "No earlier report of this scenario on this platform and stack in this folder: this drill is the first point."
        : `The ${history.length} earlier report${history.length === 1 ? "" : "s"} of ${e(r.scenario)} on ${e(r.platform)} (${e(r.stack)}) in this folder, then this drill.`
    }</p></div>`,
    `</div>`,
    `<h2>Timeline (UTC)</h2>`,
    timelineSvg(chart, r),
    `<h2>Steps</h2>`,
    `<table><tr><th>step</th><th>status</th><th>started (UTC)</th><th>duration</th><th>what happened</th></tr>${r.steps
      .map((s) => `<tr><td>${e(s.name)}</td><td>${e(s.status)}</td><td>${e(s.startedAt)}</td><td>${e(secs(s.durationSeconds))}</td><td>${e(s.error ?? s.summary ?? "")}</td></tr>`)
      .join("")}</table>`,
    ...(r.comparison ? tableSection(COMPARISON_HEADING, comparisonIntro(r.comparison), COMPARISON_COLUMNS, comparisonRows(r.comparison)) : []),
    ...(r.waysCompared?.length ? tableSection(WAYS_HEADING, waysIntro(r.way), WAYS_COLUMNS, waysRows(r.waysCompared)) : []),
    `<h2>Checks</h2>`,
    `<table><tr><th>check</th><th>result</th><th>detail</th></tr>${r.checks
      .map((c) => `<tr><td>${e(c.name)}</td><td class="${checkClass[c.status] ?? "na"}">${e(c.status.toUpperCase())}</td><td>${e(c.detail)}</td></tr>`)
      .join("")}</table>`,
    `<h2>What to improve</h2>`,
    `<ul>${r.improvements.map((i) => `<li>${e(i)}</li>`).join("")}</ul>`,
    `</body></html>`,
    "",
  ].join("\n");
}

/** Writes the page to `file`, trending the reports already in `dir`; returns `file`. */
export function writeHtmlReport(dir: string, file: string, r: DrillReport, chart: GanttChart): string {
  writeFileSync(file, toHtml(r, chart, earlierDrills(dir, r)));
  return file;
}
