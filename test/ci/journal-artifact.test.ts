/** A run's journal across workflow runs: its artifact's name, finding the newest, importing it where run --resume looks. */
import { strict as assert } from "node:assert";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findJournalArtifact, journalArtifactName, journalCandidates, type ArtifactListing } from "../../recovery/ci/journal-artifact";
import { importJournal } from "../../recovery/ci/journal-import";
import { STACK_CONFIG_SNAPSHOT } from "../../recovery/runbook/stack-config";
import { main } from "../../recovery/cli/main";
import type { CliIO } from "../../recovery/cli/io";
import { ToolError, UsageError } from "../../recovery/errors";
import { readStackConfig } from "../../recovery/config/stackfile";
import { insecureGithubApiUrl } from "../../recovery/github/client";
import { startFakeGithub, type FakeGithub } from "./github-api";

const REPO = path.join(__dirname, "..", "..");
const TOKEN = "ghs_SECRETtoken0123456789abcdef";
const RUN = "20240724T060102Z-data-loss-1a2b";
const NAME = journalArtifactName("test", RUN);
const artifact = (id: number, runId: number, createdAt: string, expired = false, name = NAME): ArtifactListing => ({ id, name, expired, created_at: createdAt, workflow_run: { id: runId, head_branch: "main" } });

/** A journal folder as `aytq-dr run` leaves it. */
function writeJournal(dir: string, meta: Record<string, unknown>, records: Record<string, unknown>[], snapshot?: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "run.json"), JSON.stringify(meta, null, 2));
  writeFileSync(path.join(dir, "journal.jsonl"), records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  if (snapshot) writeFileSync(path.join(dir, STACK_CONFIG_SNAPSHOT), JSON.stringify(snapshot));
}
const META = { runId: RUN, scenario: "data-loss", stack: "test", platform: "azure", createdAt: "2024-07-24T06:01:02.000Z", inputs: { restorePointUTC: "2024-07-24T06:00:00Z", copyName: "s189t01-aytq-ts-pg-ptr-202407240601-1a2b" } };
const DONE = ["stop", "maintenance-on", "freeze"].map((step) => ({ step, status: "done", startedAt: "2024-07-24T06:01:03Z", endedAt: "2024-07-24T06:02:03Z" }));

