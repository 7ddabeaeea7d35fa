// Reports from instrumented firmware travel on the same serial line as the
// firmware's own prints, framed so that no print can be taken for one:
//
//   \x1e 'U' <length: 4 hex digits> <JSON payload, that many bytes> <sum: 2 hex digits> \x1f
//
// where sum is the payload's bytes added modulo 256 (JSON escapes control
// characters, so neither \x1e nor \x1f occurs inside a payload). \x1e and \x1f are not
// text and not REPL control bytes (\x01-\x05), so the raw REPL's framing is
// untouched. A frame that does not check out is passed on as printed text:
// nothing the firmware printed is ever lost. src/bridge/py/ubench_frame.py
// writes them on the board.

export type SerialEvent = { kind: "text"; bytes: Uint8Array } | { kind: "report"; value: unknown };

const START = 0x1e;
const END = 0x1f;
const TAG = 0x55; // 'U'
const HEADER = 6; // \x1e U hhhh
/** Reports are small; a longer announced length is not a frame (and would hold prints back). */
const MAX_PAYLOAD = 4096;

interface Out {
  events: SerialEvent[];
  text: number[];
}

function flushText(out: Out): void {
  if (out.text.length) out.events.push({ kind: "text", bytes: Uint8Array.from(out.text) });
  out.text = [];
}

export class FrameDecoder {
  private pending: number[] = [];
  private expected = -1;

  /** Feeds received bytes; returns text and reports in order. Text is returned as soon as it cannot start a frame. */
  push(chunk: Uint8Array): SerialEvent[] {
    const out: Out = { events: [], text: [] };
    for (const b of chunk) this.step(b, out);
    flushText(out);
    return out.events;
  }

  /** Bytes held because they might begin a frame (for the end of a stream). */
  flush(): SerialEvent[] {
    const out: Out = { events: [], text: [] };
    while (this.pending.length) this.reject(out);
    flushText(out);
    return out.events;
  }

  private step(b: number, out: Out): void {
    if (this.pending.length === 0) {
      if (b === START) this.pending.push(b);
      else out.text.push(b);
      return;
    }
    this.pending.push(b);
    const n = this.pending.length;
    if (n === 2 && b !== TAG) this.reject(out);
    else if (n === HEADER) {
      const length = parseHex(this.pending.slice(2, 6));
      if (length === null || length > MAX_PAYLOAD) this.reject(out);
      else this.expected = HEADER + length + 3;
    } else if (n > HEADER && b === START) {
      // JSON escapes control characters, so a payload never holds \x1e: this is a new frame's start.
      this.reject(out);
    } else if (n > HEADER && n === this.expected) {
      const value = this.decode();
      if (value === undefined) return this.reject(out);
      flushText(out);
      out.events.push({ kind: "report", value });
      this.pending = [];
      this.expected = -1;
    }
  }

  /** Not a frame: its first byte is text, and the rest goes through again (it may hold a real frame). */
  private reject(out: Out): void {
    const held = this.pending;
    this.pending = [];
    this.expected = -1;
    out.text.push(held[0]);
    for (const b of held.slice(1)) this.step(b, out);
  }

  private decode(): unknown {
    const p = this.pending;
    if (p[p.length - 1] !== END) return undefined;
    const payload = p.slice(HEADER, p.length - 3);
    const sum = parseHex(p.slice(p.length - 3, p.length - 1));
    if (sum === null || payload.reduce((a, b) => (a + b) & 0xff, 0) !== sum) return undefined;
    try {
      return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(payload)));
    } catch {
      return undefined;
    }
  }
}

/** One frame, as the board's ubench_frame.report writes it. */
export function encodeFrame(value: unknown): Uint8Array {
  const payload = new TextEncoder().encode(JSON.stringify(value));
  if (payload.length > MAX_PAYLOAD) throw new RangeError(`report of ${payload.length} bytes: at most ${MAX_PAYLOAD}`);
  const sum = payload.reduce((a, b) => (a + b) & 0xff, 0);
  const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  const out = new Uint8Array(HEADER + payload.length + 3);
  out.set(ascii(`\x1eU${payload.length.toString(16).padStart(4, "0")}`), 0);
  out.set(payload, HEADER);
  out.set(ascii(`${sum.toString(16).padStart(2, "0")}\x1f`), HEADER + payload.length);
  return out;
}

function parseHex(bytes: number[]): number | null {
  const s = String.fromCharCode(...bytes);
  return /^[0-9a-f]+$/.test(s) ? parseInt(s, 16) : null;
}
