import { strict as assert } from "node:assert";
import { ToolError } from "../../recovery/errors";
import { copyHost, kubeFromCore, openKubernetesTunnel, tunnelPodManifest, TUNNEL_DEADLINE_SECONDS, type CoreApi, type PodManifest, type TunnelKube } from "../../recovery/data/tunnel";

const SECRET_URL = "postgres://aytqadmin:VerySecretPw1@s189t01-aytq-ts-pg.postgres.database.azure.com:5432/aytq_test?sslmode=require";

class FakeKube implements TunnelKube {
  created: PodManifest[] = [];
  deleted: string[] = [];
  closed = 0;
  failWait = false;
  failSecret = false;
  async readSecret(namespace: string, name: string, key: string): Promise<string> {
    assert.deepEqual([namespace, name, key], ["tra", "aytq-secret", "DATABASE_URL"]);
    if (this.failSecret) throw new Error("HTTP-Code: 403\nMessage: Unknown API Status Code!\nBody: forbidden");
    return SECRET_URL;
  }
  async createPod(manifest: PodManifest): Promise<void> {
    this.created.push(manifest);
  }
  async waitRunning(): Promise<void> {
    if (this.failWait) throw new Error("ImagePullBackOff");
  }
  async deletePod(_ns: string, name: string): Promise<void> {
    this.deleted.push(name);
  }
  async forward(): Promise<{ localPort: number; close(): Promise<void> }> {
    return { localPort: 45678, close: async () => void this.closed++ };
  }
}

function fakeSignals() {
  const handlers = new Set<() => void>();
  return { handlers, add: (fn: () => void) => handlers.add(fn), remove: (fn: () => void) => handlers.delete(fn) };
}

