/**
 * Stopping long training at a step boundary (Ctrl-C, SIGTERM) without losing the steps since the
 * last checkpoint. The library never touches process signals: a training loop is given a
 * StopRequest, polls it once per step, and when a stop was asked for it finishes the step, writes a
 * checkpoint and throws an InterruptedError. The CLI's StopRequest (signalStopRequest) listens to
 * SIGINT and SIGTERM only while such a loop runs; elsewhere the signals keep their default action
 * (the process ends at once), which is safe because every artifact is written atomically and a
 * killed stage is redone or resumed by the same command.
 */

/** A stop asked for from outside a loop, polled once per step. */
export interface StopRequest {
  /** The signal that asked for the stop (e.g. 'SIGINT'), undefined while none has. */
  readonly requested: NodeJS.Signals | undefined;
  /**
   * Called by a loop that can stop at a step boundary when it starts; the returned function is
   * called when it ends. Requests are honoured only in between.
   */
  listen(): () => void;
}

/** Exit codes of a process ended by a signal, by shell convention 128 + the signal's number. */
const SIGNAL_EXIT_CODES: Readonly<Partial<Record<NodeJS.Signals, number>>> = { SIGINT: 130, SIGTERM: 143 };

/** Training stopped on request after writing a checkpoint; the same command continues it. */
export class InterruptedError extends Error {
  /** Process exit code: 130 for SIGINT, 143 for SIGTERM. */
  readonly exitCode: number;
  constructor(
    message: string,
    readonly signal: NodeJS.Signals,
  ) {
    super(message);
    this.name = 'InterruptedError';
    this.exitCode = SIGNAL_EXIT_CODES[signal] ?? 130;
  }
}

/**
 * Lets a pending signal handler run, then says which stop was requested. Signals reach JavaScript
 * in the event loop's poll phase, and a training step never leaves the loop's current turn
 * (tensor reads resolve as microtasks), so the loop yields once per step; setImmediate runs just
 * after the poll phase.
 */
export async function pollStop(stop: StopRequest | undefined): Promise<NodeJS.Signals | undefined> {
  if (stop === undefined) return undefined;
  await new Promise((resolve) => setImmediate(resolve));
  return stop.requested;
}

/** The message of a loop stopped at `step` with its state saved in `checkpoint`. */
export function interruptedMessage(what: string, step: number, checkpoint: string): string {
  return `${what} interrupted at step ${step}: checkpoint written to ${checkpoint}; rerun the same command to continue`;
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * The CLI's StopRequest: while a loop listens, the first SIGINT or SIGTERM requests a stop (and
 * says so on `stream`); the handlers are then removed, so a second signal ends the process at once.
 */
export function signalStopRequest(stream: { write(chunk: string): unknown } = process.stderr): StopRequest {
  let requested: NodeJS.Signals | undefined;
  const handlers = new Map<NodeJS.Signals, () => void>();
  const unlisten = (): void => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    handlers.clear();
  };
  return {
    get requested() {
      return requested;
    },
    listen() {
      if (requested === undefined && handlers.size === 0) {
        for (const signal of STOP_SIGNALS) {
          const handler = (): void => {
            requested = signal;
            // With no listener left, the signal's default action applies again: a second one ends the process.
            unlisten();
            stream.write(`\n${signal}: stopping after the current step to write a checkpoint (send it again to quit at once)\n`);
          };
          handlers.set(signal, handler);
          process.on(signal, handler);
        }
      }
      return unlisten;
    },
  };
}
