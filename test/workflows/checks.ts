/**
 * Properties every workflow must keep, as functions returning the problems they find (empty when
 * all is well), so a test can run them on the real files and on broken copies alike.
 */
import { STACK_NAMES } from "../../infra/config";
import { asString, interpolate, references, Value } from "./expressions";
import { Case, FAKE_VARS, flatSteps, invocations, JobDoc, loadLocalAction, matrixOf, parseWithProgram, staticInvocations, Workflow } from "./model";

/**
 * The action pins checked against their repositories' tags (fetched snapshots; `git rev-parse <tag>^{commit}`).
 * A `uses:` line must name one of these commits, with its tag in the comment.
 */
const VERIFIED_PINS: Readonly<Record<string, { sha: string; version: string }>> = {
  "actions/checkout": { sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", version: "v7.0.1" },
  "actions/setup-node": { sha: "820762786026740c76f36085b0efc47a31fe5020", version: "v7.0.0" },
  "actions/upload-artifact": { sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", version: "v7.0.0" },
  "actions/download-artifact": { sha: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", version: "v8.0.1" },
  "azure/login": { sha: "f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca", version: "v3.0.1" },
  "azure/use-kubelogin": { sha: "0ce7c36141aa27d4934872cf00b0120804c98a29", version: "v1.3" },
  "pulumi/actions": { sha: "8e5e406f4007fca908480587cb9893c07090f58d", version: "v7.0.0" },
  "marocchino/sticky-pull-request-comment": { sha: "5770ad5eb8f42dd2c4f34da00c94c5381e49af88", version: "v3.0.5" },
};

/** Every `uses:` pinned to a full commit SHA with its version in a comment (the text, line by line). */
export function pinProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  text.split("\n").forEach((line, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
    if (!m) return;
    const [, ref, rest] = m;
    const where = `${file}:${i + 1}`;
    if (ref.startsWith("./")) return;
    const at = /^([^@]+)@(.+)$/.exec(ref);
    if (!at) return void problems.push(`${where}: ${ref} names no version`);
    const [, action, version] = at;
    if (!/^[0-9a-f]{40}$/.test(version)) return void problems.push(`${where}: ${ref} is not pinned to a full commit SHA`);
    const comment = /^\s*#\s*(v\d+(?:\.\d+)*)\s*$/.exec(rest);
    if (!comment) return void problems.push(`${where}: ${ref} has no "# vX.Y.Z" comment saying its version`);
    const known = VERIFIED_PINS[action.toLowerCase()];
    if (!known) return void problems.push(`${where}: ${action} is not among the verified pins (add it with the tag its SHA was checked against)`);
    if (known.sha !== version) problems.push(`${where}: ${action}@${version} is not the verified commit ${known.sha} (${known.version})`);
    if (known.version !== comment[1]) problems.push(`${where}: ${action} is commented ${comment[1]}, but ${version} is ${known.version}`);
  });
  return problems;
}

/** Whether a job reaches Azure (azure/login, itself or through a local composite action). */
export function usesAzure(job: JobDoc): boolean {
  return flatSteps(job).some(({ step }) => typeof step.uses === "string" && /^azure\/login@/i.test(step.uses));
}

function permissionsOf(wf: Workflow, job: JobDoc): Record<string, string> | undefined {
  const p = job.permissions ?? wf.doc.permissions;
  if (p === undefined) return undefined;
  if (typeof p === "string") return { "*": p };
  return p as Record<string, string>;
}

/**
 * Least privilege: the token's permissions are always stated; a job that reaches Azure has
 * exactly id-token: write and contents: read; no other job gets an OIDC token; nothing else
 * writes except a job that comments on pull requests (and reaches no Azure).
 */
export function permissionProblems(wf: Workflow): string[] {
  const problems: string[] = [];
  const top = wf.doc.permissions;
  if (top === undefined) problems.push(`${wf.file}: no workflow-level permissions (the default token may write)`);
  else if (typeof top === "string" || Object.entries(top as Record<string, string>).some(([k, v]) => !(k === "contents" && v === "read"))) {
    problems.push(`${wf.file}: workflow-level permissions must be {} or contents: read, not ${JSON.stringify(top)}`);
  }
  for (const [name, job] of Object.entries(wf.doc.jobs)) {
    const p = permissionsOf(wf, job);
    const where = `${wf.file} job ${name}`;
    if (!p) {
      problems.push(`${where}: permissions not stated`);
      continue;
    }
    if (usesAzure(job)) {
      const expected = { "id-token": "write", contents: "read" };
      if (JSON.stringify(Object.entries(p).sort()) !== JSON.stringify(Object.entries(expected).sort())) problems.push(`${where}: reaches Azure, so its permissions must be exactly id-token: write, contents: read, not ${JSON.stringify(p)}`);
      continue;
    }
    for (const [k, v] of Object.entries(p)) {
      if (k === "id-token") problems.push(`${where}: has an OIDC token but reaches no Azure`);
      else if (v === "write" && k !== "pull-requests") problems.push(`${where}: ${k}: write`);
      else if (!["contents", "actions", "pull-requests"].includes(k)) problems.push(`${where}: unexpected permission ${k}: ${v}`);
    }
  }
  return problems;
}

/** A job's `with:` values for azure/login, evaluated as the runner would (through a composite action's inputs). */
function azureLoginInputs(wf: Workflow, job: JobDoc, c: Case): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const matrix of matrixOf(wf, job, c)) {
    const ctx = { github: { event_name: c.event }, inputs: c.inputs ?? {}, matrix, vars: { ...FAKE_VARS, ...(c.vars ?? {}) }, secrets: {}, env: {}, steps: {}, runner: {} };
    for (const { step, via } of flatSteps(job)) {
      if (typeof step.uses !== "string" || !/^azure\/login@/i.test(step.uses)) continue;
      const inputs: Record<string, Value> = via ? Object.fromEntries(Object.entries(via.with).map(([k, v]) => [k, interpolate(v, ctx)])) : (c.inputs ?? {});
      out.push(Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, asString(interpolate(v, { ...ctx, inputs }))])));
    }
  }
  return out;
}

