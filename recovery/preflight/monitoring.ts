/**
 * Is the monitoring real? What the stack declares (StatusCake checks of every health URL, paused
 * or not as maintenance says; the nightly backup's heartbeat; the action group; the delete locks)
 * against what StatusCake's API and Azure report. Reading is one function that never throws (each
 * part says why it was not read); the verdicts are plain decisions over the reading, shared by
 * `preflight` (one row each, with its fix) and `status` (one line per part).
 */
import { LOCK_ROLES, LOCK_WRITE } from "../azure/permissions";
import { type Settings } from "../../infra/config";
import { stackIds } from "../../infra/ids";
import { type UptimeCheckOutput, lockName, uptimeCheckPlan } from "../../infra/monitoring-plan";
import { STATUSCAKE_TOKEN_ENV, StatusCakeClient, StatusCakeError, type HeartbeatCheck, type UptimeCheck } from "../../infra/statuscake/api";
import { backupHeartbeatName } from "../../infra/statuscake/names";
import type { ActionGroupFacts, AzureServerApi, LockFacts } from "../azure/arm";
import type { PreflightResult } from "./result";
import { confirmProductionFlag } from "../config/production";

/** Points pre-flight's StatusCake client elsewhere (tests, a proxy). @default StatusCake's API */
export const STATUSCAKE_API_URL_ENV = "AYTQ_DR_STATUSCAKE_API_URL";

const HOUR = 3_600_000;

/** The delete lock's name on a resource (the program's own rule). */
export const deleteLockName = lockName;

/** A check the stack declares, and whether it should be paused (the program's own rule). */
type ExpectedUptimeCheck = UptimeCheckOutput;

interface ExpectedLock {
  /** `live server s189p01-...`, for people. */
  what: string;
  resourceId: string;
  lockName: string;
  /** Left out by a recovery whose identity may not write locks (`recovery.serverLockDeferred`): `aytq-dr lock` creates it. */
  deferred?: boolean;
}

/** What the stack declares about its monitoring. */
export interface MonitoringExpectation {
  stack: string;
  maintenance: boolean;
  /** undefined: StatusCake is off for this stack. */
  statusCake?: { checks: ExpectedUptimeCheck[]; heartbeatName: string; heartbeatHours: number };
  actionGroup: { resourceGroupName: string; name: string };
  /** undefined: no locks declared (locks.enabled false). */
  locks?: ExpectedLock[];
  production: boolean;
}

/** The checks the stack declares (the program's own rule: public paused during maintenance, temporary outside it). */
export const expectedUptimeChecks = uptimeCheckPlan;

/** `subscriptionId`: to name the locked resources (unknown: the locks are not read). */
export function monitoringExpectation(stack: string, s: Settings, subscriptionId?: string): MonitoringExpectation {
  // the program's own ids (infra/ids.ts), so a lock is looked for on the resource the program locks
  const ids = stackIds(s, subscriptionId ?? "<subscription>");
  const sc = s.monitoring.statusCake;
  return {
    stack,
    maintenance: s.app.maintenance,
    ...(sc.enabled ? { statusCake: { checks: expectedUptimeChecks(s), heartbeatName: backupHeartbeatName(s.environment), heartbeatHours: sc.heartbeatHours } } : {}),
    actionGroup: { resourceGroupName: s.resourceGroupName, name: s.monitoring.actionGroup.name },
    ...(s.locks.enabled
      ? {
          locks: [
            {
              what: `live server ${s.database.serverName}`,
              resourceId: ids.serverId,
              lockName: deleteLockName(s.database.serverName),
              ...(s.recovery.serverLockDeferred === true ? { deferred: true } : {}),
            },
            {
              what: `backup storage account ${s.backup.storageAccountName}`,
              resourceId: ids.storageAccountId,
              lockName: deleteLockName(s.backup.storageAccountName),
            },
          ],
        }
      : {}),
    production: s.environment === "production",
  };
}

/** One part of the reading: its value, or why there is none (`not-read`: nothing could be asked; `failed`: the asking failed). */
type Reading<T> = { state: "read"; value: T } | { state: "not-read" | "failed"; why: string; fix: string };

