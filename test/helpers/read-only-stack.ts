/** A StackPort that answers only config and outputs reads; any other call fails the test with `why`. */
import { strict as assert } from "node:assert";
import type { StackPort } from "../../recovery/stack/port";

export function readOnlyStackPort(reads: Pick<StackPort, "getConfig" | "outputs">, why: string): StackPort {
  const no = async (): Promise<never> => assert.fail(why);
  return {
    stackName: "test",
    ...reads,
    setConfig: no,
    removeConfig: no,
    refresh: no,
    resourceUrns: no,
    forget: no,
    preview: no,
    up: no,
    cancel: no,
  };
}
