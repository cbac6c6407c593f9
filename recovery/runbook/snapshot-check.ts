/**
 * A journal artifact's stack config snapshot (stack-config.json), checked before anything is
 * written: only the keys a recovery owns, never a secret (an artifact is no place for one, and a
 * snapshot that carries one is not aytq-dr's), and values the config model accepts, by the same
 * rules as `--set` (applyOverrides, then parseSettings on the stack file as it would become).
 */
import { z } from "zod";
import { ConfigError, parseSettings, removeConfigPath, type StackName } from "../../infra/config";
import { applyOverrides, readStackConfig } from "../config/stackfile";
import { UsageError } from "../errors";
import { secretEntries } from "../ops/apply";
import { RECOVERY_OWNED_KEYS } from "../ops/operations";
import { clipInput } from "../util/clip";
import type { StackConfigSnapshot } from "./stack-config";

const SnapshotShape = z.strictObject({ stack: z.string(), takenAt: z.string(), values: z.looseObject({}) });

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The snapshot in `content` (the file `where`), checked against `stack` and the checkout at `root`; a UsageError naming the problem otherwise. */
export function checkSnapshot(content: string, where: string, stack: StackName, root: string): StackConfigSnapshot {
  const damaged = "the journal artifact is damaged or was not made by aytq-dr: look at the run that uploaded it; to recover now, start a new run of the scenario";
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    throw new UsageError(`${where} is not JSON; nothing was imported`, damaged);
  }
  const shape = SnapshotShape.safeParse(json);
  if (!shape.success) throw new UsageError(`${where} is not a stack config snapshot (stack, takenAt, values); nothing was imported`, damaged);
  // the parsed JSON's own keys (JSON.parse keeps `__proto__` as one), not zod's copy
  const values = (json as { values: Record<string, unknown> }).values;
  const s = shape.data;
  if (s.stack !== stack) throw new UsageError(`${where} is a snapshot of stack ${clipInput(s.stack, 60)}, not ${stack}; nothing was imported`, damaged);
  const foreign = Object.keys(values).filter((k) => !(RECOVERY_OWNED_KEYS as readonly string[]).includes(k));
  if (foreign.length) {
    throw new UsageError(`${where} holds keys a recovery does not own: ${foreign.map((k) => JSON.stringify(clipInput(k, 60))).join(", ")}; nothing was imported`, `only ${RECOVERY_OWNED_KEYS.join(", ")} are carried between runs; ${damaged}`);
  }
  const recovery = values.recovery;
  if (recovery !== undefined && !isPlainObject(recovery)) throw new UsageError(`${where}: recovery is not an object; nothing was imported`, damaged);
  const secrets = Object.keys(secretEntries("recovery", recovery));
  if (secrets.length) {
    // named, never shown
    throw new UsageError(
      `${where} carries ${secrets.map((k) => `recovery.${k}`).join(" and ")}, a secret: a snapshot never holds secrets (aytq-dr leaves them out), so this one was not made by aytq-dr or was edited; nothing was imported`,
      `look at the workflow run that uploaded the artifact; a rebuild reads the credentials again from the app's Secret, so start a new run of the scenario if in doubt`,
    );
  }
  // the stack file as the import would leave it, read by the config model
  let raw = readStackConfig(stack, root);
  const fileRecovery = raw.recovery;
  const keptSecrets = secretEntries("recovery", fileRecovery);
  for (const key of RECOVERY_OWNED_KEYS) if (!Object.hasOwn(values, key)) raw = removeConfigPath(raw, key);
  const sets = Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(k === "recovery" ? { ...(v as Record<string, unknown>), ...keptSecrets } : v)}`);
  try {
    parseSettings(applyOverrides(raw, sets));
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`${where} holds stack config the config model refuses (${err.message}); nothing was imported`, damaged);
    throw err;
  }
  return { stack: s.stack, takenAt: s.takenAt, values };
}
