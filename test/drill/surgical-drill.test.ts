/**
 * The surgical data-loss drill on the local platform (issue 18), for real: the incident deletes a
 * third of qualifications and overwrites a quarter of inductions' status while the heartbeat writer
 * keeps writing; recovered by `tables` and by `undelete`. Every heartbeat row written before the app
 * stopped is back, the damaged tables are as at the restore point (undelete leaves the overwritten
 * rows, as its plan says), and the report shows rows lost per table for each way side by side.
 */
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { drillAction } from "../../recovery/cli/commands/drill";
import { drillWay } from "../../recovery/drill/request";
import type { CliIO } from "../../recovery/cli/io";
import type { DrillReport } from "../../recovery/drill";
import { UsageError } from "../../recovery/errors";
import { makeTempDir } from "../../recovery/pg/cluster";

function testIO(env: NodeJS.ProcessEnv): CliIO & { errText: string[] } {
  const errText: string[] = [];
  return { out: () => undefined, err: (t) => errText.push(t), isTTY: false, env, errText };
}

describe("drill data-loss, surgical variant (local platform, real PostgreSQL and Azurite)", function () {
  this.timeout(300_000);
  let dir: string;
  before(async () => (dir = await makeTempDir("aytq-surgical-drill-")));
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function drill(way: "tables" | "undelete"): Promise<{ report: DrillReport; markdown: string; html: string }> {
    const io = testIO({ AYTQ_DR_STATE_DIR: path.join(dir, `state-${way}`) });
    const reports = path.join(dir, `reports-${way}`);
    const { code, reports: out } = await drillAction({ platform: "local", scenario: "data-loss", way, size: "800", reports, workDir: path.join(dir, `work-${way}`) }, io);
    assert.equal(code, 0, io.errText.join("\n"));
    const files = readdirSync(reports);
    const read = (ext: string) => readFileSync(path.join(reports, files.find((f) => f.endsWith(ext))!), "utf8");
    return { report: out[0], markdown: read(".md"), html: read(".html") };
  }

  const check = (r: DrillReport, name: string) => {
    const c = r.checks.find((x) => x.name === name);
    assert.ok(c, `no check "${name}": ${JSON.stringify(r.checks)}`);
    return c;
  };

  it("tables: green; the damaged tables as at the restore point, every heartbeat row kept; rows lost by each way side by side", async () => {
    const { report: r, markdown, html } = await drill("tables");
    assert.equal(r.green, true, JSON.stringify(r.checks, null, 2));
    assert.equal(r.way, "tables");
    assert.deepEqual(r.decisions.map((d) => d.answer), ["tables"]);
    assert.equal(check(r, "heartbeat rows kept").status, "pass");
    assert.match(check(r, "heartbeat rows kept").detail, /all \d+ heartbeat rows committed before the app stopped are back, \d+ of them written after the restore point/);
    assert.equal(check(r, "data equal to the restore point").status, "pass");
    assert.match(check(r, "data equal to the restore point").detail, /teachers, qualifications, inductions: same count and content checksum/);
    assert.equal(r.rowsLost, 0);
    // compare saw the damage, and the heartbeat table only gained rows
    const byTable = new Map((r.comparison ?? []).map((t) => [t.table, t]));
    assert.ok((byTable.get("public.qualifications")?.onlyInCopy ?? 0) > 0);
    assert.ok((byTable.get("public.inductions")?.changed ?? 0) > 0);
    const heartbeat = byTable.get("public.drill_heartbeat");
    assert.ok(heartbeat && heartbeat.onlyInLive > 0 && heartbeat.onlyInCopy === 0, JSON.stringify(heartbeat));
    // side by side: whole throws the heartbeat rows away, tables and undelete do not
    const ways = new Map((r.waysCompared ?? []).map((w) => [w.table, w]));
    assert.deepEqual(ways.get("public.drill_heartbeat"), { table: "public.drill_heartbeat", whole: { lost: heartbeat.onlyInLive, left: 0 }, tables: { lost: 0, left: 0 }, undelete: { lost: 0, left: 0 } });
    assert.deepEqual(ways.get("public.qualifications")?.tables, { lost: 0, left: 0 });
    assert.deepEqual(ways.get("public.inductions")?.undelete, { lost: 0, left: byTable.get("public.inductions")!.changed });
    assert.match(markdown, /## Rows lost per table, by way/);
    assert.match(markdown, /\| public\.drill_heartbeat \| \d+ lost, 0 left \| 0 lost, 0 left \| 0 lost, 0 left \|/);
    assert.match(html, /Rows lost per table, by way/);
    const copyInto = r.steps.find((s) => s.name === "copy-into-live");
    assert.match(copyInto?.summary ?? "", /brought .* back by "tables" in one transaction on live/);
  });

  it("undelete: green; qualifications back, inductions' overwritten rows left as live has them (said so), every heartbeat row kept", async () => {
    const { report: r } = await drill("undelete");
    assert.equal(r.green, true, JSON.stringify(r.checks, null, 2));
    assert.deepEqual(r.decisions.map((d) => d.answer), ["undelete"]);
    assert.equal(check(r, "heartbeat rows kept").status, "pass");
    assert.match(check(r, "data equal to the restore point").detail, /^teachers, qualifications: same count and content checksum/);
    const left = check(r, "left as live has them");
    assert.match(left.detail, /inductions: \d+ rows changed since the restore point stay as live has them \(undelete never overwrites\) \(differs from before the incident, as the plan said\)/);
  });

  it("--way is checked before anything starts", () => {
    assert.throws(() => drillWay("some", ["data-loss"], true), (e: unknown) => e instanceof UsageError && /unknown way "some"/.test(e.message));
    assert.throws(() => drillWay("tables", ["server-lost-revive"], true), /--way does not apply here/);
    assert.throws(() => drillWay("undelete", ["data-loss"], false), /local platform only/);
    assert.equal(drillWay("whole", ["data-loss"], false), "whole");
    assert.equal(drillWay(undefined, ["data-loss"], true), undefined);
  });
});
