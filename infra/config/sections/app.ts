/** `aytq:app`: the application's Deployments and ingresses in Kubernetes, and its maintenance page. */
import { z } from "zod";
import { DEFAULT_APP_SERVICE_PORT, DEFAULT_HEALTH_PATH, DEFAULT_INGRESS_CLASS, DEFAULT_MAINTENANCE_IMAGE } from "../defaults";
import { boolish, hostname, intish } from "../fields";

const servicePair = z.object({ aytq: hostname, ctr: hostname }).strict();

/** The section as the stack file writes it; the names that default from the web deployment are filled in by parseSettings. */
export const appSchema = z
  .object({
    namespace: z.string().min(1),
    webDeployment: z.string().min(1),
    workerDeployment: z.string().min(1),
    webReplicas: intish(0, 100),
    workerReplicas: intish(0, 100),
    /** Replicas are 0 while true. @default false */
    stopped: boolish.default(false),
    /** The maintenance page serves the public hosts while true. @default false */
    maintenance: boolish.default(false),
    /** Public hosts of the two services. */
    hosts: servicePair,
    /** Temporary hosts that reach the app during maintenance. */
    temporaryHosts: servicePair,
    /** Whether DfE Sign-in knows the temporary hosts (the DR test's lesson). @default false */
    dsiTemporaryUrlsRegistered: boolish.default(false),
    /** Names of the app's existing ingresses for each service. @default `<webDeployment>-aytq` and `<webDeployment>-ctr` */
    ingressNames: z.object({ aytq: z.string().min(1), ctr: z.string().min(1) }).strict().optional(),
    /** The app's Service (same name as the web deployment) port. @default DEFAULT_APP_SERVICE_PORT */
    servicePort: intish(1, 65535).default(DEFAULT_APP_SERVICE_PORT),
    /** @default DEFAULT_INGRESS_CLASS */
    ingressClassName: z.string().min(1).default(DEFAULT_INGRESS_CLASS),
    /** Kubernetes Secret holding the app's DATABASE_URL. @default `<webDeployment>-secret` */
    databaseSecretName: z.string().min(1).optional(),
    /** @default DEFAULT_HEALTH_PATH */
    healthPath: z.string().startsWith("/").default(DEFAULT_HEALTH_PATH),
    /** @default DEFAULT_MAINTENANCE_IMAGE */
    maintenanceImage: z.string().min(1).default(DEFAULT_MAINTENANCE_IMAGE),
  })
  .strict();
