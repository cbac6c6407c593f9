/**
 * Running the Pulumi CLI: finding it (AYTQ_DR_PULUMI_ROOT or PATH) and, for the commands whose SDK
 * method would leak a secret (automation.ts says which), running it as the workspace would: same
 * executable, cwd and environment, no shell, the input on standard input.
 */
import * as path from "node:path";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import type { PulumiCommand, Workspace } from "@pulumi/pulumi/automation";
import { ToolError, UsageError } from "../errors";
import { redact } from "../util/redact";
import { envValue } from "../util/env";
import { automation } from "./pulumi-sdk";

/** Env var: folder whose `bin/pulumi` is the CLI to use (tests point it at a fake). @default `pulumi` on PATH */
const PULUMI_ROOT_ENV = "AYTQ_DR_PULUMI_ROOT";

/**
 * A pulumi command this adapter ran itself (runPulumi) that did not succeed. Its message says only
 * how the process ended: never its argv, never what it was given on standard input.
 */
export class PulumiRunError extends Error {
  constructor(
    /** How the process ended: `exited with code 255`, `was killed with SIGTERM`, `could not be started (...)`. */
    readonly exit: string,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`pulumi ${exit}`);
    this.name = "PulumiRunError";
  }
}

/**
 * The environment the workspace runs the CLI with (SDK v3.248.0: localWorkspace.js runPulumiCmd,
 * cmd.js PulumiCommand.run, execa's extendEnv): this process's environment, PULUMI_HOME when the
 * workspace has one, the workspace's envVars, PATH starting with the CLI's folder when the CLI is
 * given by path (so that it finds its bundled plugins), and PULUMI_AUTOMATION_API=true.
 */
function pulumiEnvironment(workspace: Pick<Workspace, "pulumiHome" | "envVars">, command: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const extra: Record<string, string> = { ...(workspace.pulumiHome ? { PULUMI_HOME: workspace.pulumiHome } : {}), ...workspace.envVars };
  const env: NodeJS.ProcessEnv = { ...base, ...extra };
  if (path.isAbsolute(command)) env.PATH = `${path.dirname(command)}${path.delimiter}${extra.PATH || base.PATH || ""}`;
  env.PULUMI_AUTOMATION_API = "true";
  return env;
}

/**
 * Why the Pulumi CLI could not be run, in words: the SDK reports a missing executable as
 * `code: -2` (ENOENT), which says nothing to an operator.
 */
function pulumiCliError(err: unknown, root: string | undefined): ToolError {
  const where = root === undefined ? "`pulumi` on PATH" : `${root}/bin/pulumi (${PULUMI_ROOT_ENV})`;
  const install = `install the Pulumi CLI (https://www.pulumi.com/docs/install/) so that \`pulumi\` is on PATH, or set ${PULUMI_ROOT_ENV} to the folder that holds bin/pulumi`;
  // commandResult is private in the SDK's types, but it is where the exit code (-2: ENOENT) and stderr are
  const result = err instanceof automation().CommandError ? (err as unknown as { commandResult?: { code?: number; stderr?: string } }).commandResult : undefined;
  const text = `${err instanceof Error ? err.message : String(err)}\n${result?.stderr ?? ""}`;
  if (/\bENOENT\b/.test(text) || result?.code === -2) {
    return new ToolError(`the Pulumi CLI is not installed here: there is no ${where}`, install);
  }
  if (/\bEACCES\b/.test(text) || result?.code === -13) {
    return new ToolError(`the Pulumi CLI at ${where} cannot be run: it is not executable`, `make it executable (chmod +x), or ${install}`);
  }
  const first = (result?.stderr ?? "").split("\n").find((l) => l.trim()) ?? (err instanceof Error ? err.message.split("\n")[0] : String(err));
  return new ToolError(`cannot run the Pulumi CLI (${where}): ${redact(first)}`, `check that \`pulumi version\` runs; otherwise ${install}`);
}

/** The CLI to run: `bin/pulumi` under `pulumiRoot` (else AYTQ_DR_PULUMI_ROOT), else `pulumi` on PATH. */
export async function findPulumiCli(pulumiRoot: string | undefined): Promise<PulumiCommand> {
  const root = pulumiRoot ?? envValue(process.env, PULUMI_ROOT_ENV);
  if (root !== undefined && !existsSync(path.join(root, "bin", "pulumi"))) {
    throw new UsageError(`${PULUMI_ROOT_ENV}=${root} has no bin/pulumi`, `point ${PULUMI_ROOT_ENV} at a Pulumi installation folder, or unset it to use pulumi from PATH`);
  }
  try {
    return await automation().PulumiCommand.get({ root, skipVersionCheck: true });
  } catch (err) {
    throw pulumiCliError(err, root);
  }
}

/**
 * Run `pulumi <args> --non-interactive` as the workspace runs its commands (same executable, its
 * workDir as cwd, pulumiEnvironment), with `input` written to its standard input, which is then
 * closed. No shell. For the commands whose SDK method would leak a secret (automation.ts's header).
 * Fails with a PulumiRunError (for translateError), which holds no argv and no input.
 */
export function runPulumi(workspace: Workspace, args: readonly string[], input = ""): Promise<{ stdout: string; stderr: string }> {
  const command = workspace.pulumiCommand.command;
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const child = spawn(command, [...args, "--non-interactive"], { cwd: workspace.workDir, env: pulumiEnvironment(workspace, command), stdio: ["pipe", "pipe", "pipe"] });
    child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
    child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
    // EPIPE when the CLI exits (e.g. a locked stack) before reading its input: its exit says why
    child.stdin.on("error", () => undefined);
    child.on("error", (err) => reject(new PulumiRunError(`could not be started (${err.message})`, stdout, stderr)));
    child.on("close", (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new PulumiRunError(signal ? `was killed with ${signal}` : `exited with code ${code}`, stdout, stderr));
    });
    child.stdin.end(input);
  });
}
