/**
 * npm test's pretest (scripts/system-deps.ts): nothing to do when the packages are there; as root
 * with apt-get, one update and one non-interactive install; otherwise exactly what to install, and
 * a failure before any test runs.
 */
import { strict as assert } from "node:assert";
import { execFile, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { missingPackages, packagesFor, parseTarget, planSystemDeps, Probe, SYSTEM_PACKAGES } from "../../scripts/system-deps";

const SCRIPT = path.join(__dirname, "..", "..", "scripts", "system-deps.ts");

/** A machine with these executables on PATH and these files. */
function machine(onPath: string[], files: string[] = [], dirs: Record<string, string[]> = {}): Probe {
  return { onPath: (c) => onPath.includes(c), exists: (f) => files.includes(f), list: (d) => dirs[d] ?? [] };
}
const names = (probe: Probe) => missingPackages(probe).map((p) => p.name);

describe("pretest: the system packages npm test needs", () => {
  it("knows what each package is for", () => {
    assert.deepEqual(SYSTEM_PACKAGES.map((p) => p.name), ["postgresql", "nginx-light", "openssl", "chromium", "shellcheck"]);
  });

  it("finds Debian's PostgreSQL server binaries off PATH, nginx in /usr/sbin", () => {
    const debian = machine(["psql", "pg_dump", "openssl", "chromium", "shellcheck"], ["/usr/lib/postgresql/16/bin/initdb", "/usr/lib/postgresql/16/bin/pg_ctl", "/usr/sbin/nginx"], { "/usr/lib/postgresql": ["16"] });
    assert.deepEqual(names(debian), []);
  });

  it("a fresh machine lacks them all; the client alone is not the server", () => {
    assert.deepEqual(names(machine([])), ["postgresql", "nginx-light", "openssl", "chromium", "shellcheck"]);
    assert.deepEqual(names(machine(["psql", "pg_dump", "nginx", "openssl", "chromium", "shellcheck"])), ["postgresql"]);
  });

  it("as root with apt-get: apt-get update once, then one install of exactly what is missing", () => {
    const missing = missingPackages(machine(["openssl", "chromium", "shellcheck"]));
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
    const plan = planSystemDeps(missingPackages(machine(["psql", "pg_dump", "initdb", "pg_ctl", "openssl", "chromium", "shellcheck"])), { isRoot: false, hasAptGet: true });
    assert.equal(plan.kind, "cannot");
    assert.ok(plan.kind === "cannot" && plan.message.includes("sudo apt-get update && sudo apt-get install -y nginx-light"), JSON.stringify(plan));
    assert.ok(plan.kind === "cannot" && plan.message.includes("nginx-light: nginx, which serves the maintenance page in its tests"));
  });

  describe("npm run drill's predrill: `system-deps.ts drill` asks only for what the local drill needs", () => {
    /** A fresh machine with everything the tests need except PostgreSQL. */
    const noPostgres = machine(["nginx", "openssl", "chromium", "shellcheck"]);

    it("the drill needs PostgreSQL only; npm test needs every package", () => {
      assert.deepEqual(packagesFor("drill").map((p) => p.name), ["postgresql"]);
      assert.deepEqual(packagesFor("test").map((p) => p.name), SYSTEM_PACKAGES.map((p) => p.name));
    });

    it("on a machine lacking PostgreSQL, as root with apt-get: installs postgresql and nothing else", () => {
      const missing = missingPackages(noPostgres, packagesFor("drill"));
      assert.deepEqual(planSystemDeps(missing, { isRoot: true, hasAptGet: true, target: "drill" }), {
        kind: "install",
        packages: ["postgresql"],
        commands: [
          ["apt-get", "update", "-qq"],
          ["apt-get", "install", "-y", "-qq", "postgresql"],
        ],
      });
    });

    it("a machine with nothing at all still gets only postgresql for the drill (none of the others)", () => {
      const plan = planSystemDeps(missingPackages(machine([]), packagesFor("drill")), { isRoot: true, hasAptGet: true, target: "drill" });
      assert.ok(plan.kind === "install");
      assert.deepEqual(plan.packages, ["postgresql"]);
    });

    it("on a machine lacking PostgreSQL, not root: says npm run drill needs it, how to install it, and fails", () => {
      const plan = planSystemDeps(missingPackages(noPostgres, packagesFor("drill")), { isRoot: false, hasAptGet: true, target: "drill" });
      assert.equal(plan.kind, "cannot");
      assert.ok(plan.kind === "cannot");
      assert.match(plan.message, /^npm run drill needs system packages this machine lacks:\n {2}postgresql: /);
      assert.match(plan.message, /install them, then run npm run drill again:\n {2}sudo apt-get update && sudo apt-get install -y postgresql\n\(run as root, npm run drill installs them itself\)/);
    });

    it("PostgreSQL present: ready, whatever else is missing", () => {
      const pg = machine(["psql", "pg_dump", "initdb", "pg_ctl"]);
      assert.deepEqual(planSystemDeps(missingPackages(pg, packagesFor("drill")), { isRoot: false, hasAptGet: false, target: "drill" }), { kind: "ready" });
    });

    it("takes test (the default) or drill, nothing else", () => {
      assert.equal(parseTarget([]), "test");
      assert.equal(parseTarget(["test"]), "test");
      assert.equal(parseTarget(["drill"]), "drill");
      assert.deepEqual(parseTarget(["nginx"]), { error: "usage: system-deps.ts [test|drill] (got nginx)" });
      assert.ok(typeof parseTarget(["drill", "x"]) === "object");
    });

    it("package.json runs it before the drill, as pretest does before the tests", () => {
      const pkg = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { scripts: Record<string, string> };
      assert.equal(pkg.scripts.predrill, "node --import tsx scripts/system-deps.ts drill");
      assert.equal(pkg.scripts.pretest, "node --import tsx scripts/system-deps.ts");
    });
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
    const drill = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(process.execPath, ["--import", "tsx", SCRIPT, "drill"], (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr })),
    );
    assert.deepEqual(drill, { code: 0, out: "" });
  });

  it("as a process for a user who cannot install (not root, nothing on PATH): exit 1 naming the packages", async function () {
    this.timeout(60_000);
    // a non-root user to run it as: Debian's postgres user, which the cluster tests use too
    if (process.getuid?.() !== 0 || spawnSync("id", ["-u", "postgres"]).status !== 0) this.skip();
    const r = spawnSync("runuser", ["-u", "postgres", "--", "env", "PATH=/nonexistent", process.execPath, "--import", "tsx", SCRIPT], { encoding: "utf8", cwd: path.join(__dirname, "..", "..") });
    assert.equal(r.status, 1, r.stderr);
    // with nothing on PATH, only nginx at its fixed path /usr/sbin/nginx can still be found
    // ... and chromium at /usr/bin/chromium
    assert.match(r.stderr, /system-deps: npm test needs system packages this machine lacks:\n {2}postgresql: .*\n( {2}nginx-light: .*\n)? {2}openssl: .*\n( {2}chromium: .*\n)? {2}shellcheck: /);
    assert.match(r.stderr, /install the equivalent of Debian's postgresql, (nginx-light, )?openssl, (chromium, )?shellcheck with its package manager, then run npm test again/);
  });

  it("as a process for the drill, for a user who cannot install and lacks PostgreSQL: exit 1 naming postgresql alone", async function () {
    this.timeout(60_000);
    if (process.getuid?.() !== 0 || spawnSync("id", ["-u", "postgres"]).status !== 0) this.skip();
    const r = spawnSync("runuser", ["-u", "postgres", "--", "env", "PATH=/nonexistent", process.execPath, "--import", "tsx", SCRIPT, "drill"], { encoding: "utf8", cwd: path.join(__dirname, "..", "..") });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(
      r.stderr,
      "system-deps: npm run drill needs system packages this machine lacks:\n" +
        "  postgresql: PostgreSQL server and client binaries (initdb, pg_ctl, psql, pg_dump) for the throwaway clusters\n" +
        "this machine has no apt-get: install the equivalent of Debian's postgresql with its package manager, then run npm run drill again\n",
    );
  });
});
