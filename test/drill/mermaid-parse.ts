/**
 * Mermaid's own parser, for the tests: `mermaid` 11 from the registry (12 needs Node 22). Its
 * `parse()` runs the gantt grammar (jison) and sanitises titles with DOMPurify, which needs a DOM:
 * DOMPurify takes `window` when its module loads, so a jsdom window is the global only while
 * mermaid is imported, then removed (other test files in the same mocha worker see no `window`).
 *
 * `ganttTasks` goes one step further than `parse()`: it asks the gantt diagram's own database for
 * its tasks, which is where Mermaid turns each task's dates into times (an unreadable date throws
 * there, not in `parse()`), so a test sees the chart as Mermaid will draw it.
 */
import type { Mermaid } from "mermaid" with { "resolution-mode": "import" };

let loading: Promise<Mermaid> | undefined;

function loadMermaid(): Promise<Mermaid> {
  loading ??= (async () => {
    const { JSDOM } = await import("jsdom");
    const g = globalThis as { window?: unknown };
    const before = g.window;
    g.window = new JSDOM("<!doctype html><html><body></body></html>").window;
    try {
      const mermaid = (await import("mermaid")).default;
      mermaid.initialize({ startOnLoad: false });
      return mermaid;
    } finally {
      if (before === undefined) delete g.window;
      else g.window = before;
    }
  })();
  return loading;
}

/** The kind of diagram Mermaid's parser makes of `source` (`gantt`, `flowchart-v2`, ...); throws what Mermaid throws. */
export async function mermaidDiagramType(source: string): Promise<string> {
  const parsed = await (await loadMermaid()).parse(source);
  if (!parsed) throw new Error("Mermaid did not parse it");
  return parsed.diagramType;
}

/** Every fenced `mermaid` block's source in a Markdown text, in order. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]);
}

export interface ParsedTask {
  /** As drawn (Mermaid keeps the space before the `:`; trimmed here). */
  name: string;
  section: string;
  start: Date;
  end: Date;
  milestone: boolean;
  classes: { done: boolean; crit: boolean; active: boolean };
}

/** What Mermaid's gantt parser and database make of `source`; throws what Mermaid throws. */
export async function ganttTasks(source: string): Promise<{ title: string; dateFormat: string; axisFormat: string; tasks: ParsedTask[] }> {
  const mermaid = await loadMermaid();
  const parsed = await mermaid.parse(source);
  if (!parsed || parsed.diagramType !== "gantt") throw new Error(`not a gantt chart: ${JSON.stringify(parsed)}`);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(source);
  const db = diagram.db as unknown as {
    getTasks(): { task: string; section: string; startTime: Date; endTime: Date; milestone?: boolean; done?: boolean; crit?: boolean; active?: boolean }[];
    getDiagramTitle(): string;
    getDateFormat(): string;
    getAxisFormat(): string;
  };
  return {
    title: db.getDiagramTitle(),
    dateFormat: db.getDateFormat(),
    axisFormat: db.getAxisFormat(),
    tasks: db.getTasks().map((t) => ({
      name: t.task.trim(),
      section: t.section,
      start: t.startTime,
      end: t.endTime,
      milestone: t.milestone === true,
      classes: { done: t.done === true, crit: t.crit === true, active: t.active === true },
    })),
  };
}
