// machine.Timer on the board's virtual clock. A due timer queues its Python
// callback; the VM runs it at its next bridged call (between two calls, as a
// device's scheduler runs soft IRQ callbacks between bytecodes), so the same
// seed runs every callback at the same point. A periodic timer keeps its
// rate; a period that comes while the last callback has not run yet is
// dropped, as a full scheduler queue would.

import type { TimerHandle } from "../../emulator/clock/clock.ts";
import { int, type HostModule, type VmContext } from "./context.ts";

/** A Python exception the callback raised (vm-host's PythonCallbackError), not the VM stopping. */
const isPythonError = (e: unknown): e is Error => e instanceof Error && typeof (e as { key?: unknown }).key === "number";

class VmTimer {
  private handle: TimerHandle | null = null;
  private busy = false;
  stopped = true;

  constructor(private readonly ctx: VmContext) {}

  start(periodMs: number, periodic: boolean, fn: number): void {
    this.stop();
    this.stopped = false;
    const fire = () => {
      this.handle = null;
      if (this.stopped) return;
      if (!this.ctx.alive()) {
        this.stop();
        return;
      }
      if (periodic) this.handle = this.ctx.board.clock.setTimer(periodMs, fire);
      else this.stopped = true;
      if (this.busy) return;
      this.busy = true;
      this.ctx.invoke(fn, []).then(
        () => (this.busy = false),
        (error: unknown) => {
          this.busy = false;
          // The glue catches and prints Exceptions; what gets here unwinds the firmware (machine.reset(), SystemExit).
          if (isPythonError(error)) this.ctx.interrupt(error);
          else this.stop();
        },
      );
    };
    this.handle = this.ctx.board.clock.setTimer(periodMs, fire);
  }

  stop(): void {
    this.stopped = true;
    this.handle?.cancel();
    this.handle = null;
  }
}

const timer = (ctx: VmContext, h: unknown): VmTimer => ctx.handles.get<VmTimer>(h as number, "Timer");

export const timerModule: HostModule = {
  glue: ["bench_timer.py"],
  ops: {
    "timer.new": (ctx) => ctx.handles.add(new VmTimer(ctx)),
    /** period in ms (at least 1), periodic or one-shot, the callback's id. */
    "timer.init": (ctx, [h, period, periodic, fn]) => {
      const ms = int(period, "period");
      if (ms < 1) throw new TypeError("period must be at least 1 ms");
      timer(ctx, h).start(ms, periodic === true, int(fn, "callback"));
    },
    "timer.deinit": (ctx, [h]) => timer(ctx, h).stop(),
  },
  reset(ctx) {
    // A reset stops every timer, as on a device.
    for (const o of ctx.handles.values()) if (o instanceof VmTimer) o.stop();
  },
};
