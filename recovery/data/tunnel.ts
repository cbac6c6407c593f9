/**
 * A route to a database only the cluster can reach: a short-lived socat pod in the app's namespace
 * forwards to the server, and a loopback port is forwarded to the pod. The pod holds no secrets (the
 * password is read from the app's Secret by us and never leaves this process except to libpq); it is
 * deleted by release(), on Ctrl-C, and by Kubernetes itself after a generous activeDeadlineSeconds.
 */
import * as net from "node:net";
import { ToolError, UsageError } from "../errors";
import type { DatabaseConnection } from "./types";
import { redact } from "../util/redact";
import { formatDatabaseUrl, parseDatabaseUrl, type ConnectionTarget } from "../pg/connection";

export interface KubernetesTunnelOptions {
  namespace: string;
  /** Secret holding the app's DATABASE_URL. */
  secretName: string;
  /** Connect to this server instead of the one in DATABASE_URL (a PTR copy), same credentials. */
  serverName?: string;
  /** Server name for labels when serverName is not given. */
  liveServerName: string;
  /** Key in the Secret. @default "DATABASE_URL" */
  secretKey?: string;
}

/** The pod image: socat on Alpine, about 5 MB. */
const TUNNEL_IMAGE = "alpine/socat:1.8.0.3";
/** Kubernetes removes a forgotten pod after this; long enough for the largest dump (the old one-hour limit broke them). */
export const TUNNEL_DEADLINE_SECONDS = 12 * 3600;
const POD_READY_TIMEOUT_MS = 120_000;
const TUNNEL_PORT = 5432;

export interface PodManifest {
  apiVersion: "v1";
  kind: "Pod";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

/** Pure: the tunnel pod. No secret goes into it: only the server's host and port. */
export function tunnelPodManifest(args: { name: string; namespace: string; targetHost: string; targetPort: number; serverName: string }): PodManifest {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: args.name,
      namespace: args.namespace,
      labels: { "app.kubernetes.io/name": "aytq-dr-tunnel", "app.kubernetes.io/managed-by": "aytq-dr", "aytq-dr/server": args.serverName.slice(0, 63) },
    },
    spec: {
      restartPolicy: "Never",
      activeDeadlineSeconds: TUNNEL_DEADLINE_SECONDS,
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 5,
      containers: [
        {
          name: "socat",
          image: TUNNEL_IMAGE,
          args: [`tcp-listen:${TUNNEL_PORT},fork,reuseaddr`, `tcp-connect:${args.targetHost}:${args.targetPort}`],
          ports: [{ containerPort: TUNNEL_PORT }],
          resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "1", memory: "128Mi" } },
          securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 65534, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
        },
      ],
    },
  };
}

/** Pure: host for a PTR copy with the live server's credentials. */
export function copyHost(host: string, liveServerName: string, copyName: string): string {
  if (host === liveServerName || host.startsWith(`${liveServerName}.`)) return copyName + host.slice(liveServerName.length);
  if (host.endsWith(".postgres.database.azure.com")) return `${copyName}.${host.split(".").slice(1).join(".")}`;
  throw new UsageError(`cannot tell the server name in DATABASE_URL's host ${host}`, `pass --database-url for the copy ${copyName}`);
}

/** What the tunnel needs from Kubernetes; the real one uses @kubernetes/client-node, tests pass a fake. */
export interface TunnelKube {
  readSecret(namespace: string, name: string, key: string): Promise<string>;
  createPod(manifest: PodManifest): Promise<void>;
  waitRunning(namespace: string, name: string, timeoutMs: number): Promise<void>;
  deletePod(namespace: string, name: string): Promise<void>;
  forward(namespace: string, pod: string, port: number): Promise<{ localPort: number; close(): Promise<void> }>;
}

export interface TunnelDeps {
  kube?: TunnelKube;
  /** Register/unregister the Ctrl-C clean-up. @default process SIGINT/SIGTERM */
  onInterrupt?: { add(fn: () => void): void; remove(fn: () => void): void };
  podName?: string;
}

