/**
 * A recovery's state lives in the stack file of the checkout it runs from (README "Where the
 * recovery state lives"): after `stop`, `app.stopped: true` is what the next converge must keep.
 * A workflow run ends with its runner, so a run resumed by another workflow run starts from a
 * fresh checkout holding the committed values, and its next preview would undo the steps already
 * done (and be refused by the gate). So the run's folder keeps a snapshot of the keys a recovery
 * owns, and a resumed run puts them back into the new checkout's stack file first.
 *
 * Secret keys (a rebuild's credentials) are never in the snapshot: an artifact is no place for
 * them, and the rebuild reads them again from the app's Secret when it needs them.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Document, isMap, isNode, parseDocument } from "yaml";
import { CONFIG_NAMESPACE, parseConfigPath, type StackName } from "../../infra/config";
import { UsageError } from "../errors";
import { secretEntries, withoutSecrets } from "../ops/apply";
import { RECOVERY_OWNED_KEYS } from "../ops/operations";

/** The file in a run's folder holding the snapshot. */
export const STACK_CONFIG_SNAPSHOT = "stack-config.json";

export interface StackConfigSnapshot {
  stack: string;
  takenAt: string;
  /** Owned key -> its value in the stack file; a key absent from the file is absent here. */
  values: Record<string, unknown>;
}

/** `["config", "aytq:app", "stopped"]` for `app.stopped`: the path in the stack file's YAML. */
function docPath(key: string): (string | number)[] {
  const [head, ...rest] = parseConfigPath(key);
  return ["config", `${CONFIG_NAMESPACE}:${String(head)}`, ...rest];
}

/** The plain value at a path (a map or list as plain JS), or undefined when the path is absent. */
function plainAt(doc: Document, p: readonly (string | number)[]): unknown {
  const node: unknown = doc.getIn(p, true);
  return isNode(node) ? node.toJSON() : node;
}

function stackFile(root: string, stack: StackName): string {
  return path.join(root, `Pulumi.${stack}.yaml`);
}

/** The owned keys as the stack file holds them now. */
export function snapshotStackConfig(root: string, stack: StackName, now: Date = new Date()): StackConfigSnapshot {
  const file = stackFile(root, stack);
  if (!existsSync(file)) throw new UsageError(`no stack file ${file}`, "run from a checkout of the project");
  const doc = parseDocument(readFileSync(file, "utf8"));
  const values: Record<string, unknown> = {};
  for (const key of RECOVERY_OWNED_KEYS) {
    const plain = plainAt(doc, docPath(key));
    if (plain !== undefined) values[key] = withoutSecrets(key, plain);
  }
  return { stack, takenAt: now.toISOString(), values };
}

/** Write the snapshot into a run's folder. */
export function saveStackConfigSnapshot(runDir: string, snapshot: StackConfigSnapshot): string {
  const file = path.join(runDir, STACK_CONFIG_SNAPSHOT);
  writeFileSync(file, JSON.stringify(snapshot, null, 2) + "\n");
  return file;
}

export function readStackConfigSnapshot(runDir: string): StackConfigSnapshot | undefined {
  const file = path.join(runDir, STACK_CONFIG_SNAPSHOT);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`${file} is not JSON (${(err as Error).message})`, "the journal artifact is damaged: download it from the run that made it and look at it");
  }
  const s = parsed as Partial<StackConfigSnapshot> | null;
  if (!s || typeof s.stack !== "string" || typeof s.takenAt !== "string" || s.values === null || typeof s.values !== "object") {
    throw new UsageError(`${file} is not a stack config snapshot (stack, takenAt, values)`, "the journal artifact is damaged: download it from the run that made it and look at it");
  }
  return s as StackConfigSnapshot;
}

export interface RestoredKey {
  key: string;
  from: unknown;
  to: unknown;
}

/**
 * Put a snapshot's owned keys into the stack file (comments and every other key kept): a key the
 * snapshot lacks is removed. Secret keys already in the file are kept. Returns what changed.
 */
export function restoreStackConfig(root: string, stack: StackName, snapshot: StackConfigSnapshot): RestoredKey[] {
  const file = stackFile(root, stack);
  if (!existsSync(file)) throw new UsageError(`no stack file ${file}`, "run from a checkout of the project");
  const { text, changed } = restoredStackConfigText(readFileSync(file, "utf8"), stack, snapshot);
  if (changed.length) writeFileSync(file, text);
  return changed;
}

/** The stack file's text with the snapshot put back (restoreStackConfig without the write), and what changes. */
export function restoredStackConfigText(fileText: string, stack: StackName, snapshot: StackConfigSnapshot): { text: string; changed: RestoredKey[] } {
  if (snapshot.stack !== stack) throw new UsageError(`the config snapshot is of stack ${snapshot.stack}, not ${stack}`, `resume the run on --stack ${snapshot.stack}`);
  const unknownKeys = Object.keys(snapshot.values).filter((k) => !(RECOVERY_OWNED_KEYS as readonly string[]).includes(k));
  if (unknownKeys.length) throw new UsageError(`the config snapshot holds keys a recovery does not own: ${unknownKeys.join(", ")}`, `only ${RECOVERY_OWNED_KEYS.join(", ")} are carried between runs (main's freeze is a hold in the app repository, not stack config)`);
  const doc = parseDocument(fileText);
  const changed: RestoredKey[] = [];
  for (const key of RECOVERY_OWNED_KEYS) {
    const p = docPath(key);
    const before = plainAt(doc, p);
    let after: unknown = snapshot.values[key];
    if (key === "recovery" && after !== undefined) {
      // secret keys the file holds stay (the snapshot never has them)
      const secrets = isMap(doc.getIn(p, true)) ? secretEntries(key, before) : {};
      after = { ...(after as Record<string, unknown>), ...secrets };
    }
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    if (after === undefined) doc.deleteIn(p);
    else doc.setIn(p, doc.createNode(after));
    changed.push({ key, from: before, to: after });
  }
  return { text: doc.toString(), changed };
}
