/**
 * README.md and every docs/*.md held to the command line and to each other: every `aytq-dr ...`
 * example (a line of a code block, or an inline code span) names a command that `--help` lists, and
 * every flag on it is in that command's own `--help`; an example is written `npx aytq-dr`, since the
 * command is not on PATH after `npm ci`; every relative link resolves, its `#anchor` by GitHub's
 * heading slugs; every Mermaid block parses. The help is read from the program itself, in-process,
 * with commander's own help (what `--help` prints), not by starting a process per example.
 */
import { strict as assert } from "node:assert";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { buildProgram } from "../../recovery/cli/main";
import { mermaidBlocks, mermaidDiagramType } from "../drill/mermaid-parse";

const ROOT = path.join(__dirname, "..", "..");
const FILES = ["README.md", ...readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
const read = (file: string): string => readFileSync(path.join(ROOT, file), "utf8");

interface Example {
  /** file:line, for the failure message. */
  where: string;
  /** The command line from `aytq-dr` on: `aytq-dr run data-loss --stack test ...`. */
  text: string;
  /** Where an operator would copy it from (a code span, or a code block's line that starts with it): it must be `npx aytq-dr`. */
  runnable: boolean;
  npx: boolean;
}

/** A code block's lines and everything else, with line numbers kept (the other part blanked). */
function split(markdown: string): { code: string[]; prose: string[] } {
  const code: string[] = [];
  const prose: string[] = [];
  let fence = false;
  for (const line of markdown.split("\n")) {
    const isFence = /^\s*```/.test(line);
    if (isFence) fence = !fence;
    code.push(fence && !isFence ? line : "");
    prose.push(fence || isFence ? "" : line);
  }
  return { code, prose };
}

const START = /(?<![\w./-])(npx )?aytq-dr (?=[a-z<-])/g;

/** Every `aytq-dr` command line in a Markdown file. */
function examples(file: string, markdown: string): Example[] {
  const { code, prose } = split(markdown);
  const out: Example[] = [];
  code.forEach((line, i) => {
    if (i > 0 && code[i - 1].endsWith("\\")) return;
    // a line ending in a backslash goes on in the next one
    let full = line;
    for (let j = i; full.endsWith("\\") && j + 1 < code.length; j++) full = full.slice(0, -1) + " " + code[j + 1].trim();
    for (const m of full.matchAll(START)) {
      const before = full.slice(0, m.index);
      out.push({ where: `${file}:${i + 1}`, text: full.slice(m.index + (m[1]?.length ?? 0)), runnable: /^\s*(\$ )?$/.test(before), npx: m[1] !== undefined });
    }
  });
  // paragraph by paragraph (a code span may wrap, never across a blank line), so one stray backtick misleads one paragraph only
  let first = 0;
  for (const paragraph of prose.join("\n").split("\n\n")) {
    for (const span of paragraph.matchAll(/`([^`]+)`/g)) {
      const content = span[1].replace(/\s*\n\s*/g, " ").replace(/\\\|/g, "|");
      const m = /^(npx )?aytq-dr (?=[a-z<-])/.exec(content);
      if (!m) continue;
      const line = first + paragraph.slice(0, span.index).split("\n").length;
      out.push({ where: `${file}:${line}`, text: content.slice(m[1]?.length ?? 0), runnable: true, npx: m[1] !== undefined });
    }
    first += paragraph.split("\n").length + 1;
  }
  return out;
}

/** The words of a command line up to where the shell would end it (a comment, a pipe, `&&`, a redirect). */
function words(commandLine: string): string[] {
  const out: string[] = [];
  for (const m of commandLine.matchAll(/'[^']*'|"[^"]*"|\S+/g)) {
    const w = m[0];
    if (w.startsWith("#") || ["&&", "||", "|", ";", ">", "2>&1", "&"].includes(w) || w.startsWith(">")) break;
    out.push(w);
  }
  return out.slice(1); // "aytq-dr"
}

const placeholder = (w: string): boolean => /^([<[]|\.\.\.)/.test(w);

/** What the example asks of the program: the command it names, and the flags `--help` of that command does not list. */
function check(program: Command, example: Example): string[] {
  const help = program.createHelp();
  const ws = words(example.text);
  let cmd = program;
  let i = 0;
  for (; i < ws.length; i++) {
    const sub = help.visibleCommands(cmd).find((c) => c.name() === ws[i] || c.aliases().includes(ws[i]));
    if (!sub) break;
    cmd = sub;
  }
  const problems: string[] = [];
  const next = ws[i];
  if (example.runnable && !example.npx) problems.push("write it `npx aytq-dr ...`: the command is not on PATH after npm ci");
  if (cmd === program && next !== undefined && !next.startsWith("-")) return [...problems, `"${next}" is not a command of aytq-dr --help`];
  if (cmd === program && next === undefined) return [...problems, "names no command"];
  // a group (ci, backups, preview) takes a subcommand: a word after it that is not one is a typo
  const isGroup = cmd.commands.length > 0 && (cmd as unknown as { _actionHandler: unknown })._actionHandler === null;
  if (isGroup && next !== undefined && !next.startsWith("-") && !placeholder(next)) return [...problems, `"${next}" is not a subcommand of ${pathOf(cmd).join(" ")} (its --help lists ${help.visibleCommands(cmd).map((c) => c.name()).join(", ")})`];
  const flags = new Set(help.visibleOptions(cmd).flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)));
  for (const w of ws.slice(i)) {
    const flag = /^[[(]?(--?[A-Za-z][\w-]*)/.exec(w)?.[1];
    if (flag && !flags.has(flag)) problems.push(`${flag} is not in "aytq-dr ${pathOf(cmd).join(" ")} --help"`);
  }
  return problems;
}

function pathOf(cmd: Command): string[] {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names;
}

/** GitHub's anchor for a heading (github-slugger): lower case, punctuation dropped, each space a hyphen, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of split(markdown).prose) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/<[^>]+>/g, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Every relative link's problem: a file that does not exist, or an anchor no heading of its target makes. */
function brokenLinks(file: string, markdown: string): string[] {
  // links inside code spans are text, not links
  const prose = split(markdown).prose.join("\n").replace(/`[^`]*`/g, (s) => s.replace(/[[\]()]/g, " "));
  const problems: string[] = [];
  for (const m of prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [p, anchor] = target.split("#", 2);
    const resolved = p === "" ? file : path.normalize(path.join(path.dirname(file), p));
    const line = prose.slice(0, m.index).split("\n").length;
    if (!existsSync(path.join(ROOT, resolved))) {
      problems.push(`${file}:${line}: ${target}: ${resolved} does not exist`);
      continue;
    }
    if (anchor !== undefined && !anchors(read(resolved)).has(anchor)) problems.push(`${file}:${line}: ${target}: no heading of ${resolved} has the anchor #${anchor}`);
  }
  return problems;
}

describe("README and docs against the command line", () => {
  const program = buildProgram({ out: () => undefined, err: () => undefined, isTTY: false, env: {} });

  it("finds the examples it checks (README's incident cards among them)", () => {
    const found = FILES.flatMap((f) => examples(f, read(f)));
    assert.ok(found.length > 100, `only ${found.length} examples found`);
    assert.ok(found.some((e) => e.where.startsWith("README.md") && e.text.startsWith("aytq-dr run data-loss --stack production")));
  });

  for (const file of FILES) {
    it(`${file}: every aytq-dr example names a command of --help, with flags its --help lists, written npx aytq-dr`, () => {
      const problems = examples(file, read(file)).flatMap((e) => check(program, e).map((p) => `${e.where}: ${e.text.slice(0, 120)}\n      ${p}`));
      assert.deepEqual(problems, []);
    });

    it(`${file}: every relative link and #anchor resolves`, () => {
      assert.deepEqual(brokenLinks(file, read(file)), []);
    });
  }

  it("docs/commands.md's exit codes in detail are the README's, each once", () => {
    const codes = (text: string, from: string, to: string): number[] => [...text.slice(text.indexOf(from), text.indexOf(to)).matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    const readme = codes(read("README.md"), "### Exit codes", "### Confirmations");
    assert.ok(readme.length > 5);
    assert.deepEqual(codes(read("docs/commands.md"), "## Exit codes in detail", "## Confirmations in detail"), readme);
  });

  it("every Mermaid block parses with Mermaid's own parser", async () => {
    const blocks = FILES.flatMap((f) => mermaidBlocks(read(f)).map((source) => ({ file: f, source })));
    const types = await Promise.all(blocks.map(async (b) => `${b.file}: ${await mermaidDiagramType(b.source)}`));
    assert.ok(types.some((t) => /^README\.md: flowchart/.test(t)), `the README's flow of the scenarios: ${types.join(", ")}`);
  });

  it("the checks catch what they are for: a made-up flag, a made-up command, a bare aytq-dr, a broken anchor", () => {
    const bad = "```sh\nnpx aytq-dr run data-loss --stack test --made-up-flag\nnpx aytq-dr restor --stack test\naytq-dr status --stack test\n```\n\nSee [the cards](README.md#no-such-heading) and `npx aytq-dr backups lst`.\n";
    const problems = examples("docs/x.md", bad).flatMap((e) => check(program, e));
    assert.deepEqual(problems, [
      '--made-up-flag is not in "aytq-dr run --help"',
      '"restor" is not a command of aytq-dr --help',
      "write it `npx aytq-dr ...`: the command is not on PATH after npm ci",
      '"lst" is not a subcommand of backups (its --help lists list, verify, help)',
    ]);
    assert.deepEqual(brokenLinks("docs/x.md", bad.replace("README.md", "../README.md")), ["docs/x.md:7: ../README.md#no-such-heading: no heading of README.md has the anchor #no-such-heading"]);
  });

  it("slugs headings as GitHub does", () => {
    assert.deepEqual([...anchors("# The operator's machine\n## 4. State container and 5. key vault\n## `npm run drill`\n## Exit codes\n## Exit codes\n```\n# not a heading\n```\n")], [
      "the-operators-machine",
      "4-state-container-and-5-key-vault",
      "npm-run-drill",
      "exit-codes",
      "exit-codes-1",
    ]);
  });
});