const processSignals = {
  add: (fn: () => void): void => {
    process.once("SIGINT", fn);
    process.once("SIGTERM", fn);
  },
  remove: (fn: () => void): void => {
    process.off("SIGINT", fn);
    process.off("SIGTERM", fn);
  },
};

export async function openKubernetesTunnel(options: KubernetesTunnelOptions, deps: TunnelDeps = {}): Promise<DatabaseConnection> {
  const kube = deps.kube ?? (await realKube());
  const signals = deps.onInterrupt ?? processSignals;
  const key = options.secretKey ?? "DATABASE_URL";
  const raw = await kube.readSecret(options.namespace, options.secretName, key).catch((err: unknown) => {
    // no cluster credentials, wrong context, no such secret: the operator's to fix, not a bug (no stack trace)
    if (err instanceof ToolError || err instanceof UsageError) throw err;
    throw new ToolError(
      `reading ${key} from secret ${options.namespace}/${options.secretName} failed: ${String((err as Error).message ?? err).split("\n")[0]}`,
      `check kubectl can read it (az aks get-credentials for the cluster; kubectl get secret ${options.secretName} -n ${options.namespace}), or pass --database-url`,
    );
  });
  const url = databaseUrlFromSecret(raw, key, options.namespace, options.secretName);
  const server = options.serverName ?? options.liveServerName;
  const targetHost = options.serverName ? copyHost(url.host, options.liveServerName, options.serverName) : url.host;
  const targetPort = Number(url.port ?? 5432);
  const podName = deps.podName ?? `aytq-dr-tunnel-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const manifest = tunnelPodManifest({ name: podName, namespace: options.namespace, targetHost, targetPort, serverName: server });

  let forward: { localPort: number; close(): Promise<void> } | undefined;
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    signals.remove(onInterrupt);
    await forward?.close().catch(() => undefined);
    await kube.deletePod(options.namespace, podName);
  };
  const onInterrupt = (): void => {
    void release().finally(() => {
      process.exitCode = 130;
      if (!deps.onInterrupt) process.exit(130);
    });
  };
  signals.add(onInterrupt);
  try {
    await kube.createPod(manifest);
    await kube.waitRunning(options.namespace, podName, POD_READY_TIMEOUT_MS);
    forward = await kube.forward(options.namespace, podName, TUNNEL_PORT);
  } catch (err) {
    await release().catch(() => undefined);
    throw err instanceof ToolError || err instanceof UsageError ? err : new ToolError(`opening the tunnel to ${server} failed: ${redact(String((err as Error).message ?? err), [raw])}`, "check kubectl access to the namespace (az aks get-credentials)");
  }
  // the app's own reading of its URL (a query host= or dbname= included), with the forward's host and port
  const db = url.dbname ?? url.user ?? "postgres";
  return { url: formatDatabaseUrl({ ...url, host: "127.0.0.1", port: String(forward.localPort) }, raw.trim().startsWith("postgresql:") ? "postgresql" : "postgres"), label: `${server}/${db} (via pod ${podName})`, serverName: server, release };
}

/**
 * The app's DATABASE_URL as read from its Secret, or a ToolError with the fix: the value must be a
 * postgres:// URL. The value is never quoted (it holds the password).
 */
function databaseUrlFromSecret(raw: string, key: string, namespace: string, secretName: string): ConnectionTarget & { host: string } {
  let url: ConnectionTarget | undefined;
  let why = "is not a postgres:// URL";
  try {
    url = parseDatabaseUrl(raw);
  } catch (err) {
    if (err instanceof UsageError) why = err.message.replace(/^the database URL /, "").replace(/ \(the URL is not repeated here.*\)$/, "");
  }
  if (url?.host === undefined || url.host.startsWith("/")) {
    throw new ToolError(
      `${key} in secret ${namespace}/${secretName} ${url === undefined ? why : "names no server host"}`,
      `the app's Secret must hold its connection as postgres://user:password@host:5432/database under ${key} (see what it holds: kubectl get secret ${secretName} -n ${namespace} -o jsonpath='{.data.${key}}' | base64 -d); or pass --database-url`,
    );
  }
  return { ...url, host: url.host };
}

