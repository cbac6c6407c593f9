/**
 * Monitoring of the live server. In every environment: an action group (the people and webhooks
 * alerts reach) and metric alerts on CPU, memory and storage, storage over the critical threshold,
 * and the server being down (`is_db_alive`), each wired to the action group. Where
 * `monitoring.enabled` (production by default): a Log Analytics workspace and a diagnostic setting
 * sending every flexible-server log category to it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as monitor from "@pulumi/azure-native/monitor";
import { DEFAULT_ALERT_THRESHOLD_PERCENT, DEFAULT_LOCATION, DEFAULT_STORAGE_CRITICAL_PERCENT, POSTGRES_LOG_CATEGORIES } from "./config";
import { importIgnores } from "./replace-keys";
import { PULUMI_TYPES } from "./types";

/** Metrics alerted on, each above `monitoring.alertThresholdPercent`. */
const ALERT_METRICS = ["cpu_percent", "memory_percent", "storage_percent"] as const;

/** One metric alert, as data: the program declares one MetricAlert each. */
interface AlertRule {
  /** Logical name suffix and rule name suffix. */
  key: string;
  metric: string;
  operator: "GreaterThan" | "LessThan";
  threshold: number;
  aggregation: "Average" | "Minimum";
  /** 0 critical .. 4 verbose. */
  severity: number;
  description: string;
}

/** Every alert of the live server (pure). */
function alertRules(args: Pick<MonitoringArgs, "serverName" | "alertThresholdPercent" | "storageCriticalPercent">): AlertRule[] {
  const server = args.serverName;
  const t = args.alertThresholdPercent ?? DEFAULT_ALERT_THRESHOLD_PERCENT;
  const critical = args.storageCriticalPercent ?? DEFAULT_STORAGE_CRITICAL_PERCENT;
  return [
    ...ALERT_METRICS.map((metric) => ({ key: metric, metric, operator: "GreaterThan" as const, threshold: t, aggregation: "Average" as const, severity: 2, description: `${metric} of ${server} above ${t}%` })),
    {
      key: "storage_critical",
      metric: "storage_percent",
      operator: "GreaterThan",
      threshold: critical,
      aggregation: "Average",
      severity: 1,
      description: `storage of ${server} above ${critical}%: it stops accepting writes when full`,
    },
    { key: "is_db_alive", metric: "is_db_alive", operator: "LessThan", threshold: 1, aggregation: "Minimum", severity: 0, description: `${server} is down (is_db_alive below 1)` },
  ];
}
/** Log Analytics retention. */
const WORKSPACE_RETENTION_DAYS = 30;

/** What monitoring is declared from: exactly what the component reads. */
export interface MonitoringArgs {
  resourceGroupName: string;
  /** Where the workspace lives and the alerts look. @default DEFAULT_LOCATION */
  location?: string;
  /** The live server's name: the alerts' names and descriptions. */
  serverName: string;
  /** The live server's id: the alerts' scope and the diagnostic setting's resource. */
  serverId: string;
  /**
   * A Log Analytics workspace and the live server's diagnostic setting into it (`monitoring.enabled`).
   * @default none: no workspace and no diagnostic setting
   */
  logAnalytics?: { workspaceName: string; workspaceId: string };
  /** The live server's diagnostic setting, by name (declared only with logAnalytics). */
  diagnosticSettingName: string;
  /** CPU, memory and storage alerts above this. @default DEFAULT_ALERT_THRESHOLD_PERCENT */
  alertThresholdPercent?: number;
  /** The critical storage alert (severity 1) above this. @default DEFAULT_STORAGE_CRITICAL_PERCENT */
  storageCriticalPercent?: number;
  /** Who every alert notifies. */
  actionGroup: {
    name: string;
    /** Up to 12 characters, shown in the messages. */
    shortName: string;
    /** @default [] */
    emailAddresses?: readonly string[];
    /** @default [] */
    webhookUrls?: readonly string[];
  };
  /** Whether the diagnostic setting is declared (not while the live server is being created). @default true */
  declaresDiagnosticSetting?: boolean;
  /** Id of a diagnostic setting that exists in Azure, exactly as Azure reported it, to adopt instead of create. @default none: created */
  adoptDiagnosticSettingId?: string;
  /** The live server: the setting and the alerts need it to exist. @default none */
  liveServer?: pulumi.Resource;
}

