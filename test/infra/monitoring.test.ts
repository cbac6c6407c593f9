/** Issue 11 under mocks: uptime checks and their pause state, the action group on every alert, the delete locks. */
import * as assert from "node:assert/strict";
import { STACK_NAMES } from "../../infra/config";
import { STATUSCAKE_ALERT_STATUS_CODES } from "../../infra/monitoring-plan";
import { build, buildPipeline, resource, absent, input } from "./harness";
import { FACTS } from "./expected";
import { PULUMI_TYPES } from "../../infra/types";

const UPTIME = PULUMI_TYPES.uptimeCheck;
const CONTACTS = PULUMI_TYPES.contactGroup;
const ACTION_GROUP = PULUMI_TYPES.actionGroup;
const ALERT = PULUMI_TYPES.metricAlert;
const LOCK = PULUMI_TYPES.lock;
const PREFIX = { test: "test.", preproduction: "preprod.", production: "" } as const;

for (const stack of STACK_NAMES) {
  const f = FACTS[stack];
  describe(`monitoring and locks: stack ${stack}`, () => {
    for (const maintenance of [false, true]) {
      it(`checks both health URLs${maintenance ? ", paused during maintenance while the temporary hosts' checks run" : ", running; the temporary hosts' checks paused"}`, async () => {
        // a token in the environment never reaches the program's inputs or outputs (the provider reads it itself)
        const token = "sc-token-sentinel-4711";
        process.env.STATUSCAKE_API_TOKEN = token;
        let e: Awaited<ReturnType<typeof build>>;
        try {
          e = await build(stack, maintenance ? ["app.maintenance=true"] : []);
        } finally {
          delete process.env.STATUSCAKE_API_TOKEN;
        }
        const checks = e.resources.filter((r) => r.type === UPTIME);
        const byHost = (host: string) => checks.filter((c) => (c.inputs.tags as string[]).includes(host));
        assert.deepEqual(
          byHost("public").map((c) => input(c, "monitoredResource.address")).sort(),
          // FACTS.md: https://{,preprod.,test.}access-your-teaching-qualifications.education.gov.uk and check-a-teachers-record
          [`https://${PREFIX[stack]}access-your-teaching-qualifications.education.gov.uk/health/all.json`, `https://${PREFIX[stack]}check-a-teachers-record.education.gov.uk/health/all.json`].sort(),
        );
        for (const c of byHost("public")) assert.equal(c.inputs.paused, maintenance, `${c.name}: paused`);
        assert.equal(byHost("temporary").length, 2);
        for (const c of byHost("temporary")) {
          assert.equal(c.inputs.paused, !maintenance, `${c.name}: paused`);
          assert.match(String(input(c, "monitoredResource.address")), /\/health\/all\.json$/);
        }
        const contacts = resource(e, CONTACTS, "aytq-uptime-contacts");
        for (const c of checks) {
          assert.equal(c.inputs.checkInterval, 300);
          assert.equal(c.inputs.confirmation, 2);
          assert.equal((c.inputs.contactGroups as string[]).length, 1, `${c.name} alerts the contact group`);
          assert.equal(c.parent, "aytq:monitoring:Uptime::aytq-uptime");
          // status_codes are the codes that TRIGGER AN ALERT (provider v2.0.6): error codes only, never a 2xx
          assert.deepEqual(input(c, "httpCheck.statusCodes"), [...STATUSCAKE_ALERT_STATUS_CODES], `${c.name}: the codes that alert`);
          assert.equal((input(c, "httpCheck.statusCodes") as string[]).some((x) => x.startsWith("2")), false, `${c.name}: no 2xx alerts`);
          assert.equal(input(c, "httpCheck.validateSsl"), true, `${c.name}: the certificate-expiry alert (enable_ssl_alert)`);
        }
        assert.equal(contacts.inputs.name, `AYTQ and CTR ${stack}`);
        assert.equal(JSON.stringify(e).includes(token), false, "no token in the program");
        const heartbeat = e.resources.find((r) => r.name === "aytq-uptime-backup-heartbeat");
        assert.ok(heartbeat, "the nightly backup's heartbeat check");
        assert.equal(heartbeat.inputs.periodSeconds, 26 * 3600);
        assert.equal(heartbeat.inputs.name, `${stack} AYTQ and CTR nightly backup`);
        assert.equal((heartbeat.inputs.contactGroupIds as string[]).length, 1);
      });
    }

    it("an action group, referenced by every metric alert; is_db_alive and storage over 90% among them", async () => {
      const e = await build(stack, ["monitoring.actionGroup.emailAddresses=[\"dr@example.org\"]", "monitoring.actionGroup.webhookUrls=[\"https://hooks.example.org/x\"]"]);
      const group = resource(e, ACTION_GROUP, "aytq-monitoring-action-group");
      assert.deepEqual(group.inputs.emailReceivers, [{ name: "email-1", emailAddress: "dr@example.org", useCommonAlertSchema: true }]);
      assert.deepEqual(group.inputs.webhookReceivers, [{ name: "webhook-1", serviceUri: "https://hooks.example.org/x", useCommonAlertSchema: true }]);
      const alerts = e.resources.filter((r) => r.type === ALERT);
      assert.deepEqual(alerts.map((a) => a.name).sort(), ["cpu_percent", "is_db_alive", "memory_percent", "storage_critical", "storage_percent"].map((k) => `aytq-monitoring-${k}`).sort());
      for (const a of alerts) assert.deepEqual(a.inputs.actions, [{ actionGroupId: "aytq-monitoring-action-group_id" }], `${a.name} notifies the action group`);
      const alive = resource(e, ALERT, "aytq-monitoring-is_db_alive");
      assert.equal(input(alive, "criteria.allOf.0.operator"), "LessThan");
      assert.equal(input(alive, "criteria.allOf.0.threshold"), 1);
      assert.equal(input(resource(e, ALERT, "aytq-monitoring-storage_critical"), "criteria.allOf.0.threshold"), 90);
    });

    it(`${f.production ? "locks" : "does not lock"} the live server and the backup storage account against deletion`, async () => {
      const e = await build(stack);
      if (!f.production) {
        absent(e, LOCK, "aytq-locks-server");
        absent(e, LOCK, "aytq-locks-backup-account");
        return;
      }
      const server = resource(e, LOCK, "aytq-locks-server");
      assert.equal(server.inputs.level, "CanNotDelete");
      assert.match(String(server.inputs.scope), new RegExp(`/flexibleServers/${f.server}$`));
      assert.equal(server.inputs.lockName, `${f.server}-no-delete`);
      const account = resource(e, LOCK, "aytq-locks-backup-account");
      assert.match(String(account.inputs.scope), new RegExp(`/storageAccounts/${f.account}$`));
      assert.deepEqual(e.outputs.deleteLocks, [`${f.server}-no-delete`, `${f.account}-no-delete`]);
    });
  });
}