describe("ci/journal-artifact: a journal found and used by the next workflow run", () => {
  it("names the artifact by stack and run id", () => {
    assert.equal(journalArtifactName("production", RUN), `aytq-dr-journal-production-${RUN}`);
  });

  describe("picking the artifact", () => {
    it("tries the newest unexpired one of that exact name first (each workflow run that continued the run uploaded a newer one)", () => {
      const candidates = journalCandidates([artifact(1, 100, "2024-07-24T06:30:00Z"), artifact(3, 300, "2024-07-24T09:00:00Z", true), artifact(2, 200, "2024-07-24T08:00:00Z"), artifact(9, 900, "2024-07-25T00:00:00Z", false, NAME + "x")], NAME, RUN);
      assert.deepEqual(candidates.map((a) => [a.id, a.workflow_run?.id]), [[2, 200], [1, 100]]);
    });
    it("refuses when every one has expired, saying a new run is the way on", () => {
      assert.throws(() => journalCandidates([artifact(1, 100, "2024-07-24T06:30:00Z", true)], NAME, RUN), (e: unknown) => e instanceof UsageError && /expired/.test(e.message) && /new run/.test(e.hint ?? ""));
    });
    it("refuses when there is none, pointing at the run id and the environment", () => {
      assert.throws(() => journalCandidates([], NAME, RUN), (e: unknown) => e instanceof UsageError && /no journal artifact/.test(e.message) && /environment/.test(e.hint ?? ""));
    });
  });

  describe("asking GitHub", () => {
    let gh: FakeGithub;
    beforeEach(async () => (gh = await startFakeGithub("DFE-Digital/aytq-dr", "ghs_token")));
    afterEach(() => gh.close());

    it("asks for the repository, the artifacts of that name and the run that uploaded the newest, with the token; returns the workflow run to download from", async () => {
      gh.upload({ artifactId: 5, runId: 555, createdAt: "2024-07-24T06:30:00Z", name: NAME });
      const found = await findJournalArtifact({ stack: "test", runId: RUN, repository: "DFE-Digital/aytq-dr", token: "ghs_token", apiUrl: gh.url });
      assert.equal(found.workflowRunId, 555);
      assert.deepEqual(found.setAside, []);
      assert.deepEqual(gh.requests, [
        { method: "GET", path: "/repos/DFE-Digital/aytq-dr", authorization: "Bearer ghs_token" },
        { method: "GET", path: `/repos/DFE-Digital/aytq-dr/actions/artifacts?name=${NAME}&per_page=100`, authorization: "Bearer ghs_token" },
        { method: "GET", path: "/repos/DFE-Digital/aytq-dr/actions/runs/555", authorization: "Bearer ghs_token" },
      ]);
    });
    it("a refused token says the job needs actions: read", async () => {
      gh.failWith = 403;
      await assert.rejects(findJournalArtifact({ stack: "test", runId: RUN, repository: "DFE-Digital/aytq-dr", token: "ghs_token", apiUrl: gh.url }), (e: unknown) => e instanceof ToolError && /actions: read/.test(e.hint ?? ""));
    });
    it("refuses a run id that is not one before asking", async () => {
      await assert.rejects(findJournalArtifact({ stack: "test", runId: "../../etc", repository: "DFE-Digital/aytq-dr", token: "ghs_token", apiUrl: gh.url }), UsageError);
      assert.equal(gh.requests.length, 0);
    });
    it("aytq-dr ci find-journal sets the outputs the workflow downloads with", async () => {
      gh.upload({ artifactId: 5, runId: 555, createdAt: "2024-07-24T06:30:00Z", name: NAME });
      gh.upload({ artifactId: 6, runId: 666, createdAt: "2024-07-24T07:30:00Z", name: NAME });
      const { code, lines, outputs } = await findJournalCli(gh);
      assert.equal(code, 0, lines);
      assert.equal(outputs, `artifact-name=${NAME}\nartifact-id=6\nworkflow-run-id=666\n`);
    });
    it("aytq-dr ci find-journal without a token refuses (exit 2) and says how to give one", async () => {
      const lines: string[] = [];
      const io: CliIO = { out: (t) => lines.push(t), err: (t) => lines.push(t), isTTY: false, env: { GITHUB_REPOSITORY: "DFE-Digital/aytq-dr", GITHUB_API_URL: gh.url } };
      assert.equal(await main(["node", "aytq-dr", "ci", "find-journal", "--stack", "test", "--run-id", RUN], io), 2);
      assert.match(lines.join("\n"), /GITHUB_TOKEN/);
      assert.equal(gh.requests.length, 0);
    });
  });

  describe("trusting the artifact: only a journal uploaded by Recover (recover.yml), dispatched on the default branch of this repository", () => {
    let gh: FakeGithub;
    beforeEach(async () => (gh = await startFakeGithub("DFE-Digital/aytq-dr", TOKEN)));
    afterEach(() => gh.close());
    const find = (log?: (line: string) => void) => findJournalArtifact({ stack: "test", runId: RUN, repository: "DFE-Digital/aytq-dr", token: TOKEN, apiUrl: gh.url, log });
    /** A fork's pull request that uploaded an artifact of the journal's name (its workflow may do anything). */
    const FORK_PR = { event: "pull_request", path: ".github/workflows/preview.yml", head_branch: "main", headRepository: { id: 999_001, full_name: "attacker/aytq-dr" } };

    it("a newer artifact from a fork's pull request is set aside: the older trusted one is picked, and the newer one is named", async () => {
      gh.upload({ artifactId: 5, runId: 555, createdAt: "2024-07-24T06:30:00Z", name: NAME });
      gh.upload({ artifactId: 6, runId: 666, createdAt: "2024-07-24T07:30:00Z", name: NAME, ...FORK_PR });
      const log: string[] = [];
      const found = await find((l) => log.push(l));
      assert.equal(found.workflowRunId, 555);
      assert.equal(found.artifactId, 5);
      assert.deepEqual(found.setAside.map((s) => s.workflowRunId), [666]);
      assert.equal(log.length, 1, log.join("\n"));
      assert.match(log[0], /set aside .*artifact 6 .*workflow run 666/);
      assert.match(log[0], /pull_request/);
      assert.match(log[0], /attacker\/aytq-dr/);
      // the command says so too (on standard error until ci.ts passes its own io as `log`)
      const stderr: string[] = [];
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
      let cli: Awaited<ReturnType<typeof findJournalCli>>;
      try {
        cli = await findJournalCli(gh);
      } finally {
        process.stderr.write = write;
      }
      assert.equal(cli.code, 0, cli.lines);
      assert.equal(cli.outputs, `artifact-name=${NAME}\nartifact-id=5\nworkflow-run-id=555\n`);
      const said = cli.lines + "\n" + stderr.join("");
      assert.match(said, /WARNING: set aside a newer journal artifact .*workflow run 666 .*event pull_request/);
      assert.ok(!said.includes(TOKEN));
    });

    it("only an untrusted artifact (a fork's pull request): refused with exit 2, naming the run, its branch and its event; no outputs, never the token", async () => {
      gh.upload({ artifactId: 6, runId: 666, createdAt: "2024-07-24T07:30:00Z", name: NAME, ...FORK_PR });
      const cli = await findJournalCli(gh);
      assert.equal(cli.code, 2, cli.lines);
      assert.match(cli.lines, /workflow run 666/);
      assert.match(cli.lines, /branch main of attacker\/aytq-dr/);
      assert.match(cli.lines, /event pull_request/);
      assert.match(cli.lines, /fix: /);
      assert.equal(cli.outputs, undefined);
      assert.ok(!cli.lines.includes(TOKEN), "the token was printed");
    });

    it("an artifact of another workflow (drill.yml), even dispatched on main of this repository: refused", async () => {
      gh.upload({ artifactId: 7, runId: 777, createdAt: "2024-07-24T07:30:00Z", name: NAME, path: ".github/workflows/drill.yml" });
      await assert.rejects(find(), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /workflow run 777/.test(e.message) && /drill\.yml/.test(e.message) && /event workflow_dispatch/.test(e.message));
    });

    it("recover.yml dispatched on a branch that is not the default one: refused, naming the branch", async () => {
      gh.upload({ artifactId: 8, runId: 888, createdAt: "2024-07-24T07:30:00Z", name: NAME, head_branch: "try-resume" });
      await assert.rejects(find(), (e: unknown) => e instanceof UsageError && /workflow run 888/.test(e.message) && /branch try-resume/.test(e.message) && /default branch main/.test(e.message));
    });

    it("recover.yml started by another event (a push): refused", async () => {
      gh.upload({ artifactId: 9, runId: 999, createdAt: "2024-07-24T07:30:00Z", name: NAME, event: "push" });
      await assert.rejects(find(), (e: unknown) => e instanceof UsageError && /workflow run 999/.test(e.message) && /event push/.test(e.message));
    });

    it("a workflow run GitHub no longer has (404) is not trusted", async () => {
      gh.upload({ artifactId: 9, runId: 999, createdAt: "2024-07-24T07:30:00Z", name: NAME });
      gh.runs.delete(999);
      await assert.rejects(find(), (e: unknown) => e instanceof UsageError && /workflow run 999/.test(e.message));
    });

    it("takes the workflow path as GitHub's docs show it too (.github/workflows/recover.yml@main)", async () => {
      gh.upload({ artifactId: 5, runId: 555, createdAt: "2024-07-24T06:30:00Z", name: NAME, path: ".github/workflows/recover.yml@main" });
      assert.equal((await find()).workflowRunId, 555);
    });

    it("refuses to send the token to a plain-http API URL that is not this machine (exit 2, nothing sent, never the token)", async () => {
      const cli = await findJournalCli(gh, { GITHUB_API_URL: "http://github.example.invalid/api/v3" });
      assert.equal(cli.code, 2, cli.lines);
      assert.match(cli.lines, /not https/);
      assert.match(cli.lines, /fix: .*https:\/\/api\.github\.com/);
      assert.ok(!cli.lines.includes(TOKEN));
      assert.equal(gh.requests.length, 0);
      // what the tests' stand-ins use, and GitHub itself, stay allowed
      assert.equal(insecureGithubApiUrl("https://api.github.com"), undefined);
      assert.equal(insecureGithubApiUrl("http://127.0.0.1:8080"), undefined);
      assert.equal(insecureGithubApiUrl("http://localhost:8080/api"), undefined);
      assert.match(insecureGithubApiUrl("http://10.0.0.1") ?? "", /not https/);
      assert.match(insecureGithubApiUrl("ftp://api.github.com") ?? "", /not https/);
    });
  });

  describe("importing the download", () => {
    let tmp: string;
    let root: string;
    let stateDir: string;
    beforeEach(() => {
      tmp = mkdtempSync(path.join(os.tmpdir(), "aytq-ci-import-"));
      root = path.join(tmp, "checkout");
      mkdirSync(root);
      copyFileSync(path.join(REPO, "Pulumi.test.yaml"), path.join(root, "Pulumi.test.yaml"));
      stateDir = path.join(tmp, "state");
    });
    afterEach(() => rmSync(tmp, { recursive: true, force: true }));

    it("puts the journal where run --resume looks, says what is done and next, and puts the stack config back", () => {
      const from = path.join(tmp, "download");
      writeJournal(from, META, DONE, { stack: "test", takenAt: "2024-07-24T06:02:03Z", values: { ...snapshotOfCommitted(), "app.stopped": true, "app.maintenance": true } });
      const j = importJournal({ from, stateDir, stack: "test", runId: RUN, root });
      assert.equal(j.dir, path.join(stateDir, "test", RUN));
      assert.ok(existsSync(path.join(j.dir, "run.json")) && existsSync(path.join(j.dir, "journal.jsonl")) && existsSync(path.join(j.dir, STACK_CONFIG_SNAPSHOT)));
      assert.deepEqual(j.done, ["stop", "maintenance-on", "freeze"]);
      assert.equal(j.next, "safety-backup");
      assert.deepEqual(j.restored.map((r) => r.key).sort(), ["app.maintenance", "app.stopped"]);
      const raw = readStackConfig("test", root);
      assert.equal((raw.app as Record<string, unknown>).stopped, true);
    });

    it("finds the run's folder one or two levels down (an artifact that kept its parent folders)", () => {
      const from = path.join(tmp, "download");
      writeJournal(path.join(from, "test", RUN), META, DONE);
      assert.equal(importJournal({ from, stateDir, stack: "test", runId: RUN, root }).next, "safety-backup");
    });

    it("counts a line cut by a crash and runs that step again", () => {
      const from = path.join(tmp, "download");
      writeJournal(from, META, DONE);
      writeFileSync(path.join(from, "journal.jsonl"), readFileSync(path.join(from, "journal.jsonl"), "utf8") + '{"step":"safety-back');
      const j = importJournal({ from, stateDir, stack: "test", runId: RUN, root });
      assert.equal(j.tornLines, 1);
      assert.equal(j.next, "safety-backup");
      assert.equal(j.hadSnapshot, false);
    });

    it("refuses a download without that run's journal, naming what it holds", () => {
      const from = path.join(tmp, "download");
      writeJournal(from, { ...META, runId: "20240101T000000Z-data-loss-ffff" }, DONE);
      assert.throws(() => importJournal({ from, stateDir, stack: "test", runId: RUN, root }), (e: unknown) => e instanceof UsageError && /holds no journal of run/.test(e.message) && /20240101T000000Z-data-loss-ffff/.test(e.message));
      assert.ok(!existsSync(stateDir));
    });

    it("refuses a journal of another stack, changing nothing", () => {
      const from = path.join(tmp, "download");
      writeJournal(from, { ...META, stack: "production" }, DONE, { stack: "production", takenAt: "x", values: { "app.stopped": true } });
      const before = readFileSync(path.join(root, "Pulumi.test.yaml"), "utf8");
      assert.throws(() => importJournal({ from, stateDir, stack: "test", runId: RUN, root }), (e: unknown) => e instanceof UsageError && /a run on production, not test/.test(e.message));
      assert.equal(readFileSync(path.join(root, "Pulumi.test.yaml"), "utf8"), before);
      assert.ok(!existsSync(stateDir));
    });

    it("refuses when the state dir already holds that run (never overwrites a journal)", () => {
      const from = path.join(tmp, "download");
      writeJournal(from, META, DONE);
      writeJournal(path.join(stateDir, "test", RUN), META, DONE.slice(0, 1));
      assert.throws(() => importJournal({ from, stateDir, stack: "test", runId: RUN, root }), (e: unknown) => e instanceof UsageError && /already holds run/.test(e.message));
      assert.equal(readFileSync(path.join(stateDir, "test", RUN, "journal.jsonl"), "utf8").trim().split("\n").length, 1);
    });
  });
});

