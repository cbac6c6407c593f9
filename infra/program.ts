/**
 * The whole program of a stack as one function of its validated settings, so tests and
 * `aytq-dr plan` can build any stack in any recovery mode without a Pulumi CLI or config: an
 * environment's ({@link createInfra}) or the pipeline stack's, main's branch protection alone
 * ({@link createPipelineProgram}). The one place that reads Settings to build each component's
 * own arguments.
 */
import * as pulumi from "@pulumi/pulumi";
import { PipelineSettings, Settings, branchProtectionRule, desiredReplicas, healthUrls, temporaryUrls, RecoveryMode } from "./config";
import { StackIds, stackIds } from "./ids";
import { liveServerPlan } from "./restore-plan";
import { ServerShape } from "./server-shape";
import { Database } from "./database";
import { PtrCopies, PtrCopyOutput } from "./ptr-copies";
import { Monitoring } from "./monitoring";
import { BackupStorage } from "./backup-storage";
import { Application } from "./application";
import { Uptime } from "./uptime";
import { Locks } from "./locks";
import { Pipeline } from "./pipeline";
import { UptimeCheckOutput, lockName, uptimeCheckPlan } from "./monitoring-plan";

/** Logical name prefix of every component. */
const PROGRAM_NAME = "aytq";

/** The stack outputs. The `status` command reads these names: keep them stable. */
export interface InfraOutputs {
  serverName: pulumi.Output<string>;
  serverId: pulumi.Output<string>;
  serverFqdn: pulumi.Output<string>;
  databaseName: pulumi.Output<string>;
  /** The live server's earliest restore point (Azure's `backup.earliestRestoreDate`); null until Azure reports it. `ptr` checks --at against it. */
  earliestRestoreDate: pulumi.Output<string | null>;
  ptrCopies: pulumi.Output<PtrCopyOutput[]>;
  backupStorageAccount: pulumi.Output<string>;
  backupContainer: pulumi.Output<string>;
  namespace: pulumi.Output<string>;
  webDeployment: pulumi.Output<string>;
  workerDeployment: pulumi.Output<string>;
  webReplicas: pulumi.Output<number>;
  workerReplicas: pulumi.Output<number>;
  maintenance: pulumi.Output<boolean>;
  healthUrls: { service: "AYTQ" | "CTR"; url: string }[];
  temporaryUrls: { service: "AYTQ" | "CTR"; url: string }[];
  recoveryMode: RecoveryMode;
  /** The StatusCake uptime checks and whether each is paused; [] when StatusCake is off. */
  uptimeChecks: pulumi.Output<UptimeCheckOutput[]>;
  /** The URL the nightly backup pings (secret); "" when StatusCake is off. */
  backupHeartbeatUrl: pulumi.Output<string>;
  /** The action group every metric alert notifies. */
  actionGroupName: pulumi.Output<string>;
  /** The delete locks the stack declares (names on the live server and the backup account); [] when locks are off. */
  deleteLocks: string[];
}

export interface InfraContext {
  /** Subscription of every resource. @default settings.subscriptionId */
  subscriptionId?: string;
}

/** Thrown when no subscription id is known: ids (revive source, adopted resources) need it as plain text. */
class MissingSubscriptionError extends Error {
  constructor() {
    super("no subscription id: set aytq:subscriptionId, or let infra/index.ts read it from the azure-native provider");
    this.name = "MissingSubscriptionError";
  }
}

/** What the live server and its copies share, from the settings and the stack's ids. */
function serverShape(s: Settings, ids: StackIds): ServerShape {
  const d = s.database;
  return {
    resourceGroupName: s.resourceGroupName,
    location: s.location,
    postgresVersion: d.postgresVersion,
    skuName: d.skuName,
    skuTier: d.skuTier,
    storageSizeGB: d.storageSizeGB,
    backupRetentionDays: d.backupRetentionDays,
    geoRedundantBackup: d.geoRedundantBackup,
    highAvailability: d.highAvailability,
    delegatedSubnetId: ids.delegatedSubnetId,
    privateDnsZoneId: ids.privateDnsZoneId,
    operationTimeout: d.operationTimeout,
  };
}

/**
 * Declare every resource of the stack. Must run inside a Pulumi program (or under mocks).
 * The subscription id must be plain text (import ids are), hence it comes from settings or context.
 */