describe("monitoring settings", () => {
  it("locks can be switched on outside production and off in it; StatusCake off declares no checks", async () => {
    assert.equal((await build("test", ["locks.enabled=true"])).resources.filter((r) => r.type === LOCK).length, 2);
    assert.equal((await build("production", ["locks.enabled=false"])).resources.filter((r) => r.type === LOCK).length, 0);
    const off = await build("test", ["monitoring.statusCake.enabled=false"]);
    assert.equal(off.resources.filter((r) => r.type === UPTIME || r.type === CONTACTS).length, 0);
    assert.deepEqual(off.outputs.uptimeChecks, []);
  });
});

describe("provider tokens from the environment", () => {
  it("reach the providers only as secrets, never as plain inputs kept in the state", async () => {
    const tokens = { STATUSCAKE_API_TOKEN: "sc-token-sentinel-4711", GITHUB_TOKEN: "ghp_sentinel_0815" };
    const saved = { ...process.env };
    Object.assign(process.env, tokens);
    let e: Awaited<ReturnType<typeof build>>;
    let pipeline: Awaited<ReturnType<typeof buildPipeline>>;
    try {
      e = await build("production");
      // the GitHub provider is the pipeline stack's alone (it owns main's rule)
      pipeline = await buildPipeline();
    } finally {
      for (const k of Object.keys(tokens)) if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    const text = JSON.stringify(e) + JSON.stringify(pipeline);
    for (const t of Object.values(tokens)) assert.equal(text.includes(t), false, `${t} appears in plain text`);
    assert.equal(resource(e, PULUMI_TYPES.statuscakeProvider, "aytq-uptime-statuscake").inputs.apiToken, "[secret]");
    assert.equal(resource(pipeline, PULUMI_TYPES.githubProvider, "aytq-pipeline-github").inputs.token, "[secret]");
  });
});
