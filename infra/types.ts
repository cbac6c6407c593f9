/**
 * The Pulumi type token of every resource the programs declare (infra/program.ts and
 * infra/pipeline.ts), by one short name: the providers' resources, the providers themselves, the
 * StatusCake heartbeat (a dynamic resource) and this project's own components. Recovery names a
 * type through this map (the gate, the server recovery, plan's mocks) and so do the tests, so a
 * token is spelled once. test/infra/types.test.ts holds it to what the programs really declare,
 * in both directions: nothing declared is missing here, nothing here is no longer declared.
 */
export const PULUMI_TYPES = {
  // azure-native
  server: "azure-native:dbforpostgresql:Server",
  database: "azure-native:dbforpostgresql:Database",
  configuration: "azure-native:dbforpostgresql:Configuration",
  workspace: "azure-native:operationalinsights:Workspace",
  diagnosticSetting: "azure-native:monitor:DiagnosticSetting",
  metricAlert: "azure-native:monitor:MetricAlert",
  actionGroup: "azure-native:monitor:ActionGroup",
  lock: "azure-native:authorization:ManagementLockByScope",
  storageAccount: "azure-native:storage:StorageAccount",
  blobService: "azure-native:storage:BlobServiceProperties",
  container: "azure-native:storage:BlobContainer",
  lifecycle: "azure-native:storage:ManagementPolicy",
  immutability: "azure-native:storage:BlobContainerImmutabilityPolicy",
  // kubernetes
  deployment: "kubernetes:apps/v1:Deployment",
  deploymentPatch: "kubernetes:apps/v1:DeploymentPatch",
  service: "kubernetes:core/v1:Service",
  configMap: "kubernetes:core/v1:ConfigMap",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  ingressPatch: "kubernetes:networking.k8s.io/v1:IngressPatch",
  // github, statuscake, random
  branchProtection: "github:index/branchProtection:BranchProtection",
  githubProvider: "pulumi:providers:github",
  uptimeCheck: "statuscake:index/uptimeCheck:UptimeCheck",
  contactGroup: "statuscake:index/contactGroup:ContactGroup",
  statuscakeProvider: "pulumi:providers:statuscake",
  /** A dynamic resource: Pulumi names it `pulumi-nodejs:dynamic/<module>:<type>` (infra/statuscake/heartbeat.ts). */
  heartbeatCheck: "pulumi-nodejs:dynamic/statuscake:HeartbeatCheck",
  password: "random:index/randomPassword:RandomPassword",
  // this project's components
  applicationComponent: "aytq:app:Application",
  databaseComponent: "aytq:database:Database",
  ptrCopiesComponent: "aytq:database:PtrCopies",
  backupStorageComponent: "aytq:backup:BackupStorage",
  monitoringComponent: "aytq:monitoring:Monitoring",
  uptimeComponent: "aytq:monitoring:Uptime",
  locksComponent: "aytq:locks:Locks",
  pipelineComponent: "aytq:pipeline:Pipeline",
} as const;

/** The prefix of every azure-native type token. */
export const AZURE_NATIVE_PREFIX = "azure-native:";
