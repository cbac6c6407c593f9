/**
 * Property (issue 20): `aytq-dr run --resume` in-process, over damaged run folders made from a good
 * one: run.json truncated, of the wrong types, with fields missing or extra, of another stack or
 * another run; journals with gaps, reordered steps, damaged lines, records of the wrong shape; run
 * ids that are not one; files and folders that are links. Every case ends with exit 2 and a fix
 * line (never 70, never 0 with work skipped), opens no stack, and changes nothing: no new file, no
 * journal line, the stack file as it was. No stack exists here: a case must refuse before one.
 */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { main } from "../../recovery/cli/main";
import { PROJECT_ROOT } from "../../recovery/config/stackfile";
import { SCENARIO_STEPS } from "../../recovery/runbook/scenarios";
import { SCENARIOS, type ScenarioName } from "../../recovery/runbook/run-model";
import { RecordingIO, STACK_TRACE } from "../helpers/cli-io";
import { RUNS } from "./contract";

/** The run id grammar, written out here (not taken from the code under test). */
const RUN_ID = /^\d{8}T\d{6}Z-(data-loss|server-lost-revive|server-lost-rebuild)-[0-9a-f]{4}$/;
const AT = "2024-07-24T06:01:03Z";
const META_FIELDS = ["runId", "scenario", "stack", "platform", "createdAt", "inputs"] as const;

type Json = Record<string, unknown>;
interface Case {
  /** The id given to --resume (also the folder's name, when it is a safe one). */
  runId: string;
  runJson: string;
  journal: string;
  /** Which file (or the folder) is a link to a good copy elsewhere. */
  link?: "run.json" | "journal.jsonl" | "folder";
  what: string;
}

const record = (step: string, status = "done"): Json => ({ step, status, startedAt: AT, endedAt: AT });
const lines = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join("\n") + (records.length ? "\n" : "");

/** A good run: scenario, id, run.json, and the first `done` steps completed. */
const good = fc.record({ scenario: fc.constantFrom(...SCENARIOS), hex: fc.stringMatching(/^[0-9a-f]{4}$/), done: fc.nat() }).map(({ scenario, hex, done }) => {
  const runId = `20240724T060102Z-${scenario}-${hex}`;
  const steps = SCENARIO_STEPS[scenario as ScenarioName];
  const meta: Json = { runId, scenario, stack: "test", platform: "azure", createdAt: "2024-07-24T06:01:02.000Z", inputs: { restorePointUTC: "2024-07-24T06:00:00Z", copyName: "the-copy" } };
  return { scenario: scenario as ScenarioName, runId, steps, meta, records: steps.slice(0, done % (steps.length + 1)).map((s) => record(s)) };
});
type Good = typeof good extends fc.Arbitrary<infer T> ? T : never;
const base = (g: Good, what: string, patch: Partial<Case> = {}): Case => ({ runId: g.runId, runJson: JSON.stringify(g.meta), journal: lines(g.records), what, ...patch });

const wrongValue = fc.oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }));
const extraKey = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(META_FIELDS as readonly string[]).includes(k) && !["step", "status", "startedAt", "endedAt", "summary", "error", "inputs"].includes(k) && k !== "__proto__");

