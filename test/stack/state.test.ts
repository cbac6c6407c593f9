import { strict as assert } from "node:assert";
import { DeploymentState, deploymentOf, forgetResources, stateResources } from "../../recovery/stack/state";
import { urnOf } from "./fake-pulumi";
import { PULUMI_TYPES } from "../../infra/types";

const SERVER = PULUMI_TYPES.server;
const server = urnOf(SERVER, "server");
const db = urnOf(PULUMI_TYPES.database, "db");
const other = urnOf(SERVER, "other");

const deployment = (): DeploymentState => ({
  manifest: { time: "t", magic: "m", version: "v3.248.0" },
  secrets_providers: { type: "passphrase", state: { salt: "x" } },
  resources: [
    { urn: server, type: SERVER, id: "/s/server", custom: true, protect: true },
    { urn: db, type: PULUMI_TYPES.database, id: "/s/server/databases/db", importID: "/S/Server/databases/db", parent: server, dependencies: [server] },
    { urn: other, type: SERVER, id: "/s/other", deletedWith: server },
  ],
  pending_operations: [{ resource: { urn: db, type: PULUMI_TYPES.database }, type: "creating" }],
});

describe("stack state: ids and forget", () => {
  it("lists urn, type, id and importId (from importID), '' for no id", () => {
    const d = deployment();
    d.resources?.push({ urn: urnOf(PULUMI_TYPES.databaseComponent, "component"), type: PULUMI_TYPES.databaseComponent });
    assert.deepEqual(stateResources(d), [
      { urn: server, type: SERVER, id: "/s/server" },
      { urn: db, type: PULUMI_TYPES.database, id: "/s/server/databases/db", importId: "/S/Server/databases/db" },
      { urn: other, type: SERVER, id: "/s/other" },
      { urn: urnOf(PULUMI_TYPES.databaseComponent, "component"), type: PULUMI_TYPES.databaseComponent, id: "" },
    ]);
  });

  it("reads an empty stack's export, and refuses one that is not a deployment", () => {
    assert.deepEqual(stateResources(deploymentOf({ version: 3, deployment: { manifest: {} } })), []);
    assert.deepEqual(deploymentOf({ version: 3, deployment: undefined }), {});
    assert.throws(() => deploymentOf({ version: 3, deployment: "x" }), /not an object/);
    assert.throws(() => deploymentOf({ version: 3, deployment: { resources: [{ id: "x" }] } }), /without a urn/);
  });

  it("forgets a resource and keeps every other field as it was", () => {
    const d = deployment();
    const out = forgetResources({ ...d, resources: d.resources?.filter((r) => r.urn !== other) }, [db]);
    assert.ok(out.ok);
    assert.deepEqual(out.forgotten, [db]);
    assert.deepEqual(out.deployment.resources?.map((r) => r.urn), [server]);
    assert.deepEqual(out.deployment.manifest, d.manifest);
    assert.deepEqual(out.deployment.secrets_providers, d.secrets_providers);
  });

  it("like `pulumi stack import`, clears every pending operation, those of resources it keeps too, and lists each", () => {
    const d = deployment();
    d.pending_operations?.push({ resource: { urn: server, type: SERVER }, type: "creating" }, { resource: { urn: other, type: SERVER }, type: "deleting" });
    const out = forgetResources(d, [db]);
    assert.ok(out.ok);
    assert.deepEqual(out.clearedPendingOperations, [
      { urn: db, type: "creating" },
      { urn: server, type: "creating" },
      { urn: other, type: "deleting" },
    ]);
    assert.ok(!("pending_operations" in out.deployment), JSON.stringify(out.deployment.pending_operations));
    assert.equal(d.pending_operations?.length, 3, "the export it was given changed");
  });

  it("a state without pending operations clears none", () => {
    const d = deployment();
    delete d.pending_operations;
    const out = forgetResources(d, [other]);
    assert.ok(out.ok);
    assert.deepEqual(out.clearedPendingOperations, []);
    assert.ok(!("pending_operations" in out.deployment));
  });

  it("forgets a URN known only by a pending operation (a create the engine never finished)", () => {
    const d = deployment();
    const orphan = urnOf(SERVER, "half-created");
    d.pending_operations = [{ resource: { urn: orphan, type: SERVER }, type: "creating" }];
    const out = forgetResources(d, [orphan]);
    assert.ok(out.ok);
    assert.deepEqual(out.forgotten, [orphan]);
    assert.deepEqual(out.clearedPendingOperations, [{ urn: orphan, type: "creating" }]);
  });

  it("refuses while a resource that stays names one as parent, dependency or deletedWith, listing each", () => {
    const out = forgetResources(deployment(), [server]);
    assert.ok(!out.ok);
    assert.deepEqual(out.references, [
      { from: db, to: server, via: "parent" },
      { from: db, to: server, via: "dependencies" },
      { from: other, to: server, via: "deletedWith" },
    ]);
  });

  it("refuses on a property dependency and on a provider reference", () => {
    const provider = urnOf("pulumi:providers:azure-native", "default");
    const d: DeploymentState = {
      resources: [
        { urn: provider, type: "pulumi:providers:azure-native", id: "uuid-1" },
        { urn: server, type: SERVER, provider: `${provider}::uuid-1` },
        { urn: db, type: "x", propertyDependencies: { serverName: [server] } },
      ],
    };
    const byProvider = forgetResources(d, [provider]);
    assert.ok(!byProvider.ok);
    assert.deepEqual(byProvider.references, [{ from: server, to: provider, via: "provider" }]);
    const byProperty = forgetResources(d, [server]);
    assert.ok(!byProperty.ok);
    assert.deepEqual(byProperty.references, [{ from: db, to: server, via: "propertyDependencies" }]);
  });

  it("forgets a resource together with everything that points at it", () => {
    const out = forgetResources(deployment(), [server, db, other]);
    assert.ok(out.ok);
    assert.deepEqual(out.deployment.resources, []);
    assert.deepEqual(out.forgotten, [server, db, other]);
  });

  it("removes every entry of a URN (a pending delete of a replaced resource too)", () => {
    const d: DeploymentState = { resources: [{ urn: other, type: SERVER, id: "/old", delete: true }, { urn: other, type: SERVER, id: "/new" }, { urn: server, type: SERVER }] };
    const out = forgetResources(d, [other]);
    assert.ok(out.ok);
    assert.deepEqual(out.deployment.resources?.map((r) => r.urn), [server]);
  });

  it("ignores URNs not in state: nothing forgotten", () => {
    const out = forgetResources(deployment(), [urnOf(SERVER, "never")]);
    assert.ok(out.ok);
    assert.deepEqual(out.forgotten, []);
  });
});
