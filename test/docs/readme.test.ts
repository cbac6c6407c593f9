/** The README's exit codes are the ones the command uses (recovery/errors.ts EXIT), no more, no fewer. */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { EXIT } from "../../recovery/errors";

const README = readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");

describe("README: exit codes", () => {
  it("lists every exit code the command uses, each once, and only those (70, a bug, is named in the text)", () => {
    const section = README.slice(README.indexOf("### Exit codes"), README.indexOf("### Confirmations"));
    const listed = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    const used = Object.values(EXIT).filter((c) => c !== EXIT.internal).sort((a, b) => a - b);
    assert.deepEqual(listed, used);
    assert.match(section, /exit 70/);
  });

  it("names the confirmation of production, the terminal, --yes and dry runs", () => {
    const section = README.slice(README.indexOf("### Confirmations"), README.indexOf("## How it fits together"));
    for (const words of ["--confirm-production", "--yes", "--dry-run", "preview <op>", "`restore`", "the stack name typed back", "--restore-copy whole\\|tables\\|undelete\\|no", "`--restore-copy yes` is refused"]) assert.ok(section.includes(words), words);
  });
});
