// Waiting in scenario time: re-check a condition whenever the trace records
// something, and give up when the clock reaches the timeout. Every state a
// step can wait for (pins, prints, packets, network events, a board's crash)
// is traced, so trace events are the only wake-up needed. A check that
// throws (the board it waits on crashed) fails the wait at once.

import type { Clock } from "../clock/clock.ts";
import type { Trace } from "../trace.ts";

export function waitFor<T>(
  clock: Clock,
  trace: Trace,
  check: () => T | undefined,
  timeoutMs: number,
): Promise<T | undefined> {
  try {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (outcome: () => void): void => {
      if (done) return;
      done = true;
      unsubscribe();
      timer.cancel();
      outcome();
    };
    const recheck = (): void => {
      try {
        const value = check();
        if (value !== undefined) settle(() => resolve(value));
      } catch (error) {
        settle(() => reject(error));
      }
    };
    const unsubscribe = trace.subscribe(recheck);
    const timer = clock.setTimer(timeoutMs, () => {
      recheck();
      settle(() => resolve(undefined));
    });
  });
}
