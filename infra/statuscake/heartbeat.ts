/**
 * A StatusCake heartbeat (push) check as a Pulumi resource. `@pulumiverse/statuscake` 1.0.2 has no
 * heartbeat resource, so this is a dynamic resource whose provider calls StatusCake's API (api.ts):
 * create, read (refresh), update in place, delete, and a diff over the declared fields. The check's
 * push URL is an output, kept secret (its query holds the account's push key).
 *
 * Pulumi serializes the provider's functions into the state and runs them later in its dynamic
 * provider host, a plain Node process started from the project folder. So the provider captures
 * only plain values (the API root, the timeout) and api.ts, which Pulumi serializes by value with
 * them (it uses Node's globals only); the token is read from STATUSCAKE_API_TOKEN when each
 * function runs, never captured and never stored.
 */
import * as pulumi from "@pulumi/pulumi";
import { HEARTBEAT_PERIOD_MAX_SECONDS, HEARTBEAT_PERIOD_MIN_SECONDS, STATUSCAKE_API_URL, STATUSCAKE_TOKEN_ENV, StatusCakeClient, StatusCakeError, type HeartbeatCheckSpec } from "./api";

export { backupHeartbeatName } from "./names";

/** The provider's inputs: the declared fields. */
export type HeartbeatCheckInputs = HeartbeatCheckSpec;

/** The resource's state: the declared fields and the push URL StatusCake made. */
export interface HeartbeatCheckOutputs extends HeartbeatCheckSpec {
  /** Secret. */
  pushUrl: string;
}

export interface HeartbeatProviderOptions {
  /** StatusCake's API root. @default STATUSCAKE_API_URL; tests point it at a local server */
  apiUrl?: string;
  /** Per request, in milliseconds. @default STATUSCAKE_TIMEOUT_MS */
  timeoutMs?: number;
}

/**
 * The provider. Inputs may hold Pulumi's unknown marker during a preview (a contact group not
 * created yet): anything that is not plainly a value is passed through untouched, never defaulted.
 */
export function heartbeatProvider(o: HeartbeatProviderOptions = {}): pulumi.dynamic.ResourceProvider<HeartbeatCheckInputs, HeartbeatCheckOutputs> {
  const apiUrl = o.apiUrl ?? STATUSCAKE_API_URL;
  const timeoutMs = o.timeoutMs;
  // Everything the functions below use is inside this closure, or in api.ts.
  const client = () => new StatusCakeClient({ token: process.env[STATUSCAKE_TOKEN_ENV] ?? "", baseUrl: apiUrl, timeoutMs });
  const specOf = (v: Partial<HeartbeatCheckInputs>): HeartbeatCheckInputs => ({
    name: v.name as string,
    periodSeconds: v.periodSeconds as number,
    contactGroupIds: v.contactGroupIds === undefined ? [] : v.contactGroupIds,
    tags: v.tags === undefined ? [] : v.tags,
    paused: v.paused === undefined ? false : v.paused,
  });
  const sameSet = (a: unknown, b: unknown): boolean =>
    Array.isArray(a) && Array.isArray(b) ? [...a].map(String).sort().join("\u0000") === [...b].map(String).sort().join("\u0000") && a.length === b.length : a === b;
  const outputsOf = (spec: HeartbeatCheckInputs, pushUrl: string): HeartbeatCheckOutputs => ({ ...spec, pushUrl });

  return {
    async check(_olds, news) {
      const spec = specOf(news);
      const failures: pulumi.dynamic.CheckFailure[] = [];
      if (typeof spec.name === "string" && spec.name.trim() === "") failures.push({ property: "name", reason: "must not be empty" });
      const p = spec.periodSeconds;
      if (typeof p === "number" && (!Number.isInteger(p) || p < HEARTBEAT_PERIOD_MIN_SECONDS || p > HEARTBEAT_PERIOD_MAX_SECONDS)) {
        failures.push({ property: "periodSeconds", reason: `must be a whole number of seconds from ${HEARTBEAT_PERIOD_MIN_SECONDS} to ${HEARTBEAT_PERIOD_MAX_SECONDS} (StatusCake's bounds), not ${p}` });
      }
      return { inputs: spec, failures };
    },

    async diff(_id, olds, news) {
      const spec = specOf(news);
      const changed: string[] = (["name", "periodSeconds", "paused"] as const).filter((k) => olds[k] !== spec[k]);
      for (const k of ["contactGroupIds", "tags"] as const) if (!sameSet(olds[k], spec[k])) changed.push(k);
      // every field is updated in place (PUT /heartbeat/{id}): nothing replaces the check, so its push URL stays
      return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs) {
      const spec = specOf(inputs);
      const c = client();
      const id = await c.createHeartbeatCheck(spec);
      let pushUrl: string | undefined;
      try {
        pushUrl = (await c.getHeartbeatCheck(id))?.pushUrl;
      } catch (err) {
        // Pulumi records nothing of a failed create: take the new check back rather than leave an orphan
        await c.deleteHeartbeatCheck(id).catch(() => undefined);
        throw err;
      }
      if (!pushUrl) {
        await c.deleteHeartbeatCheck(id).catch(() => undefined);
        throw new StatusCakeError(`StatusCake created heartbeat check ${id} but gave no push URL for it (it was deleted again)`, "run pulumi up again; if it persists, look at the check in StatusCake", "bad-answer");
      }
      return { id, outs: outputsOf(spec, pushUrl) };
    },

    async read(id, props): Promise<pulumi.dynamic.ReadResult<HeartbeatCheckOutputs>> {
      const got = await client().getHeartbeatCheck(id);
      // gone from StatusCake: an empty id tells the engine, and a refresh forgets it
      if (!got) return { id: "" };
      const spec: HeartbeatCheckInputs = { name: got.name, periodSeconds: got.periodSeconds, contactGroupIds: got.contactGroupIds, tags: got.tags, paused: got.paused };
      // StatusCake's values become the inputs too, so a change made by hand shows as a diff at the next preview
      // (Pulumi types `inputs` like the outputs; the inputs are the declared fields, without the secret push URL)
      return { id, props: outputsOf(spec, got.pushUrl || (props?.pushUrl ?? "")), inputs: spec as HeartbeatCheckOutputs };
    },

    async update(id, olds, news) {
      const spec = specOf(news);
      const c = client();
      await c.updateHeartbeatCheck(id, spec);
      const got = await c.getHeartbeatCheck(id);
      return { outs: outputsOf(spec, got?.pushUrl || olds.pushUrl) };
    },

    async delete(id) {
      await client().deleteHeartbeatCheck(id);
    },
  };
}