/** The live server's alerts and who they reach, and where logs are kept, its Log Analytics. */
export class Monitoring extends pulumi.ComponentResource {
  public readonly workspaceName: pulumi.Output<string>;
  public readonly diagnosticSettingName: pulumi.Output<string>;
  public readonly actionGroupName: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PULUMI_TYPES.monitoringComponent, name, {}, opts);
    const location = args.location ?? DEFAULT_LOCATION;
    const afterServer = args.liveServer ? [args.liveServer] : [];

    // Log Analytics only where monitoring.enabled; alerts and their action group everywhere
    const logs = args.logAnalytics;
    const workspace = logs
      ? new operationalinsights.Workspace(
          `${name}-workspace`,
          {
            resourceGroupName: args.resourceGroupName,
            location,
            workspaceName: logs.workspaceName,
            sku: { name: "PerGB2018" },
            retentionInDays: WORKSPACE_RETENTION_DAYS,
          },
          { parent: this },
        )
      : undefined;

    // Azure keeps a deleted server's diagnostic setting and may attach it to a new server of the
    // same name, so while the server is being created the setting is not declared; the next
    // converge adopts it by Azure's own id (its case differs from ours) or creates it.
    // Adopting imports `resourceUri` from that id: lower-cased by Azure, and without its leading
    // slash in azure-native versions with pulumi-azure-native#4812. A path parameter is a replace
    // key, and the engine refuses to replace an imported resource, so `resourceUri` is ignored
    // (the setting's server cannot change anyway: a new server is a new setting's scope). Deleting
    // the leftover through ARM and creating it again was the other way: it fails in production,
    // where the server's CanNotDelete lock also blocks deleting its diagnostic settings (§12).
    const setting =
      workspace === undefined || logs === undefined || args.declaresDiagnosticSetting === false
        ? undefined
        : new monitor.DiagnosticSetting(
            `${name}-diagnostics`,
            {
              name: args.diagnosticSettingName,
              resourceUri: args.serverId,
              workspaceId: logs.workspaceId,
              logs: POSTGRES_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
            },
            {
              parent: this,
              dependsOn: [workspace, ...afterServer],
              import: args.adoptDiagnosticSettingId,
              ignoreChanges: importIgnores(PULUMI_TYPES.diagnosticSetting, ["resourceUri"]),
            },
          );

    const ag = args.actionGroup;
    const actionGroup = new monitor.ActionGroup(
      `${name}-action-group`,
      {
        resourceGroupName: args.resourceGroupName,
        actionGroupName: ag.name,
        groupShortName: ag.shortName,
        location: "Global",
        enabled: true,
        emailReceivers: (ag.emailAddresses ?? []).map((emailAddress, i) => ({ name: `email-${i + 1}`, emailAddress, useCommonAlertSchema: true })),
        webhookReceivers: (ag.webhookUrls ?? []).map((serviceUri, i) => ({ name: `webhook-${i + 1}`, serviceUri, useCommonAlertSchema: true })),
      },
      { parent: this },
    );

    for (const rule of alertRules(args)) {
      new monitor.MetricAlert(
        `${name}-${rule.key}`,
        {
          resourceGroupName: args.resourceGroupName,
          ruleName: `${args.serverName}-${rule.key.replaceAll("_", "-")}`,
          location: "global",
          description: rule.description,
          enabled: true,
          severity: rule.severity,
          scopes: [args.serverId],
          evaluationFrequency: "PT5M",
          windowSize: "PT15M",
          targetResourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
          targetResourceRegion: location,
          criteria: {
            odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
            allOf: [
              {
                criterionType: "StaticThresholdCriterion",
                name: rule.metric,
                metricName: rule.metric,
                metricNamespace: "Microsoft.DBforPostgreSQL/flexibleServers",
                operator: rule.operator,
                threshold: rule.threshold,
                timeAggregation: rule.aggregation,
              },
            ],
          },
          actions: [{ actionGroupId: actionGroup.id }],
        },
        { parent: this, dependsOn: afterServer },
      );
    }

    this.actionGroupName = pulumi.output(ag.name);
    this.workspaceName = workspace ? workspace.name : pulumi.output("");
    this.diagnosticSettingName = setting ? setting.name : pulumi.output(args.diagnosticSettingName);
    this.registerOutputs({ workspaceName: this.workspaceName, diagnosticSettingName: this.diagnosticSettingName, actionGroupName: this.actionGroupName });
  }
}
