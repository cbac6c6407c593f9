/** The StatusCake component built alone from its own arguments: the checks it is given, their contact group and the backup's heartbeat. */
import * as assert from "node:assert/strict";
import { DEFAULT_CHECK_RATE_SECONDS, DEFAULT_HEARTBEAT_HOURS } from "../../../infra/config";
import type { UptimeCheckOutput } from "../../../infra/monitoring-plan";
import { backupHeartbeatName } from "../../../infra/statuscake/heartbeat";
import { Uptime } from "../../../infra/uptime";
import { buildAlone, declared, namesOf } from "../alone";
import { PULUMI_TYPES } from "../../../infra/types";

const UPTIME = PULUMI_TYPES.uptimeCheck;
const CONTACTS = PULUMI_TYPES.contactGroup;

const CHECKS: UptimeCheckOutput[] = [
  { name: "alone AYTQ health", service: "AYTQ", url: "https://aytq.example.gov.uk/health", paused: false, host: "public" },
  { name: "alone CTR temporary health", service: "CTR", url: "https://ctr-temp.example.gov.uk/health", paused: true, host: "temporary" },
];

describe("component alone: Uptime", () => {
  it("declares exactly the given checks, paused as given, alerting the contact group; the heartbeat at the default period", async () => {
    const e = await buildAlone(() => ({ checks: new Uptime("u", { environment: "alone", checks: CHECKS, contactGroup: { name: "Alone team" } }).checks }));
    assert.deepEqual(namesOf(e, UPTIME), ["u-public-aytq", "u-temporary-ctr"]);
    const temporary = declared(e, UPTIME, "u-temporary-ctr");
    assert.equal(temporary.inputs.paused, true);
    assert.equal(temporary.inputs.checkInterval, DEFAULT_CHECK_RATE_SECONDS);
    assert.deepEqual(temporary.inputs.monitoredResource, { address: "https://ctr-temp.example.gov.uk/health" });
    assert.deepEqual(temporary.inputs.tags, ["aytq-dr", "alone", "temporary"]);
    assert.equal(declared(e, CONTACTS, "u-contacts").inputs.name, "Alone team");
    const heartbeat = declared(e, PULUMI_TYPES.heartbeatCheck, "u-backup-heartbeat");
    assert.equal(heartbeat.inputs.name, backupHeartbeatName("alone"));
    assert.equal(heartbeat.inputs.periodSeconds, DEFAULT_HEARTBEAT_HOURS * 3600);
    assert.deepEqual(e.outputs.checks, CHECKS);
  });
});