/** OIDC: azure/login with the client, tenant and subscription ids from the environment's variables; no credentials anywhere. */
export function oidcProblems(wf: Workflow, c: Case): string[] {
  const problems: string[] = [];
  if (/AZURE_CREDENTIALS|client-secret|AZURE_CLIENT_SECRET|creds:/i.test(wf.text)) problems.push(`${wf.file}: mentions a long-lived Azure credential`);
  for (const [name, job] of Object.entries(wf.doc.jobs)) {
    if (!usesAzure(job)) continue;
    if (job.environment === undefined) problems.push(`${wf.file} job ${name}: reaches Azure outside a GitHub environment (no per-stack variables, no reviewers)`);
    for (const w of azureLoginInputs(wf, job, c)) {
      if ("creds" in w) problems.push(`${wf.file} job ${name}: azure/login given creds`);
      const want = { "client-id": FAKE_VARS.AZURE_CLIENT_ID, "tenant-id": FAKE_VARS.AZURE_TENANT_ID, "subscription-id": FAKE_VARS.AZURE_SUBSCRIPTION_ID };
      for (const [k, v] of Object.entries(want)) if (w[k] !== v) problems.push(`${wf.file} job ${name}: azure/login ${k} is "${w[k]}", not the environment's variable`);
    }
    // the ids reach the composite action from `vars.`, never from secrets or literals
    for (const { via } of flatSteps(job)) {
      if (!via) continue;
      const refs = Object.values(via.with).flatMap((v) => references(v));
      if (refs.some((r) => r.startsWith("secrets."))) problems.push(`${wf.file} job ${name}: passes a secret to ${via.uses}`);
    }
  }
  return problems;
}

