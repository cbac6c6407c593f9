/**
 * Writes a drill's report in its three forms. Its own file, apart from report.ts (the record and
 * its Markdown), because the HTML form reads the record's type from report.ts.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { writeHtmlReport } from "./html-report";
import { compactUtc } from "../util/utc";
import { drillGantt, toMarkdown, type DrillReport } from "./report";

/**
 * `dr-reports/<stack>-<scenario>-<timestamp>.{md,json,html}`; returns the three paths. The HTML is
 * self-contained (inline SVG, no script) and trends the RTO and RPO of the earlier reports in `dir`.
 */
export function writeReport(dir: string, r: DrillReport): { json: string; markdown: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${r.stack}-${r.scenario}-${compactUtc(new Date(r.startedAt))}`);
  writeFileSync(`${base}.json`, JSON.stringify(r, null, 2) + "\n");
  writeFileSync(`${base}.md`, toMarkdown(r));
  const html = writeHtmlReport(dir, `${base}.html`, r, drillGantt(r));
  return { json: `${base}.json`, markdown: `${base}.md`, html };
}
