/**
 * An Automation API failure as one of our errors: a locked stack a LockedError (no retry: another
 * update is running, and retrying would only queue behind it), a missing stack a UsageError, a
 * failed command a ToolError quoting the engine's own diagnostics (failure.ts), redacted.
 */
import type { CommandError } from "@pulumi/pulumi/automation";
import { automation } from "./pulumi-sdk";
import { LockedError, ToolError, UsageError } from "../errors";
import { redact } from "../util/redact";
import { commandErrorOutput, EngineFailureText, failureLines, isPlanViolation } from "./failure";
import type { EnginePhase } from "./progress";
import { PulumiRunError } from "./pulumi-cli";

/** What translateError knows about the failed command beyond the error itself. */
interface FailureContext extends EngineFailureText {
  /** The engine operation that failed, when it was one. */
  phase?: EnginePhase;
  /** Applied to every line of the message (redaction of the port's secret config values). @default redact */
  clean?: (text: string) => string;
}

const HINTS: Record<EnginePhase | "other", string> = {
  up: "fix the cause the engine names above, then run the command again: it previews the stack as this update left it, and the gate checks that diff before anything else is applied",
  preview: "a preview changes nothing; fix the cause the engine names above, then run the command again",
  refresh: "a refresh only updates the stack's state, never the cloud; fix the cause above, then run the command again",
  other: "read the message above; nothing after this step ran",
};

// the SDK's own tests of a failed command's stderr (automation/errors.js createCommandError, v3.248.0)
const LOCKED_TEXT = /the stack is currently locked by|\[409\] Conflict: Another update is currently in progress\./;
const STACK_NOT_FOUND_TEXT = /no stack named.*found/;

/**
 * Turn an Automation API failure into one of ours. A CommandError keeps the engine's diagnostics
 * (events, the printed Diagnostics section, the CLI's error lines): redacted, deduplicated, bounded.
 * An `up` that deviated from its saved plan says so: the stack changed since the preview was approved.
 */
export function translateError(err: unknown, stackName: string, what: string, context: FailureContext = {}): Error {
  const own = err instanceof PulumiRunError ? err : undefined;
  const { CommandError, ConcurrentUpdateError, StackNotFoundError } = automation();
  if (err instanceof ConcurrentUpdateError || (own && LOCKED_TEXT.test(own.stderr))) {
    return new LockedError(
      `stack "${stackName}" is locked by another update, so ${what} did not run and nothing was changed`,
      `wait for that update to finish (\`pulumi stack history --stack ${stackName}\` shows it), then run this again; only if it died (its process is gone), \`pulumi cancel --stack ${stackName}\` releases the lock`,
    );
  }
  if (err instanceof StackNotFoundError || (own && STACK_NOT_FOUND_TEXT.test(own.stderr))) {
    return new UsageError(`stack "${stackName}" does not exist in the current Pulumi backend`, "log in to the right backend (pulumi login) or create the stack (pulumi stack init)");
  }
  if (err instanceof CommandError || own) {
    const clean = context.clean ?? ((t: string) => redact(t));
    let text: EngineFailureText;
    let lines: string[];
    let how: string | undefined;
    let full: string;
    if (own) {
      // a command runPulumi ran: its own output, and how it ended
      text = { diagnostics: context.diagnostics, stdout: own.stdout, stderr: own.stderr };
      lines = failureLines(text, clean);
      how = own.exit;
      full = clean(`${own.message}\n${own.stderr}\n${own.stdout}`.trim());
    } else {
      const message = (err as CommandError).message;
      const captured = Boolean(context.stdout?.trim() || context.stderr?.trim());
      text = captured ? context : { diagnostics: context.diagnostics, stderr: commandErrorOutput(message) };
      lines = failureLines(text, clean);
      if (lines.length === 0 && captured) lines = failureLines({ stderr: commandErrorOutput(message) }, clean);
      // killed by a signal, or a CLI that said nothing: execa's first words say which (its argv is left out)
      how = /Command (failed with exit code -?\d+|was killed with \w+)/.exec(message)?.[0];
      full = clean(message);
    }
    if (lines.length === 0) lines = [`(pulumi printed no error message${how ? `; ${how}` : ""})`];
    const body = lines.length === 1 ? ` ${lines[0]}` : `\n  ${lines.join("\n  ")}`;
    if (context.phase === "up" && isPlanViolation(text)) {
      return new ToolError(
        `pulumi up on stack "${stackName}" stopped: the stack changed since the preview was approved, so the update no longer matched the saved plan; the engine stopped at the first deviation and nothing after it ran (steps before it may have applied):${body}`,
        "preview again: run the command again, so that it previews the stack as it is now and the gate checks that new diff; apply only if it is still what you want",
        full,
      );
    }
    return new ToolError(`pulumi failed during ${what} on stack "${stackName}":${body}`, HINTS[context.phase ?? "other"], full);
  }
  return err instanceof Error ? err : new Error(String(err));
}
