/**
 * `--stack S` without `--database-url`: which tunnels the data commands open (server, Secret,
 * namespace) and that each is released, through CliIO.openTunnel. The fake tunnel hands back real
 * databases in a throwaway cluster, so compare and backup really run.
 */
import { strict as assert } from "node:assert";
import { main } from "../../recovery/cli/main";
import type { CliIO } from "../../recovery/cli/io";
import { loadStackSettings } from "../../recovery/config/stackfile";
import { listBackups } from "../../recovery/data/storage";
import { withDatabase } from "../../recovery/data/pgtools";
import { psql } from "../../recovery/pg/psql";
import type { KubernetesTunnelOptions } from "../../recovery/data/tunnel";
import type { DatabaseConnection } from "../../recovery/data/types";
import { createDatabase, freshStorage, seed, startDataEnv, type DataEnv } from "../helpers/data";

const settings = loadStackSettings("test");
const LIVE = settings.database.serverName;

/** A tunnel per server name, to a database URL; records every open and release, in order. */
class FakeTunnels {
  readonly opened: KubernetesTunnelOptions[] = [];
  readonly events: string[] = [];
  constructor(private readonly urls: Record<string, string>) {}
  get released(): string[] {
    return this.events.filter((e) => e.startsWith("release ")).map((e) => e.slice("release ".length));
  }
  open = async (o: KubernetesTunnelOptions): Promise<DatabaseConnection> => {
    this.opened.push(o);
    const server = o.serverName ?? o.liveServerName;
    const url = this.urls[server];
    if (!url) throw new Error(`no fake server ${server}`);
    this.events.push(`open ${server}`);
    return { url, label: `${server}/${new URL(url).pathname.slice(1)} (fake tunnel)`, serverName: server, release: async () => void this.events.push(`release ${server}`) };
  };
}

function io(tunnels: FakeTunnels, env: NodeJS.ProcessEnv = {}): CliIO & { stdout(): string; text(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false, env, openTunnel: tunnels.open, stdout: () => out.join("\n"), text: () => [...out, ...err].join("\n") };
}

const tunnel = (serverName?: string): KubernetesTunnelOptions => ({ namespace: settings.app.namespace, secretName: settings.app.databaseSecretName, liveServerName: LIVE, serverName });