export interface MonitoringReading {
  /** undefined when StatusCake is off. `heartbeat` undefined: no heartbeat check of that name. */
  statusCake?: Reading<{ uptime: UptimeCheck[]; heartbeat?: HeartbeatCheck }>;
  actionGroup: Reading<ActionGroupFacts | undefined>;
  /** undefined when no locks are declared; in the order of the expectation. */
  locks?: Reading<(LockFacts | undefined)[]>;
}

export interface MonitoringSources {
  /** undefined: no STATUSCAKE_API_TOKEN. */
  statusCake?: StatusCakeClient;
  /** undefined: the stack's subscription is unknown. */
  azure?: AzureServerApi;
}

/** StatusCake's client from the environment: STATUSCAKE_API_TOKEN (never printed), AYTQ_DR_STATUSCAKE_API_URL for tests. */
export function statusCakeFromEnv(env: NodeJS.ProcessEnv): StatusCakeClient | undefined {
  const token = env[STATUSCAKE_TOKEN_ENV]?.trim();
  if (!token) return undefined;
  const baseUrl = env[STATUSCAKE_API_URL_ENV]?.trim() || undefined;
  return new StatusCakeClient({ token, baseUrl });
}

function failed(err: unknown, fallbackFix: string): { state: "failed"; why: string; fix: string } {
  if (err instanceof StatusCakeError) return { state: "failed", why: err.what, fix: err.fix };
  const e = err as Error & { hint?: string };
  return { state: "failed", why: (e?.message ?? String(err)).split("\n")[0], fix: e?.hint ?? fallbackFix };
}

const NO_TOKEN = { state: "not-read" as const, why: `not read: ${STATUSCAKE_TOKEN_ENV} is not set`, fix: `export ${STATUSCAKE_TOKEN_ENV}=<a token from StatusCake's account panel> (never in a stack file), then run this again` };
const NO_SUBSCRIPTION = { state: "not-read" as const, why: "not read: the stack's subscription is unknown", fix: "set aytq:subscriptionId in the stack file, or export AZURE_SUBSCRIPTION_ID=<subscription GUID>" };
const AZURE_FIX = "az login (or the AZURE_* variables), with Reader on the resource group";

/** Read everything the expectation names. Never throws. */
export async function readMonitoring(expect: MonitoringExpectation, sources: MonitoringSources): Promise<MonitoringReading> {
  const statusCake = async (): Promise<MonitoringReading["statusCake"]> => {
    if (!expect.statusCake) return undefined;
    const client = sources.statusCake;
    if (!client) return NO_TOKEN;
    try {
      const uptime = await client.listUptimeChecks();
      const name = expect.statusCake.heartbeatName.toLowerCase();
      const listed = (await client.listHeartbeatChecks()).find((h) => h.name.toLowerCase() === name);
      // only a get of one check has its last ping
      const heartbeat = listed && ((await client.getHeartbeatCheck(listed.id)) ?? listed);
      return { state: "read", value: { uptime, heartbeat } };
    } catch (err) {
      return failed(err, "run this again");
    }
  };
  const actionGroup = async (): Promise<MonitoringReading["actionGroup"]> => {
    if (!sources.azure) return NO_SUBSCRIPTION;
    try {
      return { state: "read", value: await sources.azure.getActionGroup(expect.actionGroup.resourceGroupName, expect.actionGroup.name) };
    } catch (err) {
      return failed(err, AZURE_FIX);
    }
  };
  const locks = async (): Promise<MonitoringReading["locks"]> => {
    if (!expect.locks) return undefined;
    if (!sources.azure) return NO_SUBSCRIPTION;
    try {
      const out: (LockFacts | undefined)[] = [];
      for (const l of expect.locks) out.push(await sources.azure.getLock(l.resourceId, l.lockName));
      return { state: "read", value: out };
    } catch (err) {
      return failed(err, AZURE_FIX);
    }
  };
  const [sc, ag, lk] = await Promise.all([statusCake(), actionGroup(), locks()]);
  return { ...(sc ? { statusCake: sc } : {}), actionGroup: ag, ...(lk ? { locks: lk } : {}) };
}

// -----------------------------------------------------------------------------------------------
// Verdicts

