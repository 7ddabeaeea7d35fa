// SIGINT and SIGTERM are handled from the first line of the command, so a
// signal that arrives while a large scenario still loads is not lost. A
// command that can stop cleanly claims them (run, broker); otherwise a signal
// ends the process with 130 at once.

import { EXIT } from "./exit-codes.ts";

type Listener = (count: number, signal: NodeJS.Signals) => void;

let count = 0;
let listener: Listener | undefined;

export function installSignalHandlers(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      count++;
      if (listener) listener(count, signal);
      else process.exit(EXIT.interrupted);
    });
  }
}

/** Routes signals to `onSignal` (with how many arrived so far) until the returned function is called. */
export function claimSignals(onSignal: Listener): () => void {
  listener = onSignal;
  return () => {
    if (listener === onSignal) listener = undefined;
  };
}

/** Signals received since the process started. */
export function signalsReceived(): number {
  return count;
}
