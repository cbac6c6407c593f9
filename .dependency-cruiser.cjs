/**
 * The dependency rules of DESIGN.md ("Which way dependencies point"), checked by npm test
 * (scripts/test.ts): `npx depcruise --config .dependency-cruiser.cjs infra recovery bin`.
 * Every rule is an error; a new import that breaks one fails the suite with the rule's name and
 * the import. Type-only imports count (tsPreCompilationDeps): a cycle through a type is a cycle.
 */

/** Files below the command-line layer. */
const BELOW_CLI = "^recovery/(?!cli/)";

/**
 * What recovery/ may import of infra/: the config model through its index (types, validation,
 * defaults, derived values, the one reading of times), the resource ids and the monitoring plan
 * the program builds from it (pre-flight compares Azure and StatusCake with them), the StatusCake
 * client and check names, the Pulumi type tokens (infra/types.ts), and, for `plan` alone, the
 * program itself (createInfra) and its replace keys. Never a component.
 */
const PROGRAM_SEEN_BY_RECOVERY = [
  "^infra/config/index\\.ts$",
  "^infra/ids\\.ts$",
  "^infra/monitoring-plan\\.ts$",
  "^infra/statuscake/(api|names)\\.ts$",
  "^infra/types\\.ts$",
  "^infra/(program|replace-keys)\\.ts$",
];

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "no import cycle between files (a type-only import included)",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-circular-folders",
      comment: "no import cycle between folders (a folder holds its sub-folders)",
      severity: "error",
      scope: "folder",
      from: {},
      to: { circular: true },
    },
    {
      name: "infra-never-imports-recovery",
      comment: "the Pulumi program knows nothing of the recovery driver",
      severity: "error",
      from: { path: "^infra/" },
      to: { path: "^recovery/" },
    },
    {
      name: "recovery-reaches-the-program-through-the-config-model",
      comment: "recovery/ uses the program through the config model (infra/config's index), its ids, monitoring plan and type tokens, and createInfra for plan; never a component or a config model file past the index",
      severity: "error",
      from: { path: "^recovery/" },
      to: { path: "^infra/", pathNot: PROGRAM_SEEN_BY_RECOVERY },
    },
    {
      name: "only-plan-builds-the-program",
      comment: "createInfra (infra/program.ts) and its replace keys are for `plan`'s offline view alone",
      severity: "error",
      from: { path: "^recovery/(?!plan/)" },
      to: { path: "^infra/(program|replace-keys)\\.ts$" },
    },
    {
      name: "data-knows-no-stacks-runbooks-or-platforms",
      comment: "the data tools (dump, restore, blob store, compare, tunnel, health) use only PostgreSQL's tools, the shared helpers and the errors; runbooks reach them through small interfaces (runbook/ports.ts)",
      severity: "error",
      from: { path: "^recovery/data/" },
      to: { path: "^(infra|recovery)/", pathNot: ["^recovery/(data|pg|util)/", "^recovery/errors\\.ts$"] },
    },
    {
      name: "runbooks-never-name-a-platform",
      comment: "runbooks are written once, against the Platform interface (runbook/ports.ts)",
      severity: "error",
      from: { path: "^recovery/runbook/" },
      to: { path: "^recovery/platforms/" },
    },
    {
      name: "decisions-live-below-the-cli",
      comment: "the command-line layer parses and prints; nothing below it imports it",
      severity: "error",
      from: { path: BELOW_CLI },
      to: { path: "^recovery/cli/" },
    },
    {
      name: "production-never-imports-tests",
      comment: "test helpers and fakes stay in test/",
      severity: "error",
      from: { path: "^(infra|recovery|bin)/" },
      to: { path: "^test/" },
    },
    {
      name: "production-never-imports-dev-dependencies",
      comment: "`npm ci --omit=dev` must still run the program and the CLI",
      severity: "error",
      from: { path: "^(infra|recovery|bin)/" },
      to: { dependencyTypes: ["npm-dev"] },
    },
    {
      name: "no-package-outside-package-json",
      comment: "every package imported is declared in package.json",
      severity: "error",
      from: {},
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] },
    },
    {
      name: "not-to-unresolvable",
      comment: "every import resolves to a file or a package",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    // as Node resolves them: package "exports" (bin/aytq-dr.js requires tsx/cjs, a .cjs file)
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["require", "import", "node", "default"],
      extensions: [".ts", ".js", ".cjs", ".mjs", ".json", ".d.ts"],
    },
  },
};
