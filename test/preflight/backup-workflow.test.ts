/**
 * Pre-flight asks GitHub whether the nightly backup workflow is enabled: GitHub disables a
 * scheduled workflow after 60 days without activity in a public repository
 * (reference/ENGINE.md §12), and anyone with write access can disable it by hand. Through the real
 * probes (`stackProbes`: GITHUB_TOKEN, GITHUB_API_URL, GITHUB_REPOSITORY) against the local
 * stand-in for GitHub's API, answering "Get a workflow" as GitHub documents it.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadStackSettings } from "../../recovery/config/stackfile";
import { BACKUP_WORKFLOW_CHECK, backupWorkflowResult, previewIdentityResult, readWorkflowState, type PreflightProbes, type PreflightResult, preflightFailed, preflightTable, runPreflight, stackProbes, stackTarget, workflowsRepository } from "../../recovery/preflight";
import { startFakeGithub, type FakeGithub } from "../ci/github-api";

const TOKEN = "ghp_BACKUPWORKFLOWtoken0123456789SECRET";
const DR_REPO = "DFE-Digital/aytq-dr";
const WORKFLOW_PATH = `/repos/${DR_REPO}/actions/workflows/backup.yml`;

describe("preflight: the nightly backup workflow is enabled on GitHub (against the stand-in)", () => {
  let gh: FakeGithub;
  beforeEach(async () => (gh = await startFakeGithub(DR_REPO, TOKEN)));
  afterEach(() => gh.close());

  /** Pre-flight of the test stack with every other probe answering "all good", and the real backup workflow probe. */
  async function preflight(env: NodeJS.ProcessEnv = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: DR_REPO }): Promise<{ row: PreflightResult; results: PreflightResult[]; printed: string }> {
    const settings = loadStackSettings("test");
    const real = stackProbes(settings, env);
    const probes: PreflightProbes = {
      now: () => new Date("2026-07-24T06:00:00Z"),
      listBackups: async () => [{ name: "b", createdAt: new Date("2026-07-24T05:00:00Z"), verified: true }],
      toolMajor: async () => 17,
      kubernetesAccess: async () => ({ ok: true, detail: "yes" }),
      probeUrl: async () => ({ ok: true, detail: "HTTP 200" }),
      listPtrCopies: async () => [],
      backupWorkflow: real.backupWorkflow,
    };
    const results = await runPreflight({ ...stackTarget("test", settings), pipeline: undefined, dsiTemporaryUrlsRegistered: true, statusPageUrl: undefined, uptimeCheckUrls: undefined }, probes);
    const rows = results.filter((r) => r.name === BACKUP_WORKFLOW_CHECK);
    assert.equal(rows.length, 1, preflightTable(results));
    const printed = preflightTable(results) + "\n" + JSON.stringify(results);
    assert.ok(!printed.includes(TOKEN), `the token was printed:\n${printed}`);
    return { row: rows[0], results, printed };
  }

  it("active: passes, asking GET /repos/{owner}/{repo}/actions/workflows/backup.yml with the token", async () => {
    gh.workflows.set("backup.yml", { name: "Backup", state: "active" });
    const { row, results } = await preflight();
    assert.equal(row.status, "pass", row.detail);
    assert.match(row.detail, /backup\.yml \("Backup"\) in DFE-Digital\/aytq-dr is active/);
    assert.equal(preflightFailed(results), false, preflightTable(results));
    assert.deepEqual(gh.requests, [{ method: "GET", path: WORKFLOW_PATH, authorization: `Bearer ${TOKEN}` }]);
  });

  it("disabled_inactivity: fails, with gh workflow enable or the Actions tab, and that a commit or re-enabling starts the 60 days afresh", async () => {
    gh.workflows.set("backup.yml", { name: "Backup", state: "disabled_inactivity" });
    const { row, results } = await preflight();
    assert.equal(row.status, "fail");
    assert.match(row.detail, /disabled .*for inactivity .*60 days without activity.*no nightly backup runs/);
    assert.match(row.fix ?? "", /^gh workflow enable backup\.yml --repo DFE-Digital\/aytq-dr, or in GitHub: DFE-Digital\/aytq-dr > Actions > Backup > Enable workflow/);
    assert.match(row.fix ?? "", /any commit to DFE-Digital\/aytq-dr, or enabling the workflow again, starts the 60 days afresh/);
    assert.deepEqual(results.filter((r) => r.status === "fail").map((r) => r.name), [BACKUP_WORKFLOW_CHECK]);
  });

  it("disabled_manually: fails, with gh workflow enable or the Actions tab", async () => {
    gh.workflows.set("backup.yml", { name: "Backup", state: "disabled_manually" });
    const { row } = await preflight();
    assert.equal(row.status, "fail");
    assert.match(row.detail, /disabled by hand \(disabled_manually\)/);
    assert.match(row.fix ?? "", /gh workflow enable backup\.yml --repo DFE-Digital\/aytq-dr, or in GitHub: .*Actions > Backup > Enable workflow/);
  });

  it("a state pre-flight does not know: warns, naming it", async () => {
    gh.workflows.set("backup.yml", { name: "Backup", state: "paused_for_maintenance" });
    const { row } = await preflight();
    assert.equal(row.status, "warn");
    assert.match(row.detail, /"paused_for_maintenance"/);
  });

  // unreadable: a warning with the reason and its fix, never a failure, never the token
  const unreadable: [string, (g: FakeGithub) => NodeJS.ProcessEnv | void, RegExp, RegExp][] = [
    ["the token may not read the repository's Actions (403)", (g) => void g.failPaths.set(WORKFLOW_PATH, 403), /^not read: GitHub refused access to the workflow backup\.yml of DFE-Digital\/aytq-dr \(HTTP 403/, /Actions read/],
    ["no backup.yml on the default branch (404)", () => undefined, /^not read: GitHub answered 404 for the workflow backup\.yml of DFE-Digital\/aytq-dr/, /\.github\/workflows\/backup\.yml is on DFE-Digital\/aytq-dr's default branch/],
    ["a bad token (401)", (g) => ({ GITHUB_TOKEN: TOKEN + "x", GITHUB_API_URL: g.url, GITHUB_REPOSITORY: DR_REPO }), /^not read: GitHub refused GITHUB_TOKEN \(HTTP 401: Bad credentials\)/, /wrong, expired or revoked/],
    ["no GITHUB_TOKEN", (g) => ({ GITHUB_API_URL: g.url, GITHUB_REPOSITORY: DR_REPO }), /^not read: GITHUB_TOKEN is not set$/, /^export GITHUB_TOKEN=/],
    ["an http:// API URL that is not this machine", () => ({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: "http://github.example.invalid", GITHUB_REPOSITORY: DR_REPO }), /^not read: the GitHub API URL http:\/\/github\.example\.invalid is not https/, /https:\/\/api\.github\.com/],
  ];
  for (const [what, setUp, detail, fix] of unreadable) {
    it(`unreadable, ${what}: warns with the reason and the fix`, async () => {
      const env = setUp(gh);
      const { row, results } = await preflight(env ?? undefined);
      assert.equal(row.status, "warn", preflightTable([row]));
      assert.match(row.detail, detail);
      assert.match(row.fix ?? "", fix);
      assert.equal(preflightFailed(results), false);
    });
  }

  it("unreadable when it cannot tell which repository runs the workflows (no GITHUB_REPOSITORY, no github.com origin): warns, asking nothing", async () => {
    // what the probe passes on when workflowsRepository finds nothing (tested below)
    const row = backupWorkflowResult(await readWorkflowState(undefined, "backup.yml", { token: TOKEN, baseUrl: gh.url }));
    assert.equal(row.status, "warn");
    assert.equal(row.detail, "not read: which repository runs the aytq-dr workflows is not known here");
    assert.match(row.fix ?? "", /^set GITHUB_REPOSITORY=/);
    assert.equal(gh.requests.length, 0);
  });
});

