// Bytes received from the board, waiting to be read by the REPL protocol:
// read until a marker or read n bytes, each with a timeout that restarts on
// every byte received (a board printing a long answer is not "silent"), and
// an immediate, typed failure when the port closes.

import { concat } from "../client/bytes.ts";
import { BridgeError, showBytes } from "./errors.ts";
import type { ByteLink } from "./link.ts";

/** Beyond this many unread bytes the board is flooding the line: fail rather than grow without bound. */
const MAX_UNREAD = 8 * 1024 * 1024;

export interface ReadOptions {
  /** What we are waiting for, for the error message ("the raw REPL prompt"). */
  what: string;
  /** Give up after this long without a byte. */
  idleMs: number;
  /** Give up after this long in total, bytes or not. */
  overallMs?: number;
}

export class Inbox {
  private buffer: Uint8Array = new Uint8Array(0);
  private wake: (() => void) | null = null;
  private closedWith: Error | null = null;
  private lastByteAt = Date.now();

  constructor(
    link: ByteLink,
    private readonly portName: string,
    private readonly maxUnread = MAX_UNREAD,
  ) {
    link.onData((chunk) => {
      this.buffer = this.buffer.length === 0 ? chunk.slice() : concat([this.buffer, chunk]);
      this.lastByteAt = Date.now();
      this.wake?.();
    });
    link.onClose((error) => {
      this.closedWith = new BridgeError("port-closed", `${portName} closed${error ? ` (${firstLine(error.message)})` : ""}`);
      this.wake?.();
    });
  }

  get unread(): number {
    return this.buffer.length;
  }

  /** Everything received and not yet read. */
  takeAll(): Uint8Array {
    const out = this.buffer;
    this.buffer = new Uint8Array(0);
    return out;
  }

  /** Resolves with everything up to and including the first `ending`. */
  async readUntil(ending: Uint8Array, options: ReadOptions): Promise<Uint8Array> {
    return (await this.readUntilFirst([ending], options)).bytes;
  }

  /** Resolves with everything up to and including whichever of `endings` arrives first, and its index. */
  async readUntilFirst(endings: readonly Uint8Array[], options: ReadOptions): Promise<{ bytes: Uint8Array; matched: number }> {
    let matched = -1;
    const bytes = await this.waitFor(() => {
      let best: number | null = null;
      endings.forEach((ending, i) => {
        const at = indexOf(this.buffer, ending);
        if (at >= 0 && (best === null || at + ending.length < best)) {
          best = at + ending.length;
          matched = i;
        }
      });
      return best;
    }, options);
    return { bytes, matched };
  }

  /**
   * Like readUntilFirst, but hands the bytes before the ending to `onChunk` as
   * they arrive instead of keeping them (a program's output, however long);
   * resolves with the index of the ending that came.
   */
  async streamUntilFirst(endings: readonly Uint8Array[], options: ReadOptions, onChunk: (bytes: Uint8Array) => void): Promise<number> {
    const keep = Math.max(...endings.map((e) => e.length)) - 1; // a tail that may be the start of an ending
    let matched = -1;
    await this.waitFor(() => {
      let best = -1;
      endings.forEach((ending, i) => {
        const at = indexOf(this.buffer, ending);
        if (at >= 0 && (best < 0 || at < best)) {
          best = at;
          matched = i;
        }
      });
      if (best >= 0) {
        if (best > 0) onChunk(this.buffer.slice(0, best));
        return best + endings[matched].length;
      }
      if (this.buffer.length > keep) {
        onChunk(this.buffer.slice(0, this.buffer.length - keep));
        this.buffer = this.buffer.slice(this.buffer.length - keep);
      }
      return null;
    }, options);
    return matched;
  }

  /** Resolves with exactly `n` bytes. */
  read(n: number, options: ReadOptions): Promise<Uint8Array> {
    return this.waitFor(() => (this.buffer.length >= n ? n : null), options);
  }

  /** Waits until `count()` says how many bytes to take, the port closes, or a timeout passes. */
  private async waitFor(count: () => number | null, options: ReadOptions): Promise<Uint8Array> {
    const started = Date.now();
    this.lastByteAt = started;
    for (;;) {
      const n = count();
      if (n !== null) {
        const out = this.buffer.slice(0, n);
        this.buffer = this.buffer.slice(n);
        return out;
      }
      if (this.closedWith) throw new BridgeError("port-closed", `${this.closedWith.message} while waiting for ${options.what}: was the board unplugged or reset?`);
      if (this.buffer.length > this.maxUnread) {
        throw new BridgeError("garbage", `${this.portName}: more than ${this.maxUnread} bytes without ${options.what}: the board floods the serial line (stop its program with Ctrl-C, or check the baud rate)`);
      }
      const now = Date.now();
      const idleLeft = this.lastByteAt + options.idleMs - now;
      const overallLeft = options.overallMs === undefined ? Infinity : started + options.overallMs - now;
      if (idleLeft <= 0 || overallLeft <= 0) {
        const seen = this.buffer.length ? `; last bytes received: "${showBytes(this.buffer.subarray(-60))}"` : "; nothing received";
        throw new BridgeError("not-answering", `${this.portName}: no ${options.what} after ${Math.round((now - started) / 100) / 10}s${seen} (is a MicroPython board on this port, at this baud rate?)`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(idleLeft, overallLeft));
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = null;
    }
  }
}

export function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}
