/** Installs the fake pulumi CLI (test/fixtures/fake-pulumi/pulumi.js) as <root>/bin/pulumi. */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface FakePulumiState {
  config?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  stacks?: string[];
  previewEvents?: unknown[];
  previewStdout?: string;
  summary?: Record<string, number>;
  locked?: string[];
  fail?: Record<string, string>;
  resources?: { urn: string; type: string }[];
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
      .map((l) => (JSON.parse(l) as string[]).filter((a) => a !== "--non-interactive"))
      .filter((a) => a[0] !== "version");
  }
  clearCalls(): void {
    writeFileSync(path.join(this.root, "calls.log"), "");
  }
}

/** A resourcePreEvent as the engine writes it. */
export function preEvent(op: string, type: string, name: string, opts: { protect?: boolean; inputs?: Record<string, unknown>; stack?: string } = {}) {
  const urn = `urn:pulumi:${opts.stack ?? "test"}::aytq::${type}::${name}`;
  const state = { type, urn, id: "", parent: "", protect: opts.protect ?? false, inputs: opts.inputs ?? {}, outputs: {}, provider: "" };
  return { sequence: 1, timestamp: 0, resourcePreEvent: { metadata: { op, urn, type, old: op === "create" ? undefined : state, new: op === "delete" ? undefined : state, provider: "" } } };
}
