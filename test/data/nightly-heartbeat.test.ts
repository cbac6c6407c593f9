/**
 * The nightly backup's heartbeat: the ping against a local HTTP server standing in for StatusCake's
 * push endpoint (retries, failures as one warning line, the push key never printed), where the URL
 * comes from, the read-back that must pass before any ping, and `aytq-dr backup --nightly`
 * in-process against a real PostgreSQL and Azurite: a backup that is written and reads back pings
 * once, after the blob exists; a backup that fails never pings; a ping that fails never fails it.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { BlobServiceClient } from "@azure/storage-blob";
import type { CliIO } from "../../recovery/cli/io";
import { main } from "../../recovery/cli/main";
import { readBackChecksum } from "../../recovery/data/nightly";
import { afterNightlyBackup } from "../../recovery/notify/nightly";
import type { StorageLocation } from "../../recovery/data/types";
import { ToolError, UsageError } from "../../recovery/errors";
import { HEARTBEAT_URL_ENV, heartbeatTarget, pingHeartbeat } from "../../recovery/notify/heartbeat";
import { startDataEnv, type DataEnv } from "../helpers/data";

const KEY = "PKsecretPushKey0123456789";

interface Pinger {
  url: string;
  origin: string;
  pings: { url: string; at: number }[];
  /** Answer for the next pings, in order; then 200. `hang`: never answer. */
  replies: (number | "hang")[];
  /** Runs at each ping, before it is answered. */
  onPing?: () => Promise<void>;
  close(): Promise<void>;
}

