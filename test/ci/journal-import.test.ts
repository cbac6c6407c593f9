/**
 * `ci import-journal` that cannot be talked round (issue 20): the download's stack config snapshot
 * is checked by the config model (only the keys a recovery owns, never a secret, no prototype
 * keys, values the model accepts), no file is read through a link, the journal is checked as a
 * resume checks it, and nothing is written until everything is checked; then all or nothing.
 */
import { strict as assert } from "node:assert";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { importJournal } from "../../recovery/ci/journal-import";
import { STACK_CONFIG_SNAPSHOT } from "../../recovery/runbook/stack-config";
import { readStackConfig } from "../../recovery/config/stackfile";
import { describeError, UsageError } from "../../recovery/errors";

const REPO = path.join(__dirname, "..", "..");
const RUN = "20240724T060102Z-data-loss-1a2b";
const META = { runId: RUN, scenario: "data-loss", stack: "test", platform: "azure", createdAt: "2024-07-24T06:01:02.000Z", inputs: { restorePointUTC: "2024-07-24T06:00:00Z", copyName: "s189t01-aytq-ts-pg-ptr-202407240601-1a2b" } };
const DONE = ["maintenance-on", "stop", "freeze"].map((step) => ({ step, status: "done", startedAt: "2024-07-24T06:01:03Z", endedAt: "2024-07-24T06:02:03Z" }));
const PASSWORD = "Plaintext-Pa55word-in-artifact";

