// machine.WDT on the board's virtual clock: a board that does not feed it
// within its timeout is reset, and boot.py runs again, as on a device.

import type { TimerHandle } from "../../emulator/clock/clock.ts";
import { int, type HostModule, type VmContext } from "./context.ts";

/** Raised in the VM by name: the exception its boot runner reboots on (registered by py/bench_wdt.py). */
class SoftReset extends Error {
  override name = "SoftReset";
}

class Watchdog {
  private handle: TimerHandle | null = null;
  timeoutMs = 0;

  constructor(private readonly ctx: VmContext) {}

  feed(): void {
    this.handle?.cancel();
    this.handle = this.ctx.board.clock.setTimer(this.timeoutMs, () => {
      this.handle = null;
      if (!this.ctx.alive()) return;
      this.ctx.reboot("watchdog reset");
      this.ctx.interrupt(new SoftReset());
    });
  }

  stop(): void {
    this.handle?.cancel();
    this.handle = null;
  }
}

/** One watchdog per board, as on the device. */
const dogs = new WeakMap<VmContext, Watchdog>();

export const wdtModule: HostModule = {
  glue: ["bench_wdt.py"],
  ops: {
    /** Starts (or re-times) the board's watchdog. */
    "wdt.start": (ctx, [timeout]) => {
      const ms = int(timeout, "timeout");
      if (ms < 1) throw new TypeError("WDT timeout too short");
      let dog = dogs.get(ctx);
      if (!dog) dogs.set(ctx, (dog = new Watchdog(ctx)));
      dog.timeoutMs = ms;
      dog.feed();
    },
    "wdt.feed": (ctx) => dogs.get(ctx)?.feed(),
  },
  reset(ctx) {
    // The watchdog is off after a reset until firmware starts it again.
    dogs.get(ctx)?.stop();
    dogs.delete(ctx);
  },
};
