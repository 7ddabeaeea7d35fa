// A discrete-event clock. Virtual time stands still while the host has work
// to do and jumps straight to the next timer once the host is quiet, so a
// run is deterministic and as fast as the host allows (or paced against the
// wall clock for the interactive UI).
//
// "Quiet" means: a setImmediate turn began with no other immediate queued
// and no outstanding `hold()`. Node runs every nextTick and microtask before
// the next setImmediate turn, so async firmware (`await time.sleep_ms(20)`)
// has finished its reaction to an event by then, and work handed on through
// setImmediate (aedes and mqemitter do that between parsing and delivery)
// is seen waiting in the queue, however long the chain. One turn per virtual
// instant is the floor: 10,000 boards fire about a million timers.
//
// Activity is any timer scheduled or fired, any `markActivity()` call (the
// network and the broker link call it whenever bytes move) and any hold; it
// wakes a driver that waits (idle, paused, paced) and tells `idle` apart.
// The older rule, `quietTurns` turns in a row without activity, stays
// available: it must reach the same trace, and a test holds the two to it.

import { immediatesQueued } from "./immediates.ts";
import type { Clock, TimerHandle } from "./clock.ts";
import { TimerQueue, type Timer } from "./timer-queue.ts";

/** Why the driver's fast cycle handed back to `run()`. */
type CyclePause = "stopped" | "blocked" | "empty" | "deadline" | "paced";

/** Why `run()` returned. */
export type RunOutcome = "idle" | "deadline" | "stopped";

export interface RunOptions {
  /** Stop when virtual time would pass this instant (ms); `now()` is left at the deadline. */
  until?: number;
  /** Return "idle" when no timers remain and nothing is active (default true). */
  stopWhenIdle?: boolean;
}

/** The wall clock used for pacing; injectable so tests can check pacing without real waits. */
export interface WallClock {
  now(): number;
  /** Wait `ms` of wall time; resolves early when `signal` aborts. */
  wait(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemWallClock: WallClock = {
  now: () => performance.now(),
  wait: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
};

export interface VirtualClockOptions {
  /** "max" (default): as fast as the host allows; a number paces virtual time at that multiple of wall time. */
  speed?: number | "max";
  /**
   * Settle by the older rule instead: this many setImmediate turns in a row
   * without activity count as "quiet". By default the clock watches the
   * immediate queue (one turn when nothing is pending).
   */
  quietTurns?: number;
  /** Wall clock for pacing (default: performance.now and setTimeout). */
  wall?: WallClock;
}

/**
 * Turns in a row without activity after which queued immediates no longer
 * hold time back: far more than any broker hand-off chain, few enough that
 * something spinning on setImmediate only slows each instant down.
 */
const SPIN_TURNS = 64;

export class VirtualClock implements Clock {
  readonly kind = "virtual" as const;

  private t = 0;
  private readonly queue = new TimerQueue();
  private activity = 0;
  private holds = 0;
  /** Turns without activity for the older settle rule; 0: watch the immediate queue. */
  private readonly quietTurns: number;
  private readonly wall: WallClock;
  private speedFactor: number | "max";

  private driving = false;
  private stopRequested = false;
  private isPaused = false;
  /** The activity count when the host was last seen quiet. */
  private quietAt = 0;
  /** Ends the driver's wait for activity (idle in background mode, paused, holds, paced waits). */
  private wake: (() => void) | null = null;

  // Pacing anchors: virtual time `virtAnchor` corresponds to wall time `wallAnchor`.
  private wallAnchor = 0;
  private virtAnchor = 0;
  /** While the driver waits on the wall clock, now() follows wall time up to this cap. */
  private pacedCap: number | null = null;

  private fired = 0;

  // cycle()'s state between setImmediate turns
  private cycleEnd: ((pause: CyclePause) => void) | null = null;
  private cycleFail: ((error: unknown) => void) | null = null;
  private cycleUntil = Infinity;
  private activityAtTurn = 0;
  private stillTurns = 0;

  constructor(options: VirtualClockOptions = {}) {
    this.speedFactor = checkSpeed(options.speed ?? "max");
    this.quietTurns = options.quietTurns === undefined ? 0 : Math.max(1, options.quietTurns);
    this.wall = options.wall ?? systemWallClock;
  }

  // ---- Clock interface -------------------------------------------------

  now(): number {
    if (this.pacedCap !== null && typeof this.speedFactor === "number") {
      const follow = this.virtAnchor + (this.wall.now() - this.wallAnchor) * this.speedFactor;
      const v = Math.min(this.pacedCap, follow);
      if (v > this.t) this.t = v;
    }
    return this.t;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const delay = delayMs > 0 ? delayMs : 0; // negative and NaN mean "now"
    const timer = this.queue.push(this.now() + delay, fn);
    this.markActivity();
    return timer;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.setTimer(ms, resolve);
    });
  }

