/**
 * The production guard holds on what a stack IS: a stack file whose environment, short code or
 * names belong to another stack is refused (exit 2) before anything is opened or changed, whatever
 * the stack is called on the command line.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { STACK_NAMES, type RawConfig } from "../../infra/config";
import { PROJECT_ROOT, readStackConfig } from "../../recovery/config/stackfile";
import { identityProblems } from "../../recovery/config/stack-identity";
import { STACK_TRACE } from "../helpers/cli-io";

const clone = (raw: RawConfig): RawConfig => JSON.parse(JSON.stringify(raw)) as RawConfig;

describe("stack identity: the file must describe the stack it is read as", () => {
  it("each committed stack file describes its own stack", () => {
    for (const stack of STACK_NAMES) assert.deepEqual(identityProblems(stack, readStackConfig(stack)), [], stack);
  });

  it("production's settings read as any other stack are refused, naming what disagrees", () => {
    // read without the check: the production file is production's
    const production = readStackConfig("production");
    for (const stack of ["test", "preproduction"] as const) {
      const problems = identityProblems(stack, production).join("\n");
      assert.match(problems, new RegExp(`environment is "production", not "${stack}"`));
      assert.match(problems, /resourceGroupName is "s189p01-aytq-pd-rg", not a .* name/);
      assert.match(problems, /database\.serverName is "s189p01-aytq-pd-pg"/);
    }
  });

  it("a file that says test but names production's server, group or storage is refused", () => {
    const edits: [string, (raw: RawConfig) => void, RegExp][] = [
      ["server", (r) => ((r.database as Record<string, unknown>).serverName = "s189p01-aytq-pd-pg"), /database\.serverName/],
      ["group", (r) => (r.resourceGroupName = "s189p01-aytq-pd-rg"), /resourceGroupName/],
      ["storage", (r) => ((r.backup as Record<string, unknown>).storageAccountName = "s189p01aytqdbbkppdsa"), /backup\.storageAccountName/],
      ["short code", (r) => (r.shortCode = "pd"), /shortCode is "pd", not "ts"/],
      ["vnet", (r) => ((r.network as Record<string, unknown>).vnetName = "s189p01-tsc-production-vnet"), /network\.vnetName names production's subscription/],
      ["preproduction's server", (r) => ((r.database as Record<string, unknown>).serverName = "s189t01-aytq-pp-pg"), /database\.serverName is "s189t01-aytq-pp-pg", not a test name/],
    ];
    for (const [what, edit, problem] of edits) {
      const raw = clone(readStackConfig("test"));
      edit(raw);
      assert.match(identityProblems("test", raw).join("\n"), problem, what);
    }
  });

  it("production's file with a test server name is refused too", () => {
    const raw = clone(readStackConfig("production"));
    (raw.database as Record<string, unknown>).serverName = "s189t01-aytq-ts-pg";
    assert.match(identityProblems("production", raw).join("\n"), /database\.serverName is "s189t01-aytq-ts-pg", not a production name/);
  });
});

describe("stack identity through the command line (a copy of the project)", function () {
  this.timeout(120_000);
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "aytq-identity-"));
    for (const item of ["bin", "recovery", "infra", "Pulumi.yaml", "package.json", "tsconfig.json", "Pulumi.preproduction.yaml", "Pulumi.production.yaml", "Pulumi.pipeline.yaml"]) {
      cpSync(path.join(PROJECT_ROOT, item), path.join(root, item), { recursive: true });
    }
    symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(root, "node_modules"));
    // the example: production's settings in Pulumi.test.yaml
    writeFileSync(path.join(root, "Pulumi.test.yaml"), readFileSync(path.join(PROJECT_ROOT, "Pulumi.production.yaml")));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const run = (args: string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      // no pulumi on PATH: had the guard let it through, the command would fail differently
      const env = { PATH: path.dirname(process.execPath), HOME: root, AYTQ_DR_STATE_DIR: path.join(root, ".state") };
      execFile(process.execPath, [path.join(root, "bin", "aytq-dr.js"), ...args], { env, cwd: root, timeout: 100_000 }, (err, _out, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr });
      });
    });

  for (const args of [
    ["stop", "--stack", "test", "--yes"],
    ["maintenance", "on", "--stack", "test", "--yes"],
    ["status", "--stack", "test"],
    ["run", "server-lost-rebuild", "--stack", "test", "--yes"],
  ]) {
    it(`aytq-dr ${args.join(" ")} with production's settings in Pulumi.test.yaml: exit 2, nothing changed`, async () => {
      const before = readFileSync(path.join(root, "Pulumi.test.yaml"), "utf8");
      const { code, stderr } = await run(args);
      assert.equal(code, 2, stderr);
      assert.match(stderr, /Pulumi\.test\.yaml does not describe the test stack: environment is "production", not "test"/);
      assert.match(stderr, /fix: put the test stack's own settings/);
      assert.doesNotMatch(stderr, STACK_TRACE);
      assert.equal(readFileSync(path.join(root, "Pulumi.test.yaml"), "utf8"), before);
    });
  }
});
