/**
 * The live PostgreSQL flexible server, its database and its server parameters.
 * How it is created (fresh, revived, rebuilt) and what is adopted comes from {@link LiveServerPlan}.
 */
import * as pulumi from "@pulumi/pulumi";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import * as random from "@pulumi/random";
import { DEFAULT_ADMIN_LOGIN, DEFAULT_SERVER_PARAMETERS } from "./config";
import { ServerShape, serverShapeArgs, serverTimeouts } from "./server-shape";
import { LiveServerPlan, RESTORE_INPUTS } from "./restore-plan";
import { importIgnores } from "./replace-keys";
import { PULUMI_TYPES } from "./types";

/** Ids a server is created with that Azure reports in its own spelling (a GET lower-cases them). */
const SERVER_IDS_SPELLED_BY_AZURE = ["network.delegatedSubnetResourceId", "network.privateDnsZoneArmResourceId"] as const;

/** Length of the generated admin password. URL-safe characters only: it goes into DATABASE_URL. */
const ADMIN_PASSWORD_LENGTH = 32;

/** What the live server is declared from: exactly what the component reads. */
export interface DatabaseArgs {
  /** Place, network, size and SKU, shared with the PTR copies. */
  shape: ServerShape;
  /** The live server's exact Azure name. */
  serverName: string;
  /** Its id, built from names (infra/ids.ts): known before the server exists. */
  serverId: string;
  /** The application's database. */
  databaseName: string;
  /** Admin login of a server created with the generated password. @default DEFAULT_ADMIN_LOGIN */
  adminLogin?: string;
  /** Server parameters, one Configuration each, applied one after another. @default DEFAULT_SERVER_PARAMETERS */
  parameters?: Readonly<Record<string, string>>;
  /** Pulumi refuses to delete the server (`protectStateful`). @default false */
  protect?: boolean;
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
    super(PULUMI_TYPES.databaseComponent, name, {}, opts);
    const { shape, plan } = args;

    const password = new random.RandomPassword(
      `${name}-admin-password`,
      { length: ADMIN_PASSWORD_LENGTH, special: true, overrideSpecial: "-_", minNumeric: 2, minUpper: 2, minLower: 2 },
      { parent: this },
    );

    const credentials = plan.adminCredentials;
    this.server = new dbforpostgresql.Server(
      `${name}-server`,
      {
        ...serverShapeArgs(shape),
        serverName: args.serverName,
        createMode: plan.createMode,
        sourceServerResourceId: plan.sourceServerResourceId,
        pointInTimeUTC: plan.pointInTimeUTC,
        administratorLogin: credentials.kind === "none" ? undefined : credentials.kind === "app" ? credentials.login : (args.adminLogin ?? DEFAULT_ADMIN_LOGIN),
        administratorLoginPassword:
          credentials.kind === "none" ? undefined : pulumi.secret(credentials.kind === "app" ? credentials.password : password.result),
      },
      {
        parent: this,
        protect: args.protect === true,
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
          ...new Set([...RESTORE_INPUTS, "administratorLogin", "administratorLoginPassword", ...importIgnores(PULUMI_TYPES.server), ...SERVER_IDS_SPELLED_BY_AZURE]),
        ],
        customTimeouts: serverTimeouts(shape),
        import: plan.adopt.serverId,
      },
    );

    // Not declared while the server is being created: a revived server brings its database back,
    // and azure-native refuses to create what exists. The next converge (normal) adopts or creates it.
    const database = plan.declaresDatabase
      ? new dbforpostgresql.Database(
          `${name}-database`,
          {
            resourceGroupName: shape.resourceGroupName,
            serverName: this.server.name,
            databaseName: args.databaseName,
            charset: "UTF8",
            collation: "en_US.utf8",
          },
          // adopted after a revive: its create-only properties (charset, collation) as Azure reports them
          { parent: this, import: plan.adopt.databaseId, ignoreChanges: importIgnores(PULUMI_TYPES.database) },
        )
      : undefined;

    // A Configuration is an upsert (azure-native treats it as a singleton), so parameters are
    // (re-)applied in every mode with no import: a restored server comes back without them.
    // Azure applies one server-parameter change at a time, so each waits for the previous one.
    let previous: pulumi.Resource = this.server;
    for (const [parameter, value] of Object.entries(args.parameters ?? DEFAULT_SERVER_PARAMETERS)) {
      previous = new dbforpostgresql.Configuration(
        `${name}-param-${parameter}`,
        {
          resourceGroupName: shape.resourceGroupName,
          serverName: this.server.name,
          configurationName: parameter,
          value,
          source: "user-override",
        },
        { parent: this, dependsOn: [previous] },
      );
    }

    this.serverName = this.server.name;
    this.serverId = pulumi.output(args.serverId);
    this.serverFqdn = this.server.fullyQualifiedDomainName;
    this.databaseName = database ? database.name : pulumi.output(args.databaseName);
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