/** `aytq-dr ci find-journal` against the stand-in: exit code, everything printed, GITHUB_OUTPUT (undefined: not written). */
async function findJournalCli(gh: FakeGithub, extraEnv: Record<string, string> = {}): Promise<{ code: number; lines: string; outputs: string | undefined }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "aytq-ci-find-"));
  try {
    const lines: string[] = [];
    const env = { GITHUB_TOKEN: gh.token, GITHUB_REPOSITORY: "DFE-Digital/aytq-dr", GITHUB_API_URL: gh.url, GITHUB_OUTPUT: path.join(dir, "out"), ...extraEnv };
    const io: CliIO = { out: (t) => lines.push(t), err: (t) => lines.push(t), isTTY: false, env };
    const code = await main(["node", "aytq-dr", "ci", "find-journal", "--stack", "test", "--run-id", RUN], io);
    return { code, lines: lines.join("\n"), outputs: existsSync(env.GITHUB_OUTPUT) ? readFileSync(env.GITHUB_OUTPUT, "utf8") : undefined };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The owned keys as committed (what a snapshot of an untouched checkout holds). */
function snapshotOfCommitted(): Record<string, unknown> {
  const raw = readStackConfig("test", REPO) as Record<string, Record<string, unknown>>;
  return { "app.stopped": raw.app.stopped, "app.maintenance": raw.app.maintenance, recovery: raw.recovery };
}