/** One verdict: a pre-flight row, plus the part it belongs to and a short text for `status`. */
export interface MonitoringVerdict extends PreflightResult {
  part: "uptime" | "heartbeat" | "action group" | "locks";
  short: string;
}

/** A URL as StatusCake and we may spell it differently: lower-case scheme and host, no trailing slash. */
function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const x = new URL(u);
      return `${x.protocol}//${x.host}${x.pathname.replace(/\/+$/, "")}${x.search}`.toLowerCase();
    } catch {
      return u.trim().replace(/\/+$/, "").toLowerCase();
    }
  };
  return norm(a) === norm(b);
}

function hoursAgo(then: Date, now: Date): string {
  const h = (now.getTime() - then.getTime()) / HOUR;
  return h < 1 ? `${Math.max(0, Math.round(h * 60))} min ago` : `${h.toFixed(1)} h ago`;
}

/** `status`'s words for a part that could not be read. */
function notRead(r: { why: string }): string {
  return `not read (${r.why.replace(/^not read: /, "")})`;
}

function converge(stack: string): string {
  return `pulumi up --stack ${stack} (with ${STATUSCAKE_TOKEN_ENV} set) makes StatusCake match the stack`;
}

function uptimeVerdicts(expect: MonitoringExpectation, r: NonNullable<MonitoringReading["statusCake"]>): MonitoringVerdict[] {
  const sc = expect.statusCake!;
  return sc.checks.map((c): MonitoringVerdict => {
    const want = c.paused ? (c.host === "public" ? "paused during maintenance" : "paused outside maintenance") : "running and up";
    const name = `StatusCake check of ${c.url} (${want})`;
    const label = `${c.service} ${c.host}`;
    const base = { name, part: "uptime" as const };
    if (r.state !== "read") return { ...base, status: "fail", detail: r.why, fix: r.fix, short: notRead(r) };
    const matching = r.value.uptime.filter((u) => sameUrl(u.websiteUrl, c.url));
    const found = matching.find((u) => u.paused === c.paused) ?? matching[0];
    if (!found) return { ...base, status: "fail", detail: `StatusCake has no check of ${c.url}`, fix: converge(expect.stack), short: `${label} MISSING` };
    const who = `"${found.name}" (${found.id})`;
    if (c.paused) {
      if (found.paused) return { ...base, status: "pass", detail: `${who} paused`, short: `${label} paused` };
      return {
        ...base,
        status: "warn",
        detail: `${who} is running, but maintenance is ${expect.maintenance ? "on" : "off"}: it will raise false alarms`,
        fix: `${converge(expect.stack)}; aytq-dr maintenance ${expect.maintenance ? "on" : "off"} --stack ${expect.stack} does it too`,
        short: `${label} RUNNING (should be paused)`,
      };
    }
    if (found.paused) {
      return {
        ...base,
        status: "fail",
        detail: `${who} is paused: an outage of ${c.url} would go unnoticed`,
        fix: `${converge(expect.stack)}${expect.maintenance ? "" : `; aytq-dr maintenance off --stack ${expect.stack} resumes the public checks`}`,
        short: `${label} PAUSED (should run)`,
      };
    }
    if (found.status.toLowerCase() !== "up") {
      return { ...base, status: "fail", detail: `${who} says ${found.status.toUpperCase()}`, fix: `look at the service: aytq-dr validate --stack ${expect.stack}`, short: `${label} ${found.status.toUpperCase()}` };
    }
    return { ...base, status: "pass", detail: `${who} up`, short: `${label} up` };
  });
}

