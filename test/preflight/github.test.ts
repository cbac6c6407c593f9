/**
 * Pre-flight's GitHub check against a real HTTP server standing in for api.github.com: the live
 * branch protection rule compared with the one the stack declares, and every way reading it fails.
 * The REST answers are written out by hand, as GitHub documents them, not derived from our code.
 */
import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { type Settings, branchProtectionRule } from "../../infra/config";
import { loadPipelineSettings, loadStackSettings } from "../../recovery/config/stackfile";
import {
  GITHUB_EDIT_CHECK,
  HOLDS_CHECK,
  type PreflightProbes,
  type PreflightResult,
  preflightFailed,
  preflightTable,
  readBranchProtection,
  ruleCheckName,
  runPreflight,
  stackProbes,
  stackTarget,
} from "../../recovery/preflight";

const TOKEN = "ghp_TESTtoken0123456789abcdefSECRET";
const REPO = "DFE-Digital/access-your-teaching-qualifications";
const PROTECTION_PATH = `/repos/DFE-Digital/access-your-teaching-qualifications/branches/main/protection`;
const REPO_PATH = `/repos/DFE-Digital/access-your-teaching-qualifications`;
const RULE_CHECK = ruleCheckName("main");

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (a timeout). */
  hang?: boolean;
}