/** One provider per API root, so Pulumi serializes each once per process (it caches by object). */
const providers = new Map<string, pulumi.dynamic.ResourceProvider<HeartbeatCheckInputs, HeartbeatCheckOutputs>>();

function providerFor(apiUrl: string | undefined): pulumi.dynamic.ResourceProvider<HeartbeatCheckInputs, HeartbeatCheckOutputs> {
  const key = apiUrl ?? STATUSCAKE_API_URL;
  let p = providers.get(key);
  if (!p) {
    p = heartbeatProvider({ apiUrl: key });
    providers.set(key, p);
  }
  return p;
}

export interface HeartbeatCheckArgs {
  /** The check's name in StatusCake. */
  name: pulumi.Input<string>;
  /** Seconds without a ping before the check is down and alerts (StatusCake allows 30 to 172800). */
  periodSeconds: pulumi.Input<number>;
  /** Contact groups alerted. @default [] */
  contactGroupIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** @default [] */
  tags?: pulumi.Input<pulumi.Input<string>[]>;
  /** @default false */
  paused?: pulumi.Input<boolean>;
  /** StatusCake's API root. @default STATUSCAKE_API_URL */
  apiUrl?: string;
}

/**
 * A StatusCake heartbeat check. `pushUrl` is the URL the job pings (secret). Needs
 * STATUSCAKE_API_TOKEN in the environment of `pulumi up` / `preview --refresh`.
 */
export class HeartbeatCheck extends pulumi.dynamic.Resource {
  public declare readonly name: pulumi.Output<string>;
  public declare readonly periodSeconds: pulumi.Output<number>;
  public declare readonly contactGroupIds: pulumi.Output<string[]>;
  public declare readonly tags: pulumi.Output<string[]>;
  public declare readonly paused: pulumi.Output<boolean>;
  /** The URL to ping; secret. */
  public declare readonly pushUrl: pulumi.Output<string>;

  constructor(name: string, args: HeartbeatCheckArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor(args.apiUrl),
      name,
      {
        name: args.name,
        periodSeconds: args.periodSeconds,
        contactGroupIds: args.contactGroupIds ?? [],
        tags: args.tags ?? [],
        paused: args.paused ?? false,
        pushUrl: undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "pushUrl"] },
      "statuscake",
      "HeartbeatCheck",
    );
  }
}
