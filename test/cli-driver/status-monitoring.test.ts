/**
 * `aytq-dr status` in-process shows the monitoring next to the rest: StatusCake's checks and the
 * backup heartbeat (a local StatusCake stand-in), the action group and the delete locks (the
 * simulated Azure, holding what the program declared when the fake stack was deployed), and
 * "not read (why)" lines when a credential is missing.
 */
import { strict as assert } from "node:assert";
import type { CliIO } from "../../recovery/cli/io";
import { main } from "../../recovery/cli/main";
import { applyOverrides, readStackConfig } from "../../recovery/config/stackfile";
import type { AzureServerApi } from "../../recovery/azure/arm";
import { PLAN_SUBSCRIPTION_ID } from "../../recovery/plan/mocks";
import { STATUSCAKE_API_URL_ENV, expectedUptimeChecks } from "../../recovery/preflight";
import { FakeStackPort } from "../helpers/fake-stack";
import { backupHeartbeatName } from "../../infra/statuscake/names";
import { StatusCakeStandin } from "../helpers/statuscake-standin";

class IO implements CliIO {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly isTTY = false;
  constructor(
    readonly port: FakeStackPort,
    readonly env: NodeJS.ProcessEnv,
  ) {}
  out(t: string): void {
    this.stdout.push(t);
  }
  err(t: string): void {
    this.stderr.push(t);
  }
  async openStack(): Promise<FakeStackPort> {
    return this.port;
  }
  openAzure(): AzureServerApi {
    return this.port.azure;
  }
  get text(): string {
    return [...this.stdout, ...this.stderr].join("\n");
  }
}

describe("aytq-dr status: the monitoring state", function () {
  this.timeout(60_000);
  let sc: StatusCakeStandin;
  let port: FakeStackPort;
  beforeEach(async () => {
    sc = await StatusCakeStandin.start();
    port = new FakeStackPort("production", applyOverrides(readStackConfig("production"), [`monitoring.actionGroup.emailAddresses=["dr@example.org"]`]));
    await port.up();
  });
  afterEach(() => sc.close());

  it("with StatusCake's token and the subscription: the checks, the heartbeat's age, the action group's receivers, the locks", async () => {
    const s = port.settings();
    for (const c of expectedUptimeChecks(s)) sc.addUptime({ name: c.url, websiteUrl: c.url, paused: c.paused });
    sc.addHeartbeat({ name: backupHeartbeatName("production"), lastPingAt: new Date(Date.now() - 5 * 3_600_000) });
    const io = new IO(port, { AZURE_SUBSCRIPTION_ID: PLAN_SUBSCRIPTION_ID, STATUSCAKE_API_TOKEN: sc.token, [STATUSCAKE_API_URL_ENV]: sc.apiUrl });
    assert.equal(await main(["node", "aytq-dr", "status", "--stack", "production"], io), 0, io.text);
    const out = io.stdout.join("\n");
    assert.match(out, /^uptime: {7}AYTQ public up, CTR public up, AYTQ temporary paused, CTR temporary paused$/m);
    assert.match(out, /^heartbeat: {4}last ping 5\.0 h ago \(.*\), alerts after 26 h$/m);
    assert.match(out, new RegExp(`^action group: ${s.monitoring.actionGroup.name}: 1 email$`, "m"));
    assert.match(out, /^delete locks: live server locked \(CanNotDelete\), backup storage account locked \(CanNotDelete\)$/m);
    assert.ok(!io.text.includes(sc.token));
  });

  it("without credentials: \"not read (why)\" for each part, and nothing asked of StatusCake", async () => {
    const io = new IO(port, {});
    assert.equal(await main(["node", "aytq-dr", "status", "--stack", "production"], io), 0, io.text);
    const out = io.stdout.join("\n");
    assert.match(out, /^uptime: {7}not read \(STATUSCAKE_API_TOKEN is not set\)$/m);
    assert.match(out, /^heartbeat: {4}not read \(STATUSCAKE_API_TOKEN is not set\)$/m);
    assert.match(out, /^action group: not read \(the stack's subscription is unknown\)$/m);
    assert.match(out, /^delete locks: not read \(the stack's subscription is unknown\)$/m);
    assert.equal(sc.requests.length, 0);
  });

  it("a bad token: the StatusCake lines say StatusCake refused it, never the token", async () => {
    const wrong = "sc-bad-token-0123456789abcdef";
    const io = new IO(port, { AZURE_SUBSCRIPTION_ID: PLAN_SUBSCRIPTION_ID, STATUSCAKE_API_TOKEN: wrong, [STATUSCAKE_API_URL_ENV]: sc.apiUrl });
    assert.equal(await main(["node", "aytq-dr", "status", "--stack", "production", "--json"], io), 0, io.text);
    const json = JSON.parse(io.stdout.join("\n")) as { monitoring: string[] };
    assert.equal(json.monitoring[0], "uptime:       not read (StatusCake refused the API token (HTTP 401: Unauthorized, GET /uptime))");
    assert.ok(!io.text.includes(wrong));
  });
});