/** A job's concurrency (its own, else the workflow's) for a case: the group as evaluated, and whether it cancels. */
export function concurrencyFor(wf: Workflow, jobName: string, c: Case): { group: string; cancels: boolean }[] {
  const job = wf.doc.jobs[jobName];
  const conc = job.concurrency ?? wf.doc.concurrency;
  if (conc === undefined) return [];
  return matrixOf(wf, job, c).map((matrix) => {
    const ctx = { github: { event_name: c.event, event: { pull_request: { number: 7 } } }, inputs: c.inputs ?? {}, matrix, vars: {}, secrets: {}, env: {} };
    if (typeof conc === "string") return { group: asString(interpolate(conc, ctx)), cancels: false };
    return { group: asString(interpolate(conc.group, ctx)), cancels: asString(interpolate(conc["cancel-in-progress"] ?? false, ctx)) === "true" };
  });
}

/**
 * One run per environment at a time, never cancelling a running one: for each stack the group is
 * the same on every run, differs between stacks, and cancel-in-progress is false.
 */
export function concurrencyProblems(wf: Workflow, jobName: string, caseFor: (stack: string) => Case): string[] {
  const problems: string[] = [];
  const groups = new Map<string, string>();
  for (const stack of STACK_NAMES) {
    const found = concurrencyFor(wf, jobName, caseFor(stack));
    if (found.length === 0) {
      problems.push(`${wf.file} job ${jobName}: no concurrency group`);
      return problems;
    }
    for (const f of found) {
      if (f.cancels) problems.push(`${wf.file} job ${jobName}: cancel-in-progress would cancel a running ${stack} run`);
      if (!f.group.includes(stack)) problems.push(`${wf.file} job ${jobName}: the group "${f.group}" of a ${stack} run is not keyed by its environment`);
      groups.set(stack, f.group);
    }
    const again = concurrencyFor(wf, jobName, caseFor(stack)).map((f) => f.group);
    if (again.some((g) => g !== groups.get(stack))) problems.push(`${wf.file} job ${jobName}: the group of ${stack} changes from run to run`);
  }
  if (new Set(groups.values()).size !== groups.size) problems.push(`${wf.file} job ${jobName}: two environments share a concurrency group (${[...groups.values()].join(", ")})`);
  return problems;
}

/** The environments the nightly backup covers: the matrix of a scheduled run. */
export function nightlyEnvironments(wf: Workflow, jobName: string): string[] {
  return matrixOf(wf, wf.doc.jobs[jobName], { event: "schedule" }).map((m) => asString(m.environment));
}

/** The cron lines of a workflow's schedule. */
export function crons(wf: Workflow): string[] {
  const schedule = (wf.doc.on?.schedule ?? []) as { cron?: string }[];
  return schedule.map((s) => s.cron ?? "");
}

/** Jobs of local composite actions referenced, for checks that read the action's file too. */
export function localActions(wf: Workflow): string[] {
  const out = new Set<string>();
  for (const job of Object.values(wf.doc.jobs)) for (const s of job.steps ?? []) if (typeof s.uses === "string" && s.uses.startsWith("./")) out.add(s.uses);
  return [...out].map((u) => loadLocalAction(u).path);
}

/** Every aytq-dr command line of a workflow (all variables set) that aytq-dr's own definition refuses, with commander's reason. */
export async function callProblems(wf: Workflow): Promise<string[]> {
  const problems: string[] = [];
  for (const inv of staticInvocations(wf)) {
    const p = await parseWithProgram(inv.argv);
    if ("error" in p) problems.push(`${wf.file} job ${inv.job} step "${inv.step}": aytq-dr ${inv.argv.join(" ")} -> ${p.error}`);
  }
  return problems;
}

