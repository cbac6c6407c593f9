/** Installs the fake pulumi CLI (test/fixtures/fake-pulumi/pulumi.js) as <root>/bin/pulumi, and builds the engine events it replays. */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DeploymentResource } from "../../recovery/stack/state";

/** A resource as `pulumi stack export` lists it (apitype ResourceV3): the fields recovery reads, and those the tests set besides. */
export interface FakeResource extends DeploymentResource {
  custom?: boolean;
  protect?: boolean;
  inputs?: Record<string, unknown>;
}

/** An engine event, or a pause of the fake engine at that point (a step that takes a while). */
type FakeEvent = Record<string, unknown> | { sleepMs: number };

export interface FakePulumiState {
  config?: Record<string, unknown>;
  secretKeys?: string[];
  outputs?: Record<string, unknown>;
  stacks?: string[];
  previewEvents?: FakeEvent[];
  upEvents?: FakeEvent[];
  refreshEvents?: FakeEvent[];
  previewStdout?: string;
  summary?: Record<string, number>;
  /** Commands whose event log ends without the summary event. */
  noSummary?: ("preview" | "up" | "refresh")[];
  locked?: string[];
  fail?: Record<string, string>;
  engineFail?: Partial<Record<"preview" | "up" | "refresh", { stdout?: string; stderr?: string }>>;
  planViolation?: { kind: "properties" | "operation" | "missing"; urn: string };
  plans?: { saved: string[]; applied: string[] };
  resources?: FakeResource[];
  pendingOperations?: { resource: FakeResource; type: string }[];
  imports?: number;
  /** Each `--file` a command was given, as the fake found it: permission bits as octal text ("600"). */
  files?: { path: string; existed: boolean; mode?: string; dirMode?: string }[];
  ups?: number;
}

export class FakePulumi {
  private static readonly roots: string[] = [];
  /** Delete every fake CLI folder made so far (call from an `after` hook). */
  static removeAll(): void {
    for (const root of FakePulumi.roots.splice(0)) rmSync(root, { recursive: true, force: true });
  }
  readonly root: string;
  constructor(state: FakePulumiState = {}) {
    this.root = mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
    FakePulumi.roots.push(this.root);
    mkdirSync(path.join(this.root, "bin"));
    const bin = path.join(this.root, "bin", "pulumi");
    copyFileSync(path.join(__dirname, "..", "fixtures", "fake-pulumi", "pulumi.js"), bin);
    chmodSync(bin, 0o755);
    this.write(state);
  }
  write(state: FakePulumiState): void {
    writeFileSync(path.join(this.root, "state.json"), JSON.stringify(state));
  }
  state(): FakePulumiState {
    return JSON.parse(readFileSync(path.join(this.root, "state.json"), "utf8")) as FakePulumiState;
  }
  /** Every argv the fake received, without `--non-interactive` and `version`. */
  calls(): string[][] {
    const file = path.join(this.root, "calls.log");
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as string[]).filter((a) => a !== "--non-interactive"))
      .filter((a) => a[0] !== "version");
  }
  /** calls() with the values of flags that name temporary files (`--event-log`, `--file`) as `<flag value>`. */
  commands(): string[][] {
    return this.calls().map((c) => c.map((a, i) => (c[i - 1] === "--event-log" || c[i - 1] === "--file" ? `<${c[i - 1].slice(2)}>` : a)));
  }
  /** Each run's argv, folder and environment (the Automation API's variables, PATH's first folder, AYTQ_TEST_*). */
  runs(): { args: string[]; cwd: string; env: Record<string, string | undefined> }[] {
    const file = path.join(this.root, "env.log");
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { args: string[]; cwd: string; env: Record<string, string | undefined> });
  }
  clearCalls(): void {
    writeFileSync(path.join(this.root, "calls.log"), "");
  }
}

export const urnOf = (type: string, name: string, stack = "test") => `urn:pulumi:${stack}::aytq::${type}::${name}`;

/** A resourcePreEvent as the engine writes it. */
export function preEvent(op: string, type: string, name: string, opts: { protect?: boolean; inputs?: Record<string, unknown>; stack?: string } = {}) {
  const urn = urnOf(type, name, opts.stack);
  const state = { type, urn, id: "", parent: "", protect: opts.protect ?? false, inputs: opts.inputs ?? {}, outputs: {}, provider: "" };
  return { sequence: 1, timestamp: 0, resourcePreEvent: { metadata: { op, urn, type, old: op === "create" ? undefined : state, new: op === "delete" ? undefined : state, provider: "" } } };
}

/** The resOutputsEvent that ends a step (`resOpFailedEvent` with `failed`). */
export function doneEvent(op: string, type: string, name: string, opts: { failed?: boolean; id?: string; stack?: string } = {}) {
  const urn = urnOf(type, name, opts.stack);
  const state = { type, urn, id: opts.id ?? `/subscriptions/x/${name}`, parent: "", inputs: {}, outputs: {}, provider: "" };
  const metadata = { op, urn, type, old: op === "create" ? undefined : state, new: op === "delete" ? undefined : state, provider: "" };
  return opts.failed ? { sequence: 2, timestamp: 0, resOpFailedEvent: { metadata, status: 1, steps: 1 } } : { sequence: 2, timestamp: 0, resOutputsEvent: { metadata } };
}

/** A diagnosticEvent as the event log carries it (colour directives kept, as the engine writes them). */
export function diagEvent(severity: "warning" | "error" | "info", message: string, urn?: string) {
  return { sequence: 3, timestamp: 0, diagnosticEvent: { urn, prefix: `${severity}: `, message: `<{%reset%}>${message}<{%reset%}>\n`, color: "raw", severity } };
}
