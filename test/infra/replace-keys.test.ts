/**
 * The replace keys of azure-native (ENGINE.md §11): derived from Azure's REST spec, covering every
 * type the program declares, and an adoption of the leftover diagnostic setting or a server Azure
 * created that can never read as a replace (issue 16's done-when, through `aytq-dr plan --json`).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseSettings, STACK_NAMES } from "../../infra/config";
import { pathValues, replaceKeyTypes, replaceKeysOf } from "../../infra/replace-keys";
import { readStackConfig } from "../../recovery/config/stackfile";
import { evaluateProgram, PlannedResource } from "../../recovery/plan/evaluate";
import { checkImport } from "../../recovery/plan/imports";
import type { PlanDocument } from "../../recovery/plan/render";
import { PLAN_SUBSCRIPTION_ID } from "../../recovery/plan/mocks";
import { RecordingIO, runMain } from "../helpers/cli-io";
import { AZURE_NATIVE_PREFIX, PULUMI_TYPES } from "../../infra/types";

const ROOT = path.resolve(__dirname, "..", "..");
const TABLE = path.join(ROOT, "infra", "azure-native-replace-keys.json");
const SPECS = path.join(ROOT, "test", "fixtures", "azure-rest-api-specs");

const SERVER_ID = `/subscriptions/${PLAN_SUBSCRIPTION_ID}/resourceGroups/s189p01-aytq-pd-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/s189p01-aytq-pd-pg`;
/** The setting's id as Azure reports it: the server part lower-cased (ENGINE.md §8d). */
const SETTING_ID = `${SERVER_ID.toLowerCase()}/providers/microsoft.insights/diagnosticSettings/s189p01-aytq-pd-pg-diagnostics`;

async function planJson(...sets: string[]): Promise<PlanDocument> {
  const io = new RecordingIO(undefined, { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" } });
  const code = await runMain(["plan", "--stack", "production", ...sets.flatMap((s) => ["--set", s]), "--json"], io);
  assert.equal(code, 0, io.stderr.join(""));
  return JSON.parse(io.stdout.join("")) as PlanDocument;
}

describe("azure-native's replace keys, from Azure's REST spec", function () {
  this.timeout(120_000);

  it("the table is exactly what scripts/extract-replace-keys.ts derives from the spec files and commits it names", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", "extract-replace-keys.ts"), SPECS, "unused-every-file-has-its-commit"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), JSON.parse(readFileSync(TABLE, "utf8")));
    for (const type of replaceKeyTypes()) {
      const k = replaceKeysOf(type)!;
      assert.match(k.commit, /^[0-9a-f]{40}$/, `${type}: the commit its spec file was read at`);
      assert.ok(k.specFile.startsWith("specification/"), type);
    }
  });

  it("holds every azure-native type the program declares, in every stack and recovery mode", async () => {
    const declared = new Set<string>();
    for (const stack of STACK_NAMES) {
      const raw = readStackConfig(stack);
      for (const recovery of [{}, { mode: "reviveDropped", restorePointUTC: "2024-07-24T06:10:00Z", ptrCopies: [{ name: "x-ptr-1", restorePointUTC: "2024-07-24T06:00:00Z" }] }, { mode: "rebuild" }]) {
        const settings = parseSettings({ ...raw, recovery: { ...(raw.recovery as object), ...recovery } });
        for (const r of (await evaluateProgram(settings, { stack })).resources) if (r.custom && r.type.startsWith(AZURE_NATIVE_PREFIX)) declared.add(r.type);
      }
    }
    assert.ok(declared.size >= 10, [...declared].join(", "));
    assert.deepEqual([...declared].filter((t) => !replaceKeysOf(t)), []);
  });

  it("reads an import id's path values as azure-native does, resourceUri with or without its leading slash (pulumi-azure-native#4812)", () => {
    assert.deepEqual(pathValues(PULUMI_TYPES.diagnosticSetting, SETTING_ID, "kept"), { resourceUri: SERVER_ID.toLowerCase(), name: "s189p01-aytq-pd-pg-diagnostics" });
    assert.deepEqual(pathValues(PULUMI_TYPES.diagnosticSetting, SETTING_ID, "dropped"), { resourceUri: SERVER_ID.toLowerCase().slice(1), name: "s189p01-aytq-pd-pg-diagnostics" });
    assert.deepEqual(pathValues(PULUMI_TYPES.server, SERVER_ID), { resourceGroupName: "s189p01-aytq-pd-rg", serverName: "s189p01-aytq-pd-pg" });
    assert.equal(pathValues(PULUMI_TYPES.server, `${SERVER_ID}/databases/x`), undefined);
  });

  it("the check finds the replace a declaration without its ignores would be", () => {
    const setting: PlannedResource = {
      type: PULUMI_TYPES.diagnosticSetting,
      name: "diagnostics",
      custom: true,
      inputs: { resourceUri: SERVER_ID, name: "s189p01-aytq-pd-pg-diagnostics" },
      options: { protect: false, ignoreChanges: [], import: SETTING_ID },
    };
    assert.deepEqual(checkImport(setting, SETTING_ID).wouldReplace.map((w) => w.key), ["resourceUri"]);
    const server: PlannedResource = { ...setting, type: PULUMI_TYPES.server, inputs: { resourceGroupName: "s189p01-aytq-pd-rg", serverName: "s189p01-aytq-pd-pg" }, options: { ...setting.options, import: SERVER_ID } };
    assert.deepEqual(checkImport(server, SERVER_ID).wouldReplace.map((w) => w.key).sort(), [...replaceKeysOf(PULUMI_TYPES.server)!.createOnly].sort());
  });

  it("done when: plan --json with Azure's lower-cased setting id, or the server's id, declares nothing an import would replace", async () => {
    for (const set of [`recovery.adopt.diagnosticSettingId=${SETTING_ID}`, `recovery.adopt.serverId=${SERVER_ID}`, `recovery.adopt.serverId=${SERVER_ID.toLowerCase()}`]) {
      const doc = await planJson(set);
      assert.equal(doc.imports.length, 1, set);
      // the id is printed whole: --json output is data, never cut like a message
      assert.equal(doc.imports[0].importId, set.slice(set.indexOf("=") + 1));
      assert.deepEqual(doc.imports[0].wouldReplace, [], `${set}: ${JSON.stringify(doc.imports[0].wouldReplace)}`);
    }
  });
});
