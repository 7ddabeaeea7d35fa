// time / utime: the board's own time module (src/emulator/board/time.ts) on the run's clock.

import type { HostModule } from "./context.ts";
import { int } from "./context.ts";

const num = (v: unknown, what: string): number => {
  if (typeof v !== "number") throw new TypeError(`${what}: can't convert to float`);
  return v;
};

export const timeModule: HostModule = {
  glue: ["bench_time.py"],
  ops: {
    "time.sleep": (ctx, [s]) => ctx.board.time.sleep(num(s, "sleep")),
    "time.sleep_ms": (ctx, [ms]) => ctx.board.time.sleep_ms(int(ms, "sleep_ms")),
    "time.sleep_us": (ctx, [us]) => ctx.board.time.sleep_us(int(us, "sleep_us")),
    "time.ticks_ms": (ctx) => ctx.board.time.ticks_ms(),
    "time.ticks_us": (ctx) => ctx.board.time.ticks_us(),
    "time.ticks_cpu": (ctx) => ctx.board.time.ticks_cpu(),
    "time.ticks_diff": (ctx, [a, b]) => ctx.board.time.ticks_diff(int(a, "ticks_diff"), int(b, "ticks_diff")),
    "time.ticks_add": (ctx, [t, d]) => ctx.board.time.ticks_add(int(t, "ticks_add"), int(d, "ticks_add")),
    "time.time": (ctx) => ctx.board.time.time(),
  },
};
