/**
 * npm test's pretest: the system packages the tests need, from Debian's archive, so that the
 * README's `npm ci && npm test` passes on a fresh machine of our kind. The integration tests
 * start throwaway PostgreSQL clusters from Debian's server binaries, serve the maintenance page
 * with a real nginx, and make the ARM stand-in's https certificate with openssl.
 *
 * All present: nothing is done, nothing printed. Missing, as root with apt-get: `apt-get update`
 * once and one non-interactive install, then the services Debian's packages start are stopped
 * (the tests run their own servers on free ports). Missing otherwise: it prints exactly what to
 * install and fails, so the test run stops here with the reason instead of half-way with a
 * missing binary.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";

/** What the machine has, as the script sees it; tests give a fake. */
export interface Probe {
  /** An executable of this name on PATH. */
  onPath(command: string): boolean;
  exists(file: string): boolean;
  /** Entries of a folder, [] when it does not exist. */
  list(dir: string): string[];
}

export interface SystemPackage {
  /** Debian's package name. */
  name: string;
  /** What the tests use it for. */
  why: string;
  present(probe: Probe): boolean;
}

/** Debian's server binaries live in /usr/lib/postgresql/<major>/bin, which is not on PATH. */
function hasPostgresServer(probe: Probe): boolean {
  const debian = "/usr/lib/postgresql";
  const inDebian = probe.list(debian).some((v) => probe.exists(path.join(debian, v, "bin", "initdb")) && probe.exists(path.join(debian, v, "bin", "pg_ctl")));
  return (inDebian || (probe.onPath("initdb") && probe.onPath("pg_ctl"))) && probe.onPath("psql") && probe.onPath("pg_dump");
}

export const SYSTEM_PACKAGES: readonly SystemPackage[] = [
  { name: "postgresql", why: "PostgreSQL server and client binaries (initdb, pg_ctl, psql, pg_dump) for the throwaway clusters", present: hasPostgresServer },
  { name: "nginx-light", why: "nginx, which serves the maintenance page in its tests", present: (p) => p.onPath("nginx") || p.exists("/usr/sbin/nginx") },
  { name: "openssl", why: "openssl, which makes the ARM stand-in's https certificate", present: (p) => p.onPath("openssl") },
];

export type Plan =
  | { kind: "ready" }
  | { kind: "install"; packages: string[]; commands: string[][] }
  | { kind: "cannot"; packages: string[]; message: string };

/** The packages this machine lacks. */
export function missingPackages(probe: Probe, packages: readonly SystemPackage[] = SYSTEM_PACKAGES): SystemPackage[] {
  return packages.filter((p) => !p.present(probe));
}

/** What to do about the missing packages. Pure. */
export function planSystemDeps(missing: readonly SystemPackage[], o: { isRoot: boolean; hasAptGet: boolean }): Plan {
  if (missing.length === 0) return { kind: "ready" };
  const names = missing.map((p) => p.name);
  if (o.isRoot && o.hasAptGet) {
    return { kind: "install", packages: names, commands: [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", ...names]] };
  }
  const why = missing.map((p) => `  ${p.name}: ${p.why}`).join("\n");
  const how = o.hasAptGet
    ? `install them, then run npm test again:\n  sudo apt-get update && sudo apt-get install -y ${names.join(" ")}\n(run as root, npm test installs them itself)`
    : `this machine has no apt-get: install the equivalent of Debian's ${names.join(", ")} with its package manager, then run npm test again`;
  return { kind: "cannot", packages: names, message: `npm test needs system packages this machine lacks:\n${why}\n${how}` };
}

const realProbe: Probe = {
  onPath: (command) => (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir !== "" && existsSync(path.join(dir, command))),
  exists: existsSync,
  list: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
};

function run(command: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const r = spawnSync(command[0], command.slice(1), { stdio: ["ignore", "ignore", "inherit"], env });
  return r.status === 0;
}

/** Debian's packages start their own nginx and PostgreSQL cluster; the tests run their own, so these are stopped. */
function stopStartedServices(installed: readonly string[]): void {
  if (installed.includes("nginx-light") && run(["pgrep", "-x", "nginx"])) run(["service", "nginx", "stop"]);
  if (installed.includes("postgresql") && realProbe.onPath("pg_lsclusters")) {
    const listed = spawnSync("pg_lsclusters", ["-h"], { encoding: "utf8" });
    for (const line of (listed.stdout ?? "").split("\n")) {
      const [version, name, , status] = line.trim().split(/\s+/);
      if (status === "online") run(["pg_ctlcluster", version, name, "stop"]);
    }
  }
}

export function main(): number {
  const missing = missingPackages(realProbe);
  const plan = planSystemDeps(missing, { isRoot: typeof process.getuid === "function" && process.getuid() === 0, hasAptGet: realProbe.onPath("apt-get") });
  switch (plan.kind) {
    case "ready":
      return 0;
    case "cannot":
      console.error(`system-deps: ${plan.message}`);
      return 1;
    case "install": {
      console.error(`system-deps: installing ${plan.packages.join(" ")} from Debian's packages (the tests need them)`);
      const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
      for (const command of plan.commands) {
        if (!run(command, env)) {
          console.error(`system-deps: \`${command.join(" ")}\` failed; install ${plan.packages.join(" ")} by hand, then run npm test again`);
          return 1;
        }
      }
      stopStartedServices(plan.packages);
      const still = missingPackages(realProbe).map((p) => p.name);
      if (still.length > 0) {
        console.error(`system-deps: ${still.join(" ")} still missing after the install; install them by hand, then run npm test again`);
        return 1;
      }
      return 0;
    }
    default: {
      const unknown: never = plan;
      throw new Error(`unknown plan ${JSON.stringify(unknown)}`);
    }
  }
}

if (require.main === module) process.exitCode = main();