/** The Secret exists but has no such key (or an empty one). */
function secretKeyMissing(namespace: string, name: string, key: string, keys: readonly string[]): ToolError {
  return new ToolError(
    `secret ${namespace}/${name} has no ${key}${keys.length ? ` (its keys: ${keys.join(", ")})` : " (it holds no keys)"}`,
    `the app reads its database connection from ${key} in this Secret: check --stack names the right app (app.databaseSecretName), or pass --database-url`,
  );
}

/** The tunnel pod stopped before it was ready (evicted, its image would not run, the deadline passed). */
function tunnelPodEnded(namespace: string, name: string, phase: string, reason?: string): ToolError {
  return new ToolError(
    `tunnel pod ${name} ended (${phase}${reason ? `: ${reason}` : ""}) before it was ready; nothing was read or changed`,
    `see why in the namespace's events (kept after the pod is deleted): kubectl get events -n ${namespace} --field-selector involvedObject.name=${name}; then run the command again, or pass --database-url`,
  );
}

// ------------------------------------------------------------------------------------------------
// The real Kubernetes adapter (ESM-only client, loaded on demand).

/** The parts of @kubernetes/client-node's CoreV1Api the tunnel calls (tests pass a stand-in). */
export interface CoreApi {
  readNamespacedSecret(args: { name: string; namespace: string }): Promise<{ data?: Record<string, string> }>;
  readNamespacedPod(args: { name: string; namespace: string }): Promise<{ status?: { phase?: string; reason?: string; message?: string; containerStatuses?: { ready: boolean }[] } }>;
  createNamespacedPod(args: { namespace: string; body: never }): Promise<unknown>;
  deleteNamespacedPod(args: { name: string; namespace: string; gracePeriodSeconds?: number }): Promise<unknown>;
}

/** readSecret, createPod, waitRunning and deletePod over a CoreV1Api; `forward` is given (it needs the kubeconfig). */
export function kubeFromCore(core: CoreApi, forward: TunnelKube["forward"], pollMs = 1000): TunnelKube {
  return {
    readSecret: async (namespace, name, key) => {
      const secret = await core.readNamespacedSecret({ name, namespace });
      const value = secret.data?.[key];
      if (!value) throw secretKeyMissing(namespace, name, key, Object.keys(secret.data ?? {}));
      return Buffer.from(value, "base64").toString("utf8");
    },
    createPod: async (manifest) => {
      await core.createNamespacedPod({ namespace: manifest.metadata.namespace, body: manifest as never });
    },
    waitRunning: async (namespace, name, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const pod = await core.readNamespacedPod({ name, namespace });
        const phase = pod.status?.phase;
        if (phase === "Running" && pod.status?.containerStatuses?.every((c) => c.ready)) return;
        if (phase === "Failed" || phase === "Succeeded") throw tunnelPodEnded(namespace, name, phase, pod.status?.reason ?? pod.status?.message);
        if (Date.now() > deadline) throw new ToolError(`tunnel pod ${name} was not running after ${timeoutMs / 1000} s (phase ${phase ?? "unknown"})`, "can the cluster pull alpine/socat? see kubectl describe pod");
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    deletePod: async (namespace, name) => {
      await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 }).catch((err: { code?: number }) => {
        if (err.code !== 404) throw err;
      });
    },
    forward,
  };
}

/** The Kubernetes API through the current kubeconfig context (also reads the app's Secret for a rebuild). */
export async function realKube(): Promise<TunnelKube> {
  const k8s = await import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  return kubeFromCore(core, async (namespace, pod, port) => {
    const pf = new k8s.PortForward(kc);
    const server = net.createServer((socket) => {
      pf.portForward(namespace, pod, [port], socket, null, socket).catch(() => socket.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    const localPort = typeof address === "object" && address ? address.port : 0;
    return { localPort, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  });
}
