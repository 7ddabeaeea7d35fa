// Start-up phase times for measuring (UMQTT_BENCH_TIMING=1): one line on
// stderr per phase, "umqtt-bench timing: <ms since the process started>
// <thread> <phase>". Worker threads count from the same instant (the bin
// script puts it in the environment they inherit). Costs nothing when unset.

import { writeSync } from "node:fs";

const on = process.env.UMQTT_BENCH_TIMING === "1";
const origin = Number(process.env.UMQTT_BENCH_TIMING_T0) || performance.timeOrigin;

export function timing(thread: string, phase: string): void {
  if (!on) return;
  const ms = performance.timeOrigin + performance.now() - origin;
  // Written at once: a worker thread's own stderr is relayed by the main thread and lost if the worker is ended first.
  writeSync(2, `umqtt-bench timing: ${ms.toFixed(1).padStart(7)} ms ${thread} ${phase}\n`);
}