describe("data commands through the stack's tunnel (CliIO.openTunnel)", function () {
  this.timeout(60_000);
  let env: DataEnv;
  before(async () => {
    env = await startDataEnv();
  });
  after(async () => env?.dispose());

  it("the stack file gives the namespace and Secret the tunnels are asked for", () => {
    assert.equal(settings.app.namespace, "tra-test");
    assert.equal(settings.app.databaseSecretName, "access-your-teaching-qualifications-test-secret");
  });

  it("compare --stack test --copy copy-x: live and copy copy-x through two tunnels; 0 when equal, 1 when different, both released each time", async () => {
    const live = await createDatabase(env.cluster, "tlive");
    const copy = await createDatabase(env.cluster, "tcopy");
    await seed(live);
    await seed(copy);

    const equal = new FakeTunnels({ [LIVE]: live.url, "copy-x": copy.url });
    const eqIO = io(equal);
    assert.equal(await main(["node", "aytq-dr", "compare", "--stack", "test", "--copy", "copy-x"], eqIO), 0, eqIO.text());
    assert.deepEqual(equal.opened, [tunnel(undefined), tunnel("copy-x")], "A is the live server, B the copy copy-x, same Secret and namespace");
    assert.deepEqual(equal.events, [`open ${LIVE}`, "open copy-x", "release copy-x", `release ${LIVE}`]);
    // with --copy the sides are named for what they are: live and the copy
    assert.match(eqIO.stdout(), new RegExp(`live = ${LIVE}/`));
    assert.match(eqIO.stdout(), /copy = copy-x\//);
    assert.match(eqIO.stdout(), /table\s+key\s+rows live\s+rows copy\s+only in copy\s+only in live\s+changed\n/);

    await psql(copy.url, "DELETE FROM qualifications WHERE id % 7 = 0");
    const different = new FakeTunnels({ [LIVE]: live.url, "copy-x": copy.url });
    const diffIO = io(different);
    assert.equal(await main(["node", "aytq-dr", "compare", "--stack", "test", "--copy", "copy-x", "--json"], diffIO), 1, diffIO.text());
    const json = JSON.parse(diffIO.stdout()) as { equal: boolean; tables: { table: string; equal: boolean; onlyInCopy: number; onlyInLive: number; changed: number | null }[] };
    assert.equal(json.equal, false);
    assert.deepEqual(json.tables.filter((t) => !t.equal).map((t) => t.table), ["public.qualifications"]);
    // 2000 qualifications, every 7th deleted from the copy: they are only in live
    assert.deepEqual(json.tables.filter((t) => !t.equal).map((t) => [t.onlyInCopy, t.onlyInLive, t.changed]), [[0, 285, 0]]);
    assert.deepEqual(different.released.sort(), [LIVE, "copy-x"].sort());
  });

  it("compare releases both tunnels when the comparison throws, and the live one when the copy's cannot open", async () => {
    const live = await createDatabase(env.cluster, "tlive");
    await seed(live);
    const broken = new FakeTunnels({ [LIVE]: live.url, "copy-x": withDatabase(live.url, "no_such_database") });
    const brokenIO = io(broken);
    const code = await main(["node", "aytq-dr", "compare", "--stack", "test", "--copy", "copy-x"], brokenIO);
    assert.ok(code !== 0 && code !== 1, `a failed compare is neither "equal" nor "different" (exit ${code}): ${brokenIO.text()}`);
    assert.match(brokenIO.text(), /no_such_database/);
    assert.deepEqual(broken.events, [`open ${LIVE}`, "open copy-x", "release copy-x", `release ${LIVE}`]);

    const noCopy = new FakeTunnels({ [LIVE]: live.url });
    assert.notEqual(await main(["node", "aytq-dr", "compare", "--stack", "test", "--copy", "gone"], io(noCopy)), 0);
    assert.deepEqual(noCopy.events, [`open ${LIVE}`, `release ${LIVE}`]);
  });

  it("backup --stack test --server <copy> dumps the copy (not live) through its tunnel and releases it; --server <live> and no --server take live", async () => {
    const live = await createDatabase(env.cluster, "blive");
    const copy = await createDatabase(env.cluster, "bcopy");
    await seed(live);
    await seed(copy, 10);
    const storage = freshStorage(env);
    const storageArgs = ["--storage-connection-string", env.azurite.connectionString, "--container", storage.container];

    const tunnels = new FakeTunnels({ [LIVE]: live.url, "aytq-copy-1": copy.url });
    const c = io(tunnels);
    assert.equal(await main(["node", "aytq-dr", "backup", "--stack", "test", "--server", "aytq-copy-1", "--name", "of-copy", ...storageArgs], c), 0, c.text());
    assert.deepEqual(tunnels.opened, [tunnel("aytq-copy-1")]);
    assert.deepEqual(tunnels.events, ["open aytq-copy-1", "release aytq-copy-1"]);

    assert.equal(await main(["node", "aytq-dr", "backup", "--stack", "test", "--server", LIVE, "--name", "of-live", ...storageArgs], c), 0, c.text());
    assert.equal(await main(["node", "aytq-dr", "backup", "--stack", "test", "--name", "of-live-default", ...storageArgs], c), 0, c.text());
    assert.deepEqual(tunnels.opened.slice(1), [tunnel(undefined), tunnel(undefined)], "naming the live server is the live tunnel");
    assert.deepEqual(tunnels.released, ["aytq-copy-1", LIVE, LIVE]);

    const sources = Object.fromEntries((await listBackups(storage)).map((b) => [b.name, b.sourceServer]));
    assert.deepEqual(sources, { "of-copy.sql.gz": "aytq-copy-1", "of-live.sql.gz": LIVE, "of-live-default.sql.gz": LIVE });
    // the copy's dump really is the copy: it alone has the bulk table
    const restored = await createDatabase(env.cluster, "brest");
    assert.equal(await main(["node", "aytq-dr", "restore", "--yes", "--database-url", restored.url, "--file", "of-copy", "--no-safety-backup", ...storageArgs], c), 0, c.text());
    assert.equal((await psql(restored.url, "SELECT count(*) FROM bulk")).trim(), "10");
  });
});
