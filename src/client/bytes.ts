// Byte helpers shared by the encoder, the decoder and the clients.

/** What umqtt accepts for topics, payloads and strings: bytes, or a str. */
export type Text = string | Uint8Array;

const encoder = new TextEncoder();

/** The bytes a MicroPython `sock.write(x)` puts on the wire for `x` (a str is written as UTF-8). */
export function bytesOf(x: Text): Uint8Array {
  if (typeof x !== "string") return x;
  // A short ASCII str (topics, most payloads) is copied as is: several times faster than TextEncoder.
  if (x.length <= 256) {
    const out = new Uint8Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const c = x.charCodeAt(i);
      if (c > 0x7f) return encoder.encode(x);
      out[i] = c;
    }
    return out;
  }
  return encoder.encode(x);
}

/**
 * Python's `len(x)`. On a MicroPython port with unicode strings, `len(str)`
 * counts code points, not bytes; umqtt uses it for length prefixes, so a
 * non-ASCII str topic gets a wrong prefix on the device and here alike.
 */
export function pyLen(x: Text): number {
  if (typeof x !== "string") return x.length;
  let n = 0;
  for (const _ of x) n++;
  return n;
}

/** Python truthiness of a str/bytes/None value (`if self.user:`). */
export function truthy(x: Text | null | undefined): x is Text {
  return x !== null && x !== undefined && x.length > 0;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex: ${hex}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 text when the bytes are valid UTF-8, else null. */
export function utf8OrNull(b: Uint8Array): string | null {
  try {
    return strictUtf8.decode(b);
  } catch {
    return null;
  }
}
