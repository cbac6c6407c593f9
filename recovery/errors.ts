/**
 * Typed errors and their exit codes. One top-level handler (cli/main.ts) prints the message;
 * only unexpected errors (bugs) print a stack trace.
 */
import { ConfigError } from "../infra/config";

export const EXIT = {
  ok: 0,
  /** compare: the two databases differ; validate: a check failed. */
  different: 1,
  /** Bad input: a flag, a time, a name, config. Nothing was changed. */
  usage: 2,
  /** A safety gate refused: a diff that deletes or replaces something, a production guard, a declined prompt. Nothing was changed. */
  refused: 3,
  /** An external tool or service failed (pg_dump, psql, pulumi, storage). */
  failed: 4,
  /** The stack is locked by another update. */
  locked: 5,
  /** revive/rebuild: the live server IS recovered, but the return to recovery.mode=normal did not finish. */
  recoveredNotNormal: 6,
  /** Interrupted (Ctrl-C, SIGINT): 128 + 2. */
  interrupted: 130,
  /** The terminal hung up (SIGHUP: a closed terminal or SSH session): 128 + 1. */
  hangup: 129,
  /** Terminated (SIGTERM: a CI job cancelled, `kill`): 128 + 15. */
  terminated: 143,
  /** A bug: printed with a stack trace. */
  internal: 70,
} as const;

/** Base for every error a user can cause or act on. `hint` says what to do about it. */
export class DrError extends Error {
  readonly exitCode: number = EXIT.failed;
  constructor(
    message: string,
    public readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input. Exit 2. */
export class UsageError extends DrError {
  override readonly exitCode: number = EXIT.usage;
}

/** A guard refused to continue. Exit 3. */
export class RefusedError extends DrError {
  override readonly exitCode: number = EXIT.refused;
}

/** An external tool (pg_dump, psql, pulumi, ...) failed. Exit 4. */
export class ToolError extends DrError {
  constructor(
    message: string,
    hint?: string,
    public readonly stderr?: string,
  ) {
    super(message, hint);
  }
}

/** Another update holds the stack's lock. Exit 5. */
export class LockedError extends DrError {
  override readonly exitCode: number = EXIT.locked;
}

/**
 * revive/rebuild brought the live server back, then the return to recovery.mode=normal was
 * refused or failed. Exit 6 (the signal's code, 130 for Ctrl-C, when it was an interruption): never a success, never "nothing happened".
 */
export class RecoveredNotNormalError extends DrError {
  override readonly exitCode: number;
  constructor(
    message: string,
    hint: string,
    /** Why the return to normal did not finish. */
    readonly reason: unknown,
  ) {
    super(message, hint);
    this.exitCode = reason instanceof InterruptedError ? reason.exitCode : EXIT.recoveredNotNormal;
  }
}

/** A capability this platform or this build does not have yet. Exit 4, never a pretend success. */
export class NotAvailableError extends DrError {}

/** The signals that stop a command cleanly (config put back, temporary files removed). */
export type StopSignal = "SIGINT" | "SIGHUP" | "SIGTERM";

/** The exit code a command stopped by each signal ends with: 128 + the signal's number, as a shell reports it. */
export const SIGNAL_EXIT: Readonly<Record<StopSignal, number>> = { SIGINT: EXIT.interrupted, SIGHUP: EXIT.hangup, SIGTERM: EXIT.terminated };

/** The signal in an operator's words, for messages. */
export const SIGNAL_WORDS: Readonly<Record<StopSignal, string>> = { SIGINT: "Ctrl-C", SIGHUP: "SIGHUP: the terminal closed", SIGTERM: "SIGTERM" };

/** The stop signal an AbortSignal was aborted for (cli/interrupt.ts aborts with its name); Ctrl-C when the reason says none. */
export function stopSignalOf(signal: AbortSignal | undefined): StopSignal {
  const reason: unknown = signal?.reason;
  return typeof reason === "string" && reason in SIGNAL_EXIT ? (reason as StopSignal) : "SIGINT";
}

/** Ctrl-C, SIGHUP or SIGTERM. Exit 130, 129 or 143 (SIGNAL_EXIT). */
export class InterruptedError extends DrError {
  override readonly exitCode: number;
  constructor(
    message: string,
    hint?: string,
    /** The signal that stopped the command. @default SIGINT */
    readonly by: StopSignal = "SIGINT",
  ) {
    super(message, hint);
    this.exitCode = SIGNAL_EXIT[by];
  }
}

/** The exit code and one-paragraph message for any thrown value. */
export function describeError(err: unknown): { exitCode: number; message: string; internal: boolean } {
  if (err instanceof ConfigError) {
    return {
      exitCode: EXIT.usage,
      message: `${err.message}\n  fix: correct the key(s) named above in Pulumi.<stack>.yaml or in your --set values (docs/infra.md lists every key and its allowed values)`,
      internal: false,
    };
  }
  if (err instanceof DrError) {
    return { exitCode: err.exitCode, message: err.hint ? `${err.message}\n  fix: ${err.hint}` : err.message, internal: false };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { exitCode: EXIT.internal, message: `internal error (a bug, please report it): ${e.stack ?? e.message}`, internal: true };
}
