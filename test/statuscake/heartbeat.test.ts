/**
 * The heartbeat check as code: the dynamic provider's functions against a local StatusCake
 * stand-in, the resource under Pulumi mocks, and the provider as Pulumi serializes it, run the way
 * Pulumi's dynamic provider host runs it (a plain Node process, no TypeScript loader, started from
 * the project folder), against the same stand-in.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import { STATUSCAKE_TOKEN_ENV, StatusCakeError } from "../../infra/statuscake/api";
import { HeartbeatCheck, backupHeartbeatName, heartbeatProvider, type HeartbeatCheckOutputs } from "../../infra/statuscake/heartbeat";
import { PROJECT_ROOT } from "../../recovery/config/stackfile";
import { StatusCakeStandin } from "../helpers/statuscake-standin";
import { PULUMI_TYPES } from "../../infra/types";

const INPUTS = { name: "test AYTQ and CTR nightly backup", periodSeconds: 93_600, contactGroupIds: ["11"], tags: ["aytq-dr", "test"], paused: false };
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function promiseOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

/** Set STATUSCAKE_API_TOKEN for the duration of a test. */
function withToken(token: string | undefined): () => void {
  const before = process.env[STATUSCAKE_TOKEN_ENV];
  if (token === undefined) delete process.env[STATUSCAKE_TOKEN_ENV];
  else process.env[STATUSCAKE_TOKEN_ENV] = token;
  return () => {
    if (before === undefined) delete process.env[STATUSCAKE_TOKEN_ENV];
    else process.env[STATUSCAKE_TOKEN_ENV] = before;
  };
}

