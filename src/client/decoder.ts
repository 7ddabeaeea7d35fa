// Decoding MQTT 3.1.1 byte streams into packet summaries, for the emulator's
// trace (both directions of a link) and for tests.
//
// Why not mqtt-packet's parser: it turns topics, client ids and user names
// into JS strings (bytes that are not UTF-8 are lost, and umqtt's topics are
// bytes), and it cannot be asked to stop at a size limit. We frame and decode
// ourselves; the tests cross-check against mqtt-packet's generator.
//
// Copies: each packet's bytes are copied once, into its `raw` (small packets
// share Node's Buffer pool); topic, payload and the other byte fields are views
// into `raw`. Bytes reach the internal buffer only when a packet is split
// across chunks.
//
// Malformed input never throws anything but PacketError and never waits for
// bytes that cannot come: a bad remaining length fails at its 4th byte.

import { bytesOf, toHex, utf8OrNull } from "./bytes.ts";
import { packetBytes } from "./packet.ts";

export type PacketType =
  | "connect"
  | "connack"
  | "publish"
  | "puback"
  | "pubrec"
  | "pubrel"
  | "pubcomp"
  | "subscribe"
  | "suback"
  | "unsubscribe"
  | "unsuback"
  | "pingreq"
  | "pingresp"
  | "disconnect";

const TYPES: readonly (PacketType | null)[] = [
  null, "connect", "connack", "publish", "puback", "pubrec", "pubrel", "pubcomp",
  "subscribe", "suback", "unsubscribe", "unsuback", "pingreq", "pingresp", "disconnect", null,
];

export type PacketErrorCode =
  /** More than 4 remaining-length bytes. Fatal: the stream cannot be framed any more. */
  | "bad-remaining-length"
  /** The input ended inside a packet. */
  | "truncated"
  /** Packet type 0 or 15. The packet is skipped. */
  | "reserved-type"
  /** Remaining length above the configured maximum. Fatal. */
  | "oversize"
  /** Framing is fine but the content breaks MQTT 3.1.1 (bad flags, lengths, QoS 3...). Skipped. */
  | "malformed";

/** A stream that cannot be decoded. `offset` is the stream position of the packet's first byte. */
export class PacketError extends Error {
  override name = "PacketError";
  constructor(
    readonly code: PacketErrorCode,
    message: string,
    readonly offset: number,
    /** True when decoding cannot go on after this error. */
    readonly fatal: boolean,
    /** The bytes in question: the whole framed packet, or for a fatal error the header bytes read. */
    readonly raw: Uint8Array = new Uint8Array(0),
  ) {
    super(`${code}: ${message} (at byte ${offset})`);
  }
}

export interface WillSummary {
  topic: Uint8Array;
  payload: Uint8Array;
  qos: number;
  retain: boolean;
}

/** One decoded packet. Fields that do not apply to its type are absent. */
export interface PacketSummary {
  type: PacketType;
  /** The first byte (type and flags). */
  header: number;
  /** The remaining length. */
  length: number;
  /** The whole packet as it was on the wire. */
  raw: Uint8Array;
  // publish
  topic?: Uint8Array;
  payload?: Uint8Array;
  qos?: number;
  retain?: boolean;
  dup?: boolean;
  // publish (QoS > 0), puback..pubcomp, subscribe, suback, unsubscribe, unsuback
  messageId?: number;
  // connack
  sessionPresent?: boolean;
  returnCode?: number;
  // suback
  returnCodes?: number[];
  // subscribe / unsubscribe
  subscriptions?: { topic: Uint8Array; qos: number }[];
  unsubscriptions?: Uint8Array[];
  // connect
  protocolName?: Uint8Array;
  protocolLevel?: number;
  cleanSession?: boolean;
  keepalive?: number;
  clientId?: Uint8Array;
  will?: WillSummary;
  username?: Uint8Array;
  password?: Uint8Array;
}

export type DecodeEvent = { packet: PacketSummary; error?: undefined } | { error: PacketError; packet?: undefined };

export interface DecoderOptions {
  /** Largest remaining length accepted; larger is an "oversize" error. Default: MQTT's maximum, 268,435,455. */
  maxLength?: number;
}

const MAX_REMAINING = 268_435_455;

