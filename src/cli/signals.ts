// SIGINT and SIGTERM are handled from the first line of the program (the
// bin script counts them until this module takes over), so a signal that
// arrives while Node starts or a large scenario loads is not lost. A command
// that can stop cleanly claims them (run, broker, watch); one that arrives
// while nobody has claimed them is kept for the next claimant, and commands
// that never claim (list, boards) end quickly anyway.

type Listener = (count: number, signal: NodeJS.Signals) => void;

/** Where bin/umqtt-bench.js counts signals before the program has loaded. */
const EARLY = Symbol.for("umqtt-bench.early-signals");
type Early = { count: number; handler: () => void };

let count = 0;
let listener: Listener | undefined;

export function installSignalHandlers(): void {
  // Ours first, then drop the early counters: removing a signal's last
  // listener stops Node's watcher for it, and a signal that arrived while the
  // program loaded but was not yet dispatched would be lost with it.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      count++;
      listener?.(count, signal);
    });
  }
  const early = (globalThis as Record<symbol, Early | undefined>)[EARLY];
  if (early) {
    count += early.count;
    process.removeListener("SIGINT", early.handler);
    process.removeListener("SIGTERM", early.handler);
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
