/**
 * aytq-dr starts without the SDKs: Pulumi's runtime (with the TypeScript compiler and npm's
 * arborist), Azure's SDKs and the program's providers are loaded when a command first needs them
 * (recovery/stack/pulumi-sdk.ts, plan/evaluate.ts, azure/sdk.ts, data/storage.ts). So `--help`,
 * a refused command line and the data commands' start cost about 0.8 s of CPU instead of 3.5 s,
 * and every test that runs the command as a process is cheaper. One static import of any of them
 * anywhere on the command's import graph undoes it; this test names the package that came back.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

/** The packages the command line's modules load before any command runs, in a fresh process. */
function packagesAtStart(): string[] {
  const script = `
    require("./recovery/cli/process.ts");
    const names = new Set();
    for (const file of Object.keys(require.cache)) {
      const m = file.match(/node_modules\\/((@[^/]+\\/)?[^/]+)\\//);
      if (m) names.add(m[1]);
    }
    process.stdout.write(JSON.stringify([...names].sort()));`;
  return JSON.parse(execFileSync(process.execPath, ["-r", "tsx/cjs", "-e", script], { cwd: ROOT, encoding: "utf8" })) as string[];
}

describe("the command's start", function () {
  this.timeout(60_000);

  it("loads no SDK: Pulumi, Azure, Kubernetes and the providers wait until a command needs them", () => {
    const loaded = packagesAtStart();
    assert.ok(loaded.includes("commander"), `the command line itself was not loaded: ${loaded.join(", ")}`);
    const heavy = loaded.filter((name) => /^@(pulumi|pulumiverse|azure|kubernetes|grpc|npmcli)\//.test(name) || name === "typescript");
    assert.deepEqual(heavy, [], "a static import brought these back; load them where they are used (see this file's header)");
  });
});