const damaged: fc.Arbitrary<Case> = fc.oneof(
  // run.json cut off anywhere
  fc.tuple(good, fc.nat()).map(([g, n]) => {
    const text = JSON.stringify(g.meta);
    return base(g, "run.json truncated", { runJson: text.slice(0, n % text.length) });
  }),
  // a field of the wrong type
  fc.tuple(good, fc.constantFrom(...META_FIELDS), wrongValue).map(([g, f, v]) => base(g, `run.json ${f} = ${JSON.stringify(v)}`, { runJson: JSON.stringify({ ...g.meta, [f]: v }) })),
  // a field missing (an older format)
  fc.tuple(good, fc.constantFrom(...META_FIELDS)).map(([g, f]) => {
    const meta = { ...g.meta };
    delete meta[f];
    return base(g, `run.json without ${f}`, { runJson: JSON.stringify(meta) });
  }),
  // an extra field, in run.json or in a journal record
  fc.tuple(good, extraKey, fc.jsonValue(), fc.boolean()).map(([g, k, v, inRecord]) =>
    inRecord
      ? base(g, `record with extra ${k}`, { journal: lines([{ ...record(g.steps[0]), [k]: v }, ...g.records.slice(1)]) })
      : base(g, `run.json with extra ${k}`, { runJson: JSON.stringify({ ...g.meta, [k]: v }) }),
  ),
  // a gap: a valid prefix, then a step at least two further on
  fc.tuple(good, fc.nat(), fc.nat()).map(([g, a, b]) => {
    const k = a % (g.steps.length - 2);
    const j = k + 2 + (b % (g.steps.length - k - 2));
    return base(g, `gap: ${g.steps.slice(0, k).join(",")} then ${g.steps[j]}`, { journal: lines([...g.steps.slice(0, k), g.steps[j]].map((s) => record(s))) });
  }),
  // two neighbouring steps swapped (not the first two: the old order swapped those, and is trusted)
  fc.tuple(good, fc.nat(), fc.nat()).map(([g, a, b]) => {
    const i = 1 + (a % (g.steps.length - 2));
    const len = i + 2 + (b % (g.steps.length - i - 1));
    const order = g.steps.slice(0, len);
    [order[i], order[i + 1]] = [order[i + 1], order[i]];
    return base(g, `reordered: ${order.join(",")}`, { journal: lines(order.map((s) => record(s))) });
  }),
  // a record of a step the scenario does not have, or of the wrong shape
  fc.tuple(good, fc.oneof(fc.constant({ step: "restore-everything", status: "done", startedAt: AT }), fc.constant({ step: "stop", status: "finished", startedAt: AT }), fc.constant({ step: 7, status: "done", startedAt: AT }), fc.constant({ status: "done" }), fc.constant([]), fc.constant("done"))).map(([g, r]) =>
    base(g, `record ${JSON.stringify(r)}`, { journal: lines([...g.records, r]) }),
  ),
  // a damaged line that is not the last (or a last line that was written whole: it ends with a newline)
  fc.tuple(good, fc.string({ maxLength: 20 }).filter((t) => !t.includes("\n")), fc.boolean()).map(([g, junk, middle]) => {
    const text = `{"step":${junk}`;
    return base(g, `damaged line ${JSON.stringify(text)}`, { journal: middle ? `${text}\n${lines([record(g.steps[0])])}` : `${lines(g.records)}${text}\n` });
  }),
  // another stack's run
  fc.tuple(good, fc.oneof(fc.constantFrom("production", "preproduction", "Test", "test "), fc.string({ maxLength: 12 }).filter((s) => s !== "test"))).map(([g, stack]) => base(g, `stack ${JSON.stringify(stack)}`, { runJson: JSON.stringify({ ...g.meta, stack }) })),
  // run.json of another run, or of another scenario than its id
  fc.tuple(good, fc.stringMatching(/^[0-9a-f]{4}$/), fc.constantFrom(...SCENARIOS)).filter(([g, hex, s]) => !g.runId.endsWith(hex) || s !== g.scenario).map(([g, hex, s]) =>
    base(g, `run.json says ${s} ${hex}`, { runJson: JSON.stringify({ ...g.meta, scenario: s, runId: `20240724T060102Z-${g.scenario}-${hex}` }) }),
  ),
  // a run id that is not one
  fc.tuple(good, fc.oneof(fc.constantFrom("..", ".", "../test", "x", "20240724T060102Z-data-loss-ABCD", "20241324T060102Z-data-loss-ab12", "20240724T060102Z-data-loss-ab12-"), fc.string({ minLength: 1, maxLength: 50 }))).filter(([, id]) => !RUN_ID.test(id) && !id.startsWith("-")).map(([g, id]) =>
    base(g, `run id ${JSON.stringify(id)}`, { runId: id, runJson: JSON.stringify({ ...g.meta, runId: id }) }),
  ),
  // a link
  fc.tuple(good, fc.constantFrom("run.json", "journal.jsonl", "folder") as fc.Arbitrary<Case["link"]>).map(([g, link]) => base(g, `link ${link}`, { link })),
);

/** Every file under `dir`, with its size and content, for "nothing changed". */
function snapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${path.relative(dir, p)} ${e.isFile() ? readFileSync(p, "utf8") : "(link)"}`);
    }
  };
  walk(dir);
  return out.sort().join("\n");
}

describe("property: run --resume refuses every damaged run folder with exit 2 and changes nothing", function () {
  this.timeout(300_000);
  let tmp: string;
  before(() => (tmp = mkdtempSync(path.join(os.tmpdir(), "aytq-journal-prop-"))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it(`${RUNS} cases`, async () => {
    const stackFile = path.join(PROJECT_ROOT, "Pulumi.test.yaml");
    const stackBefore = readFileSync(stackFile, "utf8");
    let n = 0;
    await fc.assert(
      fc.asyncProperty(damaged, async (c) => {
        const state = path.join(tmp, String(n++));
        const stackDir = path.join(state, "test");
        mkdirSync(stackDir, { recursive: true });
        // the folder a safe id names; anything else is refused by its id before any folder is read
        const safe = /^[A-Za-z0-9._-]+$/.test(c.runId) && c.runId !== ".";
        if (safe) {
          const dir = path.resolve(stackDir, c.runId);
          const write = (d: string) => {
            mkdirSync(d, { recursive: true });
            writeFileSync(path.join(d, "run.json"), c.runJson);
            writeFileSync(path.join(d, "journal.jsonl"), c.journal);
          };
          if (c.link) {
            // a good copy elsewhere, reached through the link
            const elsewhere = path.join(state, "elsewhere");
            write(elsewhere);
            if (c.link === "folder") symlinkSync(elsewhere, dir);
            else {
              mkdirSync(dir, { recursive: true });
              for (const f of ["run.json", "journal.jsonl"]) {
                if (f === c.link) symlinkSync(path.join(elsewhere, f), path.join(dir, f));
                else writeFileSync(path.join(dir, f), f === "run.json" ? c.runJson : c.journal);
              }
            }
          } else write(dir);
        }
        const before = snapshot(state);
        const io = new RecordingIO(undefined, { env: { AYTQ_DR_STATE_DIR: state } });
        const code = await main(["node", "aytq-dr", "run", "--resume", c.runId, "--stack", "test", "--yes"], io);
        const why = `${c.what} (${JSON.stringify(c.runId)}):\n${io.text.slice(0, 1500)}`;
        assert.equal(code, 2, why);
        assert.doesNotMatch(io.text, STACK_TRACE, why);
        assert.match(io.errText, /\n\s*fix: \S/, why);
        assert.equal(io.opened.length, 0, `a stack was opened: ${why}`);
        assert.equal(snapshot(state), before, `the state folder changed: ${why}`);
        assert.equal(statSync(stackFile).isFile() && readFileSync(stackFile, "utf8"), stackBefore, `the stack file changed: ${why}`);
        rmSync(state, { recursive: true, force: true });
      }),
      { numRuns: RUNS },
    );
  });
});