function heartbeatVerdict(expect: MonitoringExpectation, r: NonNullable<MonitoringReading["statusCake"]>, now: Date): MonitoringVerdict {
  const sc = expect.statusCake!;
  const base = { name: `nightly backup heartbeat pinged in the last ${sc.heartbeatHours} h ("${sc.heartbeatName}")`, part: "heartbeat" as const };
  if (r.state !== "read") return { ...base, status: "fail", detail: r.why, fix: r.fix, short: notRead(r) };
  const h = r.value.heartbeat;
  if (!h) return { ...base, status: "fail", detail: `StatusCake has no heartbeat check named "${sc.heartbeatName}"`, fix: converge(expect.stack), short: "MISSING" };
  if (h.paused) return { ...base, status: "fail", detail: `heartbeat check ${h.id} is paused: a backup that did not run would go unnoticed`, fix: converge(expect.stack), short: "PAUSED" };
  const pingAgain = `look at the last nightly backup run (backup workflow); a successful aytq-dr backup --stack ${expect.stack} --nightly pings it`;
  if (!h.lastPingAt) return { ...base, status: "fail", detail: `heartbeat check ${h.id} has never been pinged (StatusCake says ${h.status})`, fix: pingAgain, short: "never pinged" };
  const age = (now.getTime() - h.lastPingAt.getTime()) / HOUR;
  const when = `last ping ${hoursAgo(h.lastPingAt, now)} (${h.lastPingAt.toISOString()})`;
  // StatusCake's own verdict first: a heartbeat is down when no ping came within its period
  // (statuscake-go v1.3.0 model_heartbeat_test_.go); last_tested_at is documented only as "when the
  // check was last run", so a recent one never outweighs a DOWN
  if (h.status.toLowerCase() === "down") {
    const period = h.periodSeconds > 0 ? `its period of ${Math.round((h.periodSeconds / 3600) * 10) / 10} h` : "its period";
    const drift = h.periodSeconds > 0 && h.periodSeconds !== sc.heartbeatHours * 3600 ? `; StatusCake holds a period other than heartbeatHours (${sc.heartbeatHours} h): ${converge(expect.stack)}` : "";
    return { ...base, status: "fail", detail: `heartbeat check ${h.id} is DOWN in StatusCake (no ping within ${period}; ${when})`, fix: `${pingAgain}${drift}`, short: `${when}: DOWN` };
  }
  if (age > sc.heartbeatHours) return { ...base, status: "fail", detail: `${when}: the nightly backup has not pinged for more than ${sc.heartbeatHours} h`, fix: pingAgain, short: `${when}: LATE` };
  return { ...base, status: "pass", detail: when, short: `${when}, alerts after ${sc.heartbeatHours} h` };
}

function actionGroupVerdict(expect: MonitoringExpectation, r: MonitoringReading["actionGroup"]): MonitoringVerdict {
  const ag = expect.actionGroup;
  const base = { name: `action group ${ag.name} has receivers (every alert notifies it)`, part: "action group" as const };
  // no subscription is a warning, as for the real server; a read that failed is a failure
  if (r.state !== "read") return { ...base, status: r.state === "not-read" ? "warn" : "fail", detail: r.why, fix: r.fix, short: notRead(r) };
  const g = r.value;
  if (!g) return { ...base, status: "fail", detail: `no action group ${ag.resourceGroupName}/${ag.name} in Azure: the alerts notify nobody`, fix: `pulumi up --stack ${expect.stack} declares it`, short: `${ag.name} MISSING` };
  const kinds = Object.entries(g.receivers).map(([k, n]) => `${n} ${k}`);
  const total = Object.values(g.receivers).reduce((a: number, b: number) => a + b, 0);
  const addFix = `set monitoring.actionGroup.emailAddresses (and webhookUrls) in Pulumi.${expect.stack}.yaml, then pulumi up --stack ${expect.stack}`;
  if (total === 0) return { ...base, status: "fail", detail: `${ag.name} has no receivers: the alerts reach nobody`, fix: addFix, short: `${ag.name} has NO receivers` };
  if (!g.enabled) return { ...base, status: "fail", detail: `${ag.name} is disabled: its ${kinds.join(", ")} receive nothing`, fix: `pulumi up --stack ${expect.stack} enables it`, short: `${ag.name} DISABLED` };
  const emails = g.emailAddresses.length ? ` (${g.emailAddresses.join(", ")})` : "";
  return { ...base, status: "pass", detail: `${kinds.join(", ")}${emails}`, short: `${ag.name}: ${kinds.join(", ")}` };
}