describe("preflight: which repository runs the workflows", () => {
  it("GITHUB_REPOSITORY, else the clone's origin on github.com (https or ssh), else nothing", () => {
    assert.equal(workflowsRepository({ GITHUB_REPOSITORY: "DFE-Digital/aytq-dr" }, "/nonexistent"), "DFE-Digital/aytq-dr");
    const dir = mkdtempSync(path.join(os.tmpdir(), "aytq-origin-"));
    try {
      const git = (...args: string[]) => assert.equal(spawnSync("git", ["-C", dir, ...args], { stdio: "ignore" }).status, 0, `git ${args.join(" ")}`);
      git("init", "-q");
      assert.equal(workflowsRepository({}, dir), undefined);
      git("remote", "add", "origin", "git@github.com:DFE-Digital/aytq-dr.git");
      assert.equal(workflowsRepository({}, dir), "DFE-Digital/aytq-dr");
      git("remote", "set-url", "origin", "https://github.com/DFE-Digital/aytq-dr");
      assert.equal(workflowsRepository({}, dir), "DFE-Digital/aytq-dr");
      git("remote", "set-url", "origin", "https://dev.azure.com/dfe/aytq/_git/aytq-dr");
      assert.equal(workflowsRepository({}, dir), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("preflight: a pull request's preview does not run with the recovery's identity (against the stand-in)", () => {
  let gh: FakeGithub;
  beforeEach(async () => (gh = await startFakeGithub(DR_REPO, TOKEN)));
  afterEach(() => gh.close());

  async function row(): Promise<PreflightResult> {
    const settings = loadStackSettings("production");
    const real = stackProbes(settings, { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: DR_REPO });
    assert.ok(real.environmentIdentities);
    return previewIdentityResult("production", await real.environmentIdentities());
  }

  it("passes when production-preview has an identity of its own", async () => {
    gh.variables.set("production/AZURE_CLIENT_ID", "11111111-1111-1111-1111-111111111111");
    gh.variables.set("production-preview/AZURE_CLIENT_ID", "22222222-2222-2222-2222-222222222222");
    const r = await row();
    assert.equal(r.status, "pass", r.detail);
    assert.ok(gh.requests.some((q) => q.path === `/repos/${DR_REPO}/environments/production-preview/variables/AZURE_CLIENT_ID`));
  });

  it("warns when the preview's identity is the recovery's, naming what to create", async () => {
    gh.variables.set("production/AZURE_CLIENT_ID", "11111111-1111-1111-1111-111111111111");
    gh.variables.set("production-preview/AZURE_CLIENT_ID", "11111111-1111-1111-1111-111111111111");
    const r = await row();
    assert.equal(r.status, "warn");
    assert.match(r.detail, /production-preview and production use the same identity/);
    assert.match(r.fix ?? "", /can only read/);
  });

  it("warns when there is no preview environment, and when GitHub cannot be read; the token is never printed", async () => {
    gh.variables.set("production/AZURE_CLIENT_ID", "11111111-1111-1111-1111-111111111111");
    const missing = await row();
    assert.equal(missing.status, "warn");
    assert.match(missing.detail, /production-preview has no AZURE_CLIENT_ID/);
    gh.failWith = 403;
    const forbidden = await row();
    assert.equal(forbidden.status, "warn");
    assert.match(forbidden.detail, /^not read: /);
    assert.ok(!JSON.stringify([missing, forbidden]).includes(TOKEN));
  });
});
