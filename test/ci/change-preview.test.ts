/** `aytq-dr preview change`: a pull request's change previewed per stack, and the gate's verdict on it. */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../recovery/cli/main";
import type { CliIO } from "../../recovery/cli/io";
import { readStackConfig } from "../../recovery/config/stackfile";
import { EXIT } from "../../recovery/errors";
import { changePreviewMarkdown, failedPreviewMarkdown, judgeChange } from "../../recovery/ops/change-preview";
import { FakeStackPort } from "../helpers/fake-stack";
import type { PreviewResult, PreviewStep } from "../../recovery/stack/port";
import { PULUMI_TYPES } from "../../infra/types";

const LIVE = "s189t01-aytq-ts-pg";
const step = (op: PreviewStep["op"], type: string, name: string, protectedFlag = false): PreviewStep => ({ op, type, name, urn: `urn:pulumi:test::aytq::${type}::${name}`, protected: protectedFlag });
const preview = (steps: PreviewStep[], diffText = ""): PreviewResult => ({ changeSummary: {}, steps, diffText });

describe("ops/change-preview: the verdict on a pull request's change", () => {
  it("pass when nothing changes (the stack and components do not count)", () => {
    const v = judgeChange("test", preview([step("same", PULUMI_TYPES.server, LIVE), step("same", "pulumi:pulumi:Stack", "aytq-test"), step("update", PULUMI_TYPES.databaseComponent, "aytq-database")]), LIVE);
    assert.equal(v.verdict, "pass");
    assert.match(changePreviewMarkdown(v), /✅ no change/);
  });

  it("attention for a change that removes nothing protected: recoveries there stop until it is applied", () => {
    const v = judgeChange("production", preview([step("update", PULUMI_TYPES.deploymentPatch, "web"), step("create", PULUMI_TYPES.metricAlert, "cpu")]), "s189p01-aytq-pd-pg");
    assert.equal(v.verdict, "attention");
    const md = changePreviewMarkdown(v);
    assert.match(md, /⚠️/);
    assert.match(md, /pulumi up --stack production/);
    assert.match(md, /\| update \| `kubernetes:apps\/v1:DeploymentPatch` \| `web` \|/);
  });

  it("refused for a replace of the live server, a delete of the backup storage account or of anything protected", () => {
    for (const s of [step("replace", PULUMI_TYPES.server, LIVE), step("delete", PULUMI_TYPES.storageAccount, "s189t01aytqdbbkptssa"), step("delete", PULUMI_TYPES.diagnosticSetting, "diag", true)]) {
      const v = judgeChange("test", preview([s, step("update", PULUMI_TYPES.deploymentPatch, "web")]), LIVE);
      assert.equal(v.verdict, "refused", s.type);
      assert.equal(v.gate.offences.length, 1);
      assert.match(changePreviewMarkdown(v), new RegExp(`❌ would (delete|replace) a protected resource`));
    }
  });

  it("a copy may be deleted: it is not protected", () => {
    assert.equal(judgeChange("test", preview([step("delete", PULUMI_TYPES.server, `${LIVE}-ptr-202407240700`)]), LIVE).verdict, "attention");
  });

  it("the diff is shown without colour codes or passwords, in a fence its backticks cannot close, cut when long", () => {
    const v = judgeChange("test", preview([step("update", PULUMI_TYPES.deploymentPatch, "web")], "\u001b[32m+ url: postgres://admin:hunter2@h/db\u001b[0m\n```\n"), LIVE);
    const md = changePreviewMarkdown(v);
    assert.ok(!md.includes("hunter2") && !md.includes("\u001b"), md);
    assert.match(md, /^````diff$/m);
    const long = changePreviewMarkdown(judgeChange("test", preview([step("update", PULUMI_TYPES.deploymentPatch, "web")], ("x".repeat(79) + "\n").repeat(500)), LIVE), 1000);
    assert.match(long, /38999 more characters/);
  });

  it("a preview the engine refused keeps the engine's message as the verdict", () => {
    assert.match(failedPreviewMarkdown("production", "error: unable to replace resource ... as it is currently marked for protection"), /❌ the preview failed[\s\S]*marked for protection/);
  });
});

describe("aytq-dr preview change (strict fake engine)", function () {
  this.timeout(120_000);
  let tmp: string;
  beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), "aytq-preview-change-"))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const io = (port: FakeStackPort, env: NodeJS.ProcessEnv): CliIO & { lines: string[] } => {
    const lines: string[] = [];
    return { out: (t) => lines.push(t), err: (t) => lines.push(t), isTTY: false, env, lines, openStack: async () => port };
  };

  it("the stack as committed: no change, exit 0, the verdict in the Markdown file and the job summary; nothing applied", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    const env = { GITHUB_STEP_SUMMARY: path.join(tmp, "summary.md") };
    const t = io(port, env);
    const file = path.join(tmp, "preview-test.md");
    assert.equal(await main(["node", "aytq-dr", "preview", "change", "--stack", "test", "--markdown", file], t), EXIT.ok, t.lines.join("\n"));
    assert.match(readFileSync(file, "utf8"), /### test: ✅ no change/);
    assert.equal(readFileSync(env.GITHUB_STEP_SUMMARY, "utf8"), readFileSync(file, "utf8"));
    assert.ok(!port.calls.some((c) => /^(up|setConfig|removeConfig)/.test(c)), port.calls.join(", "));
  });

  it("a change that would replace the test stack's live server is refused: exit 3", async () => {
    const port = new FakeStackPort("test", readStackConfig("test"));
    await port.ready();
    // the pull request moves the server to another region
    port.config = { ...port.config, location: "ukwest" };
    const t = io(port, {});
    const file = path.join(tmp, "preview-test.md");
    const code = await main(["node", "aytq-dr", "preview", "change", "--stack", "test", "--markdown", file], t);
    const md = readFileSync(file, "utf8");
    assert.equal(code, EXIT.refused, t.lines.join("\n") + md);
    assert.match(md, /❌ refused/);
  });
});
