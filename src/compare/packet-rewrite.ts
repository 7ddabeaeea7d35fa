// Replaces strings that must differ between two runs (a board's client id)
// inside a raw MQTT packet, then recomputes the length fields, so the rest of
// the packet is still compared byte for byte. Only the fields that carry
// text a firmware chooses are rewritten: CONNECT's client id, will, user and
// password, PUBLISH's topic and payload, SUBSCRIBE's and UNSUBSCRIBE's topics.
// A packet that does not parse (a broken one is a finding) is left as is.

export interface Replacement {
  from: Uint8Array;
  to: Uint8Array;
}

/** A piece of the packet after its fixed header: plain bytes, or a field with a 2-byte length before it. */
type Part = { bytes: Uint8Array; prefixed: boolean };

export function rewritePacket(raw: Uint8Array, replacements: readonly Replacement[]): Uint8Array {
  if (replacements.length === 0) return raw;
  const header = readFixedHeader(raw);
  if (!header) return raw;
  const parts = splitBody(raw[0], raw.subarray(header.bodyStart));
  if (!parts) return raw;
  const body = concat(parts.map((p) => {
    const bytes = replaceAll(p.bytes, replacements);
    return p.prefixed ? concat([u16(bytes.length), bytes]) : bytes;
  }));
  return concat([Uint8Array.of(raw[0]), varint(body.length), body]);
}

/** Every occurrence of each `from`, in order. */
export function replaceAll(bytes: Uint8Array, replacements: readonly Replacement[]): Uint8Array {
  let out = bytes;
  for (const { from, to } of replacements) {
    if (from.length === 0) continue;
    const pieces: Uint8Array[] = [];
    let start = 0;
    for (let i = 0; i + from.length <= out.length; ) {
      if (matchesAt(out, from, i)) {
        pieces.push(out.subarray(start, i), to);
        i += from.length;
        start = i;
      } else i++;
    }
    if (pieces.length > 0) {
      pieces.push(out.subarray(start));
      out = concat(pieces);
    }
  }
  return out;
}

function matchesAt(bytes: Uint8Array, needle: Uint8Array, at: number): boolean {
  for (let j = 0; j < needle.length; j++) if (bytes[at + j] !== needle[j]) return false;
  return true;
}

function readFixedHeader(raw: Uint8Array): { bodyStart: number } | undefined {
  let length = 0;
  for (let i = 1; i <= 4 && i < raw.length; i++) {
    length += (raw[i] & 0x7f) * 128 ** (i - 1);
    if ((raw[i] & 0x80) === 0) return raw.length === i + 1 + length ? { bodyStart: i + 1 } : undefined;
  }
  return undefined;
}

function splitBody(first: number, body: Uint8Array): Part[] | undefined {
  const reader = new PartReader(body);
  switch (first >> 4) {
    case 1: {
      // CONNECT: protocol name, level, flags, keepalive, client id, [will topic, will message], [user], [password]
      const name = reader.prefixed();
      const fixed = reader.plain(4);
      if (!name || !fixed) return undefined;
      const flags = fixed.bytes[1];
      const fields = 1 + (flags & 0x04 ? 2 : 0) + (flags & 0x80 ? 1 : 0) + (flags & 0x40 ? 1 : 0);
      const parts = [name, fixed];
      for (let i = 0; i < fields; i++) {
        const field = reader.prefixed();
        if (!field) return undefined;
        parts.push(field);
      }
      return reader.done() ? parts : undefined;
    }
    case 3: {
      // PUBLISH: topic, packet id when QoS > 0, payload
      const topic = reader.prefixed();
      const id = (first >> 1) & 0x03 ? reader.plain(2) : { bytes: new Uint8Array(0), prefixed: false };
      if (!topic || !id) return undefined;
      return [topic, id, reader.rest()];
    }
    case 8:
    case 10: {
      // SUBSCRIBE: packet id, then (topic, QoS) pairs; UNSUBSCRIBE: packet id, then topics
      const id = reader.plain(2);
      if (!id) return undefined;
      const parts = [id];
      while (!reader.done()) {
        const topic = reader.prefixed();
        const qos = first >> 4 === 8 ? reader.plain(1) : { bytes: new Uint8Array(0), prefixed: false };
        if (!topic || !qos) return undefined;
        parts.push(topic, qos);
      }
      return parts;
    }
    default:
      return [{ bytes: body, prefixed: false }];
  }
}

class PartReader {
  private at = 0;
  constructor(private readonly body: Uint8Array) {}

  plain(n: number): Part | undefined {
    if (this.at + n > this.body.length) return undefined;
    const bytes = this.body.subarray(this.at, this.at + n);
    this.at += n;
    return { bytes, prefixed: false };
  }

  prefixed(): Part | undefined {
    if (this.at + 2 > this.body.length) return undefined;
    const n = (this.body[this.at] << 8) | this.body[this.at + 1];
    if (this.at + 2 + n > this.body.length) return undefined;
    const bytes = this.body.subarray(this.at + 2, this.at + 2 + n);
    this.at += 2 + n;
    return { bytes, prefixed: true };
  }

  rest(): Part {
    const bytes = this.body.subarray(this.at);
    this.at = this.body.length;
    return { bytes, prefixed: false };
  }

  done(): boolean {
    return this.at === this.body.length;
  }
}

function u16(n: number): Uint8Array {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Uint8Array.from(out);
}

function concat(pieces: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
