/**
 * Ctrl-C (SIGINT), a closed terminal (SIGHUP) and SIGTERM, handled the same way at every point:
 * the first asks the command that runs to stop cleanly (a converge puts its config back, a run
 * journals the step, a pending question is abandoned at once); a second leaves at once. The
 * process ends with 128 + the signal's number (130, 129, 143). After SIGHUP the terminal is gone:
 * nothing more is written to it, and a failed write or read never stops the clean-up.
 * Every listener is removed when the command (or the question) ends, so nothing outlives it.
 */
import { SIGNAL_EXIT, type StopSignal } from "../errors";
/** Where the interrupt notice goes (CliIO's err; not imported, io.ts builds on this module). */
type ErrSink = { err(line: string): void };

const STOP_SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGHUP", "SIGTERM"];

export interface Interrupt {
  readonly signal: AbortSignal;
  /** Stop listening; call in `finally`. */
  dispose(): void;
}

/** The first stop signal this process received, if any (the process entry exits with its code). */
let received: StopSignal | undefined;
/** Whether SIGHUP arrived: the terminal is gone. */
let hungUp = false;

export function receivedSignal(): StopSignal | undefined {
  return received;
}

/** Whether the terminal hung up (SIGHUP): writes to a terminal are dropped from then on. */
export function terminalHungUp(): boolean {
  return hungUp;
}

const ignore = (): void => undefined;

/** Every listener of a stop signal calls this first: the first signal is kept; SIGHUP makes the standard streams safe. */
function note(s: StopSignal): void {
  received ??= s;
  if (s === "SIGHUP" && !hungUp) {
    hungUp = true;
    // a write to (or a raw-mode switch of) a hung-up terminal fails with EIO: an unhandled stream
    // error would kill the process half-way through putting the config back
    for (const stream of [process.stdin, process.stdout, process.stderr]) stream.on("error", ignore);
  }
}

/**
 * Calls `listener` once, on the first stop signal, until disposed. While any listener is
 * installed the signal no longer kills the process: the listener decides.
 */
export function onStopSignal(listener: (s: StopSignal) => void): () => void {
  // one handler per signal: the name is not taken from the event's argument (process.emit may pass none)
  const handlers = STOP_SIGNALS.map((s) => {
    const handler = (): void => {
      dispose();
      note(s);
      listener(s);
    };
    return [s, handler] as const;
  });
  const dispose = (): void => {
    for (const [s, handler] of handlers) process.removeListener(s, handler);
  };
  for (const [s, handler] of handlers) process.once(s, handler);
  return dispose;
}

/**
 * Listen for a stop signal until `dispose`; `message` is printed once, when the first arrives (after
 * SIGHUP only where it is not a terminal: processIO drops it). The AbortSignal's reason is the
 * signal's name (stopSignalOf reads it).
 */
export function listenForInterrupt(io: ErrSink, message: string): Interrupt {
  const controller = new AbortController();
  // the second signal, whichever it is, leaves with its own code
  let disposeSecond = (): void => undefined;
  const disposeFirst = onStopSignal((s) => {
    io.err(message);
    controller.abort(s);
    disposeSecond = onStopSignal((second) => process.exit(SIGNAL_EXIT[second]));
  });
  return {
    signal: controller.signal,
    dispose: () => {
      disposeFirst();
      disposeSecond();
    },
  };
}
