// Waiting in scenario time: re-check a condition whenever the trace records
// something, and give up when the clock reaches the timeout. Every state a
// step can wait for (pins, prints, packets, network events) is traced, so
// trace events are the only wake-up needed.

import type { Clock } from "../clock/clock.ts";
import type { Trace } from "../trace.ts";

export function waitFor<T>(
  clock: Clock,
  trace: Trace,
  check: () => T | undefined,
  timeoutMs: number,
): Promise<T | undefined> {
  const now = check();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve) => {
    const finish = (value: T | undefined): void => {
      unsubscribe();
      timer.cancel();
      resolve(value);
    };
    const unsubscribe = trace.subscribe(() => {
      const value = check();
      if (value !== undefined) finish(value);
    });
    const timer = clock.setTimer(timeoutMs, () => finish(check()));
  });
}