/** Content error inside one packet body; turned into a PacketError with the packet's offset. */
class BodyError extends Error {}

/** A cursor over one packet body. */
class Body {
  private at = 0;
  constructor(private readonly b: Uint8Array) {}
  get left(): number {
    return this.b.length - this.at;
  }
  u8(what: string): number {
    if (this.left < 1) throw new BodyError(`${what} missing`);
    return this.b[this.at++];
  }
  u16(what: string): number {
    if (this.left < 2) throw new BodyError(`${what} missing`);
    const v = (this.b[this.at] << 8) | this.b[this.at + 1];
    this.at += 2;
    return v;
  }
  /** A view into the packet's own copy, not a new copy. */
  bytes(n: number, what: string): Uint8Array {
    if (this.left < n) throw new BodyError(`${what} longer than the packet`);
    const v = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  str(what: string): Uint8Array {
    return this.bytes(this.u16(`${what} length`), what);
  }
  rest(): Uint8Array {
    return this.bytes(this.left, "rest");
  }
  end(type: string): void {
    if (this.left !== 0) throw new BodyError(`${this.left} extra bytes after ${type}`);
  }
}

function expectFlags(header: number, want: number, type: string): void {
  if ((header & 0x0f) !== want) throw new BodyError(`${type} with reserved flags 0x${(header & 0x0f).toString(16)}`);
}

/** Decode one framed packet body. Throws BodyError on content errors. */
function decodeBody(type: PacketType, header: number, body: Uint8Array, raw: Uint8Array): PacketSummary {
  const p: PacketSummary = { type, header, length: body.length, raw };
  const c = new Body(body);
  switch (type) {
    case "connect": {
      expectFlags(header, 0, type);
      p.protocolName = c.str("protocol name");
      p.protocolLevel = c.u8("protocol level");
      const flags = c.u8("connect flags");
      if (flags & 0x01) throw new BodyError("connect flags reserved bit set");
      p.cleanSession = (flags & 0x02) !== 0;
      p.keepalive = c.u16("keepalive");
      p.clientId = c.str("client id");
      if (flags & 0x04) {
        const qos = (flags >> 3) & 0x03;
        if (qos === 3) throw new BodyError("will QoS 3");
        const topic = c.str("will topic");
        p.will = { topic, payload: c.str("will message"), qos, retain: (flags & 0x20) !== 0 };
      } else if (flags & 0x38) {
        throw new BodyError("will QoS/retain set without a will");
      }
      if (flags & 0x80) p.username = c.str("user name");
      if (flags & 0x40) p.password = c.str("password");
      c.end(type);
      return p;
    }
    case "connack": {
      expectFlags(header, 0, type);
      const ack = c.u8("acknowledge flags");
      if (ack & 0xfe) throw new BodyError("connack reserved flags set");
      p.sessionPresent = (ack & 1) === 1;
      p.returnCode = c.u8("return code");
      c.end(type);
      return p;
    }
    case "publish": {
      const qos = (header >> 1) & 0x03;
      if (qos === 3) throw new BodyError("publish QoS 3");
      p.qos = qos;
      p.retain = (header & 0x01) !== 0;
      p.dup = (header & 0x08) !== 0;
      p.topic = c.str("topic");
      if (qos > 0) p.messageId = c.u16("packet id");
      p.payload = c.rest();
      return p;
    }
    case "puback":
    case "pubrec":
    case "pubcomp":
    case "unsuback":
    case "pubrel": {
      expectFlags(header, type === "pubrel" ? 0x02 : 0, type);
      p.messageId = c.u16("packet id");
      c.end(type);
      return p;
    }
    case "subscribe": {
      expectFlags(header, 0x02, type);
      p.messageId = c.u16("packet id");
      p.subscriptions = [];
      do {
        const topic = c.str("topic filter");
        const qos = c.u8("requested QoS");
        if (qos > 2) throw new BodyError(`requested QoS byte 0x${qos.toString(16)}`);
        p.subscriptions.push({ topic, qos });
      } while (c.left > 0);
      return p;
    }
    case "suback": {
      expectFlags(header, 0, type);
      p.messageId = c.u16("packet id");
      p.returnCodes = Array.from(c.rest());
      if (p.returnCodes.length === 0) throw new BodyError("suback without return codes");
      for (const rc of p.returnCodes) {
        if (rc > 2 && rc !== 0x80) throw new BodyError(`suback return code 0x${rc.toString(16)}`);
      }
      return p;
    }
    case "unsubscribe": {
      expectFlags(header, 0x02, type);
      p.messageId = c.u16("packet id");
      p.unsubscriptions = [];
      do p.unsubscriptions.push(c.str("topic filter"));
      while (c.left > 0);
      return p;
    }
    case "pingreq":
    case "pingresp":
    case "disconnect":
      expectFlags(header, 0, type);
      c.end(type);
      return p;
  }
}

/**
 * Streaming decoder: feed chunks as they arrive, get packets or typed errors.
 * After a fatal error (bad remaining length, oversize) it reports nothing more
 * until `reset()`: the rest of the stream cannot be framed.
 */
export class StreamDecoder {
  // Received bytes live in buf[start, filled); buf grows by doubling, so a large
  // packet arriving in many small chunks is copied O(1) times per byte, not
  // once per chunk.
  private buf = new Uint8Array(0);
  private start = 0;
  private filled = 0;
  /** Stream offset of buf[0]. */
  private base = 0;
  private failedWith: PacketError | null = null;
  private readonly maxLength: number;
  /** Where the packet next() returned ends. */
  private nextAt = 0;