/** `--confirm-production` passed other than behind `${VAR:+...}` whose VAR is `${{ inputs.confirm-production && '...' || '' }}`. */
export function confirmGuardProblems(wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [jobName, job] of Object.entries(wf.doc.jobs)) {
    for (const { step } of flatSteps(job)) {
      if (typeof step.run !== "string") continue;
      for (const inv of staticInvocations({ ...wf, doc: { ...wf.doc, jobs: { [jobName]: { ...job, steps: [step] } } } })) {
        for (const w of inv.words.filter((x) => x.value === "--confirm-production")) {
          if (w.guards.length === 0) problems.push(`${wf.file} job ${jobName}: --confirm-production passed unconditionally`);
          for (const g of w.guards) {
            const source = String(step.env?.[g] ?? "");
            if (!/^\$\{\{\s*inputs\.confirm-production\s*&&\s*'[^']+'\s*\|\|\s*''\s*\}\}$/.test(source)) problems.push(`${wf.file} job ${jobName}: --confirm-production behind ${g}=${JSON.stringify(source)}, not the confirm-production input`);
          }
        }
      }
    }
  }
  return problems;
}

/**
 * recover.yml's inputs, each to the flag it must reach (`arg0` is the scenario argument). For
 * each, a dispatch with a distinctive value must give `aytq-dr run` that value there.
 */
const RECOVER_INPUT_FLAGS: Readonly<Record<string, { flag: string; value: Value; expect?: unknown }>> = {
  environment: { flag: "stack", value: "preproduction" },
  scenario: { flag: "arg0", value: "server-lost-revive" },
  "restore-point": { flag: "at", value: "2024-07-24T07:00" },
  "deleted-at": { flag: "deletedAt", value: "2024-07-24T06:40" },
  "time-zone": { flag: "timezone", value: "Europe/London" },
  "restore-copy": { flag: "restoreCopy", value: "tables" },
  tables: { flag: "tables", value: "public.users,orders" },
  "confirm-production": { flag: "confirmProduction", value: true, expect: true },
  resume: { flag: "resume", value: "20240724T060102Z-data-loss-1a2b" },
};

export async function inputFlagProblems(wf: Workflow): Promise<string[]> {
  const problems: string[] = [];
  const declared = Object.keys((wf.doc.on?.workflow_dispatch as { inputs?: Record<string, unknown> } | undefined)?.inputs ?? {});
  for (const name of declared) if (!(name in RECOVER_INPUT_FLAGS)) problems.push(`${wf.file}: input ${name} has no expected flag in RECOVER_INPUT_FLAGS`);
  const base: Record<string, Value> = { environment: "test", scenario: "data-loss", "restore-point": "", "deleted-at": "", "time-zone": "utc", "restore-copy": "no", tables: "", "confirm-production": false, resume: "" };
  for (const [input, { flag, value, expect }] of Object.entries(RECOVER_INPUT_FLAGS)) {
    if (!declared.includes(input)) {
      problems.push(`${wf.file}: no input ${input}`);
      continue;
    }
    const runs = invocations(wf, { event: "workflow_dispatch", inputs: { ...base, [input]: value }, outputs: { run: { "run-id": "x" }, find: { "artifact-name": "a", "workflow-run-id": "1" } } }).filter((i) => i.argv[0] === "run");
    if (runs.length !== 1) {
      problems.push(`${wf.file}: ${runs.length} aytq-dr run calls for a dispatch, not 1`);
      continue;
    }
    const p = await parseWithProgram(runs[0].argv);
    if ("error" in p) {
      problems.push(`${wf.file}: aytq-dr ${runs[0].argv.join(" ")} -> ${p.error}`);
      continue;
    }
    const got = flag === "arg0" ? p.args[0] : p.opts[flag];
    if (got !== (expect ?? value)) problems.push(`${wf.file}: input ${input}=${JSON.stringify(value)} reaches ${flag} as ${JSON.stringify(got)}`);
  }
  return problems;
}

/** The GitHub environment a job runs in, per matrix combination of a case (`environment:` as a name or as `{ name, url }`). */
export function environmentsOf(wf: Workflow, jobName: string, c: Case): (string | undefined)[] {
  const job = wf.doc.jobs[jobName];
  return matrixOf(wf, job, c).map((matrix) => {
    if (job.environment === undefined) return undefined;
    const ctx = { github: { event_name: c.event, event: { pull_request: { number: 7 } } }, inputs: c.inputs ?? {}, matrix, vars: {}, secrets: {}, env: {} };
    const raw = typeof job.environment === "object" && job.environment !== null ? (job.environment as { name?: unknown }).name : job.environment;
    return asString(interpolate(raw, ctx));
  });
}

/** GitHub's cap on a job of a GitHub-hosted runner: 6 hours, then it is stopped whatever its `if: always()` steps. */
export const HOSTED_JOB_CAP_MINUTES = 360;

function isAlways(cond: unknown): boolean {
  return typeof cond === "string" && /\balways\(\)/.test(cond);
}

/**
 * Time-outs that leave the `if: always()` steps (the uploads of a journal or a report) room to run
 * after the job times out: the job's time-out is under the hosted runner's 6 hours, each such step
 * has a time-out of its own, and the job's plus theirs fit in the 6 hours.
 */
export function timeoutProblems(wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [name, job] of Object.entries(wf.doc.jobs)) {
    const where = `${wf.file} job ${name}`;
    const t = job["timeout-minutes"];
    if (typeof t !== "number") {
      problems.push(`${where}: no timeout-minutes (GitHub's default is the 6-hour cap itself)`);
      continue;
    }
    if (t >= HOSTED_JOB_CAP_MINUTES) problems.push(`${where}: timeout-minutes ${t} is not under the hosted runner's ${HOSTED_JOB_CAP_MINUTES}: the runner is stopped first and no if: always() step runs`);
    let total = t;
    for (const [i, step] of (job.steps ?? []).entries()) {
      if (!isAlways(step.if)) continue;
      const st = (step as { "timeout-minutes"?: unknown })["timeout-minutes"];
      if (typeof st !== "number") problems.push(`${where} step ${i + 1} (${step.name ?? step.uses ?? step.run}): if: always() without a timeout-minutes of its own`);
      else total += st;
    }
    if (total > HOSTED_JOB_CAP_MINUTES) problems.push(`${where}: ${t} minutes and its if: always() steps' time-outs make ${total}, over the hosted runner's ${HOSTED_JOB_CAP_MINUTES}`);
  }
  return problems;
}