describe("ci import-journal: checked before anything is written, then all or nothing", () => {
  let tmp: string;
  let root: string;
  let stateDir: string;
  let from: string;
  let stackBefore: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "aytq-ci-import2-"));
    root = path.join(tmp, "checkout");
    mkdirSync(root);
    copyFileSync(path.join(REPO, "Pulumi.test.yaml"), path.join(root, "Pulumi.test.yaml"));
    stackBefore = readFileSync(path.join(root, "Pulumi.test.yaml"), "utf8");
    stateDir = path.join(tmp, "state");
    from = path.join(tmp, "download");
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  function download(values: unknown, meta: Record<string, unknown> = META, records: unknown[] = DONE, dir = from): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "run.json"), JSON.stringify(meta));
    writeFileSync(path.join(dir, "journal.jsonl"), records.map((r) => JSON.stringify(r)).join("\n") + "\n");
    if (values !== undefined) writeFileSync(path.join(dir, STACK_CONFIG_SNAPSHOT), typeof values === "string" ? values : JSON.stringify({ stack: "test", takenAt: "2024-07-24T06:02:03Z", values }));
  }
  const committed = () => readStackConfig("test", REPO) as Record<string, Record<string, unknown>>;

  /** importJournal refuses with exit 2 (as the CLI prints it), naming `re`; nothing written, the secret never shown. */
  function refused(re: RegExp, o: Partial<Parameters<typeof importJournal>[0]> = {}): string {
    let err: unknown;
    try {
      importJournal({ from, stateDir, stack: "test", runId: RUN, root, ...o });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof UsageError, `not refused: ${String(err)}`);
    const { exitCode, message } = describeError(err);
    assert.equal(exitCode, 2);
    assert.match(message, re);
    assert.match(message, /\n  fix: /);
    assert.ok(!message.includes(PASSWORD), "the secret was shown");
    assert.equal(readFileSync(path.join(root, "Pulumi.test.yaml"), "utf8"), stackBefore, "the stack file changed");
    assert.ok(!existsSync(path.join(stateDir, "test", RUN)), "the journal was imported");
    assert.deepEqual(readdirSync(root), ["Pulumi.test.yaml"], "a temporary file was left in the checkout");
    if (existsSync(path.join(stateDir, "test"))) assert.deepEqual(readdirSync(path.join(stateDir, "test")), [], "a temporary folder was left");
    return message;
  }

  it("refuses a snapshot carrying recovery.adminPassword (a secret): never written, never shown", () => {
    download({ "app.stopped": true, recovery: { ...committed().recovery, mode: "rebuild", adminLogin: "aytq", adminPassword: PASSWORD } });
    refused(/carries recovery\.adminLogin and recovery\.adminPassword, a secret/);
  });

  it("refuses values the config model refuses, naming the key (as --set would)", () => {
    download({ "app.stopped": "yes" });
    refused(/aytq:app\.stopped: must be true or false/);
    rmSync(from, { recursive: true });
    download({ recovery: { mode: "sideways", ptrCopies: [] } });
    refused(/aytq:recovery\.mode: must be one of normal, reviveDropped, rebuild/);
    rmSync(from, { recursive: true });
    download({ recovery: { mode: "normal", ptrCopies: [{ name: "Not A Server", restorePointUTC: "yesterday" }] } });
    refused(/recovery\.ptrCopies\[0\]\.name/);
  });

  it("refuses __proto__, at the top or inside a value, and keys a recovery does not own", () => {
    download('{"stack":"test","takenAt":"2024-07-24T06:02:03Z","values":{"__proto__":{"polluted":true}}}');
    refused(/keys a recovery does not own: "__proto__"/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    rmSync(from, { recursive: true });
    download('{"stack":"test","takenAt":"2024-07-24T06:02:03Z","values":{"recovery":{"mode":"normal","ptrCopies":[],"__proto__":{"polluted":true}}}}');
    refused(/"__proto__", which is not a config key/);
    rmSync(from, { recursive: true });
    download({ "database.serverName": "evil" });
    refused(/keys a recovery does not own: "database\.serverName"/);
  });

  it("refuses a snapshot of another stack, or not a snapshot at all", () => {
    download('{"stack":"production","takenAt":"x","values":{}}');
    refused(/a snapshot of stack production, not test/);
    rmSync(from, { recursive: true });
    download("[]");
    refused(/is not a stack config snapshot/);
  });

  it("with the state folder unusable: refuses, the stack file unchanged (it was rewritten first)", () => {
    download({ ...Object.fromEntries(Object.entries({ "app.maintenance": committed().app.maintenance, recovery: committed().recovery })), "app.stopped": true });
    writeFileSync(stateDir, "a file, not a folder");
    refused(/the state folder .* cannot take the journal .*: nothing was imported, the stack file is unchanged/);
  });

  it("when the stack file cannot be replaced, the imported journal is taken away again", () => {
    download({ "app.stopped": true, "app.maintenance": true });
    refused(/the stack file .* cannot be replaced \(EACCES\)/, {
      replaceStackFile: () => {
        throw Object.assign(new Error("permission denied"), { code: "EACCES" });
      },
    });
  });

  it("never follows a symbolic link: run.json or journal.jsonl that is one is refused, not read", () => {
    const elsewhere = path.join(tmp, "elsewhere");
    download(undefined, META, DONE, elsewhere);
    mkdirSync(from);
    symlinkSync(path.join(elsewhere, "run.json"), path.join(from, "run.json"));
    writeFileSync(path.join(from, "journal.jsonl"), readFileSync(path.join(elsewhere, "journal.jsonl")));
    refused(/run\.json is a symbolic link/);
    rmSync(from, { recursive: true });
    mkdirSync(from);
    writeFileSync(path.join(from, "run.json"), JSON.stringify(META));
    symlinkSync("/etc/passwd", path.join(from, "journal.jsonl"));
    refused(/journal\.jsonl is a symbolic link/);
  });

  it("refuses a journal with a gap, a damaged run.json, or a run id that is not one", () => {
    download(undefined, META, [DONE[0], { ...DONE[2] }]);
    refused(/cannot be trusted: its completed steps \(maintenance-on, freeze\)/);
    rmSync(from, { recursive: true });
    download(undefined, { ...META, inputs: undefined });
    refused(/not a run\.json aytq-dr can resume/);
    refused(/"\.\." is not a run id/, { runId: ".." });
  });

  it("imports a good download, printing no secret the stack file keeps", () => {
    // the checkout's stack file holds a rebuild's credentials (a secret it keeps)
    writeFileSync(path.join(root, "Pulumi.test.yaml"), stackBefore.replace(/^(\s+)mode: normal$/m, `$1mode: rebuild\n$1adminLogin: aytq\n$1adminPassword: ${PASSWORD}`));
    assert.notEqual(readFileSync(path.join(root, "Pulumi.test.yaml"), "utf8"), stackBefore, "the fixture changed nothing");
    download({ "app.stopped": true, "app.maintenance": true, recovery: { ...committed().recovery, mode: "rebuild" } });
    const j = importJournal({ from, stateDir, stack: "test", runId: RUN, root });
    assert.deepEqual(j.done, ["maintenance-on", "stop", "freeze"]);
    assert.equal(j.next, "safety-backup");
    assert.ok(!JSON.stringify(j.restored).includes(PASSWORD), JSON.stringify(j.restored));
    assert.ok(readFileSync(path.join(root, "Pulumi.test.yaml"), "utf8").includes(PASSWORD), "the file's own secret is kept");
    assert.deepEqual(readdirSync(path.join(stateDir, "test")), [RUN]);
  });
});
