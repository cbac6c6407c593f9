import { strict as assert } from "node:assert";
import type { DiagnosticEvent } from "@pulumi/pulumi/automation";
import { commandErrorOutput, diagnosticsSection, failureLines, isPlanViolation } from "../../recovery/stack/failure";
import { urnOf } from "./fake-pulumi";
import { PULUMI_TYPES } from "../../infra/types";

const SERVER = PULUMI_TYPES.server;
const same = (l: string) => l;
const diag = (message: string, urn?: string, severity: DiagnosticEvent["severity"] = "error"): DiagnosticEvent => ({ urn, message: `<{%reset%}>${message}<{%reset%}>\n`, color: "raw", severity, prefix: `${severity}: ` });

const STDOUT = [
  "Updating (production):",
  " +  azure-native:dbforpostgresql:Server s189p01-aytq-pd-pg creating (3s) error: Status=400 Code=\"Bad\"",
  "    pulumi:pulumi:Stack aytq-production **failed** 1 error",
  "Diagnostics:",
  "  azure-native:dbforpostgresql:Server (s189p01-aytq-pd-pg):",
  '    error: Status=400 Code="Bad"',
  "    Message: the server name is taken",
  "    warning: retrying is pointless",
  "",
  "  pulumi:pulumi:Stack (aytq-production):",
  "    error: update failed",
  "",
  "Resources:",
  "    3 unchanged",
  "",
  "Duration: 5s",
].join("\n");

describe("failure messages from the engine's diagnostics", () => {
  it("reads the errors of the Diagnostics section, with continuation lines, and no warnings", () => {
    assert.deepEqual(diagnosticsSection(STDOUT), [
      { where: `${SERVER} s189p01-aytq-pd-pg`, message: 'Status=400 Code="Bad"\nMessage: the server name is taken' },
      { where: undefined, message: "update failed" },
    ]);
    assert.deepEqual(diagnosticsSection("no such section\n  error: x"), []);
  });

  it("names the resource and the error, drops the generic 'update failed' and the progress table", () => {
    assert.deepEqual(failureLines({ stdout: STDOUT }, same), [`${SERVER} s189p01-aytq-pd-pg: Status=400 Code="Bad"`, "  Message: the server name is taken"]);
  });

  it("keeps 'update failed' when it is all there is", () => {
    assert.deepEqual(failureLines({ diagnostics: [diag("update failed", urnOf("pulumi:pulumi:Stack", "aytq-test"))] }, same), ["update failed"]);
  });

  it("says a diagnostic once when the events and stdout both carry it", () => {
    const urn = urnOf(SERVER, "s189p01-aytq-pd-pg", "production");
    const lines = failureLines({ diagnostics: [diag('Status=400 Code="Bad"\nMessage: the server name is taken', urn)], stdout: STDOUT }, same);
    assert.deepEqual(lines, [`${SERVER} s189p01-aytq-pd-pg: Status=400 Code="Bad"`, "  Message: the server name is taken"]);
  });

  it("adds stderr lines without their error: prefix, and leaves out CLI warnings and execa's argv line", () => {
    const stderr = "warning: A new version of Pulumi is available\nCommand failed with exit code 255: pulumi up --secret x\nerror: could not read plan\n";
    assert.deepEqual(failureLines({ stderr }, same), ["could not read plan"]);
  });

  it("without a Diagnostics section, takes only stdout lines that start with error:", () => {
    assert.deepEqual(failureLines({ stdout: "Previewing update (test):\nerror: preview failed: resource 'x' does not exist\nsomething else" }, same), ["preview failed: resource 'x' does not exist"]);
  });

  it("redacts every line", () => {
    const lines = failureLines({ stderr: "error: password hunter2-pw rejected" }, (l) => l.replace("hunter2-pw", "***"));
    assert.deepEqual(lines, ["password *** rejected"]);
  });

  it("keeps at most 40 lines, the last saying how many were left out", () => {
    const diagnostics = Array.from({ length: 50 }, (_, i) => diag(`conflict ${i}`, urnOf(SERVER, `s-${i}`)));
    const lines = failureLines({ diagnostics }, same);
    assert.equal(lines.length, 40);
    assert.equal(lines[39], "… 11 more lines not shown");
    assert.equal(failureLines({ diagnostics }, same, 5).length, 5);
  });

  it("cuts a very long line", () => {
    const [line] = failureLines({ stderr: `error: ${"y".repeat(1000)}` }, same);
    assert.equal(line.length, 400);
  });

  it("recognises the engine's three plan-violation messages, and nothing else", () => {
    const urn = urnOf(SERVER, "aytq-database-server");
    assert.ok(isPlanViolation({ diagnostics: [diag(`resource ${urn} violates plan: properties changed: ~~sku[{a}!={b}]`, urn)] }));
    assert.ok(isPlanViolation({ stdout: `Diagnostics:\n  ${SERVER} (aytq-database-server):\n    error: create is not allowed by the plan: no steps were expected for this resource\n` }));
    assert.ok(isPlanViolation({ stderr: `error: expected resource operations for ${urn} but none were seen` }));
    assert.ok(!isPlanViolation({ stderr: "error: Status=409 Conflict", stdout: "Updating (test):\n  planning..." }));
  });

  it("finds the CLI's output inside an Automation API CommandError message, without the argv line", () => {
    const message =
      "code: -2\n stdout: \n stderr: Command failed with exit code 255: /x/bin/pulumi config set-all --stack test --path --secret aytq:a=pw-12345 --non-interactive\nerror: bad config\n err?: Error: Command failed with exit code 255: /x/bin/pulumi config set-all --secret aytq:a=pw-12345\nerror: bad config\n";
    assert.equal(commandErrorOutput(message), "error: bad config");
    assert.equal(commandErrorOutput("plain text"), "plain text");
  });
});
