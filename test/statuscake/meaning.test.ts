/**
 * What each StatusCake field the program sets MEANS, read from StatusCake's own source, and the
 * declared checks held against those meanings. The uptime checks go through `@pulumiverse/statuscake`
 * 1.0.2, which bridges terraform-provider-statuscake v2.0.6 (built on statuscake-go v1.1.0, its
 * go.mod); the heartbeat is our dynamic resource over StatusCake's API (infra/statuscake/api.ts),
 * whose fields are those of statuscake-go's heartbeat client (v1.3.0). The plan is read as
 * `aytq-dr plan --stack production --json` prints it, in-process.
 *
 * Two meanings the names hide, and which this file exists to keep:
 * - `http_check.status_codes` are the codes that TRIGGER AN ALERT (sent as `status_codes_csv`), not
 *   the codes that mean healthy: declaring ["200"] made every healthy check alert.
 * - `http_check.validate_ssl` is StatusCake's certificate-EXPIRY alert (sent as `enable_ssl_alert`),
 *   not TLS validation.
 */
import { strict as assert } from "node:assert";
import { HEARTBEAT_PERIOD_MAX_SECONDS, HEARTBEAT_PERIOD_MIN_SECONDS, StatusCakeClient } from "../../infra/statuscake/api";
import { backupHeartbeatName } from "../../infra/statuscake/names";
import { STATUSCAKE_CHECK_RATES, STATUSCAKE_HEARTBEAT_MAX_HOURS } from "../../infra/config";
import { STATUSCAKE_ALERT_STATUS_CODES, STATUSCAKE_DEFAULT_ALERT_STATUS_CODES, UPTIME_HTTP_CHECK } from "../../infra/monitoring-plan";
import { loadStackSettings } from "../../recovery/config/stackfile";
import { monitoringChecks, monitoringExpectation, readMonitoring } from "../../recovery/preflight/monitoring";
import type { PlanDocument } from "../../recovery/plan/render";
import { RecordingIO, runMain } from "../helpers/cli-io";
import { StatusCakeStandin } from "../helpers/statuscake-standin";
import { PULUMI_TYPES } from "../../infra/types";

const UPTIME = PULUMI_TYPES.uptimeCheck;
const CONTACTS = PULUMI_TYPES.contactGroup;
const HEARTBEAT = PULUMI_TYPES.heartbeatCheck;

// Where each meaning was read (tags as published; the commit each tag points at in brackets).
const PROVIDER_UPTIME = "StatusCakeDev/terraform-provider-statuscake@v2.0.6 [36f9c47e] internal/provider/resource_uptime_check.go";
const PROVIDER_CONTACTS = "StatusCakeDev/terraform-provider-statuscake@v2.0.6 [36f9c47e] internal/provider/resource_contact_group.go";
const GO_UPTIME = "StatusCakeDev/statuscake-go@v1.1.0 [1fc4e150] model_uptime_test_.go";
const GO_RATES = "StatusCakeDev/statuscake-go@v1.1.0 [1fc4e150] model_uptime_test_check_rate.go";
const GO_HEARTBEAT = "StatusCakeDev/statuscake-go@v1.3.0 [f7335563] model_heartbeat_test_.go";
const GO_HEARTBEAT_API = "StatusCakeDev/statuscake-go@v1.3.0 [f7335563] api_heartbeat.go";
const DEFAULT_CODES = "StatusCakeDev/terraform-provider-statuscake@v0.1.0 [ea1653a5] statuscake/resource_statuscaketest.go (defaultStatusCodes); v0.2.0 website/docs/r/test.html.markdown";

interface Meaning {
  /** The Pulumi input, as a dotted path of the declared inputs. */
  input: string;
  /** What StatusCake's API receives. */
  api: string;
  /** StatusCake's own words (quoted), then ours where they mislead. */
  meaning: string;
  source: string;
}

/** field -> meaning -> source, for every field the program sets on an uptime check. */
const UPTIME_FIELDS: readonly Meaning[] = [
  { input: "name", api: "name", meaning: '"Name of the check"', source: PROVIDER_UPTIME },
  { input: "checkInterval", api: "check_rate", meaning: '"Number of seconds between checks"; one of 0, 30, 60, 300, 900, 1800, 3600, 86400', source: `${PROVIDER_UPTIME}; ${GO_RATES}` },
  { input: "confirmation", api: "confirmation", meaning: '"Number of confirmation servers to confirm downtime before an alert is triggered"; 0 to 3, default 2', source: PROVIDER_UPTIME },
  { input: "contactGroups", api: "contact_groups", meaning: '"List of contact group IDs" (numerical): who the check alerts', source: PROVIDER_UPTIME },
  { input: "paused", api: "paused", meaning: 'true: StatusCake does not run the check (the API\'s words, "Whether the check should be run", describe the field, not its value)', source: `${PROVIDER_UPTIME}; ${GO_UPTIME}` },
  { input: "monitoredResource.address", api: "website_url", meaning: '"URL, FQDN, or IP address of the server under test"', source: PROVIDER_UPTIME },
  { input: "httpCheck.statusCodes", api: "status_codes_csv", meaning: '"List of status codes that trigger an alert": the codes that make the check DOWN, never the healthy ones', source: `${PROVIDER_UPTIME}; ${GO_UPTIME}` },
  { input: "httpCheck.validateSsl", api: "enable_ssl_alert", meaning: '"Whether to send an alert if the SSL certificate is soon to expire": a certificate-expiry alert, not TLS validation', source: `${PROVIDER_UPTIME}; ${GO_UPTIME}` },
  { input: "httpCheck.timeout", api: "timeout", meaning: '"The number of seconds to wait to receive the first byte"; 5 to 75', source: PROVIDER_UPTIME },
  { input: "regions", api: "regions", meaning: '"List of regions on which to run checks" (codes from GET /v1/uptime-locations)', source: PROVIDER_UPTIME },
  { input: "tags", api: "tags", meaning: '"List of tags"', source: PROVIDER_UPTIME },
];

