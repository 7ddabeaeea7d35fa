import { describe, expect, it } from "vitest";
import { createTime, OverflowError, TICKS_MAX, TICKS_PERIOD, ticks_add, ticks_diff } from "../../src/emulator/board/time.ts";
import { VirtualClock } from "../../src/emulator/clock/virtual-clock.ts";

describe("time module", () => {
  it("ticks_diff and ticks_add wrap around the 2**30 period", () => {
    expect(TICKS_PERIOD).toBe(2 ** 30);
    expect(ticks_add(TICKS_MAX, 1)).toBe(0);
    expect(ticks_add(0, -1)).toBe(TICKS_MAX);
    expect(ticks_diff(5, TICKS_MAX - 4)).toBe(10);
    expect(ticks_diff(TICKS_MAX - 4, 5)).toBe(-10);
    expect(ticks_diff(ticks_add(123, 1000), 123)).toBe(1000);
    // The largest distances: half a period is negative, just under it positive.
    expect(ticks_diff(TICKS_PERIOD / 2, 0)).toBe(-TICKS_PERIOD / 2);
    expect(ticks_diff(TICKS_PERIOD / 2 - 1, 0)).toBe(TICKS_PERIOD / 2 - 1);
    expect(() => ticks_add(0, TICKS_PERIOD)).toThrow(OverflowError);
  });

  it("sleeps on the clock and reads ticks across the wrap-around", async () => {
    const clock = new VirtualClock();
    const time = createTime(clock, { ticksStart: TICKS_MAX - 50 });
    const seen: number[] = [];
    const firmware = (async () => {
      const start = time.ticks_ms();
      await time.sleep_ms(20);
      seen.push(time.ticks_diff(time.ticks_ms(), start));
      await time.sleep(0.05);
      seen.push(time.ticks_diff(time.ticks_ms(), start));
      await time.sleep_us(1500);
      seen.push(time.ticks_ms()); // wrapped: small again
      seen.push(time.ticks_diff(time.ticks_us(), time.ticks_add(0, 0)));
    })();
    await clock.run();
    await firmware;
    expect(seen.slice(0, 2)).toEqual([20, 70]);
    expect(seen[2]).toBe(20); // TICKS_MAX - 50 + 71.5 ms, floored, wrapped
    expect(clock.now()).toBe(71.5);
  });

  it("its functions work taken off the module, as `from time import sleep_ms, ticks_ms` ports", async () => {
    const clock = new VirtualClock();
    const { sleep_ms, ticks_ms, ticks_diff: diff } = createTime(clock);
    const firmware = (async () => {
      const start = ticks_ms();
      await sleep_ms(30);
      return diff(ticks_ms(), start);
    })();
    await clock.run();
    expect(await firmware).toBe(30);
  });

  it("time() counts seconds from the epoch start", async () => {
    const clock = new VirtualClock();
    const time = createTime(clock, { epochStart: 1000 });
    const t = (async () => {
      await time.sleep(2.5);
      return time.time();
    })();
    await clock.run();
    expect(await t).toBe(1002);
  });
});
