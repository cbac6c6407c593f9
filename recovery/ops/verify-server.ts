/**
 * The real server against the stack's declaration: `serverDifferences` compares them (read-only;
 * `status` and `preflight` show it too), and `verifyServer`, the last phase of a revive or rebuild
 * (recover-server.ts), converges through ARM what Azure did not restore (HA, SKU, storage,
 * parameters), since azure-native never shows that as a diff, restarting the server when a static
 * parameter is set but pending a restart (ENGINE.md §12).
 */
import { Settings } from "../../infra/config";
import type { AzureServerApi, ServerFacts, ServerPatch } from "../azure/arm";
import { ToolError, describeError } from "../errors";

/** What verifying the live server needs (RecoveryOptions has all of it). */
interface VerifyOptions {
  azure: AzureServerApi;
  settings: Settings;
  log: (text: string) => void;
  /** How the server is polled until Ready after a restart or an update. @default {@link DEFAULT_READY_POLL} */
  readyPoll?: ReadyPoll;
}

/** Polling a busy server: the first wait, doubled each time up to `maxIntervalMs`, for at most `timeoutMs`. */
export interface ReadyPoll {
  firstIntervalMs: number;
  maxIntervalMs: number;
  timeoutMs: number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/** A restart takes a minute or two; an HA change much longer (the update's own operation covers that wait). */
const DEFAULT_READY_POLL: ReadyPoll = { firstIntervalMs: 1_000, maxIntervalMs: 15_000, timeoutMs: 30 * 60_000 };

/** One difference between the declared and the real server. */
export interface ServerDifference {
  what: string;
  declared: string;
  actual: string;
  /** How verify converges it; undefined when it cannot be changed in place. */
  fix?: { patch: ServerPatch } | { parameter: string; value: string } | { restart: string };
}

/** Compare the real server with the stack's declaration (read-only; `status` and `preflight` show it too). */
export async function serverDifferences(azure: AzureServerApi, s: Settings, facts?: ServerFacts): Promise<{ facts?: ServerFacts; differences: ServerDifference[] }> {
  const real = facts ?? (await azure.getServer(s.resourceGroupName, s.database.serverName));
  if (!real) return { differences: [] };
  const d: ServerDifference[] = [];
  const db = s.database;
  if (real.highAvailability !== db.highAvailability) {
    d.push({ what: "high availability", declared: db.highAvailability, actual: real.highAvailability, fix: { patch: { highAvailability: db.highAvailability } } });
  }
  if (real.skuName !== db.skuName || real.skuTier !== db.skuTier) {
    d.push({ what: "SKU", declared: `${db.skuName} (${db.skuTier})`, actual: `${real.skuName} (${real.skuTier})`, fix: { patch: { skuName: db.skuName, skuTier: db.skuTier } } });
  }
  if (real.storageSizeGB !== db.storageSizeGB) {
    // storage only grows
    d.push({ what: "storage", declared: `${db.storageSizeGB} GB`, actual: `${real.storageSizeGB} GB`, ...(real.storageSizeGB < db.storageSizeGB ? { fix: { patch: { storageSizeGB: db.storageSizeGB } } } : {}) });
  }
  if (real.version !== db.postgresVersion) {
    d.push({ what: "PostgreSQL version", declared: db.postgresVersion, actual: real.version });
  }
  for (const [name, value] of Object.entries(db.parameters)) {
    const p = await azure.getConfiguration(s.resourceGroupName, db.serverName, name);
    if (p?.value !== value) d.push({ what: `parameter ${name}`, declared: value, actual: p ? p.value : "(absent)", fix: { parameter: name, value } });
    // set, but a static parameter runs on its old value until the server restarts
    else if (p.pendingRestart) d.push({ what: `parameter ${name}`, declared: value, actual: `${p.value} (pending a restart: not in effect yet)`, fix: { restart: name } });
  }
  return { facts: real, differences: d };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Server states Azure does not leave by itself (ServerState in the 2025-08-01 spec): waiting for Ready would only time out. */
const SETTLED_NOT_READY = ["Stopped", "Disabled", "Dropping"];

/** Poll the live server until Azure reports it Ready (a restart or an update answers 409 ServerBusy to anything else meanwhile). */
async function waitUntilReady(o: VerifyOptions, why: string): Promise<void> {
  const s = o.settings;
  const poll = o.readyPoll ?? DEFAULT_READY_POLL;
  const wait = poll.sleep ?? sleep;
  const started = Date.now();
  let interval = poll.firstIntervalMs;
  let said = false;
  for (;;) {
    const facts = await o.azure.getServer(s.resourceGroupName, s.database.serverName);
    if (!facts) throw new ToolError(`the live server ${s.database.serverName} is not in Azure (${why})`, `look at it: az postgres flexible-server show -g ${s.resourceGroupName} -n ${s.database.serverName}`);
    if (facts.state === undefined || facts.state === "Ready") return;
    // states that no wait ends: say so now rather than after the time-out
    if (SETTLED_NOT_READY.includes(facts.state)) {
      throw new ToolError(
        `the live server ${s.database.serverName} is ${facts.state}, so it cannot be converged (${why})`,
        facts.state === "Stopped" ? `start it (az postgres flexible-server start -g ${s.resourceGroupName} -n ${s.database.serverName}), then run aytq-dr normal --stack <stack>` : `look at it: az postgres flexible-server show -g ${s.resourceGroupName} -n ${s.database.serverName}`,
      );
    }
    if (Date.now() - started >= poll.timeoutMs) {
      throw new ToolError(
        `the live server ${s.database.serverName} is still ${facts.state} after ${Math.round(poll.timeoutMs / 60_000)} minutes (${why})`,
        `look at it (az postgres flexible-server show -g ${s.resourceGroupName} -n ${s.database.serverName}); once it is Ready, run aytq-dr normal --stack <stack> to finish`,
      );
    }
    if (!said) o.log(`verify: waiting for ${s.database.serverName} to be Ready (it is ${facts.state}; ${why})`);
    said = true;
    await wait(interval);
    interval = Math.min(interval * 2, poll.maxIntervalMs);
  }
}

/**
 * Restart the server when any declared parameter is set but pending a restart (a static one such
 * as max_connections), wait until it is Ready, and check they are applied. Returns the parameters
 * the restart applied (none: no restart). Every scenario that gets here has the app stopped.
 */
async function applyPendingParameters(o: VerifyOptions): Promise<string[]> {
  const s = o.settings;
  const rg = s.resourceGroupName;
  const server = s.database.serverName;
  const pendingNow = async () => {
    const out: string[] = [];
    for (const name of Object.keys(s.database.parameters)) if ((await o.azure.getConfiguration(rg, server, name))?.pendingRestart) out.push(name);
    return out;
  };
  const pending = await pendingNow();
  if (pending.length === 0) return [];
  await waitUntilReady(o, "before restarting it");
  o.log(`verify: restarting ${server} so that ${pending.join(", ")} take${pending.length === 1 ? "s" : ""} effect (static parameters apply only on a restart; connections drop for a minute or two)`);
  try {
    await o.azure.restartServer(rg, server);
  } catch (err) {
    throw new ToolError(
      `restarting ${server} to apply ${pending.join(", ")} failed: ${describeError(err).message}; the server runs on the old values`,
      `restart it (az postgres flexible-server restart -g ${rg} -n ${server}), or run aytq-dr normal --stack <stack> again: it restarts it and checks the values`,
    );
  }
  await waitUntilReady(o, "after its restart");
  const still = await pendingNow();
  if (still.length > 0) {
    throw new ToolError(
      `${server} restarted but ${still.join(", ")} still ${still.length === 1 ? "is" : "are"} pending a restart in Azure`,
      `look at the parameters (az postgres flexible-server parameter show -g ${rg} -s ${server} -n ${still[0]}); then run aytq-dr normal --stack <stack> again`,
    );
  }
  return pending;
}

/** `high availability: declared ZoneRedundant, actual Disabled` */
export function describeDifference(x: ServerDifference): string {
  return `${x.what}: declared ${x.declared}, actual ${x.actual}`;
}

/**
 * Converge the real server to the declaration where Azure allows it in place; re-read to check.
 * Returns what was fixed and what could not be (warnings).
 */
export async function verifyServer(o: VerifyOptions): Promise<{ fixed: string[]; warnings: string[] }> {
  const s = o.settings;
  const present = await o.azure.getServer(s.resourceGroupName, s.database.serverName);
  if (!present) throw new ToolError(`the live server ${s.database.serverName} is not in Azure after the recovery`, `look at it: az postgres flexible-server show -g ${s.resourceGroupName} -n ${s.database.serverName}`);
  // a server still restarting or updating answers 409 ServerBusy to every change
  await waitUntilReady(o, "before converging it");
  const { facts, differences } = await serverDifferences(o.azure, s);
  if (!facts) throw new ToolError(`the live server ${s.database.serverName} is not in Azure after the recovery`, `look at it: az postgres flexible-server show -g ${s.resourceGroupName} -n ${s.database.serverName}`);
  const fixed: string[] = [];
  const warnings: string[] = [];
  const patch: ServerPatch = {};
  for (const x of differences) {
    if (!x.fix) {
      warnings.push(`${describeDifference(x)} (cannot be changed in place: change the stack setting or the server by hand)`);
      continue;
    }
    if ("patch" in x.fix) Object.assign(patch, x.fix.patch);
    else if ("restart" in x.fix) {
      // applied by the restart below, with every other pending parameter
    } else {
      o.log(`verify: setting parameter ${x.fix.parameter}=${x.fix.value} (was ${x.actual})`);
      await o.azure.putConfiguration(s.resourceGroupName, s.database.serverName, x.fix.parameter, x.fix.value);
    }
    fixed.push(describeDifference(x));
  }
  if (Object.keys(patch).length > 0) {
    o.log(`verify: updating the server in place: ${JSON.stringify(patch)} (Azure restores a server single-instance; this can take a while)`);
    await o.azure.updateServer(s.resourceGroupName, s.database.serverName, patch);
    await waitUntilReady(o, "after its update");
  }
  // parameters just set, or set by the create phase, that wait for a restart
  const restarted = await applyPendingParameters(o);
  for (const name of restarted) {
    const line = `parameter ${name} applied by a restart`;
    if (!fixed.some((f) => f.startsWith(`parameter ${name}:`) && f.includes("pending a restart"))) fixed.push(line);
  }
  if (fixed.length > 0) {
    const after = await serverDifferences(o.azure, s);
    const left = after.differences.filter((x) => x.fix !== undefined);
    if (left.length > 0) {
      throw new ToolError(
        `the live server still differs from the stack after converging it: ${left.map(describeDifference).join("; ")}`,
        `look at it (az postgres flexible-server show -g ${s.resourceGroupName} -n ${s.database.serverName}); then run aytq-dr normal --stack <stack> to try again`,
      );
    }
  }
  return { fixed, warnings };
}
