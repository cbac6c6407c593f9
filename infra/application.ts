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
import { DEFAULT_APP_SERVICE_PORT, DEFAULT_INGRESS_CLASS, DEFAULT_MAINTENANCE_IMAGE } from "./config";
import {
  MAINTENANCE_CONTAINER_PORT,
  MAINTENANCE_INDEX_HTML,
  MAINTENANCE_NGINX_CONF,
  MAINTENANCE_SERVICE_PORT,
} from "./maintenance-page";
import { PULUMI_TYPES } from "./types";

/** Server-side apply patches take ownership of their fields from other managers. */
export const PATCH_FORCE_ANNOTATIONS = { "pulumi.com/patchForce": "true" } as const;

/** One value for each of the two services. */
interface ServicePair {
  aytq: string;
  ctr: string;
}

/** Name of the maintenance page's ConfigMap, Deployment and Service. */
function maintenanceName(webDeployment: string): string {
  return `${webDeployment}-maintenance`;
}

/** Names of the temporary ingresses (present only during maintenance). */
function temporaryIngressNames(webDeployment: string): ServicePair {
  return { aytq: `${webDeployment}-temp-aytq`, ctr: `${webDeployment}-temp-ctr` };
}

/** Where a host's traffic goes. */
interface Backend {
  service: string;
  port: number;
}

/** The backend of the public AYTQ / CTR ingresses: the maintenance page while it is on, the app otherwise. */
function publicBackend(maintenance: boolean, app: Backend, webDeployment: string): Backend {
  return maintenance ? { service: maintenanceName(webDeployment), port: MAINTENANCE_SERVICE_PORT } : app;
}

function ingressSpec(ingressClassName: string, host: string, backend: Backend): networkingv1.IngressPatchArgs["spec"] & networkingv1.IngressArgs["spec"] {
  return {
    ingressClassName,
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

/** What the application side is declared from: exactly what the component reads. */
export interface ApplicationArgs {
  namespace: string;
  /** The app's web Deployment; its Service has the same name. */
  webDeployment: string;
  workerDeployment: string;
  /** Replicas declared on the two Deployments: 0 each while the app is stopped (desiredReplicas in infra/config). */
  replicas: { web: number; worker: number };
  /** The public hosts serve the maintenance page and temporary hosts reach the app. @default false */
  maintenance?: boolean;
  /** Public hosts of the two services. */
  hosts: ServicePair;
  /** Hosts that reach the app during maintenance. */
  temporaryHosts: ServicePair;
  /** The app's own ingresses, patched to point at the app or the maintenance page. */
  ingressNames: ServicePair;
  /** Port of the app's Service. @default DEFAULT_APP_SERVICE_PORT */
  servicePort?: number;
  /** @default DEFAULT_INGRESS_CLASS */
  ingressClassName?: string;
  /** @default DEFAULT_MAINTENANCE_IMAGE */
  maintenanceImage?: string;
}

/** The fields of the app's Kubernetes objects recovery changes, and the maintenance page. */

export class Application extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly webDeployment: pulumi.Output<string>;
  public readonly workerDeployment: pulumi.Output<string>;
  public readonly webReplicas: pulumi.Output<number>;
  public readonly workerReplicas: pulumi.Output<number>;
  public readonly maintenance: pulumi.Output<boolean>;

  constructor(name: string, args: ApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PULUMI_TYPES.applicationComponent, name, {}, opts);
    const { namespace, webDeployment, replicas } = args;
    const inMaintenance = args.maintenance === true;
    const ingressClassName = args.ingressClassName ?? DEFAULT_INGRESS_CLASS;
    const app: Backend = { service: webDeployment, port: args.servicePort ?? DEFAULT_APP_SERVICE_PORT };

    for (const [role, deployment, count] of [
      ["web", webDeployment, replicas.web],
      ["worker", args.workerDeployment, replicas.worker],
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
    const maintenance = maintenanceName(webDeployment);
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
                  image: args.maintenanceImage ?? DEFAULT_MAINTENANCE_IMAGE,
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

    const backend = publicBackend(inMaintenance, app, webDeployment);
    for (const service of ["aytq", "ctr"] as const) {
      new networkingv1.IngressPatch(
        `${name}-ingress-${service}`,
        {
          metadata: { name: args.ingressNames[service], namespace, annotations: { ...PATCH_FORCE_ANNOTATIONS } },
          spec: ingressSpec(ingressClassName, args.hosts[service], backend),
        },
        { parent: this },
      );
    }

    if (inMaintenance) {
      const names = temporaryIngressNames(webDeployment);
      for (const service of ["aytq", "ctr"] as const) {
        new networkingv1.Ingress(
          `${name}-temp-${service}`,
          {
            metadata: { name: names[service], namespace },
            spec: ingressSpec(ingressClassName, args.temporaryHosts[service], app),
          },
          { parent: this },
        );
      }
    }

    this.namespace = pulumi.output(namespace);
    this.webDeployment = pulumi.output(webDeployment);
    this.workerDeployment = pulumi.output(args.workerDeployment);
    this.webReplicas = pulumi.output(replicas.web);
    this.workerReplicas = pulumi.output(replicas.worker);
    this.maintenance = pulumi.output(inMaintenance);
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