  constructor(options: DecoderOptions = {}) {
    this.maxLength = Math.min(options.maxLength ?? MAX_REMAINING, MAX_REMAINING);
  }

  /** The fatal error that stopped this decoder, if any. */
  get failed(): PacketError | null {
    return this.failedWith;
  }

  /** Bytes received but not yet part of a whole packet. */
  get pending(): number {
    return this.failedWith ? 0 : this.filled - this.start;
  }

  /** Start over, e.g. on a new connection. */
  reset(): void {
    this.buf = new Uint8Array(0);
    this.start = 0;
    this.filled = 0;
    this.base = 0;
    this.failedWith = null;
  }

  push(chunk: Uint8Array | string): DecodeEvent[] {
    if (this.failedWith) return [];
    const bytes = bytesOf(chunk);
    const out: DecodeEvent[] = [];
    if (this.start === this.filled) {
      // Nothing pending: frame straight from the chunk and buffer only an
      // unfinished packet at its end.
      this.base += this.start;
      this.start = this.filled = 0;
      const used = this.drain(bytes, 0, bytes.length, this.base, out);
      if (this.failedWith) return out;
      this.base += used;
      this.append(bytes.subarray(used));
    } else {
      this.append(bytes);
      this.start = this.drain(this.buf, this.start, this.filled, this.base, out);
    }
    this.compact();
    return out;
  }

  /** Decodes src[at, size) (src[0] at stream offset `base`) into `out`; returns where it stopped. */
  private drain(src: Uint8Array, at: number, size: number, base: number, out: DecodeEvent[]): number {
    for (;;) {
      const ev = this.next(src, at, size, base);
      if (!ev) return at;
      out.push(ev);
      if (ev.error?.fatal) return at;
      at = this.nextAt;
    }
  }

  /** The input is over: a partial packet left behind is a "truncated" error. */
  end(): DecodeEvent[] {
    if (this.failedWith || this.pending === 0) return [];
    const err = new PacketError("truncated", `stream ended ${this.pending} bytes into a packet`, this.base + this.start, true, this.buf.slice(this.start, this.filled));
    this.failedWith = err;
    return [{ error: err }];
  }

  private append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const live = this.filled - this.start;
    if (this.filled + chunk.length > this.buf.length) {
      const need = live + chunk.length;
      // Move the live bytes to the front; grow (doubling) only when they cannot fit.
      if (need <= this.buf.length) this.buf.copyWithin(0, this.start, this.filled);
      else {
        const grown = new Uint8Array(Math.max(need, 2 * this.buf.length, 64));
        grown.set(this.buf.subarray(this.start, this.filled), 0);
        this.buf = grown;
      }
      this.base += this.start;
      this.start = 0;
      this.filled = live;
    }
    this.buf.set(chunk, this.filled);
    this.filled += chunk.length;
  }