/** A local HTTP server standing in for StatusCake's push endpoint. */
async function pinger(): Promise<Pinger> {
  const hanging = new Set<http.ServerResponse>();
  const p: Pinger = {
    url: "",
    origin: "",
    pings: [],
    replies: [],
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = http.createServer((req, res) => {
    p.pings.push({ url: req.url ?? "", at: Date.now() });
    const reply = p.replies.shift() ?? 200;
    if (reply === "hang") return void hanging.add(res);
    void (p.onPing ?? (async () => undefined))().then(() => res.writeHead(reply, { "content-type": "text/plain" }).end(reply === 200 ? "success" : "no"));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  p.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  p.url = `${p.origin}/?PK=${KEY}&TestID=7001&time=0`;
  return p;
}

async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function noKey(...texts: string[]): void {
  for (const t of texts) assert.ok(!t.includes(KEY) && !t.includes("TestID"), `the push URL's query leaked: ${t}`);
}

describe("nightly backup heartbeat", function () {
  this.timeout(120_000);
  let ping: Pinger;
  beforeEach(async () => (ping = await pinger()));
  afterEach(() => ping.close());

  describe("the ping", () => {
    it("GETs the push URL whole and says so, naming only the host", async () => {
      const r = await pingHeartbeat(new URL(ping.url));
      assert.deepEqual(r, { ok: true, line: `heartbeat: pinged ${ping.origin} (HTTP 200)` });
      assert.deepEqual(ping.pings.map((x) => x.url), [`/?PK=${KEY}&TestID=7001&time=0`]);
    });

    it("a 5xx is retried (with a growing wait) and the ping goes through", async () => {
      ping.replies.push(503, 502);
      const r = await pingHeartbeat(new URL(ping.url), { retryDelayMs: 20 });
      assert.equal(r.ok, true);
      assert.equal(ping.pings.length, 3);
    });

    it("still failing after every attempt: one warning line with the fix, the backup's fine, no key", async () => {
      ping.replies.push(500, 500, 500);
      const r = await pingHeartbeat(new URL(ping.url), { retryDelayMs: 10 });
      assert.equal(r.ok, false);
      assert.equal(r.line.split("\n").length, 1);
      assert.match(r.line, new RegExp(`^WARNING: heartbeat: not pinged \\(${ping.origin.replace(/\./g, "\\.")} answered HTTP 500, 3 attempts\\): the backup is fine, .*; fix: check the URL \\(pulumi stack output backupHeartbeatUrl --show-secrets, in AYTQ_DR_HEARTBEAT_URL\\)`));
      noKey(r.line);
    });

    it("a 404 (a wrong or deleted check) is not retried", async () => {
      ping.replies.push(404);
      const r = await pingHeartbeat(new URL(ping.url), { retryDelayMs: 10 });
      assert.equal(r.ok, false);
      assert.equal(ping.pings.length, 1);
      assert.match(r.line, /answered HTTP 404, 1 attempt\)/);
    });

    it("timeout and unreachable: a warning each, never the key", async () => {
      ping.replies.push("hang");
      const slow = await pingHeartbeat(new URL(ping.url), { timeoutMs: 300, attempts: 1 });
      assert.match(slow.line, new RegExp(`not pinged \\(${ping.origin.replace(/\./g, "\\.")} did not answer within 0\\.3 s, 1 attempt\\)`));
      const port = await closedPort();
      const dead = await pingHeartbeat(new URL(`http://127.0.0.1:${port}/?PK=${KEY}&TestID=1`), { attempts: 2, retryDelayMs: 10 });
      assert.match(dead.line, new RegExp(`could not reach http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
      noKey(slow.line, dead.line);
    });
  });

  describe("where the push URL comes from", () => {
    it("--heartbeat-url wins over AYTQ_DR_HEARTBEAT_URL; the variable is used without it", () => {
      const env = { [HEARTBEAT_URL_ENV]: "https://push.statuscake.com/?PK=env&TestID=2" };
      assert.equal(heartbeatTarget(ping.url, env).url?.href, ping.url);
      assert.equal(heartbeatTarget(undefined, env).url?.searchParams.get("PK"), "env");
    });

    it("a malformed --heartbeat-url is bad input (exit 2) that does not echo it; a malformed variable only warns", () => {
      const bad = `not a url ${KEY}`;
      assert.throws(() => heartbeatTarget(bad, {}), (e: unknown) => e instanceof UsageError && !e.message.includes(KEY) && /not an http\(s\) URL/.test(e.message));
      assert.throws(() => heartbeatTarget(`ftp://x/?PK=${KEY}`, {}), UsageError);
      const t = heartbeatTarget(undefined, { [HEARTBEAT_URL_ENV]: bad });
      assert.equal(t.url, undefined);
      assert.match("warning" in t ? t.warning : "", /^WARNING: heartbeat: not pinged: AYTQ_DR_HEARTBEAT_URL is not an http\(s\) URL/);
      noKey("warning" in t ? t.warning : "");
    });

    it("neither given (or empty): no ping, and a line saying so", () => {
      for (const env of [{}, { [HEARTBEAT_URL_ENV]: "  " }]) {
        const t = heartbeatTarget(undefined, env);
        assert.match("warning" in t ? t.warning : "", /^heartbeat: not pinged: no --heartbeat-url and AYTQ_DR_HEARTBEAT_URL is not set/);
      }
    });
  });

  describe("with Azurite and PostgreSQL", () => {
    let env: DataEnv;
    let seq = 0;
    before(async () => {
      env = await startDataEnv();
    });
    after(async () => env?.dispose());
    const storage = (): Extract<StorageLocation, { kind: "connection-string" }> => ({ kind: "connection-string", connectionString: env.azurite.connectionString, container: `nightly${Date.now().toString(36)}${++seq}` });

    /** A blob as backupToBlob leaves it: content, and its sha256 in metadata (or a wrong one). */
    async function putBlob(where: StorageLocation, name: string, content: Buffer, metadataSha?: string): Promise<{ name: string; bytes: number; sha256: string }> {
      const sha256 = createHash("sha256").update(content).digest("hex");
      const container = BlobServiceClient.fromConnectionString(env.azurite.connectionString).getContainerClient(where.container);
      await container.createIfNotExists();
      await container.getBlockBlobClient(name).uploadData(content, { metadata: { sha256: metadataSha ?? sha256, bytes: String(content.length) } });
      return { name, bytes: content.length, sha256 };
    }

    it("read-back: the blob's sha256 matches the backup's and its metadata's, then the ping", async () => {
      const where = storage();
      const backup = await putBlob(where, "aytq_local_2024-07-24.sql.gz", Buffer.from("-- a dump\n".repeat(5000)));
      const after = await afterNightlyBackup(where, backup, heartbeatTarget(ping.url, {}));
      assert.deepEqual(after.readBack, { bytes: backup.bytes, sha256: backup.sha256 });
      assert.equal(after.heartbeat.pinged && after.heartbeat.ok, true);
      assert.equal(ping.pings.length, 1);
    });

    it("a blob that does not read back as written (metadata, or content) fails the nightly step and never pings", async () => {
      const where = storage();
      const wrongMeta = await putBlob(where, "a.sql.gz", Buffer.from("abc"), "0".repeat(64));
      await assert.rejects(afterNightlyBackup(where, wrongMeta, heartbeatTarget(ping.url, {})), (e: unknown) => e instanceof ToolError && /reads back with sha256 .*, but its metadata says 0{64}/.test(e.message));
      const other = await putBlob(where, "b.sql.gz", Buffer.from("what was stored"));
      await assert.rejects(readBackChecksum(where, { ...other, sha256: "f".repeat(64) }), /does not read back as written/);
      assert.equal(ping.pings.length, 0);
    });

    class IO implements CliIO {
      readonly stdout: string[] = [];
      readonly stderr: string[] = [];
      readonly isTTY = false;
      constructor(readonly env: NodeJS.ProcessEnv = {}) {}
      out(t: string): void {
        this.stdout.push(t);
      }
      err(t: string): void {
        this.stderr.push(t);
      }
      get all(): string {
        return [...this.stdout, ...this.stderr].join("\n");
      }
    }
    const backupArgs = (where: Extract<StorageLocation, { kind: "connection-string" }>, databaseUrl: string) => ["node", "aytq-dr", "backup", "--database-url", databaseUrl, "--storage-connection-string", where.connectionString, "--container", where.container, "--nightly"];

    it("aytq-dr backup --nightly: written, read back, then one ping, after the blob exists; the key never printed", async () => {
      const where = storage();
      let blobsAtPing: string[] = [];
      ping.onPing = async () => {
        const container = BlobServiceClient.fromConnectionString(env.azurite.connectionString).getContainerClient(where.container);
        blobsAtPing = [];
        for await (const b of container.listBlobsFlat()) blobsAtPing.push(b.name);
      };
      const io = new IO();
      const code = await main([...backupArgs(where, env.cluster.url("postgres")), "--heartbeat-url", ping.url], io);
      assert.equal(code, 0, io.all);
      assert.match(io.stdout.join("\n"), /^backup aytq_local_\d{4}-\d{2}-\d{2}\.sql\.gz: .* sha256 [0-9a-f]{64} \(read back: matches\)$/m);
      assert.ok(io.stderr.includes(`heartbeat: pinged ${ping.origin} (HTTP 200)`), io.all);
      assert.equal(ping.pings.length, 1);
      assert.deepEqual(blobsAtPing.length, 1, "the backup was stored before the ping");
      noKey(io.all);
    });

    it("the push URL from AYTQ_DR_HEARTBEAT_URL, and --json reports the read-back and the ping", async () => {
      const where = storage();
      const io = new IO({ [HEARTBEAT_URL_ENV]: ping.url });
      assert.equal(await main([...backupArgs(where, env.cluster.url("postgres")), "--json"], io), 0, io.all);
      const out = JSON.parse(io.stdout.join("\n")) as { sha256: string; readBack: { sha256: string }; heartbeat: { pinged: boolean; ok: boolean } };
      assert.equal(out.readBack.sha256, out.sha256);
      assert.deepEqual(out.heartbeat, { pinged: true, ok: true });
      assert.equal(ping.pings.length, 1);
      noKey(io.all);
    });

    it("a backup that fails (the database is unreachable) exits 4 and never pings", async () => {
      const where = storage();
      const io = new IO({ [HEARTBEAT_URL_ENV]: ping.url });
      const code = await main([...backupArgs(where, `postgres://postgres@127.0.0.1:${await closedPort()}/postgres`)], io);
      assert.equal(code, 4, io.all);
      assert.equal(ping.pings.length, 0);
      noKey(io.all);
    });

    it("a ping that fails is a warning: the backup still succeeds (exit 0)", async () => {
      const where = storage();
      ping.replies.push(500, 500, 500);
      const io = new IO();
      // (the default retries: about 6 s of waiting)
      const code = await main([...backupArgs(where, env.cluster.url("postgres")), "--heartbeat-url", ping.url], io);
      assert.equal(code, 0, io.all);
      assert.ok(io.stderr.some((l) => l.startsWith(`WARNING: heartbeat: not pinged (${ping.origin} answered HTTP 500, 3 attempts)`)), io.all);
      noKey(io.all);
    });

    it("--heartbeat-url without --nightly is refused (exit 2) before anything runs", async () => {
      const where = storage();
      const io = new IO();
      const args = backupArgs(where, env.cluster.url("postgres")).filter((a) => a !== "--nightly");
      assert.equal(await main([...args, "--heartbeat-url", ping.url], io), 2, io.all);
      assert.match(io.all, /--heartbeat-url goes with --nightly/);
      assert.equal(ping.pings.length, 0);
      noKey(io.all);
    });
  });
});
