/** Echoes of outside text: what was typed (never `null`), full key names, and no raw control characters or endless answers. */
import { strict as assert } from "node:assert";
import { parseSettings } from "../../infra/config";
import { statusLines } from "../../recovery/cli/commands/status";
import { readStackConfig } from "../../recovery/config/stackfile";
import { checkGuards } from "../../recovery/ops/guard";
import { RecordingIO, runMain, STACK_TRACE } from "../helpers/cli-io";

const ESC = "\u001b";

describe("echoes of outside text", () => {
  it("a number JSON cannot hold is echoed as typed, not as null or another number", async () => {
    for (const typed of ["1e999", "-1e400", "99999999999999999999999"]) {
      const io = new RecordingIO(undefined);
      assert.equal(await runMain(["plan", "--stack", "test", "--set", `database.storageSizeGB=${typed}`], io), 2, io.text);
      assert.match(io.errText, new RegExp(`aytq:database\\.storageSizeGB: must be a whole number \\(got "${typed.replace(/[-+.]/g, "\\$&")}"\\)`));
      assert.doesNotMatch(io.errText, /got null/);
    }
  });

  it("a stack file's 1e999 (Infinity to YAML) is shown as Infinity, not null", () => {
    const raw = readStackConfig("test") as Record<string, Record<string, unknown>>;
    raw.database = { ...raw.database, storageSizeGB: Number.POSITIVE_INFINITY };
    assert.throws(() => parseSettings(raw), /storageSizeGB: must be a whole number \(got Infinity\)/);
  });

  it("an unknown key is named in full, never as the bare namespace", async () => {
    for (const [key, shown] of [["foo", "aytq:foo"], ["aytq:foo.bar", "aytq:foo"], ["app.foo", "aytq:app.foo"]]) {
      const io = new RecordingIO(undefined);
      assert.equal(await runMain(["plan", "--stack", "test", "--set", `${key}=1`], io), 2, io.text);
      assert.ok(io.errText.includes(`${shown}: is not a config key`), io.errText);
      assert.doesNotMatch(io.errText, /aytq::/);
    }
  });

  it("an argument with an escape sequence is echoed escaped, whoever prints it", async () => {
    const io = new RecordingIO(undefined);
    const code = await runMain(["run", "data-loss", "--stack", "test", "--at", `${ESC}[2J${ESC}[31mnow`, "--yes", "--restore-copy", "no"], io);
    assert.equal(code, 2, io.text);
    assert.ok(!io.text.includes(ESC), `a raw ESC reached the terminal: ${JSON.stringify(io.text)}`);
    assert.match(io.errText, /\\u001b\[2J/);
    assert.doesNotMatch(io.errText, STACK_TRACE);
  });

  it("a bare line break as an argument never breaks the message's own fix line; a forged line is escaped", async () => {
    let io = new RecordingIO(undefined);
    assert.equal(await runMain(["backup", "--database-url", "postgres://u:pw@127.0.0.1:1/db", "--container", "backups", "--name", "\n"], io), 2, io.text);
    assert.match(io.errText, /\n {2}fix: \S/, io.errText);
    io = new RecordingIO(undefined);
    assert.equal(await runMain(["backup", "--nope\n  fix: rm -rf /"], io), 2, io.text);
    assert.doesNotMatch(io.errText, /^\s+fix: rm/m, io.errText);
  });

  it("status shows values from the stack's outputs escaped and cut", () => {
    const lines = statusLines("test", { serverName: `evil${ESC}]0;title\u0007${"x".repeat(5000)}`, recoveryMode: "normal" }, new Date(), { holds: [] });
    const server = lines.find((l) => l.startsWith("server:"));
    assert.ok(server);
    assert.ok(!server.includes(ESC) && !server.includes("\u0007"), server);
    assert.ok(server.length < 400, `${server.length} characters`);
  });

  it("status shows an output of any shape, even one whose toString is not a function (found by the operator-input property)", () => {
    const lines = statusLines("test", { recoveryMode: [{ toString: "" }], webReplicas: { n: 1 }, serverName: null }, new Date(), { holds: [] });
    assert.ok(lines.includes('recovery:     [{"toString":""}]'), lines.join("\n"));
    assert.ok(lines.includes('replicas:     web {"n":1}, worker ?'));
    assert.ok(lines.includes("server:       ?"));
  });

  it("a typed answer at the production question is echoed cut and escaped", async () => {
    const typed = `${ESC}[31m` + "p".repeat(2500);
    await assert.rejects(
      checkGuards({ stack: "production", confirmProduction: true, yes: true, dryRun: false, isTTY: true, prompt: async () => typed }),
      (e: unknown) => e instanceof Error && !e.message.includes(ESC) && e.message.length < 400 && /more characters/.test(e.message),
    );
  });
});