  /** Release a large buffer once it holds nothing (a big packet passed through). */
  private compact(): void {
    if (this.start !== this.filled || this.buf.length <= 64 * 1024) return;
    this.base += this.start;
    this.buf = new Uint8Array(0);
    this.start = 0;
    this.filled = 0;
  }

  /** One packet or error from src[at, size), or null when more bytes are needed. */
  private next(b: Uint8Array, at: number, size: number, base: number): DecodeEvent | null {
    const offset = base + at;
    if (size - at < 2) return null;
    const header = b[at];
    let length = 0;
    let i = 1;
    for (;;) {
      if (at + i >= size) return null;
      const byte = b[at + i];
      length += (byte & 0x7f) * 2 ** (7 * (i - 1));
      i++;
      if (!(byte & 0x80)) break;
      if (i > 4) {
        return this.fail(new PacketError("bad-remaining-length", "remaining length uses more than 4 bytes", offset, true, b.slice(at, at + i)));
      }
    }
    if (length > this.maxLength) {
      return this.fail(new PacketError("oversize", `remaining length ${length} above the limit ${this.maxLength}`, offset, true, b.slice(at, at + i)));
    }
    if (size - at < i + length) return null;
    const raw = packetBytes(i + length);
    raw.set(b.subarray(at, at + i + length));
    this.nextAt = at + i + length;
    const type = TYPES[header >> 4];
    if (!type) {
      return { error: new PacketError("reserved-type", `packet type ${header >> 4} is reserved`, offset, false, raw) };
    }
    try {
      return { packet: decodeBody(type, header, raw.subarray(i), raw) };
    } catch (e) {
      if (!(e instanceof BodyError)) throw e;
      return { error: new PacketError("malformed", e.message, offset, false, raw) };
    }
  }

  private fail(err: PacketError): DecodeEvent {
    this.failedWith = err;
    return { error: err };
  }
}

/** Decode a buffer holding whole packets. Throws the first PacketError. */
export function decodePackets(data: Uint8Array | string, options: DecoderOptions = {}): PacketSummary[] {
  const d = new StreamDecoder(options);
  const out: PacketSummary[] = [];
  for (const ev of [...d.push(data), ...d.end()]) {
    if (ev.error) throw ev.error;
    out.push(ev.packet);
  }
  return out;
}

/** Text for a trace: UTF-8 when valid, else `0x` and hex. */
export function bytesForTrace(b: Uint8Array): string {
  const s = utf8OrNull(b);
  return s ?? `0x${toHex(b)}`;
}

/** The flat fields the trace's `mqtt` event carries. */
export function summaryFields(p: PacketSummary): Record<string, string | number | boolean> {
  const f: Record<string, string | number | boolean> = {};
  if (p.topic) f.topic = bytesForTrace(p.topic);
  if (p.payload) {
    f.payload = bytesForTrace(p.payload);
    f.bytes = p.payload.length;
  }
  if (p.qos !== undefined) f.qos = p.qos;
  if (p.retain !== undefined) f.retain = p.retain;
  if (p.dup) f.dup = true;
  if (p.messageId !== undefined) f.messageId = p.messageId;
  if (p.sessionPresent !== undefined) f.sessionPresent = p.sessionPresent;
  if (p.returnCode !== undefined) f.returnCode = p.returnCode;
  if (p.returnCodes) f.returnCodes = p.returnCodes.join(",");
  if (p.subscriptions) f.topics = p.subscriptions.map((s) => `${bytesForTrace(s.topic)}@${s.qos}`).join(",");
  if (p.unsubscriptions) f.topics = p.unsubscriptions.map(bytesForTrace).join(",");
  if (p.clientId) f.clientId = bytesForTrace(p.clientId);
  if (p.cleanSession !== undefined) f.cleanSession = p.cleanSession;
  if (p.keepalive !== undefined) f.keepalive = p.keepalive;
  if (p.protocolLevel !== undefined) f.protocolLevel = p.protocolLevel;
  if (p.will) {
    f.willTopic = bytesForTrace(p.will.topic);
    f.willPayload = bytesForTrace(p.will.payload);
    f.willQos = p.will.qos;
    f.willRetain = p.will.retain;
  }
  if (p.username) f.username = bytesForTrace(p.username);
  if (p.password) f.password = "*".repeat(p.password.length);
  return f;
}
