// The watchdog's shared cells. The session thread bumps a heartbeat from a
// timer, which only runs when its event loop turns, and records which board's
// firmware it last resumed. Firmware that never yields (`while (true) {}`,
// an await loop on resolved promises) stops the heartbeat; the supervisor, on
// its own thread, sees that and names the board.

const BEAT = 0;
const LAST_BOARD = 1;
const CELLS = 2;

export const HEARTBEAT_INTERVAL_MS = 100;

export function createHeartbeat(): SharedArrayBuffer {
  return new SharedArrayBuffer(CELLS * Int32Array.BYTES_PER_ELEMENT);
}

/** The session thread's side. */
export class HeartbeatWriter {
  private readonly cells: Int32Array;
  private readonly timer: NodeJS.Timeout;

  constructor(buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
    this.timer = setInterval(() => Atomics.add(this.cells, BEAT, 1), HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  /** The board (its index in the scenario) whose firmware runs next. */
  resumed(index: number): void {
    Atomics.store(this.cells, LAST_BOARD, index + 1);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** The supervisor's side: calls `onStall` once when no beat came for `stallMs` of wall time. */
export class Watchdog {
  private readonly cells: Int32Array;
  private readonly timer: NodeJS.Timeout;
  private lastBeat = -1;
  private lastChange = performance.now();
  private fired = false;

  /** `stallMs` is asked at each check: loading a large scenario may legitimately take longer than a run's turn. */
  constructor(
    buffer: SharedArrayBuffer,
    private readonly stallMs: () => number,
    private readonly onStall: (lastBoardIndex: number | undefined, stalledMs: number) => void,
  ) {
    this.cells = new Int32Array(buffer);
    this.timer = setInterval(() => this.check(), Math.min(250, stallMs() / 4));
  }

  private check(): void {
    const beat = Atomics.load(this.cells, BEAT);
    const now = performance.now();
    if (beat !== this.lastBeat) {
      this.lastBeat = beat;
      this.lastChange = now;
      return;
    }
    if (!this.fired && now - this.lastChange >= this.stallMs()) {
      this.fired = true;
      const last = Atomics.load(this.cells, LAST_BOARD);
      this.onStall(last > 0 ? last - 1 : undefined, now - this.lastChange);
    }
  }

  /** The board (its index) whose firmware the session thread resumed last. */
  lastBoardIndex(): number | undefined {
    const last = Atomics.load(this.cells, LAST_BOARD);
    return last > 0 ? last - 1 : undefined;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
