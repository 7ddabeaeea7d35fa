// The wall clock of a run on a board. Its zero is set when the firmware is
// about to start, after the upload, so a target run's times read like an
// emulated run's (the bench connects and the board boots at 0).

import type { Clock, TimerHandle } from "../../emulator/clock/clock.ts";
import { RealClock } from "../../emulator/clock/real-clock.ts";

export class TargetClock implements Clock {
  readonly kind = "real" as const;
  private readonly wall = new RealClock();
  private zero = 0;

  /** From now on, now() counts from this moment. */
  startRun(): void {
    this.zero = this.wall.now();
  }

  now(): number {
    return this.wall.now() - this.zero;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    return this.wall.setTimer(delayMs, fn);
  }

  sleep(ms: number): Promise<void> {
    return this.wall.sleep(ms);
  }
}
