/**
 * The one StackPort stub of the tests. On its own it is a stack whose config lives in memory (path
 * keys, secrets remembered) and whose outputs a test gives: every call recorded (`calls`), any call
 * made to fail once (`failNext`), and, read-only, every other call refused, failing the test with
 * the reason given or throwing the error a test chooses (a command that got as far as writing).
 * The two fake engines build on it and add a program: FakeStackPort (fake-stack.ts), the stack's
 * program over the simulated Azure; FakePipelinePort (fake-pipeline-stack.ts), one checkout of the
 * pipeline stack, whose state and update lock every checkout shares.
 */
import { strict as assert } from "node:assert";
import type { RawConfig } from "../../infra/config";
import { deleteConfigPath, readConfigPath, writeConfigPath } from "../../infra/config";
import type { ConfigScalar, ForgetResult, PreviewResult, StackPort, StateResource, UpResult } from "../../recovery/stack/port";

type StackMethod = "getConfig" | "setConfig" | "removeConfig" | "refresh" | "resourceUrns" | "forget" | "preview" | "up" | "outputs" | "cancel";

interface ReadOnly {
  /** The calls answered. @default getConfig and outputs */
  reads?: readonly StackMethod[];
  /** Any other call fails the test with this reason, or throws what this returns. */
  refusal: string | (() => Error);
}

export interface StackStubOptions {
  /** @default every call answered */
  readOnly?: ReadOnly;
  /** What `outputs` answers; a function may reject. @default {} */
  outputs?: Record<string, unknown> | (() => Promise<Record<string, unknown>>);
}

export class StackStub implements StackPort {
  config: RawConfig;
  /** Every call, e.g. `setConfig app.stopped=true`; secret values show as [secret]. */
  readonly calls: string[] = [];
  /** Path keys set as secrets. */
  readonly secretKeys = new Set<string>();
  /** Called with each call as recorded in `calls`, before it runs; a test throws from it to fail, e.g., the second config write. */
  onCall?: (call: string) => void;
  private failures = new Map<StackMethod, Error>();

  constructor(
    readonly stackName: string,
    raw: RawConfig = {},
    private readonly options: StackStubOptions = {},
  ) {
    this.config = structuredClone(raw);
  }

  /** Make the next call of `method` throw `error` (once). */
  failNext(method: StackMethod, error: Error): void {
    this.failures.set(method, error);
  }

  /** Run after a call is recorded and let through, before it is answered: a fake engine deploys its stack here. */
  protected async prepare(): Promise<void> {}

  protected async enter(method: StackMethod, detail = ""): Promise<void> {
    this.calls.push(detail ? `${method} ${detail}` : method);
    this.onCall?.(this.calls[this.calls.length - 1]);
    const err = this.failures.get(method);
    if (err) {
      this.failures.delete(method);
      throw err;
    }
    const ro = this.options.readOnly;
    if (ro && !(ro.reads ?? ["getConfig", "outputs"]).includes(method)) {
      if (typeof ro.refusal === "string") assert.fail(ro.refusal);
      throw ro.refusal();
    }
    await this.prepare();
  }

  async getConfig(path: string): Promise<unknown> {
    await this.enter("getConfig", path);
    const v = readConfigPath(this.config, path);
    return v === undefined ? undefined : structuredClone(v);
  }

  async setConfig(values: Readonly<Record<string, ConfigScalar>>, options: { secret?: boolean } = {}): Promise<void> {
    await this.enter("setConfig", Object.entries(values).map(([k, v]) => `${k}=${options.secret ? "[secret]" : String(v)}`).join(" "));
    for (const [k, v] of Object.entries(values)) {
      writeConfigPath(this.config, k, v);
      if (options.secret) this.secretKeys.add(k);
      else this.secretKeys.delete(k);
    }
  }

  async removeConfig(path: string): Promise<void> {
    await this.enter("removeConfig", path);
    deleteConfigPath(this.config, path);
    for (const k of [...this.secretKeys]) if (k === path || k.startsWith(`${path}.`)) this.secretKeys.delete(k);
  }

  // A stack without a program: nothing in state, nothing to change.

  async refresh(targets: readonly string[]): Promise<void> {
    await this.enter("refresh", targets.join(" "));
  }

  async resourceUrns(): Promise<StateResource[]> {
    await this.enter("resourceUrns");
    return [];
  }

  async forget(urns: readonly string[]): Promise<ForgetResult> {
    await this.enter("forget", urns.join(" "));
    return { clearedPendingOperations: [] };
  }

  async preview(): Promise<PreviewResult> {
    await this.enter("preview");
    return { changeSummary: {}, steps: [], diffText: "" };
  }

  async up(): Promise<UpResult> {
    await this.enter("up");
    return { changeSummary: {}, outputs: await this.currentOutputs() };
  }

  /** The outputs as they are now, without recording a call. */
  protected async currentOutputs(): Promise<Record<string, unknown>> {
    const o = this.options.outputs;
    return typeof o === "function" ? o() : structuredClone(o ?? {});
  }

  async outputs(): Promise<Record<string, unknown>> {
    await this.enter("outputs");
    return this.currentOutputs();
  }

  async cancel(): Promise<void> {
    await this.enter("cancel");
  }
}
