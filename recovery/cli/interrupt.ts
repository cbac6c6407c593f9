/**
 * Ctrl-C (SIGINT) and SIGTERM as an AbortSignal for the command that runs: the first asks it to
 * stop cleanly (a converge puts its config back, a run journals the step); a second Ctrl-C leaves
 * at once, exit 130. Every listener is removed when the command ends, so nothing outlives it.
 */
import { EXIT } from "../errors";
import type { CliIO } from "./io";

export interface Interrupt {
  readonly signal: AbortSignal;
  /** Stop listening; call in `finally`. */
  dispose(): void;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Listen for Ctrl-C until `dispose`; `message` is printed once, when the first one arrives. */
export function listenForInterrupt(io: Pick<CliIO, "err">, message: string): Interrupt {
  const controller = new AbortController();
  const leave = (): void => process.exit(EXIT.interrupted);
  const first = (): void => {
    for (const s of SIGNALS) process.removeListener(s, first);
    io.err(message);
    controller.abort();
    for (const s of SIGNALS) process.once(s, leave);
  };
  for (const s of SIGNALS) process.once(s, first);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of SIGNALS) {
        process.removeListener(s, first);
        process.removeListener(s, leave);
      }
    },
  };
}