function lockVerdicts(expect: MonitoringExpectation, r: MonitoringReading["locks"]): MonitoringVerdict[] {
  if (!expect.locks || !r) {
    const base = { name: "delete locks (live server, backup storage account)", part: "locks" as const };
    return expect.production
      ? [{ ...base, status: "warn", detail: "locks.enabled is false in production: nothing stops a deletion of the server or the backups but Pulumi's protect", fix: "remove locks.enabled: false from Pulumi.production.yaml and pulumi up", short: "NONE declared in production" }]
      : [{ ...base, status: "n/a", detail: "none declared on this stack (locks.enabled is false; production has them)", short: "none declared (locks.enabled false)" }];
  }
  return expect.locks.map((l, i): MonitoringVerdict => {
    const base = { name: `delete lock ${l.lockName} on the ${l.what}`, part: "locks" as const };
    const label = l.what.split(" ").slice(0, -1).join(" ");
    if (r.state !== "read") return { ...base, status: r.state === "not-read" ? "warn" : "fail", detail: r.why, fix: r.fix, short: notRead(r) };
    const lock = r.value[i];
    if (!lock && l.deferred) {
      return {
        ...base,
        status: "fail",
        detail: `no lock ${l.lockName} on ${l.resourceId}: a revive or rebuild left it out because its identity may not write locks (recovery.serverLockDeferred)`,
        fix: `someone with ${LOCK_ROLES} on the resource group runs: aytq-dr lock --stack ${expect.stack}${confirmProductionFlag(expect.stack)}`,
        short: `${label} NOT LOCKED (left out by the recovery: aytq-dr lock --stack ${expect.stack}, as ${LOCK_ROLES})`,
      };
    }
    if (!lock) {
      return { ...base, status: "fail", detail: `no lock ${l.lockName} on ${l.resourceId}: anyone with the rights can delete it`, fix: `pulumi up --stack ${expect.stack} declares it (as someone with ${LOCK_ROLES}: creating a lock needs ${LOCK_WRITE})`, short: `${label} NOT LOCKED` };
    }
    if (lock.level !== "CanNotDelete" && lock.level !== "ReadOnly") {
      return { ...base, status: "fail", detail: `lock ${lock.name} has level ${lock.level}, which stops nothing`, fix: `pulumi up --stack ${expect.stack} sets CanNotDelete`, short: `${label} lock ${lock.level}` };
    }
    return { ...base, status: "pass", detail: `${lock.name} (${lock.level})`, short: `${label} locked (${lock.level})` };
  });
}

/** Every monitoring verdict, in the order preflight lists them. */
export function monitoringVerdicts(expect: MonitoringExpectation, reading: MonitoringReading, now: Date): MonitoringVerdict[] {
  const out: MonitoringVerdict[] = [];
  if (expect.statusCake) {
    const r = reading.statusCake ?? { state: "failed" as const, why: "StatusCake was not read", fix: "run this again" };
    out.push(...uptimeVerdicts(expect, r), heartbeatVerdict(expect, r, now));
  } else {
    out.push({ name: "StatusCake checks and heartbeat", status: "n/a", detail: "monitoring.statusCake.enabled is false for this stack", part: "uptime", short: "StatusCake off (monitoring.statusCake.enabled false)" });
  }
  out.push(actionGroupVerdict(expect, reading.actionGroup), ...lockVerdicts(expect, reading.locks));
  return out;
}

/** Pre-flight rows (the verdicts without their status-only fields). */
export function monitoringChecks(expect: MonitoringExpectation, reading: MonitoringReading, now: Date): PreflightResult[] {
  return monitoringVerdicts(expect, reading, now).map(({ name, status, detail, fix }) => (fix === undefined ? { name, status, detail } : { name, status, detail, fix }));
}

/** `status`'s lines: one per part. */
export function monitoringStatusLines(expect: MonitoringExpectation, reading: MonitoringReading, now: Date): string[] {
  const v = monitoringVerdicts(expect, reading, now);
  const line = (label: string, part: MonitoringVerdict["part"]) => {
    const of = v.filter((x) => x.part === part);
    // one reason shared by a whole part (no token, no subscription) is said once
    return of.length === 0 ? [] : [`${label.padEnd(14)}${[...new Set(of.map((x) => x.short))].join(", ")}`];
  };
  return [...line("uptime:", "uptime"), ...line("heartbeat:", "heartbeat"), ...line("action group:", "action group"), ...line("delete locks:", "locks")];
}
