/** Every stack x every recovery mode, under mocks: the resources, the inputs that matter and the options. */
import * as assert from "node:assert/strict";
import {
  DEFAULT_BACKUP_RETENTION_DAYS,
  POSTGRES_LOG_CATEGORIES,
  STACK_NAMES,
  StackName,
} from "../../infra/config";
import { flexibleServerId } from "../../infra/ids";
import { PLAN_SUBSCRIPTION_ID } from "../../recovery/plan/mocks";
import { SECRET_PLACEHOLDER, type Evaluation } from "../../recovery/plan/evaluate";
import { RESTORE_INPUTS } from "../../infra/restore-plan";
import { PATCH_FORCE_ANNOTATIONS } from "../../infra/application";
import { MAINTENANCE_SERVICE_PORT } from "../../infra/maintenance-page";
import { BACKUP_LIFECYCLE_RULE } from "../../infra/backup-storage";
import { FACTS } from "./expected";
import { absent, build, expectInput, input, resource } from "./harness";
import { PULUMI_TYPES } from "../../infra/types";

const RESTORE_POINT = "2024-07-24T06:00:00Z";
const SUB = PLAN_SUBSCRIPTION_ID;

const MODES = {
  normal: [],
  reviveDropped: ["recovery.mode=reviveDropped", `recovery.restorePointUTC=${RESTORE_POINT}`],
  rebuild: ["recovery.mode=rebuild"],
  ptrCopy: [], // per stack below: the copy is named after the server
  stopped: ["app.stopped=true"],
  maintenance: ["app.maintenance=true"],
} as const;
type Mode = keyof typeof MODES;
const ALL_MODES = Object.keys(MODES) as Mode[];

function setsFor(stack: StackName, mode: Mode): string[] {
  if (mode === "ptrCopy") {
    return [`recovery.ptrCopies=[{"name":"${FACTS[stack].server}-ptr-1","restorePointUTC":"${RESTORE_POINT}"}]`];
  }
  return [...MODES[mode]];
}

const SERVER = "aytq-database-server";

