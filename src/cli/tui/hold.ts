// Press-and-hold for terminal keys.
//
// Most terminals report key-down, and auto-repeat while a key is held, but
// never key-up. So:
//
// - A single key press is a tap: the button is pressed and released once
//   `tapMs` of the board's (virtual) time has passed, so the firmware sees the
//   same press at any speed up to 10x or so. The view checks the board's
//   clock every millisecond while a tap runs; at "max" speed board time runs
//   far ahead of any wall timer, so there a tap lasts much longer in board
//   time. While the run is paused the tap waits with it.
// - A key that repeats (another press of the same key within `repeatWindowMs`
//   of wall time) is held: the button stays down until no repeat has come for
//   `repeatGapMs` of wall time. Auto-repeat starts 250-600 ms after key-down
//   in most terminals, so holding a key reads as a short press, a short gap,
//   then one long press that ends when the key is let go.
//
// Terminals that speak the kitty keyboard protocol report real key-up events;
// then `down`/`up` are used and the press lasts exactly as long as the key is
// held (a safety timeout still releases the button if a key-up is lost).

import type { BenchSession } from "../../emulator/runner/session-api.ts";

export interface HoldOptions {
  /** How long a tap holds the button, in the board's milliseconds. */
  tapMs?: number;
  /** A repeat of the key this soon (wall ms) after the last one means the key is held. */
  repeatWindowMs?: number;
  /** A held key is let go once no repeat came for this long (wall ms). */
  repeatGapMs?: number;
  /** With key-up reports: release anyway after this long (wall ms) without a repeat or key-up. */
  safetyMs?: number;
  /** How often held keys are checked (wall ms); taps are checked every millisecond. */
  pollMs?: number;
}

export interface WallTimers {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  now: () => number;
}

const systemTimers: WallTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};

export const DEFAULT_TAP_MS = 150;

type Mode = "tap" | "held" | "key-up";

interface Held {
  board: string;
  button: string;
  mode: Mode;
  /** Board time when the button went down. */
  pressedAt: number;
  /** Wall time of the last key event for this button. */
  lastKey: number;
}

export class ButtonHolder {
  private readonly held = new Map<string, Held>();
  /** Wall time of the last key event per button, kept after release to recognise auto-repeat. */
  private readonly lastKeyAt = new Map<string, number>();
  private readonly tapMs: number;
  private readonly repeatWindowMs: number;
  private readonly repeatGapMs: number;
  private readonly safetyMs: number;
  private readonly pollMs: number;
  private timer: unknown;
  private stopped = false;

  constructor(
    private readonly session: Pick<BenchSession, "pressButton" | "releaseButton" | "now"> & { readonly paused?: boolean },
    options: HoldOptions = {},
    private readonly onChange: () => void = () => {},
    private readonly timers: WallTimers = systemTimers,
  ) {
    this.tapMs = options.tapMs ?? DEFAULT_TAP_MS;
    this.repeatWindowMs = options.repeatWindowMs ?? 700;
    this.repeatGapMs = options.repeatGapMs ?? 120;
    this.safetyMs = options.safetyMs ?? 1500;
    this.pollMs = options.pollMs ?? 10;
  }

  /** A key press from a terminal without key-up reports (also every auto-repeat). */
  tap(board: string, button: string): void {
    const id = key(board, button);
    const wall = this.timers.now();
    const previous = this.lastKeyAt.get(id);
    this.lastKeyAt.set(id, wall);
    const current = this.held.get(id);
    if (current) {
      if (current.mode !== "key-up") current.mode = "held";
      current.lastKey = wall;
      return;
    }
    const repeating = previous !== undefined && wall - previous <= this.repeatWindowMs;
    this.press(board, button, repeating ? "held" : "tap", wall);
  }

  /** Key-down or key-repeat from a terminal that also reports key-up. */
  down(board: string, button: string): void {
    const current = this.held.get(key(board, button));
    const wall = this.timers.now();
    if (current) {
      current.mode = "key-up";
      current.lastKey = wall;
      return;
    }
    this.press(board, button, "key-up", wall);
  }

  /** Key-up from a terminal that reports it. */
  up(board: string, button: string): void {
    this.release(key(board, button));
  }

  isHeld(board: string, button: string): boolean {
    return this.held.has(key(board, button));
  }

  /** Release every held button (on quit). Later presses are ignored. */
  releaseAll(): void {
    this.stopped = true;
    for (const id of [...this.held.keys()]) this.release(id);
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private press(board: string, button: string, mode: Mode, wall: number): void {
    if (this.stopped) return;
    this.session.pressButton(board, button);
    this.held.set(key(board, button), { board, button, mode, pressedAt: this.boardNow(), lastKey: wall });
    this.onChange();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.held.size === 0) return;
    // While a tap runs, look at the board's clock every millisecond or so. This is a wall
    // timer on purpose: when a slow frame holds up the event loop, Node runs overdue timers
    // in the order they were due, so this check runs (and releases the button) before the
    // run clock's own pacing timer lets the firmware see the next moment.
    const tapping = !this.session.paused && [...this.held.values()].some((h) => h.mode !== "key-up" && !(this.boardNow() - h.pressedAt >= this.tapMs));
    this.timer = this.timers.setTimeout(
      () => {
        this.timer = undefined;
        this.check();
        this.schedule();
      },
      tapping ? 1 : this.pollMs,
    );
  }

  private check(): void {
    const wall = this.timers.now();
    const boardNow = this.boardNow();
    for (const [id, h] of [...this.held]) {
      // NaN (the board's clock could not be read) counts as done.
      const tapDone = !(boardNow - h.pressedAt < this.tapMs);
      const quiet = wall - h.lastKey;
      const done =
        h.mode === "tap" ? tapDone : h.mode === "held" ? tapDone && quiet >= this.repeatGapMs : quiet >= this.safetyMs;
      if (done) this.release(id);
    }
  }

  private release(id: string): void {
    const h = this.held.get(id);
    if (!h) return;
    this.held.delete(id);
    try {
      this.session.releaseButton(h.board, h.button);
    } finally {
      this.onChange();
    }
  }

  private boardNow(): number {
    try {
      return this.session.now();
    } catch {
      return Number.NaN;
    }
  }
}

function key(board: string, button: string): string {
  return `${board}\u0000${button}`;
}