describe("Kubernetes tunnel", () => {
  it("builds a pod manifest with labels, a generous deadline and no secrets", () => {
    const m = tunnelPodManifest({ name: "p1", namespace: "tra", targetHost: "db.example", targetPort: 5432, serverName: "s189t01-aytq-ts-pg" });
    assert.equal(m.metadata.labels["app.kubernetes.io/managed-by"], "aytq-dr");
    assert.equal(m.metadata.labels["aytq-dr/server"], "s189t01-aytq-ts-pg");
    assert.ok((m.spec.activeDeadlineSeconds as number) >= 6 * 3600, "deadline must not cut long dumps short");
    assert.equal(m.spec.activeDeadlineSeconds, TUNNEL_DEADLINE_SECONDS);
    const text = JSON.stringify(m);
    assert.match(text, /tcp-connect:db\.example:5432/);
    assert.doesNotMatch(text, /password|secret|env/i);
  });

  it("points a PTR copy at the copy's host with the same credentials", () => {
    assert.equal(copyHost("s189t01-aytq-ts-pg.postgres.database.azure.com", "s189t01-aytq-ts-pg", "ptr-1"), "ptr-1.postgres.database.azure.com");
    assert.equal(copyHost("other.postgres.database.azure.com", "s189t01-aytq-ts-pg", "ptr-1"), "ptr-1.postgres.database.azure.com");
    assert.throws(() => copyHost("10.0.0.4", "s189t01-aytq-ts-pg", "ptr-1"), /cannot tell the server name/);
  });

  it("forwards to the copy, returns a loopback URL, and release() deletes the pod once", async () => {
    const kube = new FakeKube();
    const signals = fakeSignals();
    const conn = await openKubernetesTunnel({ namespace: "tra", secretName: "aytq-secret", liveServerName: "s189t01-aytq-ts-pg", serverName: "ptr-1" }, { kube, onInterrupt: signals, podName: "pod-a" });
    assert.match(JSON.stringify(kube.created[0]), /tcp-connect:ptr-1\.postgres\.database\.azure\.com:5432/);
    const u = new URL(conn.url);
    assert.equal(u.hostname, "127.0.0.1");
    assert.equal(u.port, "45678");
    assert.equal(u.password, "VerySecretPw1");
    assert.doesNotMatch(conn.label, /VerySecretPw1/);
    assert.equal(conn.serverName, "ptr-1");
    assert.equal(signals.handlers.size, 1);
    await conn.release();
    await conn.release();
    assert.deepEqual(kube.deleted, ["pod-a"]);
    assert.equal(kube.closed, 1);
    assert.equal(signals.handlers.size, 0);
  });

  it("deletes the pod on Ctrl-C", async () => {
    const kube = new FakeKube();
    const signals = fakeSignals();
    await openKubernetesTunnel({ namespace: "tra", secretName: "aytq-secret", liveServerName: "s189t01-aytq-ts-pg" }, { kube, onInterrupt: signals, podName: "pod-b" });
    const saved = process.exitCode;
    [...signals.handlers][0]();
    await new Promise((r) => setTimeout(r, 10));
    process.exitCode = saved;
    assert.deepEqual(kube.deleted, ["pod-b"]);
  });

  it("deletes the pod when it never becomes ready, without leaking the URL", async () => {
    const kube = new FakeKube();
    kube.failWait = true;
    const signals = fakeSignals();
    await assert.rejects(
      openKubernetesTunnel({ namespace: "tra", secretName: "aytq-secret", liveServerName: "s189t01-aytq-ts-pg" }, { kube, onInterrupt: signals, podName: "pod-c" }),
      (err: Error) => /ImagePullBackOff/.test(err.message) && !/VerySecretPw1/.test(err.message),
    );
    assert.deepEqual(kube.deleted, ["pod-c"]);
    assert.equal(signals.handlers.size, 0);
  });

  it("a secret it cannot read is a ToolError saying how to get access, not an internal error; no pod is made", async () => {
    const kube = new FakeKube();
    kube.failSecret = true;
    await assert.rejects(
      openKubernetesTunnel({ namespace: "tra", secretName: "aytq-secret", liveServerName: "s189t01-aytq-ts-pg" }, { kube, onInterrupt: fakeSignals(), podName: "pod-d" }),
      (err: ToolError) => {
        assert.ok(err instanceof ToolError);
        assert.match(err.message, /reading DATABASE_URL from secret tra\/aytq-secret failed: HTTP-Code: 403$/);
        assert.match(err.hint ?? "", /az aks get-credentials.*kubectl get secret aytq-secret -n tra.*--database-url/);
        return true;
      },
    );
    assert.deepEqual(kube.created, []);
  });

  describe("the three tunnel errors have a fix (issue 9)", () => {
    /** A CoreV1Api stand-in: a Secret with `data`, a pod that goes through `phases`. */
    function fakeCore(data: Record<string, string>, phases: { phase: string; reason?: string }[] = []): CoreApi {
      return {
        readNamespacedSecret: async () => ({ data }),
        readNamespacedPod: async () => {
          const next = phases.shift() ?? { phase: "Pending" };
          return { status: { phase: next.phase, reason: next.reason } };
        },
        createNamespacedPod: async () => ({}),
        deleteNamespacedPod: async () => ({}),
      };
    }
    const noForward: TunnelKube["forward"] = async () => ({ localPort: 1, close: async () => undefined });
    const b64 = (s: string): string => Buffer.from(s).toString("base64");

    it("a Secret without the key names the keys it has and says what to check", async () => {
      const kube = kubeFromCore(fakeCore({ REDIS_URL: b64("redis://x"), SECRET_KEY_BASE: b64("k") }), noForward);
      const err = await kube.readSecret("tra", "aytq-secret", "DATABASE_URL").then(() => assert.fail("read a missing key"), (e: unknown) => e);
      assert.ok(err instanceof ToolError);
      assert.equal(err.message, "secret tra/aytq-secret has no DATABASE_URL (its keys: REDIS_URL, SECRET_KEY_BASE)");
      assert.match(err.hint ?? "", /app\.databaseSecretName.*--database-url/);
      // through the tunnel: the same error, no pod made
      const tunnelKube = { ...kube, createPod: async () => assert.fail("made a pod without a URL") };
      await assert.rejects(openKubernetesTunnel({ namespace: "tra", secretName: "aytq-secret", liveServerName: "s189t01-aytq-ts-pg" }, { kube: tunnelKube, onInterrupt: fakeSignals() }), (e: ToolError) => e.hint !== undefined && /has no DATABASE_URL/.test(e.message));
    });

    it("a Secret value that is not a postgres:// URL: a fix showing the expected form, the value never quoted", async () => {
      for (const value of ["VerySecretPw1", "https://VerySecretPw1@host/db", "postgres://"]) {
        const kube = new FakeKube();
        kube.readSecret = async () => value;
        await assert.rejects(openKubernetesTunnel({ namespace: "tra", secretName: "aytq-secret", liveServerName: "s189t01-aytq-ts-pg" }, { kube, onInterrupt: fakeSignals(), podName: "pod-e" }), (e: unknown) => {
          assert.ok(e instanceof ToolError);
          assert.equal(e.message, `DATABASE_URL in secret tra/aytq-secret ${value === "postgres://" ? "names no server host" : "is not a postgres:// URL"}`);
          assert.match(e.hint ?? "", /postgres:\/\/user:password@host:5432\/database under DATABASE_URL .*kubectl get secret aytq-secret -n tra.*--database-url/);
          assert.doesNotMatch(`${e.message} ${e.hint ?? ""}`, /VerySecretPw1/);
          return true;
        });
        assert.deepEqual(kube.created, []);
      }
    });

    it("a tunnel pod that ended: the phase and reason, and where to see why; the pod is deleted", async () => {
      const deleted: string[] = [];
      const core = fakeCore({ DATABASE_URL: b64(SECRET_URL) }, [{ phase: "Pending" }, { phase: "Failed", reason: "Evicted" }]);
      const kube = kubeFromCore({ ...core, deleteNamespacedPod: async (a) => void deleted.push(a.name) }, noForward, 1);
      await assert.rejects(openKubernetesTunnel({ namespace: "tra", secretName: "aytq-secret", liveServerName: "s189t01-aytq-ts-pg" }, { kube, onInterrupt: fakeSignals(), podName: "pod-f" }), (e: unknown) => {
        assert.ok(e instanceof ToolError);
        assert.equal(e.message, "tunnel pod pod-f ended (Failed: Evicted) before it was ready; nothing was read or changed");
        assert.equal(e.hint, "see why in the namespace's events (kept after the pod is deleted): kubectl get events -n tra --field-selector involvedObject.name=pod-f; then run the command again, or pass --database-url");
        return true;
      });
      assert.deepEqual(deleted, ["pod-f"]);
    });
  });
});
