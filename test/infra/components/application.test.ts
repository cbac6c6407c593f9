/** The application component built alone from its own arguments: where the ingresses send traffic, and the replicas it is given. */
import * as assert from "node:assert/strict";
import { DEFAULT_APP_SERVICE_PORT, DEFAULT_INGRESS_CLASS } from "../../../infra/config";
import { Application, type ApplicationArgs } from "../../../infra/application";
import { MAINTENANCE_SERVICE_PORT } from "../../../infra/maintenance-page";
import { buildAlone, declared, namesOf } from "../alone";
import { PULUMI_TYPES } from "../../../infra/types";

const ARGS: ApplicationArgs = {
  namespace: "alone-ns",
  webDeployment: "alone-web",
  workerDeployment: "alone-worker",
  replicas: { web: 3, worker: 0 },
  hosts: { aytq: "aytq.example.gov.uk", ctr: "ctr.example.gov.uk" },
  temporaryHosts: { aytq: "aytq-temp.example.gov.uk", ctr: "ctr-temp.example.gov.uk" },
  ingressNames: { aytq: "alone-aytq-ingress", ctr: "alone-ctr-ingress" },
};

/** The backend of an ingress's only rule. */
function backendOf(spec: unknown): unknown {
  return (spec as { rules: { http: { paths: { backend: { service: unknown } }[] } }[] }).rules[0].http.paths[0].backend.service;
}

describe("component alone: Application", () => {
  it("not in maintenance: the given replicas, the public ingresses to the app's Service, no temporary ingress", async () => {
    const e = await buildAlone(() => {
      new Application("a", ARGS);
      return {};
    });
    assert.equal((declared(e, PULUMI_TYPES.deploymentPatch, "a-web").inputs.spec as { replicas: number }).replicas, 3);
    assert.equal((declared(e, PULUMI_TYPES.deploymentPatch, "a-worker").inputs.metadata as { name: string }).name, "alone-worker");
    const ingress = declared(e, PULUMI_TYPES.ingressPatch, "a-ingress-ctr");
    assert.equal((ingress.inputs.metadata as { name: string }).name, "alone-ctr-ingress");
    assert.equal((ingress.inputs.spec as { ingressClassName: string }).ingressClassName, DEFAULT_INGRESS_CLASS);
    assert.deepEqual(backendOf(ingress.inputs.spec), { name: "alone-web", port: { number: DEFAULT_APP_SERVICE_PORT } });
    assert.deepEqual(namesOf(e, PULUMI_TYPES.ingress), []);
  });

  it("in maintenance: the public ingresses to the maintenance page, the temporary hosts to the app", async () => {
    const e = await buildAlone(() => ({ maintenance: new Application("a", { ...ARGS, maintenance: true, servicePort: 3000 }).maintenance }));
    assert.deepEqual(backendOf(declared(e, PULUMI_TYPES.ingressPatch, "a-ingress-aytq").inputs.spec), { name: "alone-web-maintenance", port: { number: MAINTENANCE_SERVICE_PORT } });
    const temporary = declared(e, PULUMI_TYPES.ingress, "a-temp-aytq");
    assert.equal((temporary.inputs.spec as { rules: { host: string }[] }).rules[0].host, "aytq-temp.example.gov.uk");
    assert.deepEqual(backendOf(temporary.inputs.spec), { name: "alone-web", port: { number: 3000 } });
    assert.equal(e.outputs.maintenance, true);
  });
});