interface FakeGithub {
  url: string;
  requests: { path: string; authorization?: string }[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 (port 0) answering the two GitHub calls pre-flight makes. */
async function fakeGithub(reply: (path: string, authorization: string) => Reply): Promise<FakeGithub> {
  const requests: FakeGithub["requests"] = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? "", authorization: req.headers.authorization });
    const r = reply(req.url ?? "", req.headers.authorization ?? "");
    if (r.hang) return; // keep the socket open, say nothing
    res.writeHead(r.status, { "content-type": "application/json", ...r.headers });
    res.end(r.body === undefined ? "" : JSON.stringify(r.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ADMIN_REPO: Reply = { status: 200, body: { full_name: REPO, permissions: { admin: true, push: true, pull: true } } };

/** GitHub's answer for main when it holds the test stack's default rule, as the REST docs show it. */
function liveBody(): Record<string, unknown> {
  const u = `https://api.github.com${PROTECTION_PATH}`;
  return {
    url: u,
    required_status_checks: { url: `${u}/required_status_checks`, strict: true, contexts: ["Rspec"], contexts_url: `${u}/required_status_checks/contexts`, checks: [{ context: "Rspec", app_id: 15368 }] },
    required_pull_request_reviews: { url: `${u}/required_pull_request_reviews`, dismiss_stale_reviews: true, require_code_owner_reviews: false, required_approving_review_count: 1, require_last_push_approval: false },
    required_signatures: { url: `${u}/required_signatures`, enabled: false },
    enforce_admins: { url: `${u}/enforce_admins`, enabled: true },
    required_linear_history: { enabled: false },
    allow_force_pushes: { enabled: false },
    allow_deletions: { enabled: false },
    block_creations: { enabled: false },
    required_conversation_resolution: { enabled: false },
    lock_branch: { enabled: false },
    allow_fork_syncing: { enabled: false },
  };
}

function protectedWith(body: unknown, repo: Reply = ADMIN_REPO): (path: string) => Reply {
  return (path) => (path === REPO_PATH ? repo : path === PROTECTION_PATH ? { status: 200, body } : { status: 404, body: { message: "Not Found" } });
}

/** Every other probe answers "all good", so only the GitHub rows can fail. */
function quietProbes(github: PreflightProbes["githubBranchProtection"], freezeHolds?: PreflightProbes["freezeHolds"]): PreflightProbes {
  return {
    ...(freezeHolds ? { freezeHolds } : {}),
    now: () => new Date("2026-07-24T06:00:00Z"),
    listBackups: async () => [{ name: "b", createdAt: new Date("2026-07-24T05:00:00Z"), verified: true }],
    toolMajor: async () => 17,
    kubernetesAccess: async () => ({ ok: true, detail: "yes" }),
    githubBranchProtection: github,
    probeUrl: async () => ({ ok: true, detail: "HTTP 200" }),
    listPtrCopies: async () => [],
  };
}

interface Run {
  results: PreflightResult[];
  github: PreflightResult[];
  edit: PreflightResult;
  rule: PreflightResult;
  /** Everything a user could see: the table and the JSON. */
  printed: string;
  requests: FakeGithub["requests"];
}

/** Pre-flight of the test stack (with `sets`) against the fake GitHub, through the real probes (`stackProbes`: GITHUB_TOKEN, GITHUB_API_URL). */
/** `holds`: pre-flight reads the freeze holds too (the real probe: GitHub's matching-refs), as `aytq-dr preflight` does. */
async function preflightAgainst(reply: (path: string, authorization: string) => Reply, sets: string[] = [], env: NodeJS.ProcessEnv = { GITHUB_TOKEN: TOKEN }, timeoutMs?: number, holds = false): Promise<Run> {
  const gh = await fakeGithub(reply);
  try {
    const settings: Settings = loadStackSettings("test");
    const pipeline = loadPipelineSettings(sets);
    const envWithUrl: NodeJS.ProcessEnv = { ...env, GITHUB_API_URL: gh.url };
    const real = stackProbes(settings, envWithUrl);
    const probe: PreflightProbes["githubBranchProtection"] =
      timeoutMs === undefined ? real.githubBranchProtection : (repo, branch) => readBranchProtection(repo, branch, { token: envWithUrl.GITHUB_TOKEN, baseUrl: gh.url, timeoutMs });
    const results = await runPreflight({ ...stackTarget("test", settings, undefined, pipeline), dsiTemporaryUrlsRegistered: true, statusPageUrl: undefined, uptimeCheckUrls: undefined }, quietProbes(probe, holds ? real.freezeHolds : undefined));
    const github = results.filter((r) => r.name === GITHUB_EDIT_CHECK || r.name === RULE_CHECK);
    assert.equal(github.length, 2, preflightTable(results));
    const printed = preflightTable(results) + "\n" + JSON.stringify(results);
    return { results, github, edit: github[0], rule: github[1], printed, requests: gh.requests };
  } finally {
    await gh.close();
  }
}

function assertNoToken(run: Run): void {
  assert.ok(!run.printed.includes(TOKEN), `the token was printed:\n${run.printed}`);
  assert.ok(!run.printed.includes(TOKEN.slice(4, 20)), "part of the token was printed");
}

/** Only the named rows fail: nothing else in pre-flight was disturbed by the fake. */
function assertOnlyGithubFails(run: Run, names: string[]): void {
  assert.deepEqual(run.results.filter((r) => r.status === "fail").map((r) => r.name).sort(), [...names].sort(), preflightTable(run.results));
}

describe("preflight: GitHub branch protection (against a local HTTP server)", () => {
  it("passes when GitHub holds exactly the declared rule, and asks the right paths with the token as a bearer header", async () => {
    const run = await preflightAgainst(protectedWith(liveBody()));
    assert.equal(run.edit.status, "pass", preflightTable(run.github));
    assert.equal(run.rule.status, "pass", preflightTable(run.github));
    assert.equal(preflightFailed(run.results), false);
    assert.deepEqual(run.requests.map((r) => r.path), [REPO_PATH, PROTECTION_PATH]);
    assert.ok(run.requests.every((r) => r.authorization === `Bearer ${TOKEN}`));
    assertNoToken(run);
  });

  it("passes a frozen stack against a frozen GitHub (6 reviews, admins enforced), and lists status checks given only as checks[]", async () => {
    const body = liveBody();
    (body.required_pull_request_reviews as Record<string, unknown>).required_approving_review_count = 6;
    body.required_status_checks = { strict: true, checks: [{ context: "Rspec", app_id: null }] };
    const run = await preflightAgainst(protectedWith(body), ["pipeline.frozen=true", "pipeline.enforceAdmins=false"]);
    assert.equal(run.rule.status, "pass", preflightTable(run.github));
  });

  it("matches actors by name without regard to case, or by node ID", async () => {
    const body = liveBody();
    body.restrictions = { users: [{ login: "OctoCat", node_id: "U_kgDOAAAA" }], teams: [{ slug: "tra-admins", node_id: "T_kwDOBBBB" }], apps: [{ slug: "deploy-bot", node_id: "A_kwDOCCCC" }] };
    body.block_creations = { enabled: true };
    const run = await preflightAgainst(protectedWith(body), ['pipeline.pushRestrictions=["/octocat","T_kwDOBBBB","A_kwDOCCCC"]']);
    assert.equal(run.rule.status, "pass", preflightTable(run.github));
  });

  // Each kind of difference: how GitHub differs, stack overrides, and what the check must name and offer to keep.
  const differences: [string, (b: Record<string, unknown>) => void, string[], RegExp, string, number?][] = [
    ["admins not enforced", (b) => (b.enforce_admins = { enabled: false }), [], /pipeline\.enforceAdmins: stack true, GitHub false/, "pipeline.enforceAdmins=false"],
    ["another review count", (b) => ((b.required_pull_request_reviews as Record<string, unknown>).required_approving_review_count = 2), [], /pipeline\.normalApprovals: stack 1, GitHub 2/, "pipeline.normalApprovals=2"],
    ["stale reviews kept", (b) => ((b.required_pull_request_reviews as Record<string, unknown>).dismiss_stale_reviews = false), [], /pipeline\.dismissStaleReviews: stack true, GitHub false/, "pipeline.dismissStaleReviews=false"],
    ["code-owner reviews", (b) => ((b.required_pull_request_reviews as Record<string, unknown>).require_code_owner_reviews = true), [], /pipeline\.requireCodeOwnerReviews: stack false, GitHub true/, "pipeline.requireCodeOwnerReviews=true"],
    ["last-push approval", (b) => ((b.required_pull_request_reviews as Record<string, unknown>).require_last_push_approval = true), [], /pipeline\.requireLastPushApproval: stack false, GitHub true/, "pipeline.requireLastPushApproval=true"],
    [
      "restricted dismissals with a team",
      (b) => ((b.required_pull_request_reviews as Record<string, unknown>).dismissal_restrictions = { users: [], teams: [{ slug: "tra-leads" }], apps: [] }),
      [],
      /pipeline\.restrictDismissals: stack false, GitHub true; pipeline\.dismissalRestrictions: stack \[\], GitHub \["DFE-Digital\/tra-leads"\]/,
      'pipeline.dismissalRestrictions=["DFE-Digital/tra-leads"]',
      2,
    ],
    [
      "a review bypasser",
      (b) => ((b.required_pull_request_reviews as Record<string, unknown>).bypass_pull_request_allowances = { users: [{ login: "release-bot" }], teams: [], apps: [] }),
      [],
      /pipeline\.pullRequestBypassers: stack \[\], GitHub \["\/release-bot"\]/,
      'pipeline.pullRequestBypassers=["/release-bot"]',
    ],
    ["no reviews required at all", (b) => delete b.required_pull_request_reviews, [], /required pull request reviews: stack 1 approving, GitHub off/, "the stack always requires reviews"],
    ["no status checks", (b) => delete b.required_status_checks, [], /pipeline\.requiredStatusChecks\.enabled: stack true, GitHub false/, "pipeline.requiredStatusChecks.enabled=false"],
    ["status checks the stack does not require", () => undefined, ["pipeline.requiredStatusChecks.enabled=false"], /pipeline\.requiredStatusChecks: stack off, GitHub \{"strict":true,"contexts":\["Rspec"\]\}/, 'pipeline.requiredStatusChecks={"enabled":true,"strict":true,"contexts":["Rspec"]}'],
    ["loose status checks", (b) => ((b.required_status_checks as Record<string, unknown>).strict = false), [], /pipeline\.requiredStatusChecks\.strict: stack true, GitHub false/, "pipeline.requiredStatusChecks.strict=false"],
    [
      "other check names",
      (b) => (b.required_status_checks = { strict: true, contexts: ["Rspec", "Lint"], checks: [{ context: "Rspec" }, { context: "Lint" }] }),
      [],
      /pipeline\.requiredStatusChecks\.contexts: stack \["Rspec"\], GitHub \["Rspec","Lint"\]/,
      'pipeline.requiredStatusChecks.contexts=["Rspec","Lint"]',
    ],
    ["conversation resolution", (b) => (b.required_conversation_resolution = { enabled: true }), [], /pipeline\.requireConversationResolution: stack false, GitHub true/, "pipeline.requireConversationResolution=true"],
    ["linear history", (b) => (b.required_linear_history = { enabled: true }), [], /pipeline\.requiredLinearHistory: stack false, GitHub true/, "pipeline.requiredLinearHistory=true"],
    ["signed commits", (b) => (b.required_signatures = { enabled: true }), [], /pipeline\.requireSignedCommits: stack false, GitHub true/, "pipeline.requireSignedCommits=true"],
    ["force pushes allowed", (b) => (b.allow_force_pushes = { enabled: true }), [], /pipeline\.allowsForcePushes: stack false, GitHub true/, "pipeline.allowsForcePushes=true"],
    ["deletions allowed", (b) => (b.allow_deletions = { enabled: true }), [], /pipeline\.allowsDeletions: stack false, GitHub true/, "pipeline.allowsDeletions=true"],
    ["a locked branch", (b) => (b.lock_branch = { enabled: true }), [], /pipeline\.lockBranch: stack false, GitHub true/, "pipeline.lockBranch=true"],
    ["push restrictions", (b) => (b.restrictions = { users: [{ login: "octocat" }], teams: [{ slug: "tra" }], apps: [] }), [], /pipeline\.pushRestrictions: stack \[\], GitHub \["\/octocat","DFE-Digital\/tra"\]/, 'pipeline.pushRestrictions=["/octocat","DFE-Digital/tra"]'],
    ["push restrictions the stack has and GitHub lacks", () => undefined, ['pipeline.pushRestrictions=["/octocat"]'], /pipeline\.pushRestrictions: stack \["\/octocat"\], GitHub \[\]/, "pipeline.pushRestrictions=[]"],
    [
      "branch creation not blocked",
      (b) => {
        b.restrictions = { users: [{ login: "octocat" }], teams: [], apps: [] };
        b.block_creations = { enabled: false };
      },
      ['pipeline.pushRestrictions=["/octocat"]'],
      /pipeline\.blocksCreations: stack true, GitHub false/,
      "pipeline.blocksCreations=false",
    ],
    [
      "admins free while the stack is frozen",
      (b) => {
        (b.required_pull_request_reviews as Record<string, unknown>).required_approving_review_count = 6;
        b.enforce_admins = { enabled: false };
      },
      ["pipeline.frozen=true", "pipeline.enforceAdmins=false"],
      /: enforceAdmins: stack true, GitHub false$/,
      "enforceAdmins: fixed while main is frozen",
    ],
  ];
  for (const [what, change, sets, named, keep, count = 1] of differences) {
    it(`fails naming ${what}, with the setting that keeps GitHub's value`, async () => {
      const body = liveBody();
      change(body);
      const run = await preflightAgainst(protectedWith(body), sets);
      assert.equal(run.edit.status, "pass");
      assert.equal(run.rule.status, "fail", preflightTable(run.github));
      assert.match(run.rule.detail, named);
      assert.ok(run.rule.detail.startsWith(`${count} difference${count === 1 ? "" : "s"} the next pulumi up, freeze or unfreeze would write to GitHub: `), run.rule.detail);
      assert.ok(run.rule.fix?.includes(keep), `fix should offer ${keep}: ${run.rule.fix}`);
      assert.match(run.rule.fix ?? "", /if the stack is right, nothing to do/);
      assertOnlyGithubFails(run, [RULE_CHECK]);
      assertNoToken(run);
    });
  }

  it("names every difference at once, and suspects a freeze made by hand when GitHub asks for more reviews", async () => {
    const body = liveBody();
    (body.required_pull_request_reviews as Record<string, unknown>).required_approving_review_count = 6;
    body.enforce_admins = { enabled: false };
    body.allow_force_pushes = { enabled: true };
    const run = await preflightAgainst(protectedWith(body));
    assert.match(run.rule.detail, /^3 differences /);
    for (const key of ["pipeline.normalApprovals", "pipeline.enforceAdmins", "pipeline.allowsForcePushes"]) assert.ok(run.rule.detail.includes(`${key}: stack`), `${key} not named: ${run.rule.detail}`);
    assert.match(run.rule.detail, /frozen by hand, or a recovery elsewhere\?/);
    assert.match(run.rule.fix ?? "", /set these in Pulumi\.pipeline\.yaml before any pulumi up .*: pipeline\.normalApprovals=6 pipeline\.enforceAdmins=false pipeline\.allowsForcePushes=true/);
    assert.equal(preflightTable(run.results).split("\n").filter((l) => l.includes(RULE_CHECK)).length, 1, "one table row (plus its fix line)");
  });

  it("fails when main has no branch protection at all (GitHub's 404 'Branch not protected')", async () => {
    const run = await preflightAgainst((p) => (p === REPO_PATH ? ADMIN_REPO : { status: 404, body: { message: "Branch not protected", documentation_url: "https://docs.github.com/rest" } }));
    assert.equal(run.edit.status, "pass");
    assert.equal(run.rule.status, "fail");
    assert.match(run.rule.detail, /main of DFE-Digital\/access-your-teaching-qualifications has no branch protection on GitHub/);
    assert.match(run.rule.fix ?? "", /pulumi up --stack pipeline/);
  });

  it("fails the edit check for a token that can read but is not an admin, and still compares the rule", async () => {
    const run = await preflightAgainst(protectedWith(liveBody(), { status: 200, body: { permissions: { admin: false, push: true, pull: true } } }));
    assert.equal(run.edit.status, "fail");
    assert.match(run.edit.detail, /not an admin/);
    assert.match(run.edit.fix ?? "", /admin rights on DFE-Digital\/access-your-teaching-qualifications/);
    assert.equal(run.rule.status, "pass");
  });

  // Reading fails: one line and a fix on the edit row, the rule row says it was not compared. The 401 echoes the token back, to prove it is masked.
  const failures: [string, (path: string, auth: string) => Reply, RegExp, RegExp][] = [
    ["a bad token (401)", (_p, auth) => ({ status: 401, body: { message: `Bad credentials (${auth})` } }), /^GitHub refused GITHUB_TOKEN \(HTTP 401: Bad credentials/, /wrong, expired or revoked/],
    ["a repository the token cannot see (404)", () => ({ status: 404, body: { message: "Not Found" } }), /^GitHub answered 404 for DFE-Digital\/access-your-teaching-qualifications .*does not exist, or the token cannot see it/, /check pipeline\.repository and pipeline\.branch/],
    [
      "a branch that does not exist (404 on the protection)",
      (p) => (p === REPO_PATH ? ADMIN_REPO : { status: 404, body: { message: "Branch not found" } }),
      /^GitHub answered 404 for the protection of main in DFE-Digital\/access-your-teaching-qualifications \(HTTP 404: Branch not found\)/,
      /check pipeline\.repository and pipeline\.branch/,
    ],
    [
      "the rate limit (403, remaining 0)",
      () => ({ status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Date.UTC(2026, 6, 24, 7, 0, 0) / 1000) }, body: { message: "API rate limit exceeded for user ID 1." } }),
      /^GitHub's API rate limit for this token is used up \(HTTP 403: API rate limit exceeded for user ID 1\.\); it resets at 2026-07-24T07:00:00\.000Z$/,
      /^wait \(it resets at 2026-07-24T07:00:00\.000Z\) and run aytq-dr preflight again/,
    ],
    ["the secondary rate limit (429, retry-after)", () => ({ status: 429, headers: { "retry-after": "60" }, body: { message: "You have exceeded a secondary rate limit." } }), /rate limit for this token is used up .*retry after 60 s/, /^wait/],
    ["a token without access (403, not a rate limit)", () => ({ status: 403, headers: { "x-ratelimit-remaining": "4999" }, body: { message: "Resource not accessible by personal access token" } }), /^GitHub refused access to DFE-Digital\/access-your-teaching-qualifications \(HTTP 403: Resource not accessible/, /needs admin rights/],
    ["GitHub failing (502)", () => ({ status: 502, body: { message: "Server Error" } }), /^GitHub answered HTTP 502: Server Error for /, /githubstatus\.com/],
    ["an answer that is not a rule", (p) => (p === REPO_PATH ? ADMIN_REPO : { status: 200, body: { enforce_admins: "yes" } }), /is not a branch protection rule \(enforce_admins: /, /GITHUB_API_URL/],
  ];
  for (const [what, reply, detail, fix] of failures) {
    it(`gives one line and a fix for ${what}, never the token`, async () => {
      const run = await preflightAgainst(reply);
      assert.equal(run.requests[0]?.authorization, `Bearer ${TOKEN}`);
      assert.equal(run.edit.status, "fail", preflightTable(run.github));
      assert.match(run.edit.detail, detail);
      assert.ok(!run.edit.detail.includes("\n"), "one line");
      assert.match(run.edit.fix ?? "", fix);
      assert.equal(run.rule.status, "fail");
      assert.match(run.rule.detail, /^not compared/);
      assertOnlyGithubFails(run, [GITHUB_EDIT_CHECK, RULE_CHECK]);
      assertNoToken(run);
    });
  }

  it("masks the token even when GitHub echoes it back in its message", async () => {
    const run = await preflightAgainst(() => ({ status: 401, body: { message: `Bad credentials for token ${TOKEN}` } }));
    assert.match(run.edit.detail, /Bad credentials for token \[GITHUB_TOKEN\]/);
    assertNoToken(run);
  });

  it("gives one line and a fix when GitHub does not answer in time, never the token", async () => {
    const started = Date.now();
    const run = await preflightAgainst(() => ({ status: 200, hang: true }), [], { GITHUB_TOKEN: TOKEN }, 300);
    assert.ok(Date.now() - started < 5_000, "gave up at the timeout");
    assert.match(run.edit.detail, /^GitHub did not answer within 0\.3 s \(http:\/\/127\.0\.0\.1:\d+\)$/);
    assert.match(run.edit.fix ?? "", /check this machine reaches http:\/\/127\.0\.0\.1:\d+/);
    assertNoToken(run);
  });

  it("says GitHub is not reachable when nothing listens there", async () => {
    const gh = await fakeGithub(() => ADMIN_REPO);
    const url = gh.url;
    await gh.close();
    const answer = await readBranchProtection(REPO, "main", { token: TOKEN, baseUrl: url, timeoutMs: 2_000 });
    assert.equal(answer.ok, false);
    assert.ok(!answer.ok && /^GitHub not reachable at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/.test(answer.detail), JSON.stringify(answer));
    assert.ok(!JSON.stringify(answer).includes(TOKEN));
  });

  it("fails without GITHUB_TOKEN, and asks GitHub nothing", async () => {
    const run = await preflightAgainst(protectedWith(liveBody()), [], {});
    assert.equal(run.edit.status, "fail");
    assert.equal(run.edit.detail, "GITHUB_TOKEN is not set");
    assert.match(run.edit.fix ?? "", /^export GITHUB_TOKEN=/);
    assert.deepEqual(run.requests, []);
  });

  it("compares what the program declares for the current config: the declared rule comes from branchProtectionRule(settings)", () => {
    const pipeline = loadPipelineSettings(["pipeline.frozen=true", "pipeline.enforceAdmins=false"]);
    const t = stackTarget("test", loadStackSettings("test"), undefined, pipeline);
    const { ruleFor, ...declared } = t.pipeline ?? {};
    assert.deepEqual(declared, { repository: REPO, frozen: true, rule: branchProtectionRule(pipeline) });
    assert.deepEqual(ruleFor?.(false), branchProtectionRule({ ...pipeline, frozen: false }));
    assert.equal(t.pipeline?.rule.enforceAdmins, true);
    assert.equal(t.pipeline?.rule.requiredApprovingReviewCount, 6);
  });
});

describe("preflight: main frozen or not is what the freeze holds say (refs/aytq-dr/freeze/*), not a config key", () => {
  const HOLDS_PATH = `${REPO_PATH}/git/matching-refs/aytq-dr/freeze/`;
  const ref = (name: string) => ({ ref: `refs/aytq-dr/freeze/${name}`, node_id: "REF_x", url: `https://api.github.com${REPO_PATH}/git/refs/aytq-dr/freeze/${name}`, object: { sha: "009b8a3a9ccbb128af87f9b1c0f4c62e8a304f6d", type: "commit", url: "https://api.github.com/x" } });
  const frozenBody = () => {
    const body = liveBody();
    (body.required_pull_request_reviews as Record<string, unknown>).required_approving_review_count = 6;
    return body;
  };
  const withRefs = (body: unknown, refs: Reply) => (path: string) => (path === HOLDS_PATH ? refs : protectedWith(body)(path));
  const holdsRow = (run: Run) => run.results.find((r) => r.name === HOLDS_CHECK);

  it("a hold exists and GitHub is frozen: passes (Pulumi.pipeline.yaml says frozen: false) and shows who holds main", async () => {
    const run = await preflightAgainst(withRefs(frozenBody(), { status: 200, body: [ref("production-run"), ref("test-manual")] }), ["pipeline.enforceAdmins=false"], undefined, undefined, true);
    assert.equal(run.rule.status, "pass", preflightTable(run.results));
    assert.equal(holdsRow(run)?.status, "pass");
    assert.equal(holdsRow(run)?.detail, "main: FROZEN, held by production-run, test-manual");
    assert.match(run.rule.detail, /6 approving reviews, frozen; main: FROZEN, held by production-run, test-manual/);
    assertNoToken(run);
  });

  it("no hold but GitHub frozen: fails, main open, and suspects a freeze by hand", async () => {
    const run = await preflightAgainst(withRefs(frozenBody(), { status: 200, body: [] }), [], undefined, undefined, true);
    assert.equal(holdsRow(run)?.detail, "main: open (no holds)");
    assert.equal(run.rule.status, "fail");
    assert.match(run.rule.detail, /pipeline\.normalApprovals: stack 1, GitHub 6/);
    assert.match(run.rule.detail, /while no hold exists: frozen by hand/);
  });

  it("holds that cannot be read (403): the holds row fails with the Contents fix, the rule is compared with the config", async () => {
    const run = await preflightAgainst(withRefs(liveBody(), { status: 403, body: { message: "Resource not accessible by personal access token" } }), [], undefined, undefined, true);
    assert.equal(holdsRow(run)?.status, "fail");
    assert.match(holdsRow(run)?.detail ?? "", /GitHub refused access .* compared with Pulumi\.pipeline\.yaml's pipeline\.frozen \(false\)/);
    assert.match(holdsRow(run)?.fix ?? "", /Contents read and write/);
    assert.equal(run.rule.status, "pass");
    assertNoToken(run);
  });
});
