// The one clock every time-related part of a run reads: firmware sleeps and
// ticks, network delays, broker keepalive, scenario deadlines. Time is in
// milliseconds since the run started (fractions allowed, for ticks_us).

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** "virtual": discrete events, deterministic; "real": follows the wall clock. */
  readonly kind: "virtual" | "real";
  /** Milliseconds since the run started. */
  now(): number;
  /** Run `fn` once `delayMs` from now. Callbacks due at the same instant run in scheduling order. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  /** A promise that resolves `ms` from now. */
  sleep(ms: number): Promise<void>;
  /**
   * Optional: tell a virtual clock that work is under way (bytes moved, a
   * packet was handled), so it lets the host settle before jumping ahead.
   * A real clock ignores it.
   */
  markActivity?(): void;
  /**
   * Optional: keep a virtual clock from advancing while host work with no
   * timer of its own is pending (e.g. a real TCP connect). Call the returned
   * function once, when the work is done. A real clock ignores it.
   */
  hold?(reason?: string): () => void;
}
