// Progress for long runs: on a terminal, one line on stderr redrawn every
// half second; elsewhere a line every 10 s so CI logs show the run is alive.

import { formatDuration } from "../emulator/scenario/duration.ts";
import type { Trace } from "../emulator/trace.ts";

export class Progress {
  private readonly timer: NodeJS.Timeout;
  private readonly tty = process.stderr.isTTY === true;
  private step = "starting";
  private stepIndex = 0;
  private readonly unsubscribe: () => void;
  private drawn = false;

  /** Follows the run through its trace: the step under way and the time of the last event. */
  constructor(trace: Trace, total: number) {
    let now = 0;
    this.unsubscribe = trace.subscribe((e) => {
      now = e.t;
      if (e.kind === "step" && e.status === "start") {
        this.step = e.step;
        this.stepIndex = e.index + 1;
      }
    });
    const render = (): string => `  ${formatDuration(now)} step ${this.stepIndex}/${total}: ${this.step}`;
    this.timer = setInterval(
      () => {
        if (this.tty) {
          process.stderr.write(`\r\x1b[2K${render().slice(0, (process.stderr.columns ?? 80) - 1)}`);
          this.drawn = true;
        } else {
          process.stderr.write(`${render()}\n`);
        }
      },
      this.tty ? 500 : 10_000,
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.unsubscribe();
    if (this.drawn) process.stderr.write("\r\x1b[2K");
  }
}
