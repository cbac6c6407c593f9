/**
 * npm test's pretest (scripts/system-deps.ts): nothing to do when the packages are there; as root
 * with apt-get, one update and one non-interactive install; otherwise exactly what to install, and
 * a failure before any test runs.
 */
import { strict as assert } from "node:assert";
import { execFile, spawnSync } from "node:child_process";
import * as path from "node:path";
import { missingPackages, planSystemDeps, Probe, SYSTEM_PACKAGES } from "../../scripts/system-deps";

const SCRIPT = path.join(__dirname, "..", "..", "scripts", "system-deps.ts");

/** A machine with these executables on PATH and these files. */
function machine(onPath: string[], files: string[] = [], dirs: Record<string, string[]> = {}): Probe {
  return { onPath: (c) => onPath.includes(c), exists: (f) => files.includes(f), list: (d) => dirs[d] ?? [] };
}
const names = (probe: Probe) => missingPackages(probe).map((p) => p.name);

describe("pretest: the system packages npm test needs", () => {
  it("knows what each package is for", () => {
    assert.deepEqual(SYSTEM_PACKAGES.map((p) => p.name), ["postgresql", "nginx-light", "openssl"]);
  });

  it("finds Debian's PostgreSQL server binaries off PATH, nginx in /usr/sbin", () => {
    const debian = machine(["psql", "pg_dump", "openssl"], ["/usr/lib/postgresql/16/bin/initdb", "/usr/lib/postgresql/16/bin/pg_ctl", "/usr/sbin/nginx"], { "/usr/lib/postgresql": ["16"] });
    assert.deepEqual(names(debian), []);
  });

  it("a fresh machine lacks all three; the client alone is not the server", () => {
    assert.deepEqual(names(machine([])), ["postgresql", "nginx-light", "openssl"]);
    assert.deepEqual(names(machine(["psql", "pg_dump", "nginx", "openssl"])), ["postgresql"]);
  });

  it("as root with apt-get: apt-get update once, then one install of exactly what is missing", () => {
    const missing = missingPackages(machine(["openssl"]));
    assert.deepEqual(planSystemDeps(missing, { isRoot: true, hasAptGet: true }), {
      kind: "install",
      packages: ["postgresql", "nginx-light"],
      commands: [
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "postgresql", "nginx-light"],
      ],
    });
  });

  it("not root: prints exactly what to install and fails", () => {
    const plan = planSystemDeps(missingPackages(machine(["psql", "pg_dump", "initdb", "pg_ctl", "openssl"])), { isRoot: false, hasAptGet: true });
    assert.equal(plan.kind, "cannot");
    assert.ok(plan.kind === "cannot" && plan.message.includes("sudo apt-get update && sudo apt-get install -y nginx-light"), JSON.stringify(plan));
    assert.ok(plan.kind === "cannot" && plan.message.includes("nginx-light: nginx, which serves the maintenance page in its tests"));
  });

  it("nothing missing: nothing to do", () => {
    assert.deepEqual(planSystemDeps([], { isRoot: false, hasAptGet: false }), { kind: "ready" });
  });

  it("as a process on this machine (which runs the tests, so has the packages): exit 0, silent", async function () {
    this.timeout(60_000);
    const r = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(process.execPath, ["--import", "tsx", SCRIPT], (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr })),
    );
    assert.deepEqual(r, { code: 0, out: "" });
  });

  it("as a process for a user who cannot install (not root, nothing on PATH): exit 1 naming the packages", async function () {
    this.timeout(60_000);
    // a non-root user to run it as: Debian's postgres user, which the cluster tests use too
    if (process.getuid?.() !== 0 || spawnSync("id", ["-u", "postgres"]).status !== 0) this.skip();
    const r = spawnSync("runuser", ["-u", "postgres", "--", "env", "PATH=/nonexistent", process.execPath, "--import", "tsx", SCRIPT], { encoding: "utf8", cwd: path.join(__dirname, "..", "..") });
    assert.equal(r.status, 1, r.stderr);
    // with nothing on PATH, only nginx at its fixed path /usr/sbin/nginx can still be found
    assert.match(r.stderr, /system-deps: npm test needs system packages this machine lacks:\n {2}postgresql: .*\n( {2}nginx-light: .*\n)? {2}openssl: /);
    assert.match(r.stderr, /install the equivalent of Debian's postgresql, (nginx-light, )?openssl with its package manager, then run npm test again/);
  });
});