for (const stack of STACK_NAMES) {
  const f = FACTS[stack];
  const serverId = flexibleServerId(SUB, f.rg, f.server);

  describe(`program: stack ${stack}`, () => {
    // One evaluation per mode, shared by the per-mode checks and by the checks that must hold in every mode.
    const evaluations = new Map<Mode, Evaluation>();
    before(async () => {
      for (const mode of ALL_MODES) evaluations.set(mode, await build(stack, setsFor(stack, mode)));
    });
    const evaluationOf = (mode: Mode): Evaluation => {
      const e = evaluations.get(mode);
      assert.ok(e, `mode ${mode}: not evaluated`);
      return e;
    };
    /** A check that does not depend on the mode: asserted once, against every mode's program (a failure names the mode). */
    const inEveryMode = (check: (e: Evaluation) => void) => () => {
      for (const mode of ALL_MODES) {
        try {
          check(evaluationOf(mode));
        } catch (err) {
          if (err instanceof assert.AssertionError) err.message = `mode ${mode}: ${err.message}`;
          throw err;
        }
      }
    };

    describe("in every mode", () => {
      it(
        "declares the live server with its exact name, SKU, HA, version, storage, retention and VNet integration",
        inEveryMode((e) => {
          const server = resource(e, PULUMI_TYPES.server, SERVER);
          expectInput(server, "serverName", f.server);
          expectInput(server, "resourceGroupName", f.rg);
          expectInput(server, "location", "uksouth");
          expectInput(server, "sku", { name: f.sku, tier: f.tier });
          expectInput(server, "highAvailability.mode", f.ha);
          expectInput(server, "version", "16");
          expectInput(server, "storage.storageSizeGB", 32);
          expectInput(server, "backup.backupRetentionDays", DEFAULT_BACKUP_RETENTION_DAYS);
          expectInput(server, "backup.geoRedundantBackup", "Disabled");
          expectInput(
            server,
            "network.delegatedSubnetResourceId",
            `/subscriptions/${SUB}/resourceGroups/${f.vnetRg}/providers/Microsoft.Network/virtualNetworks/${f.vnet}/subnets/postgres-snet`,
          );
          expectInput(
            server,
            "network.privateDnsZoneArmResourceId",
            `/subscriptions/${SUB}/resourceGroups/${f.dnsZoneRg}/providers/Microsoft.Network/privateDnsZones/${f.dnsZone}`,
          );
          expectInput(server, "network.publicNetworkAccess", "Disabled");
        }),
      );

      it(
        `ignores the write-only restore inputs and ${f.production ? "protects" : "does not protect"} the live server`,
        inEveryMode((e) => {
          const server = resource(e, PULUMI_TYPES.server, SERVER);
          for (const key of RESTORE_INPUTS) assert.ok(server.options.ignoreChanges.includes(key), `${SERVER}: ignoreChanges has ${key}`);
          assert.equal(server.options.protect, f.production, `${SERVER}: protect`);
          assert.equal(server.options.import, undefined, `${SERVER}: never imported`);
        }),
      );

      if (!f.production) {
        it(
          "declares no monitoring (not enabled outside production)",
          inEveryMode((e) => {
            absent(e, PULUMI_TYPES.workspace, "aytq-monitoring-workspace");
            absent(e, PULUMI_TYPES.diagnosticSetting, "aytq-monitoring-diagnostics");
          }),
        );
      }

      it(
        "declares the backup storage account, private container, soft delete and lifecycle",
        inEveryMode((e) => {
          const account = resource(e, PULUMI_TYPES.storageAccount, "aytq-backup-account");
          expectInput(account, "accountName", f.account);
          expectInput(account, "sku.name", "Standard_GRS");
          expectInput(account, "enableHttpsTrafficOnly", true);
          expectInput(account, "minimumTlsVersion", "TLS1_2");
          expectInput(account, "allowBlobPublicAccess", false);
          assert.equal(account.options.protect, f.production, "aytq-backup-account: protect");
          const svc = resource(e, PULUMI_TYPES.blobService, "aytq-backup-blob-service");
          expectInput(svc, "deleteRetentionPolicy", { enabled: true, days: 7 });
          expectInput(svc, "containerDeleteRetentionPolicy", { enabled: true, days: 7 });
          const container = resource(e, PULUMI_TYPES.container, "aytq-backup-container");
          expectInput(container, "containerName", "database-backup");
          expectInput(container, "publicAccess", "None");
          const rule = input(resource(e, PULUMI_TYPES.lifecycle, "aytq-backup-lifecycle"), "policy.rules.0") as Record<string, unknown>;
          assert.equal(rule.name, BACKUP_LIFECYCLE_RULE);
          assert.deepEqual(input({ ...resource(e, PULUMI_TYPES.lifecycle, "aytq-backup-lifecycle"), inputs: rule }, "definition.actions.baseBlob.delete"), {
            daysAfterModificationGreaterThan: 7,
          });
        }),
      );

      if (f.immutabilityDays > 0) {
        it(
          `declares a protected ${f.immutabilityDays}-day immutability policy on the container`,
          inEveryMode((e) => {
            const policy = resource(e, PULUMI_TYPES.immutability, "aytq-backup-immutability");
            expectInput(policy, "immutabilityPeriodSinceCreationInDays", f.immutabilityDays);
            expectInput(policy, "containerName", "database-backup");
            assert.equal(policy.options.protect, true, "aytq-backup-immutability: protect");
          }),
        );
      } else {
        it(
          "declares no immutability policy",
          inEveryMode((e) => absent(e, PULUMI_TYPES.immutability, "aytq-backup-immutability")),
        );
      }
    });

    for (const mode of ALL_MODES) {
      describe(`mode ${mode}`, () => {
        let e: Evaluation;
        before(() => {
          e = evaluationOf(mode);
        });

        if (mode === "reviveDropped") {
          it("revives the dropped server from its own id at the restore point, without admin credentials", () => {
            const server = resource(e, PULUMI_TYPES.server, SERVER);
            expectInput(server, "createMode", "ReviveDropped");
            expectInput(server, "sourceServerResourceId", serverId);
            expectInput(server, "pointInTimeUTC", RESTORE_POINT);
            expectInput(server, "administratorLoginPassword", undefined);
          });
          it("declares no database: it comes back with the server, and is adopted once the server exists", () => {
            absent(e, PULUMI_TYPES.database, "aytq-database-database");
          });
        }
        if (mode === "reviveDropped" || mode === "rebuild") {
          it("declares no import at all: a preview reads every import, and nothing exists yet (ENGINE.md §1)", () => {
            const imported = e.resources.filter((r) => r.options.import !== undefined).map((r) => `${r.type} ${r.name}`);
            assert.deepEqual(imported, []);
          });
          it("re-applies the server parameters with no import (a Configuration is an upsert)", () => {
            expectInput(resource(e, PULUMI_TYPES.configuration, "aytq-database-param-max_connections"), "value", "856");
            expectInput(resource(e, PULUMI_TYPES.configuration, "aytq-database-param-connection_throttle.enable"), "value", "on");
          });
        }
        if (mode === "rebuild") {
          it("declares no database while the server is created (the adopt phase creates it, or adopts what Azure has)", () => {
            absent(e, PULUMI_TYPES.database, "aytq-database-database");
          });
        }
        if (mode !== "reviveDropped") {
          it("creates the live server with createMode Default and no restore inputs, admin password as a secret", () => {
            const server = resource(e, PULUMI_TYPES.server, SERVER);
            expectInput(server, "createMode", "Default");
            expectInput(server, "sourceServerResourceId", undefined);
            expectInput(server, "pointInTimeUTC", undefined);
            expectInput(server, "administratorLogin", "aytqadmin");
            expectInput(server, "administratorLoginPassword", SECRET_PLACEHOLDER);
          });
        }
        if (mode !== "reviveDropped" && mode !== "rebuild") {
          it("creates the database and the server parameters (no import)", () => {
            const db = resource(e, PULUMI_TYPES.database, "aytq-database-database");
            expectInput(db, "databaseName", f.database);
            assert.equal(db.options.import, undefined, "aytq-database-database: import");
            const maxConnections = resource(e, PULUMI_TYPES.configuration, "aytq-database-param-max_connections");
            expectInput(maxConnections, "value", "856");
            assert.equal(maxConnections.options.import, undefined);
            expectInput(resource(e, PULUMI_TYPES.configuration, "aytq-database-param-connection_throttle.enable"), "value", "on");
          });
        }

        if (f.production) {
          it("monitors the live server: workspace <server>-log, every log category, CPU/memory/storage alerts at 80%", () => {
            expectInput(resource(e, PULUMI_TYPES.workspace, "aytq-monitoring-workspace"), "workspaceName", `${f.server}-log`);
            const creating = mode === "reviveDropped" || mode === "rebuild";
            if (creating) absent(e, PULUMI_TYPES.diagnosticSetting, "aytq-monitoring-diagnostics");
            const setting = creating ? undefined : resource(e, PULUMI_TYPES.diagnosticSetting, "aytq-monitoring-diagnostics");
            if (setting) expectInput(setting, "resourceUri", serverId);
            if (setting) expectInput(setting, "logs", POSTGRES_LOG_CATEGORIES.map((category) => ({ category, enabled: true })));
            for (const metric of ["cpu_percent", "memory_percent", "storage_percent"]) {
              const alert = resource(e, PULUMI_TYPES.metricAlert, `aytq-monitoring-${metric}`);
              expectInput(alert, "scopes", [serverId]);
              expectInput(alert, "criteria.allOf.0.metricName", metric);
              expectInput(alert, "criteria.allOf.0.operator", "GreaterThan");
              expectInput(alert, "criteria.allOf.0.threshold", 80);
            }
          });
          const creating = mode === "reviveDropped" || mode === "rebuild";
          it(`${creating ? "does not declare" : "creates"} the diagnostic setting${creating ? " while the server is created (Azure may keep or re-attach the old one)" : ""}`, () => {
            if (creating) absent(e, PULUMI_TYPES.diagnosticSetting, "aytq-monitoring-diagnostics");
            else assert.equal(resource(e, PULUMI_TYPES.diagnosticSetting, "aytq-monitoring-diagnostics").options.import, undefined);
          });
        }

        const stopped = mode === "stopped";
        it(`patches web and worker replicas to ${stopped ? "0" : "the configured counts"}`, () => {
          const web = resource(e, PULUMI_TYPES.deploymentPatch, "aytq-app-web");
          expectInput(web, "metadata.name", f.web);
          expectInput(web, "metadata.namespace", f.namespace);
          expectInput(web, "metadata.annotations", { ...PATCH_FORCE_ANNOTATIONS });
          expectInput(web, "spec", { replicas: stopped ? 0 : f.webReplicas });
          const worker = resource(e, PULUMI_TYPES.deploymentPatch, "aytq-app-worker");
          expectInput(worker, "metadata.name", f.worker);
          expectInput(worker, "spec", { replicas: stopped ? 0 : f.workerReplicas });
        });

        const maintenance = mode === "maintenance";
        it(`points the AYTQ and CTR ingresses at ${maintenance ? "the maintenance page" : "the app"}`, () => {
          for (const svc of ["aytq", "ctr"]) {
            const ingress = resource(e, PULUMI_TYPES.ingressPatch, `aytq-app-ingress-${svc}`);
            expectInput(ingress, "metadata.name", `${f.web}-${svc}`);
            expectInput(
              ingress,
              "spec.rules.0.http.paths.0.backend.service",
              maintenance ? { name: `${f.web}-maintenance`, port: { number: MAINTENANCE_SERVICE_PORT } } : { name: f.web, port: { number: 80 } },
            );
          }
          resource(e, PULUMI_TYPES.deployment, "aytq-app-maintenance");
          resource(e, PULUMI_TYPES.service, "aytq-app-maintenance-service");
        });
        if (maintenance) {
          it("declares temporary ingresses that reach the app", () => {
            for (const svc of ["aytq", "ctr"]) {
              const temp = resource(e, PULUMI_TYPES.ingress, `aytq-app-temp-${svc}`);
              expectInput(temp, "spec.rules.0.http.paths.0.backend.service", { name: f.web, port: { number: 80 } });
              assert.match(String(input(temp, "spec.rules.0.host")), /-temp\./, `aytq-app-temp-${svc}: host`);
            }
          });
        } else {
          it("declares no temporary ingresses", () => {
            absent(e, PULUMI_TYPES.ingress, "aytq-app-temp-aytq");
            absent(e, PULUMI_TYPES.ingress, "aytq-app-temp-ctr");
          });
        }

        if (mode === "ptrCopy") {
          it("declares the PTR copy: PointInTimeRestore from the live server, same network and SKU, tagged, never protected", () => {
            const name = `${f.server}-ptr-1`;
            const copy = resource(e, PULUMI_TYPES.server, `aytq-ptr-${name}`);
            const live = resource(e, PULUMI_TYPES.server, SERVER);
            expectInput(copy, "serverName", name);
            expectInput(copy, "createMode", "PointInTimeRestore");
            expectInput(copy, "sourceServerResourceId", serverId);
            expectInput(copy, "pointInTimeUTC", RESTORE_POINT);
            expectInput(copy, "network", input(live, "network"));
            expectInput(copy, "sku", input(live, "sku"));
            expectInput(copy, "version", "16");
            expectInput(copy, "tags", {
              "dr-copy": "true",
              "dr-source": f.server,
              "dr-restore-point": RESTORE_POINT,
              "dr-created-at": RESTORE_POINT,
            });
            assert.equal(copy.options.protect, false, `aytq-ptr-${name}: protect`);
            for (const key of RESTORE_INPUTS) assert.ok(copy.options.ignoreChanges.includes(key), `aytq-ptr-${name}: ignoreChanges ${key}`);
            assert.deepEqual(e.outputs.ptrCopies, [
              { name, fqdn: `${name}.postgres.database.azure.com`, restorePointUTC: RESTORE_POINT, createdAtUTC: RESTORE_POINT },
            ]);
          });
        } else {
          it("declares no PTR copy", () => {
            assert.equal(e.resources.filter((r) => r.type === PULUMI_TYPES.server).length, 1, "only the live server");
            assert.deepEqual(e.outputs.ptrCopies, []);
          });
        }

        it("exports the stack outputs the status command reads", () => {
          assert.deepEqual(Object.keys(e.outputs).sort(), [
            "actionGroupName",
            "backupContainer",
            "backupHeartbeatUrl",
            "backupStorageAccount",
            "databaseName",
            "deleteLocks",
            "earliestRestoreDate",
            "healthUrls",
            "maintenance",
            "namespace",
            "ptrCopies",
            "recoveryMode",
            "serverFqdn",
            "serverId",
            "serverName",
            "temporaryUrls",
            "uptimeChecks",
            "webDeployment",
            "webReplicas",
            "workerDeployment",
            "workerReplicas",
          ]);
          assert.equal(e.outputs.serverName, f.server);
          assert.equal(e.outputs.serverId, serverId);
          assert.equal(e.outputs.serverFqdn, `${f.server}.postgres.database.azure.com`);
          assert.equal(e.outputs.databaseName, f.database);
          // Azure reports backup.earliestRestoreDate once the server exists; these mocks do not (see earliest-restore.test.ts)
          assert.equal(e.outputs.earliestRestoreDate, null);
          assert.equal(e.outputs.backupStorageAccount, f.account);
          assert.equal(e.outputs.backupContainer, "database-backup");
          assert.equal(e.outputs.namespace, f.namespace);
          assert.equal(e.outputs.webReplicas, stopped ? 0 : f.webReplicas);
          assert.equal(e.outputs.workerReplicas, stopped ? 0 : f.workerReplicas);
          assert.equal(e.outputs.maintenance, maintenance);
          assert.equal(e.outputs.recoveryMode, mode === "reviveDropped" || mode === "rebuild" ? mode : "normal");
          assert.equal((e.outputs.healthUrls as unknown[]).length, 2);
          assert.equal((e.outputs.temporaryUrls as unknown[]).length, 2);
        });
      });
    }
  });
}