/** The same for the contact group the checks alert. */
const CONTACT_GROUP_FIELDS: readonly Meaning[] = [
  { input: "name", api: "name", meaning: '"Name of the contact group"', source: PROVIDER_CONTACTS },
  { input: "emailAddresses", api: "email_addresses", meaning: '"List of email addresses" the group alerts', source: PROVIDER_CONTACTS },
];

/** The same for the nightly backup's heartbeat (infra/statuscake/api.ts heartbeatForm sends these). */
const HEARTBEAT_FIELDS: readonly Meaning[] = [
  { input: "name", api: "name", meaning: '"Name of the check"', source: GO_HEARTBEAT },
  { input: "periodSeconds", api: "period", meaning: '"Number of seconds since the last ping before the check is considered down"; 30 to 172800 (48 h)', source: `${GO_HEARTBEAT}; ${GO_HEARTBEAT_API} ("period must be less than 172800")` },
  { input: "contactGroupIds", api: "contact_groups[]", meaning: '"List of contact group IDs": who the check alerts', source: GO_HEARTBEAT },
  { input: "paused", api: "paused", meaning: "true: StatusCake does not watch for pings (no alert however late the backup)", source: GO_HEARTBEAT },
  { input: "tags", api: "tags[]", meaning: '"List of tags"', source: GO_HEARTBEAT },
];

/** The leaves of declared inputs as dotted paths (arrays are leaves; the dynamic provider is not a field). */
function leaves(v: unknown, prefix = ""): string[] {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return [prefix];
  return Object.entries(v as Record<string, unknown>)
    .filter(([k]) => k !== "__provider")
    .flatMap(([k, x]) => leaves(x, prefix ? `${prefix}.${k}` : k));
}

function at(inputs: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), inputs);
}