  markActivity(): void {
    this.activity++;
    if (this.wake !== null) {
      const w = this.wake;
      this.wake = null;
      w();
    }
  }

  hold(_reason?: string): () => void {
    this.holds++;
    this.markActivity();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.markActivity();
    };
  }

  // ---- state -----------------------------------------------------------

  /** Timers scheduled and not yet fired or cancelled. */
  get pending(): number {
    return this.queue.live;
  }

  /** Timers fired since construction (for benchmarks and summaries). */
  get firedCount(): number {
    return this.fired;
  }

  /** Due time of the next timer, or undefined. */
  get nextDue(): number | undefined {
    return this.queue.peek()?.due;
  }

  /** Nothing left to happen: no timers, no holds, and the host was quiet at the last check. */
  get idle(): boolean {
    return this.queue.live === 0 && this.holds === 0 && this.activity === this.quietAt;
  }

  get running(): boolean {
    return this.driving;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  get speed(): number | "max" {
    return this.speedFactor;
  }

  // ---- controls --------------------------------------------------------

  setSpeed(speed: number | "max"): void {
    this.now(); // fold wall progress into t before re-anchoring
    this.speedFactor = checkSpeed(speed);
    this.reanchor();
    this.markActivity();
  }

  pause(): void {
    this.now();
    this.isPaused = true;
    this.markActivity();
  }

  resume(): void {
    if (!this.isPaused) return;
    this.isPaused = false;
    this.reanchor();
    this.markActivity();
  }

  /** Ask the driver to stop; the pending `run()` resolves "stopped". Timers stay queued. */
  stop(): void {
    if (this.driving) this.stopRequested = true;
    this.markActivity();
  }

  /** Drive in the background without stopping at idle (interactive use). Errors from timers go to `onError`. */
  start(onError: (err: unknown) => void = (err) => setImmediate(() => { throw err; })): void {
    if (this.driving) return;
    this.run({ stopWhenIdle: false }).catch(onError);
  }

  /** Drive until `deadlineMs` of virtual time (or idle, or stop). */
  runUntil(deadlineMs: number, options: Omit<RunOptions, "until"> = {}): Promise<RunOutcome> {
    return this.run({ ...options, until: deadlineMs });
  }

  /** Drive for `ms` more virtual milliseconds. */
  runFor(ms: number, options: Omit<RunOptions, "until"> = {}): Promise<RunOutcome> {
    return this.run({ ...options, until: this.t + ms });
  }

  /**
   * Drive the clock: settle the host, fire due timers, jump to the next one,
   * repeat. Resolves with why it stopped. A timer callback that throws
   * rejects the run (the clock stays usable).
   */
  async run(options: RunOptions = {}): Promise<RunOutcome> {
    if (this.driving) throw new Error("VirtualClock is already running");
    const until = options.until ?? Infinity;
    const stopWhenIdle = options.stopWhenIdle ?? true;
    this.driving = true;
    this.stopRequested = false;
    this.reanchor();
    try {
      for (;;) {
        switch (await this.cycle(until)) {
          case "stopped":
            return "stopped";
          case "blocked":
            await this.waitForWake(Infinity);
            continue;
          case "empty":
            if (stopWhenIdle) return "idle";
            await this.idlePaced();
            continue;
          case "deadline":
            if (until > this.t) this.t = until;
            return "deadline";
          case "paced": {
            const next = this.queue.peek()!;
            const arrived = await this.pace(next.due);
            if (arrived) this.fireDue(next.due); // else woken by activity, pause or stop: re-examine
            continue;
          }
        }
      }
    } finally {
      this.driving = false;
      this.stopRequested = false;
      this.pacedCap = null;
    }
  }

  // ---- internals -------------------------------------------------------

  private fireDue(due: number): void {
    if (due > this.t) this.t = due;
    const now = this.t;
    for (;;) {
      const top = this.queue.peek();
      if (top === undefined || top.due > now) break;
      const timer = this.queue.pop() as Timer;
      const fn = timer.fn!;
      timer.fn = null;
      this.fired++;
      this.activity++;
      fn();
    }
  }

  /**
   * Settle, fire the next instant, settle again... from setImmediate
   * callbacks, with no promise per instant (a 10,000-board run has about a
   * million). Resolves when the async driver must take over: a stop, a pause
   * or hold, no timer left, the deadline, or a paced speed's wait.
   */
  private cycle(until: number): Promise<CyclePause> {
    return new Promise<CyclePause>((resolve, reject) => {
      this.cycleEnd = resolve;
      this.cycleFail = reject;
      this.cycleUntil = until;
      this.startSettle();
    });
  }

  private startSettle(): void {
    this.activityAtTurn = this.activity;
    this.stillTurns = 0;
    setImmediate(this.settleTurn);
  }

  /** One setImmediate turn of `cycle`, made once (no closure per instant). */
  private readonly settleTurn = (): void => {
    if (this.stopRequested) return this.endCycle("stopped");
    this.stillTurns = this.activity === this.activityAtTurn ? this.stillTurns + 1 : 0;
    this.activityAtTurn = this.activity;
    if (!this.hostQuiet()) {
      setImmediate(this.settleTurn);
      return;
    }
    this.quietAt = this.activity;
    if (this.isPaused || this.holds > 0) return this.endCycle("blocked");
    const next = this.queue.peek();
    if (next === undefined) return this.endCycle("empty");
    if (next.due > this.cycleUntil) return this.endCycle("deadline");
    if (typeof this.speedFactor === "number" && next.due > this.t) return this.endCycle("paced");
    try {
      this.fireDue(next.due);
    } catch (error) {
      const fail = this.cycleFail!;
      this.cycleEnd = this.cycleFail = null;
      fail(error);
      return;
    }
    this.startSettle();
  };

  /**
   * The queue watch: no other immediate is queued (or `SPIN_TURNS` turns
   * passed without activity: something spins on setImmediate). The older
   * rule, with `quietTurns`: that many turns in a row without activity.
   */
  private hostQuiet(): boolean {
    if (this.quietTurns > 0) return this.stillTurns >= this.quietTurns;
    return immediatesQueued() === 0 || this.stillTurns >= SPIN_TURNS;
  }

  private endCycle(pause: CyclePause): void {
    const end = this.cycleEnd!;
    this.cycleEnd = this.cycleFail = null;
    end(pause);
  }

  private waitForWake(ms: number): Promise<void> {
    // An unbounded wait (every hold of a VM board's bridged call ends in one) is a bare promise: an
    // AbortController per wait cost more than the rest of the wake-up (a DOMException per abort).
    if (ms === Infinity) return new Promise<void>((resolve) => (this.wake = resolve));
    const controller = new AbortController();
    this.wake = () => controller.abort();
    return this.wall.wait(ms, controller.signal);
  }

  /** Wait on the wall clock until virtual `due` is reached; false if woken early. */
  private async pace(due: number): Promise<boolean> {
    const speed = this.speedFactor as number;
    const wallNow = this.wall.now();
    let targetWall = this.wallAnchor + (due - this.virtAnchor) / speed;
    // Far behind (slow host, debugger pause): re-anchor instead of bursting to catch up.
    if (wallNow - targetWall > 250) {
      this.reanchor();
      targetWall = this.wallAnchor + (due - this.virtAnchor) / speed;
    }
    const waitMs = targetWall - wallNow;
    if (waitMs <= 0) return true;
    this.pacedCap = due;
    const activityBefore = this.activity;
    await this.waitForWake(waitMs);
    this.now();
    this.pacedCap = null;
    return !(this.stopRequested || this.isPaused || this.activity !== activityBefore);
  }

  /**
   * Nothing scheduled (every board blocked on a read, say): wait for activity.
   * At a paced speed, virtual time keeps following wall time meanwhile, so a
   * watcher sees the clock run and what happens next is stamped with it.
   */
  private async idlePaced(): Promise<void> {
    if (typeof this.speedFactor === "number") {
      this.reanchor();
      this.pacedCap = Infinity;
    }
    await this.waitForWake(Infinity);
    this.now();
    this.pacedCap = null;
  }

  private reanchor(): void {
    this.wallAnchor = this.wall.now();
    this.virtAnchor = this.t;
  }
}

function checkSpeed(speed: number | "max"): number | "max" {
  if (speed === "max") return speed;
  if (typeof speed !== "number" || !(speed > 0) || !Number.isFinite(speed)) {
    throw new RangeError(`clock speed must be a positive number or "max", got ${String(speed)}`);
  }
  return speed;
}
