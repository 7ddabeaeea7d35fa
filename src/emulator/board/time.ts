// A `time`-like module for firmware on an emulated board, on the board's
// Clock. ticks_* wrap around like MicroPython's: values live in
// [0, TICKS_PERIOD) and must be compared with ticks_diff, never with `<`.

import type { Clock } from "../clock/clock.ts";

/** MicroPython's ticks period on the ESP and RP2 ports: 2**30. */
export const TICKS_PERIOD = 2 ** 30;
export const TICKS_MAX = TICKS_PERIOD - 1;
const TICKS_HALF = TICKS_PERIOD / 2;

/** Python's OverflowError (ticks_add with a delta outside the ticks range). */
export class OverflowError extends Error {
  override name = "OverflowError";
}

function wrap(n: number): number {
  const r = n % TICKS_PERIOD;
  return r < 0 ? r + TICKS_PERIOD : r;
}

/** ticks_diff(end, start): the signed distance from start to end, in (-PERIOD/2, PERIOD/2]. */
export function ticks_diff(end: number, start: number): number {
  return wrap(end - start + TICKS_HALF) - TICKS_HALF;
}

/** ticks_add(ticks, delta): a ticks value `delta` after `ticks` (delta may be negative). */
export function ticks_add(ticks: number, delta: number): number {
  if (!Number.isInteger(delta) || delta < -TICKS_HALF || delta >= TICKS_HALF) {
    throw new OverflowError("ticks interval overflow");
  }
  return wrap(ticks + delta);
}

export interface TimeOptions {
  /**
   * Ticks value at virtual time 0 (default 0, as after reset). Set near
   * TICKS_PERIOD to exercise firmware across the wrap-around.
   */
  ticksStart?: number;
  /** time.time() at virtual time 0, in seconds since the port's epoch (default 0: 2000-01-01, RTC not set). */
  epochStart?: number;
}

export interface TimeModule {
  sleep(seconds: number): Promise<void>;
  sleep_ms(ms: number): Promise<void>;
  sleep_us(us: number): Promise<void>;
  ticks_ms(): number;
  ticks_us(): number;
  ticks_cpu(): number;
  ticks_diff(end: number, start: number): number;
  ticks_add(ticks: number, delta: number): number;
  /** Seconds since the epoch (integer). */
  time(): number;
  time_ns(): bigint;
}

const nonNegative = (v: number) => (v > 0 ? v : 0);

/**
 * Method shorthand, not arrow properties: the build keeps function names,
 * which gives each named arrow a property table of its own (about 300 bytes
 * a function, per board). The methods use no `this`, so firmware may
 * destructure them (`const { sleep_ms } = time`).
 */
export function createTime(clock: Clock, options: TimeOptions = {}): TimeModule {
  const ticksStart = options.ticksStart ?? 0;
  const epochStart = options.epochStart ?? 0;
  return {
    sleep(seconds) {
      return clock.sleep(nonNegative(seconds) * 1000);
    },
    sleep_ms(ms) {
      return clock.sleep(nonNegative(ms));
    },
    sleep_us(us) {
      return clock.sleep(nonNegative(us) / 1000);
    },
    ticks_ms() {
      return wrap(Math.floor(clock.now()) + ticksStart);
    },
    ticks_us() {
      return wrap(Math.floor(clock.now() * 1000) + ticksStart * 1000);
    },
    ticks_cpu() {
      return wrap(Math.floor(clock.now() * 1000) + ticksStart * 1000);
    },
    ticks_diff,
    ticks_add,
    time() {
      return epochStart + Math.floor(clock.now() / 1000);
    },
    time_ns() {
      return BigInt(epochStart) * 1_000_000_000n + BigInt(Math.floor(clock.now() * 1e6));
    },
  };
}
