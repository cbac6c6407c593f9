/**
 * The application side in Kubernetes: replicas of the app's web and worker Deployments, where the
 * AYTQ and CTR ingresses send traffic, the maintenance page, and the temporary ingresses that
 * reach the app while the maintenance page is up.
 *
 * The app's Deployments and ingresses are created and owned by the app's own deploy pipeline
 * (image, env, probes, TLS). Declaring them whole here would fight that pipeline on every deploy,
 * and deleting this stack would delete the app. So they are declared as patches (server-side
 * apply): this program owns only the fields recovery changes, `spec.replicas` and the ingress
 * rules. `pulumi.com/patchForce` takes those fields over from the field manager that last set
 * them (kubectl, the deploy pipeline), so `stop` / `maintenance on` converge instead of failing on
 * a field-manager conflict.
 */
import * as pulumi from "@pulumi/pulumi";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import { Settings, desiredReplicas } from "./config";
import {
  MAINTENANCE_CONTAINER_PORT,
  MAINTENANCE_INDEX_HTML,
  MAINTENANCE_NGINX_CONF,
  MAINTENANCE_SERVICE_PORT,
} from "./maintenance-page";

/** Server-side apply patches take ownership of their fields from other managers. */
export const PATCH_FORCE_ANNOTATIONS = { "pulumi.com/patchForce": "true" } as const;

/** Name of the maintenance page's ConfigMap, Deployment and Service. */
export function maintenanceName(s: Settings): string {
  return `${s.app.webDeployment}-maintenance`;
}

/** Names of the temporary ingresses (present only during maintenance). */
export function temporaryIngressNames(s: Settings): { aytq: string; ctr: string } {
  return { aytq: `${s.app.webDeployment}-temp-aytq`, ctr: `${s.app.webDeployment}-temp-ctr` };
}

/** Where a host's traffic goes. */
export interface Backend {
  service: string;
  port: number;
}

/** The backend of the public AYTQ / CTR ingresses for the current maintenance state. */
export function publicBackend(s: Settings): Backend {
  return s.app.maintenance
    ? { service: maintenanceName(s), port: MAINTENANCE_SERVICE_PORT }
    : { service: s.app.webDeployment, port: s.app.servicePort };
}

function ingressSpec(s: Settings, host: string, backend: Backend): networkingv1.IngressPatchArgs["spec"] & networkingv1.IngressArgs["spec"] {
  return {
    ingressClassName: s.app.ingressClassName,
    rules: [
      {
        host,
        http: {
          paths: [
            {
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: backend.service, port: { number: backend.port } } },
            },
          ],
        },
      },
    ],
  };
}

export interface ApplicationArgs {
  settings: Settings;
}

export class Application extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly webDeployment: pulumi.Output<string>;
  public readonly workerDeployment: pulumi.Output<string>;
  public readonly webReplicas: pulumi.Output<number>;
  public readonly workerReplicas: pulumi.Output<number>;
  public readonly maintenance: pulumi.Output<boolean>;

  constructor(name: string, args: ApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aytq:app:Application", name, {}, opts);
    const s = args.settings;
    const namespace = s.app.namespace;
    const replicas = desiredReplicas(s);

    for (const [role, deployment, count] of [
      ["web", s.app.webDeployment, replicas.web],
      ["worker", s.app.workerDeployment, replicas.worker],
    ] as const) {
      new appsv1.DeploymentPatch(
        `${name}-${role}`,
        {
          metadata: { name: deployment, namespace, annotations: { ...PATCH_FORCE_ANNOTATIONS } },
          spec: { replicas: count },
        },
        { parent: this },
      );
    }

    // The maintenance page always runs (one small pod), so switching to it is only an ingress change.
    const maintenance = maintenanceName(s);
    const labels = { app: maintenance };
    const config = new corev1.ConfigMap(
      `${name}-maintenance-config`,
      {
        metadata: { name: maintenance, namespace },
        data: { "default.conf": MAINTENANCE_NGINX_CONF, "index.html": MAINTENANCE_INDEX_HTML },
      },
      { parent: this },
    );
    new appsv1.Deployment(
      `${name}-maintenance`,
      {
        metadata: { name: maintenance, namespace, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: "nginx",
                  image: s.app.maintenanceImage,
                  ports: [{ name: "http", containerPort: MAINTENANCE_CONTAINER_PORT }],
                  readinessProbe: { httpGet: { path: "/", port: MAINTENANCE_CONTAINER_PORT } },
                  resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
                  volumeMounts: [
                    { name: "config", mountPath: "/etc/nginx/conf.d/default.conf", subPath: "default.conf" },
                    { name: "config", mountPath: "/usr/share/nginx/html/index.html", subPath: "index.html" },
                  ],
                },
              ],
              volumes: [{ name: "config", configMap: { name: config.metadata.name } }],
            },
          },
        },
      },
      { parent: this },
    );
    new corev1.Service(
      `${name}-maintenance-service`,
      {
        metadata: { name: maintenance, namespace, labels },
        spec: {
          selector: labels,
          ports: [{ name: "http", port: MAINTENANCE_SERVICE_PORT, targetPort: MAINTENANCE_CONTAINER_PORT }],
        },
      },
      { parent: this },
    );

    const backend = publicBackend(s);
    for (const service of ["aytq", "ctr"] as const) {
      new networkingv1.IngressPatch(
        `${name}-ingress-${service}`,
        {
          metadata: { name: s.app.ingressNames[service], namespace, annotations: { ...PATCH_FORCE_ANNOTATIONS } },
          spec: ingressSpec(s, s.app.hosts[service], backend),
        },
        { parent: this },
      );
    }

    if (s.app.maintenance) {
      const names = temporaryIngressNames(s);
      const app: Backend = { service: s.app.webDeployment, port: s.app.servicePort };
      for (const service of ["aytq", "ctr"] as const) {
        new networkingv1.Ingress(
          `${name}-temp-${service}`,
          {
            metadata: { name: names[service], namespace },
            spec: ingressSpec(s, s.app.temporaryHosts[service], app),
          },
          { parent: this },
        );
      }
    }

    this.namespace = pulumi.output(namespace);
    this.webDeployment = pulumi.output(s.app.webDeployment);
    this.workerDeployment = pulumi.output(s.app.workerDeployment);
    this.webReplicas = pulumi.output(replicas.web);
    this.workerReplicas = pulumi.output(replicas.worker);
    this.maintenance = pulumi.output(s.app.maintenance);
    this.registerOutputs({
      namespace: this.namespace,
      webDeployment: this.webDeployment,
      workerDeployment: this.workerDeployment,
      webReplicas: this.webReplicas,
      workerReplicas: this.workerReplicas,
      maintenance: this.maintenance,
    });
  }
}
