/**
 * The live PostgreSQL flexible server, its database and its server parameters.
 * How it is created (fresh, revived, rebuilt) and what is adopted comes from {@link LiveServerPlan}.
 */
import * as pulumi from "@pulumi/pulumi";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import * as random from "@pulumi/random";
import { Settings } from "./config";
import { StackIds } from "./ids";
import { LiveServerPlan, RESTORE_INPUTS } from "./restore-plan";
import { IMPORTED_TYPES, importIgnores } from "./replace-keys";

/** Create, update and delete timeouts of a server (live or copy): a restore can outlast azure-native's 2-hour default. */
export function serverTimeouts(s: Settings): pulumi.CustomTimeouts {
  const t = s.database.operationTimeout;
  return { create: t, update: t, delete: t };
}

/** Ids a server is created with that Azure reports in its own spelling (a GET lower-cases them). */
export const SERVER_IDS_SPELLED_BY_AZURE = ["network.delegatedSubnetResourceId", "network.privateDnsZoneArmResourceId"] as const;

/** Length of the generated admin password. URL-safe characters only: it goes into DATABASE_URL. */
export const ADMIN_PASSWORD_LENGTH = 32;

/** The arguments every server of the stack shares (live server and PTR copies): place, network, size, SKU. */
export function serverShapeArgs(s: Settings, ids: StackIds): dbforpostgresql.ServerArgs {
  return {
    resourceGroupName: s.resourceGroupName,
    location: s.location,
    version: s.database.postgresVersion,
    sku: { name: s.database.skuName, tier: s.database.skuTier },
    storage: { storageSizeGB: s.database.storageSizeGB },
    backup: {
      backupRetentionDays: s.database.backupRetentionDays,
      geoRedundantBackup: s.database.geoRedundantBackup ? "Enabled" : "Disabled",
    },
    highAvailability: { mode: s.database.highAvailability },
    network: {
      delegatedSubnetResourceId: ids.delegatedSubnetId,
      privateDnsZoneArmResourceId: ids.privateDnsZoneId,
      publicNetworkAccess: "Disabled",
    },
  };
}

export interface DatabaseArgs {
  /** Validated stack settings. */
  settings: Settings;
  /** Ids built from the settings' names. */
  ids: StackIds;
  /** Create mode, restore inputs and adopted resources for the current recovery mode. */
  plan: LiveServerPlan;
}

/** The live server + database + one Configuration per server parameter. */
export class Database extends pulumi.ComponentResource {
  /** Exact Azure name of the live server. */
  public readonly serverName: pulumi.Output<string>;
  /** Resource id of the live server (built from names: known before the server exists). */
  public readonly serverId: pulumi.Output<string>;
  public readonly serverFqdn: pulumi.Output<string>;
  public readonly databaseName: pulumi.Output<string>;
  /**
   * The live server's earliest point-in-time restore instant (ISO 8601, UTC), as Azure reports it
   * (`backup.earliestRestoreDate`). Null until Azure has reported it (and under mocks): null, not undefined, keeps the output's key
   * in the stack (Pulumi drops undefined outputs with a warning).
   */
  public readonly earliestRestoreDate: pulumi.Output<string | null>;
  /** The server resource, so that dependants (copies, monitoring) can wait for it. */
  public readonly server: dbforpostgresql.Server;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aytq:database:Database", name, {}, opts);
    const { settings: s, ids, plan } = args;

    const password = new random.RandomPassword(
      `${name}-admin-password`,
      { length: ADMIN_PASSWORD_LENGTH, special: true, overrideSpecial: "-_", minNumeric: 2, minUpper: 2, minLower: 2 },
      { parent: this },
    );

    const credentials = plan.adminCredentials;
    this.server = new dbforpostgresql.Server(
      `${name}-server`,
      {
        ...serverShapeArgs(s, ids),
        serverName: s.database.serverName,
        createMode: plan.createMode,
        sourceServerResourceId: plan.sourceServerResourceId,
        pointInTimeUTC: plan.pointInTimeUTC,
        administratorLogin: credentials.kind === "none" ? undefined : credentials.kind === "app" ? credentials.login : s.database.adminLogin,
        administratorLoginPassword:
          credentials.kind === "none" ? undefined : pulumi.secret(credentials.kind === "app" ? credentials.password : password.result),
      },
      {
        parent: this,
        protect: s.protectStateful,
        // The restore inputs are write-only (read on create only), and a revived or rebuilt server
        // keeps the credentials it was created with: ignoring them means that returning to `normal`
        // after a recovery changes nothing on the server. Every create-only property of the spec is
        // ignored too (replace-keys.ts): adopting the server after a crash imports Azure's whole
        // GET (the availability zone Azure chose, its location spelling), and any of those that
        // differs from the declaration would be a replace, which the engine refuses for an imported
        // resource (ENGINE.md §11). None of them can change in place, so ignoring them loses nothing.
        // The network ids are not create-only in the spec, but Azure spells them its own way in a
        // GET and they cannot change after create: ignored, so an adoption does not PUT them back.
        ignoreChanges: [
          ...new Set([...RESTORE_INPUTS, "administratorLogin", "administratorLoginPassword", ...importIgnores(IMPORTED_TYPES.server), ...SERVER_IDS_SPELLED_BY_AZURE]),
        ],
        customTimeouts: serverTimeouts(s),
        import: plan.adopt.serverId,
      },
    );

    // Not declared while the server is being created: a revived server brings its database back,
    // and azure-native refuses to create what exists. The next converge (normal) adopts or creates it.
    const database = plan.declaresDatabase
      ? new dbforpostgresql.Database(
          `${name}-database`,
          {
            resourceGroupName: s.resourceGroupName,
            serverName: this.server.name,
            databaseName: s.database.databaseName,
            charset: "UTF8",
            collation: "en_US.utf8",
          },
          // adopted after a revive: its create-only properties (charset, collation) as Azure reports them
          { parent: this, import: plan.adopt.databaseId, ignoreChanges: importIgnores(IMPORTED_TYPES.database) },
        )
      : undefined;

    // A Configuration is an upsert (azure-native treats it as a singleton), so parameters are
    // (re-)applied in every mode with no import: a restored server comes back without them.
    // Azure applies one server-parameter change at a time, so each waits for the previous one.
    let previous: pulumi.Resource = this.server;
    for (const [parameter, value] of Object.entries(s.database.parameters)) {
      previous = new dbforpostgresql.Configuration(
        `${name}-param-${parameter}`,
        {
          resourceGroupName: s.resourceGroupName,
          serverName: this.server.name,
          configurationName: parameter,
          value,
          source: "user-override",
        },
        { parent: this, dependsOn: [previous] },
      );
    }

    this.serverName = this.server.name;
    this.serverId = pulumi.output(ids.serverId);
    this.serverFqdn = this.server.fullyQualifiedDomainName;
    this.databaseName = database ? database.name : pulumi.output(s.database.databaseName);
    this.earliestRestoreDate = this.server.backup.apply((b) => b?.earliestRestoreDate || null);
    this.registerOutputs({
      serverName: this.serverName,
      serverId: this.serverId,
      serverFqdn: this.serverFqdn,
      databaseName: this.databaseName,
      earliestRestoreDate: this.earliestRestoreDate,
    });
  }
}