/** `aytq-dr plan --stack <stack> --json`, in-process. */
async function plan(stack: string, sets: string[] = []): Promise<PlanDocument> {
  const io = new RecordingIO(undefined, { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" } });
  const code = await runMain(["plan", "--stack", stack, ...sets.flatMap((s) => ["--set", s]), "--json"], io);
  assert.equal(code, 0, io.stderr.join(""));
  return JSON.parse(io.stdout.join("")) as PlanDocument;
}

describe("StatusCake fields: what each one the program sets means", function () {
  this.timeout(60_000);
  let doc: PlanDocument;
  before(async () => {
    // regions is only declared when set: set it so the table must cover it too
    doc = await plan("production", [`monitoring.statusCake.regions=["london","dublin"]`]);
  });
  const of = (type: string) => doc.resources.filter((r) => r.type === type);

  it("the table holds every field declared on the uptime checks, the contact group and the heartbeat, each with its source", () => {
    for (const table of [UPTIME_FIELDS, CONTACT_GROUP_FIELDS, HEARTBEAT_FIELDS]) {
      for (const m of table) {
        assert.ok(m.meaning.length > 0 && /@v\d+\.\d+\.\d+ \[[0-9a-f]{8}\] \S+\.(go|md|markdown)/.test(m.source), `${m.input}: a meaning and a source file@tag`);
      }
    }
    const cases: [string, readonly Meaning[]][] = [
      [UPTIME, UPTIME_FIELDS],
      [CONTACTS, CONTACT_GROUP_FIELDS],
      [HEARTBEAT, HEARTBEAT_FIELDS],
    ];
    for (const [type, table] of cases) {
      const declared = of(type);
      assert.ok(declared.length > 0, `${type} declared`);
      const known = new Set(table.map((m) => m.input));
      for (const r of declared) {
        const unknown = leaves(r.inputs).filter((p) => !known.has(p));
        assert.deepEqual(unknown, [], `${r.name} sets a StatusCake field whose meaning is not in the table: read it in the provider's source and add it`);
      }
    }
  });

  it("the production uptime checks alert on error codes only: no 2xx among the codes that trigger an alert", () => {
    const checks = of(UPTIME);
    assert.equal(checks.length, 4);
    for (const c of checks) {
      const codes = at(c.inputs, "httpCheck.statusCodes") as string[];
      assert.ok(Array.isArray(codes) && codes.length > 0, `${c.name}: status codes declared`);
      const healthy = codes.filter((x) => /^2\d\d$/.test(x));
      assert.deepEqual(healthy, [], `${c.name}: status_codes are the codes that TRIGGER AN ALERT (${PROVIDER_UPTIME}); a 2xx there alerts on a healthy site`);
      for (const x of codes) assert.match(x, /^[345]\d\d$/, `${c.name}: ${x} is not an error code`);
      // what the health endpoint answers when it is unwell, or the ingress in front of it: each must alert
      for (const failing of ["401", "403", "404", "500", "502", "503", "504"]) assert.ok(codes.includes(failing), `${c.name}: ${failing} alerts`);
      assert.deepEqual(codes, [...STATUSCAKE_ALERT_STATUS_CODES]);
    }
  });

  it("the codes that alert are StatusCake's own default list without its 2xx", () => {
    // StatusCake's default, as its first provider sent it (DEFAULT_CODES)
    const statusCakeDefault = "204, 205, 206, 303, 400, 401, 403, 404, 405, 406, 408, 410, 413, 444, 429, 494, 495, 496, 499, 500, 501, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511, 521, 522, 523, 524, 520, 598, 599".split(", ");
    assert.deepEqual([...STATUSCAKE_DEFAULT_ALERT_STATUS_CODES], statusCakeDefault, DEFAULT_CODES);
    assert.deepEqual([...STATUSCAKE_ALERT_STATUS_CODES], statusCakeDefault.filter((x) => !x.startsWith("2")));
  });

  it("validateSsl is declared as what it is: the certificate-expiry alert", () => {
    for (const c of of(UPTIME)) {
      assert.equal(at(c.inputs, "httpCheck.validateSsl"), UPTIME_HTTP_CHECK.certificateExpiryAlert, `${c.name}: enable_ssl_alert`);
      assert.equal(UPTIME_HTTP_CHECK.certificateExpiryAlert, true);
    }
  });

  it("every other value is inside what StatusCake means by the field", () => {
    const s = loadStackSettings("production");
    for (const c of of(UPTIME)) {
      assert.ok((STATUSCAKE_CHECK_RATES as readonly number[]).includes(c.inputs.checkInterval as number), `${c.name}: check_rate is one of StatusCake's rates (${GO_RATES})`);
      assert.ok([0, 1, 2, 3].includes(c.inputs.confirmation as number), `${c.name}: confirmation servers 0-3`);
      const t = at(c.inputs, "httpCheck.timeout") as number;
      assert.ok(t >= 5 && t <= 75, `${c.name}: timeout 5-75 s to the first byte`);
      assert.equal((c.inputs.contactGroups as string[]).length, 1, `${c.name}: alerts the contact group`);
      assert.deepEqual(c.inputs.regions, ["london", "dublin"]);
    }
    const [h] = of(HEARTBEAT);
    assert.equal(h.inputs.name, backupHeartbeatName("production"));
    assert.equal(h.inputs.periodSeconds, s.monitoring.statusCake.heartbeatHours * 3600, "period is seconds without a ping before the check is down");
    assert.ok((h.inputs.periodSeconds as number) >= HEARTBEAT_PERIOD_MIN_SECONDS && (h.inputs.periodSeconds as number) <= HEARTBEAT_PERIOD_MAX_SECONDS);
    assert.equal(h.inputs.paused, false, "the heartbeat watches for pings");
    assert.equal(STATUSCAKE_HEARTBEAT_MAX_HOURS * 3600, HEARTBEAT_PERIOD_MAX_SECONDS, "the config's bound is StatusCake's 172,800 s");
  });
});

describe("StatusCake fields: the heartbeat verdict reads status as StatusCake means it", function () {
  this.timeout(30_000);
  let sc: StatusCakeStandin;
  beforeEach(async () => {
    sc = await StatusCakeStandin.start();
  });
  afterEach(async () => {
    await sc.close();
  });

  it("a heartbeat StatusCake says is DOWN fails, even when its last_tested_at is recent", async () => {
    // status "down": no ping within the check's period (GO_HEARTBEAT); last_tested_at is "When the check was last run"
    const s = loadStackSettings("production");
    const expect = monitoringExpectation("production", s);
    const id = sc.addHeartbeat({ name: backupHeartbeatName("production"), lastPingAt: new Date(Date.now() - 2 * 3_600_000), status: "down" });
    const reading = await readMonitoring(expect, { statusCake: new StatusCakeClient({ token: sc.token, baseUrl: sc.apiUrl }) });
    const row = monitoringChecks(expect, reading, new Date()).find((r) => r.name.startsWith("nightly backup heartbeat"))!;
    assert.equal(row.status, "fail", row.detail);
    assert.match(row.detail, new RegExp(`heartbeat check ${id} is DOWN in StatusCake`));
    assert.match(row.fix ?? "", /aytq-dr backup --stack production --nightly pings it/);
  });
});
