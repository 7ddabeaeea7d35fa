// The wall clock behind the same interface, for runs against external
// brokers and real boards: timers are setTimeout, time is performance.now().

import type { Clock, TimerHandle } from "./clock.ts";

export interface RealClockOptions {
  /** Let pending timers not keep the process alive (default false). */
  unref?: boolean;
}

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
    const handle = setTimeout(fn, delayMs > 0 ? delayMs : 0);
    if (this.unref) handle.unref();
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
