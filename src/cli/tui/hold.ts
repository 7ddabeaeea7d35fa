// Press-and-hold for terminal keys.
//
// Most terminals report only key-down (and auto-repeat while a key is held),
// never key-up. So a key press presses the button and arms a release timer
// (`tapMs` of wall time); every repeat of the key re-arms it, so holding the
// key keeps the button pressed for as long as the repeats keep coming, and the
// button is released `tapMs` after the last one. Before auto-repeat starts
// (typically 250-600 ms after key-down) there is a gap during which the button
// is released: a held key therefore reads as one short press followed by one
// long press.
//
// Terminals that speak the kitty keyboard protocol report real key-up events;
// then `down`/`up` are used and the press lasts exactly as long as the key is
// held (a safety timer still releases the button if the key-up is lost).

import type { BenchSession } from "../../emulator/session-api.ts";

export interface HoldOptions {
  /** How long a single key press holds the button, in wall milliseconds. */
  tapMs?: number;
  /** With real key-up reports: release anyway after this long without a repeat or key-up. */
  safetyMs?: number;
}

type Timers = {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
};

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export const DEFAULT_TAP_MS = 150;

export class ButtonHolder {
  private readonly held = new Map<string, { board: string; button: string; timer: unknown }>();
  private readonly tapMs: number;
  private readonly safetyMs: number;
  private stopped = false;

  constructor(
    private readonly session: Pick<BenchSession, "pressButton" | "releaseButton">,
    options: HoldOptions = {},
    private readonly onChange: () => void = () => {},
    private readonly timers: Timers = defaultTimers,
  ) {
    this.tapMs = options.tapMs ?? DEFAULT_TAP_MS;
    this.safetyMs = options.safetyMs ?? 1500;
  }

  /** A key press without key-up reporting (also every auto-repeat). */
  tap(board: string, button: string): void {
    this.hold(board, button, this.tapMs);
  }

  /** Key-down or key-repeat from a terminal that also reports key-up. */
  down(board: string, button: string): void {
    this.hold(board, button, this.safetyMs);
  }

  /** Key-up from a terminal that reports it. */
  up(board: string, button: string): void {
    this.release(board, button);
  }

  isHeld(board: string, button: string): boolean {
    return this.held.has(id(board, button));
  }

  /** Release every held button (on quit). Later presses are ignored. */
  releaseAll(): void {
    for (const h of [...this.held.values()]) this.release(h.board, h.button);
    this.stopped = true;
  }

  private hold(board: string, button: string, ms: number): void {
    if (this.stopped) return;
    const key = id(board, button);
    const current = this.held.get(key);
    if (current) {
      this.timers.clearTimeout(current.timer);
    } else {
      this.session.pressButton(board, button);
    }
    const timer = this.timers.setTimeout(() => this.release(board, button), ms);
    this.held.set(key, { board, button, timer });
    if (!current) this.onChange();
  }

  private release(board: string, button: string): void {
    const key = id(board, button);
    const current = this.held.get(key);
    if (!current) return;
    this.timers.clearTimeout(current.timer);
    this.held.delete(key);
    this.session.releaseButton(board, button);
    this.onChange();
  }
}

function id(board: string, button: string): string {
  return `${board}\u0000${button}`;
}