describe("heartbeat check as code (a Pulumi dynamic resource over StatusCake's API)", function () {
  this.timeout(60_000);
  let sc: StatusCakeStandin;
  let restore: () => void;

  beforeEach(async () => {
    sc = await StatusCakeStandin.start();
    restore = withToken(sc.token);
  });
  afterEach(async () => {
    restore();
    await sc.close();
  });

  describe("the provider's functions against the StatusCake stand-in", () => {
    it("create: POST /heartbeat, then GET for the push URL; the outputs are the inputs and the push URL", async () => {
      const p = heartbeatProvider({ apiUrl: sc.apiUrl });
      const r = await p.create(INPUTS);
      assert.deepEqual(r.outs, { ...INPUTS, pushUrl: sc.pushUrl(r.id) });
      assert.deepEqual(sc.calls, ["POST /v1/heartbeat", `GET /v1/heartbeat/${r.id}`]);
      const stored = sc.heartbeats.get(r.id)!;
      assert.deepEqual([stored.name, stored.period, stored.contact_groups, stored.tags, stored.paused], [INPUTS.name, 93_600, ["11"], ["aytq-dr", "test"], false]);
    });

    it("read: StatusCake's values as props and as inputs (a change made by hand shows at the next preview); gone: an empty id", async () => {
      const p = heartbeatProvider({ apiUrl: sc.apiUrl });
      const { id, outs } = await p.create(INPUTS);
      sc.heartbeats.get(id)!.period = 3600; // changed in StatusCake's web app
      const r = await p.read!(id, outs);
      assert.equal(r.id, id);
      assert.equal(r.props?.periodSeconds, 3600);
      assert.equal(r.props?.pushUrl, sc.pushUrl(id));
      assert.deepEqual(r.inputs, { ...INPUTS, periodSeconds: 3600 });
      assert.ok(!("pushUrl" in (r.inputs ?? {})), "the secret push URL is not an input");
      sc.heartbeats.delete(id);
      assert.deepEqual(await p.read!(id, outs), { id: "" });
    });

    it("update: PUT with every field, the check keeps its id and push URL", async () => {
      const p = heartbeatProvider({ apiUrl: sc.apiUrl });
      const { id, outs } = await p.create(INPUTS);
      const r = await p.update!(id, outs as HeartbeatCheckOutputs, { ...INPUTS, periodSeconds: 100_800, paused: true });
      assert.deepEqual(r.outs, { ...INPUTS, periodSeconds: 100_800, paused: true, pushUrl: sc.pushUrl(id) });
      assert.equal(sc.heartbeats.get(id)?.period, 100_800);
      assert.equal(sc.heartbeats.get(id)?.paused, true);
    });

    it("delete: DELETE; a check already gone is no error", async () => {
      const p = heartbeatProvider({ apiUrl: sc.apiUrl });
      const { id, outs } = await p.create(INPUTS);
      await p.delete!(id, outs as HeartbeatCheckOutputs);
      assert.equal(sc.heartbeats.size, 0);
      await p.delete!(id, outs as HeartbeatCheckOutputs);
    });

    it("diff: nothing changed, contact groups in another order; a name or period change updates in place, never replaces", async () => {
      const p = heartbeatProvider({ apiUrl: sc.apiUrl });
      const olds = { ...INPUTS, contactGroupIds: ["11", "12"], pushUrl: "x" };
      assert.deepEqual(await p.diff!("1", olds, { ...INPUTS, contactGroupIds: ["12", "11"] }), { changes: false, replaces: [], deleteBeforeReplace: false });
      for (const change of [{ name: "renamed" }, { periodSeconds: 60 }, { tags: [] }, { paused: true }, { contactGroupIds: ["11"] }]) {
        assert.deepEqual(await p.diff!("1", olds, { ...olds, ...change }), { changes: true, replaces: [], deleteBeforeReplace: false }, JSON.stringify(change));
      }
      // an input unknown during preview (a contact group not created yet) is a change, not a crash
      assert.equal((await p.diff!("1", olds, { ...INPUTS, contactGroupIds: UNKNOWN as unknown as string[] })).changes, true);
    });

    it("check: a period outside StatusCake's 30..172800 s and an empty name are refused by property; unknowns pass through", async () => {
      const p = heartbeatProvider({ apiUrl: sc.apiUrl });
      assert.deepEqual((await p.check!(INPUTS, { ...INPUTS, periodSeconds: 29 })).failures, [{ property: "periodSeconds", reason: "must be a whole number of seconds from 30 to 172800 (StatusCake's bounds), not 29" }]);
      assert.equal((await p.check!(INPUTS, { ...INPUTS, periodSeconds: 172_801 })).failures?.length, 1);
      assert.deepEqual((await p.check!(INPUTS, { ...INPUTS, periodSeconds: 30 })).failures, []);
      assert.deepEqual((await p.check!(INPUTS, { ...INPUTS, name: " " })).failures?.map((f) => f.property), ["name"]);
      const { inputs } = await p.check!(INPUTS, { name: INPUTS.name, periodSeconds: 93_600, contactGroupIds: UNKNOWN as unknown as string[] } as typeof INPUTS);
      assert.deepEqual(inputs, { name: INPUTS.name, periodSeconds: 93_600, contactGroupIds: UNKNOWN, tags: [], paused: false });
      assert.equal(sc.requests.length, 0, "check asks StatusCake nothing");
    });

    it("the token is read from STATUSCAKE_API_TOKEN when each function runs: none set is a clear error, a wrong one a 401 line; neither prints it", async () => {
      const p = heartbeatProvider({ apiUrl: sc.apiUrl });
      withToken(undefined);
      const none = await p.create(INPUTS).then(() => assert.fail("created without a token"), (e: unknown) => e);
      assert.ok(none instanceof StatusCakeError && none.kind === "no-token", String(none));
      assert.match((none as Error).message, /STATUSCAKE_API_TOKEN is not set/);
      const wrong = "sc-wrong-0123456789abcdef";
      withToken(wrong);
      const refused = await p.create(INPUTS).then(() => assert.fail("created with a wrong token"), (e: unknown) => e as Error);
      assert.match(refused.message, /StatusCake refused the API token \(HTTP 401/);
      assert.ok(!refused.message.includes(wrong) && !(refused.stack ?? "").includes(wrong));
      withToken(sc.token);
      assert.ok((await p.create(INPUTS)).id);
    });

    it("a create whose read-back fails takes the new check back (Pulumi records nothing of a failed create)", async () => {
      const p = heartbeatProvider({ apiUrl: sc.apiUrl });
      sc.faults.push({ method: "GET", path: /^\/v1\/heartbeat\/\d+$/, status: 503, body: { message: "Service Unavailable" } });
      await assert.rejects(p.create(INPUTS), /StatusCake answered HTTP 503/);
      assert.equal(sc.heartbeats.size, 0);
      assert.deepEqual(sc.calls.map((c) => c.split(" ")[0]), ["POST", "GET", "DELETE"]);
    });

    it("a rate limit on create is one line saying when to retry", async () => {
      const p = heartbeatProvider({ apiUrl: sc.apiUrl });
      sc.faults.push({ method: "POST", status: 429, headers: { "x-ratelimit-reset": "50" } });
      await assert.rejects(p.create(INPUTS), /rate-limiting this account .*resets in 50 s; fix: wait 50 s/);
    });
  });

  describe("the resource under Pulumi mocks, and its provider as Pulumi serializes it", () => {
    interface Seen {
      type: string;
      name: string;
      inputs: Record<string, unknown>;
    }

    async function register(apiUrl: string): Promise<{ seen: Seen[]; options: pulumi.CustomResourceOptions[]; pushUrl: string; name: string }> {
      const seen: Seen[] = [];
      const options: pulumi.CustomResourceOptions[] = [];
      await pulumi.runtime.setMocks(
        {
          newResource: (args: pulumi.runtime.MockResourceArgs) => {
            // the mock API types inputs as any; they are plain deserialized values
            const inputs = args.inputs as Record<string, unknown>;
            if (args.type !== "pulumi:pulumi:Stack") seen.push({ type: args.type, name: args.name, inputs });
            return { id: "7001", state: { ...inputs, pushUrl: `https://push.statuscake.com/?PK=mock&TestID=7001&time=0` } };
          },
          call: (args: pulumi.runtime.MockCallArgs) => args.inputs as Record<string, unknown>,
        },
        "aytq",
        "test",
        false,
      );
      let hb: HeartbeatCheck | undefined;
      await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((args) => {
          if (args.type === PULUMI_TYPES.heartbeatCheck) options.push(args.opts as pulumi.CustomResourceOptions);
          return undefined;
        });
        hb = new HeartbeatCheck("aytq-uptime-backup-heartbeat", { name: backupHeartbeatName("test"), periodSeconds: 93_600, contactGroupIds: [pulumi.output("11")], tags: ["aytq-dr", "test"], apiUrl });
        return {};
      });
      const [pushUrl, name] = await Promise.all([promiseOf(hb!.pushUrl), promiseOf(hb!.name)]);
      await pulumi.runtime.disconnect();
      return { seen, options, pushUrl, name };
    }

    it("registers as pulumi-nodejs:dynamic/statuscake:HeartbeatCheck with its inputs, the push URL as an additional secret output", async () => {
      const r = await register(sc.apiUrl);
      assert.equal(r.seen.length, 1);
      const [res] = r.seen;
      assert.equal(res.type, PULUMI_TYPES.heartbeatCheck);
      assert.equal(res.name, "aytq-uptime-backup-heartbeat");
      assert.deepEqual({ ...res.inputs, __provider: undefined }, { name: "test AYTQ and CTR nightly backup", periodSeconds: 93_600, contactGroupIds: ["11"], tags: ["aytq-dr", "test"], paused: false, __provider: undefined });
      assert.equal(typeof res.inputs.__provider, "string", "the serialized provider");
      assert.deepEqual(r.options[0].additionalSecretOutputs, ["pushUrl"]);
      assert.equal(r.pushUrl, "https://push.statuscake.com/?PK=mock&TestID=7001&time=0");
      assert.equal(r.name, "test AYTQ and CTR nightly backup");
      assert.equal(sc.requests.length, 0, "nothing reaches StatusCake under mocks");
      const provider = res.inputs.__provider as string;
      assert.ok(!provider.includes(sc.token), "no token in the serialized provider");
    });

    it("the serialized provider runs in a plain Node process, as Pulumi's dynamic provider host runs it: create, read, update, delete", async () => {
      const { seen } = await register(sc.apiUrl);
      const text = seen[0].inputs.__provider as string;
      const requireFromString = require.resolve("require-from-string", { paths: [require.resolve("@pulumi/pulumi")] });
      // what cmd/dynamic-provider does: requireFromString(text).handler(), then the CRUD calls (with __provider among the props)
      const script = `
        const rfs = require(process.argv[1]);
        let text = "";
        process.stdin.on("data", (d) => (text += d)).on("end", async () => {
          try {
            const p = rfs(text).handler();
            const inputs = ${JSON.stringify({ ...INPUTS, __provider: "(serialized)" })};
            const out = { check: await p.check({}, inputs) };
            const c = await p.create(inputs);
            out.create = c;
            out.read = await p.read(c.id, c.outs);
            out.update = await p.update(c.id, c.outs, { ...inputs, periodSeconds: 7200 });
            await p.delete(c.id, c.outs);
            out.gone = await p.read(c.id, c.outs);
            process.stdout.write(JSON.stringify(out));
          } catch (e) {
            process.stderr.write(String(e && e.stack || e));
            process.exitCode = 1;
          }
        });`;
      const child = spawn(process.execPath, ["-e", script, requireFromString], { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? "", [STATUSCAKE_TOKEN_ENV]: sc.token }, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.stdin.end(text);
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      assert.equal(code, 0, stderr);
      const out = JSON.parse(stdout) as { check: { failures: unknown[] }; create: { id: string; outs: HeartbeatCheckOutputs }; read: { id: string; props: HeartbeatCheckOutputs }; update: { outs: HeartbeatCheckOutputs }; gone: { id: string } };
      const id = out.create.id;
      assert.deepEqual(out.check.failures, []);
      assert.deepEqual(out.create.outs, { ...INPUTS, pushUrl: sc.pushUrl(id) });
      assert.equal(out.read.props.pushUrl, sc.pushUrl(id));
      assert.equal(out.update.outs.periodSeconds, 7200);
      assert.deepEqual(out.gone, { id: "" });
      assert.deepEqual(sc.calls, ["POST /v1/heartbeat", `GET /v1/heartbeat/${id}`, `GET /v1/heartbeat/${id}`, `PUT /v1/heartbeat/${id}`, `GET /v1/heartbeat/${id}`, `DELETE /v1/heartbeat/${id}`, `GET /v1/heartbeat/${id}`]);
      assert.ok(sc.requests.every((r) => r.authorization === `Bearer ${sc.token}`), "the child read the token from its environment");
    });
  });
});
