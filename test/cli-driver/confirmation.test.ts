/**
 * Only --yes (or a typed answer at a terminal) confirms a change; no other flag implies it, and a
 * flag a scenario does not use is refused. --yes never answers the data decision.
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT, readStackConfig } from "../../recovery/config/stackfile";
import { PLAN_SUBSCRIPTION_ID } from "../../recovery/plan/mocks";
import { FakeStackPort } from "../helpers/fake-stack";
import { RecordingIO, runMain, STACK_TRACE } from "../helpers/cli-io";

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");
const HOUR = 3_600_000;

describe("run: confirmation comes from --yes or a terminal, nothing else", () => {
  let stateDir: string;
  beforeEach(() => (stateDir = mkdtempSync(path.join(os.tmpdir(), "aytq-confirm-"))));
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  async function attempt(args: string[], options: { isTTY?: boolean; answers?: string[] } = {}) {
    const stack = args[args.indexOf("--stack") + 1] as "test" | "production";
    const port = new FakeStackPort(stack, readStackConfig(stack));
    const file = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
    const before = readFileSync(file, "utf8");
    const io = new RecordingIO(port, { ...options, env: { AZURE_SUBSCRIPTION_ID: PLAN_SUBSCRIPTION_ID, AYTQ_DR_STATE_DIR: stateDir } });
    const code = await runMain(args, io);
    assert.doesNotMatch(io.errText, STACK_TRACE);
    assert.deepEqual(io.opened, [], "the stack was opened");
    assert.deepEqual(port.calls.filter((c) => /^(setConfig|removeConfig|up)\b/.test(c)), []);
    assert.equal(readFileSync(file, "utf8"), before, "the stack file changed");
    assert.ok(!existsSync(path.join(stateDir, stack)) || readdirSync(path.join(stateDir, stack)).length === 0, "a run was started");
    return { code, io };
  }

  it("--restore-copy does not stand in for --yes: data-loss on production without a terminal is refused (exit 3)", async () => {
    const { code, io } = await attempt(["run", "data-loss", "--stack", "production", "--confirm-production", "--at", iso(HOUR), "--restore-copy", "no"]);
    assert.equal(code, 3, io.text);
    assert.match(io.errText, /no terminal to confirm the change on/);
    assert.match(io.errText, /fix: add --yes/);
  });

  it("--restore-copy and --tables are refused for a scenario with no data decision (exit 2)", async () => {
    for (const scenario of [["server-lost-revive", "--at", iso(HOUR)], ["server-lost-rebuild"]]) {
      for (const [flag, value] of [["--restore-copy", "whole"], ["--tables", "users"]]) {
        const { code, io } = await attempt(["run", ...scenario, "--stack", "test", "--yes", flag, value]);
        assert.equal(code, 2, io.text);
        assert.match(io.errText, new RegExp(`${flag} does not apply here: server-lost-\\w+ asks no question about data`));
        assert.match(io.errText, new RegExp(`fix: leave out ${flag}`));
      }
    }
  });

  it("--restore-copy yes is refused before anything is read (exit 2), naming the ways and what each loses", async () => {
    const { code, io } = await attempt(["run", "data-loss", "--stack", "test", "--at", iso(HOUR), "--yes", "--restore-copy", "yes"]);
    assert.equal(code, 2, io.text);
    assert.match(io.errText, /--restore-copy yes no longer answers the data decision/);
    assert.match(io.errText, /fix: --restore-copy whole\|tables\|undelete\|no: "whole" replaces all of live with the copy: everything written since the restore point is lost/);
  });

  it("--tables with another way than tables is refused before anything is read (exit 2)", async () => {
    const { code, io } = await attempt(["run", "data-loss", "--stack", "test", "--at", iso(HOUR), "--yes", "--restore-copy", "undelete", "--tables", "users"]);
    assert.equal(code, 2, io.text);
    assert.match(io.errText, /--tables does not apply with --restore-copy undelete/);
  });

  it("--name is refused where no copy is made, --timezone where no time is given (exit 2)", async () => {
    let r = await attempt(["run", "server-lost-revive", "--stack", "test", "--at", iso(HOUR), "--name", "s189t01-aytq-ts-pg-x", "--yes"]);
    assert.equal(r.code, 2, r.io.text);
    assert.match(r.io.errText, /--name does not apply here: server-lost-revive makes no point-in-time copy/);
    r = await attempt(["run", "server-lost-rebuild", "--stack", "test", "--timezone", "Europe/London", "--yes"]);
    assert.equal(r.code, 2, r.io.text);
    assert.match(r.io.errText, /--timezone does not apply here/);
  });

  it("--yes starts a data-loss run but does not answer its decision without a terminal (exit 3)", async () => {
    const { code, io } = await attempt(["run", "data-loss", "--stack", "test", "--at", iso(HOUR), "--yes"]);
    assert.equal(code, 3, io.text);
    assert.match(io.errText, /--yes starts the run but never answers a question about data/);
  });

  it("on a terminal, production needs the name typed back even with --restore-copy given", async () => {
    const { code, io } = await attempt(["run", "data-loss", "--stack", "production", "--confirm-production", "--at", iso(HOUR), "--restore-copy", "whole"], { isTTY: true, answers: ["prod"] });
    assert.equal(code, 3, io.text);
    assert.match(io.asked[0], /Type the stack name \(production\)/);
    assert.match(io.errText, /you typed "prod", not "production"/);
  });
});
