/** The monitoring component built alone from its own arguments: alerts everywhere, Log Analytics only when asked for. */
import * as assert from "node:assert/strict";
import { DEFAULT_ALERT_THRESHOLD_PERCENT, POSTGRES_LOG_CATEGORIES } from "../../../infra/config";
import { Monitoring, type MonitoringArgs } from "../../../infra/monitoring";
import { buildAlone, declared, namesOf } from "../alone";
import { PULUMI_TYPES } from "../../../infra/types";

const SERVER_ID = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/alone-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/alone-pg";
const WORKSPACE_ID = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/alone-rg/providers/Microsoft.OperationalInsights/workspaces/alone-log";
const ARGS: MonitoringArgs = {
  resourceGroupName: "alone-rg",
  serverName: "alone-pg",
  serverId: SERVER_ID,
  diagnosticSettingName: "alone-diagnostics",
  storageCriticalPercent: 95,
  actionGroup: { name: "alone-alerts", shortName: "alone", emailAddresses: ["oncall@example.gov.uk"] },
};

describe("component alone: Monitoring", () => {
  it("without logAnalytics: the action group and the server's alerts at the given thresholds, no workspace, no diagnostic setting", async () => {
    const e = await buildAlone(() => ({ actionGroupName: new Monitoring("m", ARGS).actionGroupName }));
    assert.deepEqual(namesOf(e, PULUMI_TYPES.workspace), []);
    assert.deepEqual(namesOf(e, PULUMI_TYPES.diagnosticSetting), []);
    const group = declared(e, PULUMI_TYPES.actionGroup, "m-action-group");
    assert.deepEqual(group.inputs.emailReceivers, [{ name: "email-1", emailAddress: "oncall@example.gov.uk", useCommonAlertSchema: true }]);
    assert.deepEqual(group.inputs.webhookReceivers, []);
    const cpu = declared(e, PULUMI_TYPES.metricAlert, "m-cpu_percent");
    assert.equal(cpu.inputs.ruleName, "alone-pg-cpu-percent");
    assert.deepEqual(cpu.inputs.scopes, [SERVER_ID]);
    assert.equal((cpu.inputs.criteria as { allOf: { threshold: number }[] }).allOf[0].threshold, DEFAULT_ALERT_THRESHOLD_PERCENT);
    assert.equal((declared(e, PULUMI_TYPES.metricAlert, "m-storage_critical").inputs.criteria as { allOf: { threshold: number }[] }).allOf[0].threshold, 95);
    assert.equal(e.outputs.actionGroupName, "alone-alerts");
  });

  it("with logAnalytics: a workspace and the diagnostic setting sending every log category into the given workspace id", async () => {
    const e = await buildAlone(() => {
      new Monitoring("m", { ...ARGS, logAnalytics: { workspaceName: "alone-log", workspaceId: WORKSPACE_ID } });
      return {};
    });
    assert.equal(declared(e, PULUMI_TYPES.workspace, "m-workspace").inputs.workspaceName, "alone-log");
    const setting = declared(e, PULUMI_TYPES.diagnosticSetting, "m-diagnostics");
    assert.equal(setting.inputs.name, "alone-diagnostics");
    assert.equal(setting.inputs.resourceUri, SERVER_ID);
    assert.equal(setting.inputs.workspaceId, WORKSPACE_ID);
    assert.deepEqual((setting.inputs.logs as { category: string }[]).map((l) => l.category), [...POSTGRES_LOG_CATEGORIES]);
  });
});
