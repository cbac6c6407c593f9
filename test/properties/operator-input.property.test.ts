/**
 * Property: a damaged stack file or damaged stack outputs never end a command in exit 70 (a stack
 * trace). Driven in-process through main, 1,000 cases each: the stack file's bytes (random byte
 * edits, truncation, a duplicated key line, aliases, a wrong type at any config path) and the
 * outputs `status` and `ptr` read through the StackPort seam. Every case ends with exit 2, or the
 * command's own normal code, and nothing is written to the stack.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { PROJECT_ROOT } from "../../recovery/config/stackfile";
import { ToolError } from "../../recovery/errors";
import type { StackPort } from "../../recovery/stack/port";
import { RecordingIO, runMain } from "../helpers/cli-io";
import { StackStub } from "../helpers/stack-stub";
import { withStackFileText } from "../helpers/stack-file";

const RUNS = 1_000;
const STACK_FILE = readFileSync(path.join(PROJECT_ROOT, "Pulumi.test.yaml"), "utf8");
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Every path of the parsed stack file's config: ["config", "aytq:database", "serverName"], ... */
function pathsOf(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [at];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return [at, ...entries.flatMap(([k, v]) => pathsOf(v, [...at, k]))];
}
const CONFIG_PATHS = pathsOf((parse(STACK_FILE) as { config: unknown }).config, ["config"]).filter((p) => p.length > 1);

function setAt(doc: unknown, p: (string | number)[], v: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node = copy;
  for (const k of p.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[p[p.length - 1]] = v;
  return copy;
}

const LINES = STACK_FILE.split("\n");
/** Outputs as the real port gives them: parsed from pulumi's JSON (plain objects, no undefined). */
const asJson = <T>(v: T): T => JSON.parse(JSON.stringify(v) ?? "null") as T;
const wrongValue = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 20 }), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }));

const damagedStackFile = fc.oneof(
  // random byte edits
  fc.array(fc.tuple(fc.nat(STACK_FILE.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
    const bytes = Buffer.from(STACK_FILE, "utf8");
    for (const [at, b] of edits) bytes[at % bytes.length] = b;
    return bytes.toString("utf8");
  }),
  // truncation
  fc.nat(STACK_FILE.length).map((n) => STACK_FILE.slice(0, n)),
  // a key line given twice
  fc.nat(LINES.length - 1).map((i) => [...LINES.slice(0, i + 1), LINES[i], ...LINES.slice(i + 1)].join("\n")),
  // aliases: an anchor on one line, aliases to it (or to nothing) on others, or a bomb in front
  fc.tuple(fc.nat(LINES.length - 1), fc.nat(LINES.length - 1), fc.boolean()).map(([a, b, defined]) =>
    LINES.map((l, i) => (i === a && defined && /:\s*\S/.test(l) ? l.replace(/:\s*(\S.*)$/, ": &x $1") : i === b && /:\s*\S/.test(l) ? l.replace(/:\s*(\S.*)$/, ": *x") : l)).join("\n"),
  ),
  fc.integer({ min: 2, max: 12 }).map((width) => {
    const row = (name: string, of: string) => `${name}: &${name} [${Array(width).fill(of).join(", ")}]`;
    return [row("a", "lol"), row("b", "*a"), row("c", "*b"), row("d", "*c"), `e: [${Array(width).fill("*d").join(", ")}]`, STACK_FILE].join("\n");
  }),
  // a wrong type at any config path
  fc.tuple(fc.constantFrom(...CONFIG_PATHS), wrongValue).map(([p, v]) => stringify(setAt(parse(STACK_FILE), p, v))),
);

describe("property: damaged operator input never ends in exit 70", function () {
  this.timeout(300_000);

  it(`a damaged stack file (${RUNS} cases): exit 2 (or 3/4 when the damage left a valid file), never 70, the stack never written`, async () => {
    await fc.assert(
      fc.asyncProperty(damagedStackFile, async (text) => {
        let opened = false;
        const io = new RecordingIO(undefined);
        // a file still valid after the damage reaches the stack: that is where this case ends (exit 4)
        io.openStack = async (): Promise<StackPort> => {
          opened = true;
          throw new ToolError("the stack is not opened in this test");
        };
        const code = await withStackFileText("test", text, () => runMain(["stop", "--stack", "test", "--yes"], io));
        assert.notEqual(code, 70, io.errText);
        assert.ok(code === 2 || code === 3 || (code === 4 && opened), `exit ${code}: ${io.errText}`);
        if (code === 2) assert.match(io.errText, /\n  fix: /, "a refusal without a fix line");
      }),
      { numRuns: RUNS },
    );
  });

  const copy = fc.record({ name: fc.string({ minLength: 1, maxLength: 12 }), restorePointUTC: fc.constant("2024-07-20T00:00:00Z") });
  const badCopy = fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 8 }), fc.record({ restorePointUTC: wrongValue }), fc.record({ name: fc.oneof(fc.integer(), fc.constant(null), fc.constant("")), restorePointUTC: fc.string() }), fc.record({ name: fc.string({ minLength: 1 }), restorePointUTC: fc.oneof(fc.integer(), fc.constant(null)) }));
  /** A ptrCopies output that is not a list of copies. */
  const damagedCopies = fc.oneof(
    wrongValue.filter((v) => !Array.isArray(v) && v !== null),
    fc.tuple(fc.array(copy, { maxLength: 2 }), badCopy, fc.array(copy, { maxLength: 2 })).map(([a, bad, b]) => [...a, bad, ...b]),
  )
    .map(asJson)
    // Infinity and NaN become null in JSON: no copies, which is valid
    .filter((v) => v !== null);
  const otherOutputs = fc.dictionary(fc.constantFrom("recoveryMode", "pipelineFrozen", "webReplicas", "workerReplicas", "maintenance", "serverName", "requiredApprovals"), wrongValue);

  it(`damaged stack outputs (${RUNS} cases) through status and ptr: exit 2, never 70, nothing written`, async () => {
    await fc.assert(
      fc.asyncProperty(damagedCopies, otherOutputs, fc.constantFrom("status", "ptr"), async (ptrCopies, others, command) => {
        const port = new StackStub("test", {}, { outputs: async () => asJson({ ...others, ptrCopies }), readOnly: { refusal: "a write reached the stack" } });
        const io = new RecordingIO(port);
        const args = command === "status" ? ["status", "--stack", "test"] : ["ptr", "--stack", "test", "--at", iso(3_600_000), "--dry-run"];
        const code = await runMain(args, io);
        assert.equal(code, 2, `exit ${code}: ${io.errText}`);
        assert.match(io.errText, /the output ptrCopies of stack "test" is not a list of copies.*\n  fix: /);
      }),
      { numRuns: RUNS },
    );
  });

  it(`any other stack outputs (${RUNS} cases) through status: exit 0 or 2, never 70`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ maxLength: 16 }), wrongValue, { maxKeys: 6 }), otherOutputs, async (outputs, others) => {
        const port = new StackStub("test", {}, { outputs: async () => asJson({ ...outputs, ...others }), readOnly: { refusal: "a write reached the stack" } });
        const io = new RecordingIO(port);
        const code = await runMain(["status", "--stack", "test"], io);
        assert.ok(code === 0 || code === 2, `exit ${code}: ${io.errText}`);
      }),
      { numRuns: RUNS },
    );
  });
});
