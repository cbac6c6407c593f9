/**
 * Monitoring of the live server (production, and wherever `monitoring.enabled`): a Log Analytics
 * workspace, a diagnostic setting sending every flexible-server log category to it, and metric
 * alerts on CPU, memory and storage.
 */
import * as pulumi from "@pulumi/pulumi";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as monitor from "@pulumi/azure-native/monitor";
import { POSTGRES_LOG_CATEGORIES, Settings } from "./config";
import { StackIds } from "./ids";

/** Metrics alerted on, each above `monitoring.alertThresholdPercent`. */
export const ALERT_METRICS = ["cpu_percent", "memory_percent", "storage_percent"] as const;
/** Log Analytics retention. */
export const WORKSPACE_RETENTION_DAYS = 30;

export interface MonitoringArgs {
  settings: Settings;
  ids: StackIds;
  /** Whether the diagnostic setting is declared (not while the live server is being created). @default true */
  declaresDiagnosticSetting?: boolean;
  /** Id of a diagnostic setting that exists in Azure, exactly as Azure reported it, to adopt instead of create. @default none: created */
  adoptDiagnosticSettingId?: string;
  /** The live server: the setting and the alerts need it to exist. @default none */
  liveServer?: pulumi.Resource;
}

export class Monitoring extends pulumi.ComponentResource {
  public readonly workspaceName: pulumi.Output<string>;
  public readonly diagnosticSettingName: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aytq:monitoring:Monitoring", name, {}, opts);
    const { settings: s, ids } = args;
    const afterServer = args.liveServer ? [args.liveServer] : [];

    const workspace = new operationalinsights.Workspace(
      `${name}-workspace`,
      {
        resourceGroupName: s.resourceGroupName,
        location: s.location,
        workspaceName: s.monitoring.workspaceName,
        sku: { name: "PerGB2018" },
        retentionInDays: WORKSPACE_RETENTION_DAYS,
      },
      { parent: this },
    );

    // Azure keeps a deleted server's diagnostic setting and may attach it to a new server of the
    // same name, so while the server is being created the setting is not declared; the next
    // converge adopts it by Azure's own id (its case differs from ours) or creates it.
    const setting =
      args.declaresDiagnosticSetting === false
        ? undefined
        : new monitor.DiagnosticSetting(
            `${name}-diagnostics`,
            {
              name: s.monitoring.diagnosticSettingName,
              resourceUri: ids.serverId,
              workspaceId: ids.workspaceId,
              logs: POSTGRES_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
            },
            { parent: this, dependsOn: [workspace, ...afterServer], import: args.adoptDiagnosticSettingId },
          );

    for (const metric of ALERT_METRICS) {
      new monitor.MetricAlert(
        `${name}-${metric}`,
        {
          resourceGroupName: s.resourceGroupName,
          ruleName: `${s.database.serverName}-${metric.replace("_", "-")}`,
          location: "global",
          description: `${metric} of ${s.database.serverName} above ${s.monitoring.alertThresholdPercent}%`,
          enabled: true,
          severity: 2,
          scopes: [ids.serverId],
          evaluationFrequency: "PT5M",
          windowSize: "PT15M",
          targetResourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
          targetResourceRegion: s.location,
          criteria: {
            odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
            allOf: [
              {
                criterionType: "StaticThresholdCriterion",
                name: metric,
                metricName: metric,
                metricNamespace: "Microsoft.DBforPostgreSQL/flexibleServers",
                operator: "GreaterThan",
                threshold: s.monitoring.alertThresholdPercent,
                timeAggregation: "Average",
              },
            ],
          },
          actions: s.monitoring.actionGroupId ? [{ actionGroupId: s.monitoring.actionGroupId }] : [],
        },
        { parent: this, dependsOn: afterServer },
      );
    }

    this.workspaceName = workspace.name;
    this.diagnosticSettingName = setting ? setting.name : pulumi.output(s.monitoring.diagnosticSettingName);
    this.registerOutputs({ workspaceName: this.workspaceName, diagnosticSettingName: this.diagnosticSettingName });
  }
}