export function createInfra(settings: Settings, context: InfraContext = {}): InfraOutputs {
  const subscriptionId = context.subscriptionId ?? settings.subscriptionId;
  if (subscriptionId === undefined) throw new MissingSubscriptionError();
  const ids = stackIds(settings, subscriptionId);
  const plan = liveServerPlan(settings, ids.serverId);

  const s = settings;
  const shape = serverShape(s, ids);

  const database = new Database(`${PROGRAM_NAME}-database`, {
    shape,
    serverName: s.database.serverName,
    serverId: ids.serverId,
    databaseName: s.database.databaseName,
    adminLogin: s.database.adminLogin,
    parameters: s.database.parameters,
    protect: s.protectStateful,
    plan,
  });
  const copies = new PtrCopies(`${PROGRAM_NAME}-ptr`, {
    shape,
    sourceServerName: s.database.serverName,
    sourceServerId: ids.serverId,
    copies: s.recovery.ptrCopies,
    liveServer: database.server,
  });
  const m = s.monitoring;
  const monitoring = new Monitoring(`${PROGRAM_NAME}-monitoring`, {
    resourceGroupName: s.resourceGroupName,
    location: s.location,
    serverName: s.database.serverName,
    serverId: ids.serverId,
    logAnalytics: m.enabled ? { workspaceName: m.workspaceName, workspaceId: ids.workspaceId } : undefined,
    diagnosticSettingName: m.diagnosticSettingName,
    alertThresholdPercent: m.alertThresholdPercent,
    storageCriticalPercent: m.storageCriticalPercent,
    actionGroup: m.actionGroup,
    declaresDiagnosticSetting: plan.declaresDiagnosticSetting,
    adoptDiagnosticSettingId: plan.adopt.diagnosticSettingId,
    liveServer: database.server,
  });
  const sc = m.statusCake;
  const uptime = sc.enabled
    ? new Uptime(`${PROGRAM_NAME}-uptime`, {
        environment: s.environment,
        checks: uptimeCheckPlan(s),
        contactGroup: sc.contactGroup,
        checkRateSeconds: sc.checkRateSeconds,
        confirmationServers: sc.confirmationServers,
        regions: sc.regions,
        heartbeatHours: sc.heartbeatHours,
      })
    : undefined;
  const backup = new BackupStorage(`${PROGRAM_NAME}-backup`, {
    resourceGroupName: s.resourceGroupName,
    location: s.location,
    storageAccountName: s.backup.storageAccountName,
    containerName: s.backup.containerName,
    replication: s.backup.replication,
    blobRetentionDays: s.backup.blobRetentionDays,
    softDeleteDays: s.backup.softDeleteDays,
    immutabilityDays: s.backup.immutabilityDays,
    protect: s.protectStateful,
  });
  if (s.locks.enabled) {
    new Locks(`${PROGRAM_NAME}-locks`, {
      serverName: s.database.serverName,
      serverId: ids.serverId,
      server: database.server,
      storageAccountName: s.backup.storageAccountName,
      storageAccountId: ids.storageAccountId,
      storageAccount: backup.account,
      declaresServerLock: s.recovery.serverLockDeferred !== true,
    });
  }
  const app = new Application(`${PROGRAM_NAME}-app`, {
    namespace: s.app.namespace,
    webDeployment: s.app.webDeployment,
    workerDeployment: s.app.workerDeployment,
    replicas: desiredReplicas(s),
    maintenance: s.app.maintenance,
    hosts: s.app.hosts,
    temporaryHosts: s.app.temporaryHosts,
    ingressNames: s.app.ingressNames,
    servicePort: s.app.servicePort,
    ingressClassName: s.app.ingressClassName,
    maintenanceImage: s.app.maintenanceImage,
  });

  return {
    serverName: database.serverName,
    serverId: database.serverId,
    serverFqdn: database.serverFqdn,
    databaseName: database.databaseName,
    earliestRestoreDate: database.earliestRestoreDate,
    ptrCopies: copies.copies,
    backupStorageAccount: backup.accountName,
    backupContainer: backup.containerName,
    namespace: app.namespace,
    webDeployment: app.webDeployment,
    workerDeployment: app.workerDeployment,
    webReplicas: app.webReplicas,
    workerReplicas: app.workerReplicas,
    maintenance: app.maintenance,
    healthUrls: healthUrls(s),
    temporaryUrls: temporaryUrls(s),
    recoveryMode: s.recovery.mode,
    uptimeChecks: uptime ? uptime.checks : pulumi.output([]),
    backupHeartbeatUrl: uptime ? uptime.heartbeatUrl : pulumi.output(""),
    actionGroupName: monitoring.actionGroupName,
    deleteLocks: s.locks.enabled ? [lockName(s.database.serverName), lockName(s.backup.storageAccountName)] : [],
  };
}

/** The pipeline stack's outputs. `status` and the freeze read these names: keep them stable. */
export interface PipelineOutputs {
  repository: string;
  branch: string;
  pipelineFrozen: pulumi.Output<boolean>;
  requiredApprovals: pulumi.Output<number>;
}

/** The whole program of the pipeline stack: the GitHub provider and main's branch protection, nothing else. */
export function createPipelineProgram(pipeline: PipelineSettings): PipelineOutputs {
  const component = new Pipeline("aytq-pipeline", { repository: pipeline.repository, rule: branchProtectionRule(pipeline), frozen: pipeline.frozen });
  return { repository: pipeline.repository, branch: pipeline.branch, pipelineFrozen: component.frozen, requiredApprovals: component.requiredApprovals };
}
