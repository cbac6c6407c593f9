/**
 * The drill report's pictures: the Markdown's Mermaid gantt chart, checked by Mermaid's own parser
 * (mermaid 11 from the registry, see mermaid-parse.ts), and the HTML page's inline SVG timeline and
 * RTO / RPO trend, with hostile names escaped.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { earlierDrills, escapeHtml, toHtml, TREND_LENGTH } from "../../recovery/drill/html-report";
import { ganttSource, mermaidText } from "../../recovery/runbook/mermaid";
import { drillGantt, toMarkdown } from "../../recovery/drill/report";
import { writeReport } from "../../recovery/drill/write-report";
import { ganttTasks, mermaidBlocks } from "./mermaid-parse";
import { HOSTILE, sampleReport, step } from "./report-fixtures";
import type { TableComparison } from "../../recovery/runbook/ports";

/** `2024-07-24 06:01:03.000` of a Date in the process's time zone: what Mermaid's axis shows. */
const localWall = (d: Date): string =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")} ${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}:${String(d.getSeconds()).padStart(2, "0")}.${String(d.getMilliseconds()).padStart(3, "0")}`;
const utcWall = (iso: string): string => new Date(iso).toISOString().replace("T", " ").replace("Z", "");

describe("drill report: the Mermaid gantt chart and the HTML page", function () {
  this.timeout(60_000);

  it("the Markdown's timeline is one gantt block that Mermaid parses: every step with its UTC start and end, the drill's moments as milestones", async () => {
    const r = sampleReport();
    const blocks = mermaidBlocks(toMarkdown(r));
    assert.equal(blocks.length, 1);
    const chart = await ganttTasks(blocks[0]);
    assert.equal(chart.title, "DR drill data-loss on local (local), times UTC");
    assert.equal(chart.axisFormat, "%H:%M:%S");
    const steps = chart.tasks.filter((t) => !t.milestone);
    assert.deepEqual(steps.map((t) => t.name), r.steps.map((s) => s.name));
    assert.deepEqual(steps.map((t) => t.section), r.steps.map(() => "recovery steps"));
    // Mermaid reads the wall clock in the viewer's zone and draws it in the same zone: what it shows is the UTC clock
    assert.deepEqual(steps.map((t) => [localWall(t.start), localWall(t.end)]), r.steps.map((s) => [utcWall(s.startedAt), utcWall(s.endedAt!)]));
    assert.deepEqual(steps.map((t) => t.classes.done), [true, true, false, true, true, true, true, true, true]);
    const moments = chart.tasks.filter((t) => t.milestone);
    assert.deepEqual(moments.map((t) => [t.name, localWall(t.start)]), [
      ["restore point", utcWall(r.restorePoint)],
      ["incident", utcWall(r.incidentAt)],
      ["data recovered to", "2024-07-24 06:01:03.744"],
      ["service validated", utcWall(r.validatedAt!)],
    ]);
  });

  it("shows the UTC clock in a viewer's zone that is not UTC (New York, summer time)", async () => {
    const before = process.env.TZ;
    process.env.TZ = "America/New_York";
    try {
      assert.equal(new Date(Date.UTC(2024, 6, 24, 6)).getHours(), 2, "Node follows TZ at run time");
      const r = sampleReport();
      const chart = await ganttTasks(ganttSource(drillGantt(r)));
      assert.equal(localWall(chart.tasks[0].start), utcWall(r.steps[0].startedAt));
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it("failed and interrupted steps are marked, a step without an end runs to the end of the drill", async () => {
    const r = sampleReport({ green: false, outcome: "failed", steps: [step("stop", 5, 6), step("ptr", 6, 9, "failed"), step("copy-into-live", 9, undefined, "interrupted")] });
    const chart = await ganttTasks(ganttSource(drillGantt(r)));
    const [stop, ptr, copy] = chart.tasks;
    assert.deepEqual([stop.classes, ptr.classes, copy.classes], [
      { done: true, crit: false, active: false },
      { done: false, crit: true, active: false },
      { done: false, crit: true, active: true },
    ]);
    assert.equal(localWall(copy.end), utcWall(r.finishedAt));
  });

  it("hostile step names still parse, one task each, with nothing Mermaid reads as syntax", async () => {
    const r = sampleReport({ steps: HOSTILE.map((name, i) => step(name, 5 + i, 6 + i)), scenario: "data-loss", stack: "te:st#1;" as string });
    const source = ganttSource(drillGantt(r));
    const chart = await ganttTasks(source);
    const steps = chart.tasks.filter((t) => !t.milestone);
    assert.equal(steps.length, HOSTILE.length);
    assert.deepEqual(steps.map((t) => t.name), HOSTILE.map((n) => mermaidText(n)));
    for (const t of steps) assert.doesNotMatch(t.name, /[:#;%<>"\n]/);
    assert.deepEqual(steps.map((t) => localWall(t.start)), r.steps.map((s) => utcWall(s.startedAt)));
    assert.equal(mermaidText("section evil"), "step section evil");
    assert.equal(mermaidText("2024-07-24 looks like a date"), "step 2024-07-24 looks like a date");
    assert.equal(mermaidText(":"), "step");
    assert.equal(mermaidText("copy-into-live"), "copy-into-live");
    assert.equal(mermaidText("x".repeat(200)).length, 80);
  });

  it("without the sanitiser the same names break Mermaid's parser (the test would catch a regression)", async () => {
    const chart = (name: string) => ["gantt", "  dateFormat YYYY-MM-DD HH:mm:ss.SSS", "  section s", `  ${name} :done, s1, 2024-07-24 06:01:00.000, 2024-07-24 06:01:01.000`].join("\n");
    await assert.rejects(ganttTasks(chart("copy: into live # now")));
    await assert.rejects(ganttTasks(chart("two\nlines")), /Parse error/);
    // a keyword is not even an error: the "task" silently becomes a section
    assert.deepEqual((await ganttTasks(chart("section evil"))).tasks, []);
    assert.deepEqual((await ganttTasks(chart(mermaidText("section evil")))).tasks.map((t) => t.name), ["step section evil"]);
  });

  it("the HTML page: self-contained (no script, nothing fetched), the timeline as SVG rects with every text escaped", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "aytq-report-html-"));
    try {
      const r = sampleReport({ steps: [...sampleReport().steps, ...HOSTILE.map((name, i) => step(name, 22 + i, 22.5 + i))], checks: [{ name: "<b>check</b>", status: "fail", detail: "x < y & \"z\"" }] });
      const files = writeReport(dir, r);
      assert.deepEqual(readdirSync(dir).sort(), [path.basename(files.html), path.basename(files.json), path.basename(files.markdown)].sort());
      const html = readFileSync(files.html, "utf8");
      assert.ok(html.startsWith("<!doctype html>"));
      assert.doesNotMatch(html, /<script/i, "no script");
      assert.doesNotMatch(html, /\b(src|href)\s*=/i, "nothing loaded from anywhere");
      assert.doesNotMatch(html, /url\(/i, "no CSS url()");
      assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
      const from = html.indexOf('<svg xmlns="http://www.w3.org/2000/svg" class="timeline"');
      const timeline = html.slice(from, html.indexOf("</svg>", from) + 6);
      assert.equal(timeline.match(/<rect [^>]*><title>/g)?.length, r.steps.length, "a bar per step");
      assert.match(timeline, />UTC</);
      assert.match(timeline, />06:01:05</, "tick labels are the UTC clock");
      assert.match(timeline, /RTO 16\.5 s/);
      assert.match(timeline, /RPO 1\.3 s/);
      assert.ok(html.includes(escapeHtml("<script>alert('x')</script> & \"quotes\"")));
      assert.ok(html.includes("&lt;b&gt;check&lt;/b&gt;") && html.includes("x &lt; y &amp; &quot;z&quot;"));
      // outside text never opens a tag: every "<" in the page starts a tag of ours
      const tags = new Set([...html.matchAll(/<\/?([a-zA-Z!][a-zA-Z0-9-]*)/g)].map((m) => m[1].toLowerCase()));
      const ours = ["!doctype", "body", "circle", "code", "div", "h1", "h2", "head", "html", "li", "line", "meta", "p", "path", "polyline", "rect", "span", "strong", "style", "svg", "table", "td", "text", "th", "title", "tr", "ul"];
      assert.deepEqual([...tags].filter((t) => !ours.includes(t)), []);
      assert.ok(!tags.has("script") && !tags.has("b"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the trend: earlier reports of the same scenario, platform and stack in the folder, oldest first, then this drill", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "aytq-report-trend-"));
    try {
      const earlier = [3, 1, 2].map((d) => sampleReport({ runId: `run-${d}`, startedAt: `2024-07-2${d}T06:00:00.000Z`, rtoSeconds: 10 + d, rpoSeconds: d, green: d !== 2 }));
      for (const e of earlier) writeFileSync(path.join(dir, `${e.runId}.json`), JSON.stringify(e));
      writeFileSync(path.join(dir, "other-scenario.json"), JSON.stringify(sampleReport({ runId: "x", scenario: "server-lost-revive", startedAt: "2024-07-20T00:00:00Z" })));
      writeFileSync(path.join(dir, "other-stack.json"), JSON.stringify(sampleReport({ runId: "y", stack: "test", startedAt: "2024-07-20T00:00:00Z" })));
      writeFileSync(path.join(dir, "later.json"), JSON.stringify(sampleReport({ runId: "z", startedAt: "2024-07-30T00:00:00Z" })));
      writeFileSync(path.join(dir, "broken.json"), "{ not json");
      writeFileSync(path.join(dir, "notes.txt"), "hello");
      const r = sampleReport({ startedAt: "2024-07-24T06:01:00.000Z" });
      assert.deepEqual(earlierDrills(dir, r), [
        { runId: "run-1", startedAt: "2024-07-21T06:00:00.000Z", rtoSeconds: 11, rpoSeconds: 1, green: true },
        { runId: "run-2", startedAt: "2024-07-22T06:00:00.000Z", rtoSeconds: 12, rpoSeconds: 2, green: false },
        { runId: "run-3", startedAt: "2024-07-23T06:00:00.000Z", rtoSeconds: 13, rpoSeconds: 3, green: true },
      ]);
      const html = readFileSync(writeReport(dir, r).html, "utf8");
      const trend = html.slice(html.indexOf('class="trend"'), html.indexOf("</svg>", html.indexOf('class="trend"')));
      assert.equal(trend.match(/<circle [^>]*><title>/g)?.length, 8, "RTO and RPO for three earlier drills and this one");
      assert.match(trend, /RTO 16\.5 s, drill 20240724T060100Z-data-loss-abcd/);
      assert.match(trend, /RTO 12\.0 s, drill run-2 started 2024-07-22T06:00:00.000Z \(RED\)/);
      assert.match(html, /The 3 earlier reports of data-loss on local \(local\) in this folder, then this drill/);
      assert.equal(trend.match(/<polyline /g)?.length, 2);
      for (let i = 0; i < TREND_LENGTH + 5; i++) writeFileSync(path.join(dir, `old-${i}.json`), JSON.stringify(sampleReport({ runId: `old-${i}`, startedAt: new Date(Date.UTC(2024, 0, 1 + i)).toISOString() })));
      assert.equal(earlierDrills(dir, r).length, TREND_LENGTH - 1, "the newest drills only");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("shows what compare found per table (key, only in copy, only in live, changed, note) in the Markdown and the HTML, names escaped; no section when compare did not run", () => {
    const row = (table: string, o: Partial<TableComparison> = {}): TableComparison => ({
      table, rowsA: 10, rowsB: 12, checksumA: "a", checksumB: "b", equal: false, key: "primary key (id)", onlyInCopy: 3, onlyInLive: 1, changed: 2, ...o,
    });
    const comparison = [
      row("public.users"),
      row("public.audit", { key: "content (no primary key)", onlyInCopy: 0, onlyInLive: 4, changed: null }),
      row("public.same", { equal: true, onlyInCopy: 0, onlyInLive: 0, changed: 0 }),
      ...HOSTILE.map((h) => row(h, { note: h })),
    ];
    const r = sampleReport({ comparison });
    const md = toMarkdown(r);
    assert.match(md, /## What compare found \(live vs the copy, at the decision\)\n\n10 of 11 tables differ;/);
    assert.match(md, /\| table \| key \| only in copy \| only in live \| changed \| note \|\n\|---\|---\|---:\|---:\|---:\|---\|\n/);
    assert.match(md, /\| public\.users \| primary key \(id\) \| 3 \| 1 \| 2 \|  \|\n/);
    assert.match(md, /\| public\.audit \| content \(no primary key\) \| 0 \| 4 \| - \|  \|\n/);
    assert.match(md, /\| public\.same \| primary key \(id\) \| 0 \| 0 \| 0 \| same \|\n/);
    const section = md.slice(md.indexOf("## What compare found"), md.indexOf("## Checks"));
    for (const line of section.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| table"))) {
      assert.equal(line.replace(/\\\|/g, "").split("|").length, 8, `one row, six cells: ${line}`);
    }
    const html = toHtml(r, drillGantt(r), []);
    assert.match(html, /<td>public\.audit<\/td><td>content \(no primary key\)<\/td><td>0<\/td><td>4<\/td><td>-<\/td>/);
    assert.doesNotMatch(html, /<script>/);
    assert.match(html, /&lt;script&gt;/);
    const plain = sampleReport({ scenario: "server-lost-revive" });
    assert.doesNotMatch(toMarkdown(plain), /What compare found/);
    assert.doesNotMatch(toHtml(plain, drillGantt(plain), []), /What compare found/);
  });
});
