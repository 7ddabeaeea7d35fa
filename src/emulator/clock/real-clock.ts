// The wall clock behind the same interface, for runs against external
// brokers and real boards: timers are setTimeout, time is performance.now().

import type { Clock, TimerHandle } from "./clock.ts";

export interface RealClockOptions {
  /** Let pending timers not keep the process alive (default false). */
  unref?: boolean;
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class RealClock implements Clock {
  readonly kind = "real" as const;
  private readonly origin = performance.now();
  private readonly unref: boolean;

  constructor(options: RealClockOptions = {}) {
    this.unref = options.unref ?? false;
  }

  now(): number {
    return performance.now() - this.origin;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    // setTimeout fires at once beyond 2^31 - 1 ms, and its whole-millisecond
    // granularity can fire a little early: re-arm until the due time is reached.
    const due = this.now() + (delayMs > 0 ? delayMs : 0);
    let handle: NodeJS.Timeout;
    const arm = (): void => {
      const left = Math.ceil(due - this.now());
      handle = setTimeout(fire, Math.min(Math.max(left, 0), MAX_TIMEOUT_MS));
      if (this.unref) handle.unref();
    };
    const fire = (): void => {
      if (due - this.now() >= 1) arm();
      else fn();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.setTimer(ms, resolve);
    });
  }

  markActivity(): void {}

  hold(): () => void {
    return () => {};
  }
}