/** GitHub fails a job still waiting for a required reviewer's approval after 30 days. */
const APPROVAL_WAIT_DAYS = 30;

/**
 * An artifact one job of a run uploads for a later job of the same run (a relay) must outlive the
 * longest wait between them: the later job may wait 30 days for an approval.
 */
export function relayRetentionProblems(wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [name, job] of Object.entries(wf.doc.jobs)) {
    for (const step of job.steps ?? []) {
      if (!step.uses?.startsWith("actions/upload-artifact@")) continue;
      const artifact = step.with?.name;
      const readers = Object.entries(wf.doc.jobs).filter(([other, j]) => other !== name && (j.steps ?? []).some((s) => s.uses?.startsWith("actions/download-artifact@") && s.with?.name === artifact && s.with?.["run-id"] === undefined));
      if (readers.length === 0) continue;
      const days = step.with?.["retention-days"];
      if (typeof days !== "number" || days <= APPROVAL_WAIT_DAYS) {
        problems.push(`${wf.file} job ${name}: artifact ${String(artifact)} is read by job ${readers.map(([n]) => n).join(", ")} of the same run, which may wait ${APPROVAL_WAIT_DAYS} days for an approval, but is kept ${days === undefined ? "the repository's default" : `${String(days)} day(s)`}`);
      }
    }
  }
  return problems;
}

/** Every actions/setup-node step's node-version, in the workflows and in the local actions (as written). */
export function nodeVersions(wf: Workflow): { job: string; version: unknown }[] {
  return Object.entries(wf.doc.jobs).flatMap(([name, job]) =>
    flatSteps(job)
      .filter(({ step }) => step.uses?.startsWith("actions/setup-node@"))
      .map(({ step }) => ({ job: name, version: step.with?.["node-version"] })),
  );
}
