// MQTT 3.1.1 encoding of exactly the bytes umqtt.simple writes.
//
// Each `*Writes` function returns the buffers in the order and split that
// umqtt passes to `sock.write()`, so the client can charge each buffer to the
// heap and a connection reset mid-packet cuts the stream where a device would.
// `encode*` joins them into one packet for tests and for bench-side tools.
//
// Why not mqtt-packet's `generate` here: umqtt's output is not always a valid
// MQTT packet and mqtt-packet refuses or mangles those cases. umqtt packs
// packet ids with struct "!H" without a range check, so id 65536 goes out as
// 0 (mqtt-packet silently drops the id field instead); before 1.8.0 it packs
// SUBSCRIBE's remaining length into a single byte; it sets the password flag whenever a
// user is set; it length-prefixes str values with len() in code points.

import { IndexError, pyAssert } from "./errors.ts";
import { bytesOf, concat, pyLen, truthy, type Text } from "./bytes.ts";

/** MQTT's variable-length "remaining length" (1 to 4 bytes, 7 bits each). */
export function encodeRemainingLength(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 268_435_455) throw new RangeError(`remaining length out of range: ${n}`);
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Uint8Array.from(out);
}

/** struct.pack("!H", n) as MicroPython does it: no range check, the low 16 bits. */
export function pack16(n: number): Uint8Array {
  return Uint8Array.of((n >>> 8) & 0xff, n & 0xff);
}

/** umqtt's `_send_str(s)`: two writes, a 16-bit len(s) then s itself. */
export function strWrites(s: Text): [Uint8Array, Uint8Array] {
  return [pack16(pyLen(s)), bytesOf(s)];
}

export interface Will {
  topic: Text;
  msg: Text;
  retain: boolean;
  qos: number;
}

export interface ConnectFields {
  clientId: Text;
  cleanSession: boolean;
  keepalive: number;
  will?: Will | null;
  user?: Text | null;
  password?: Text | null;
}

/**
 * The fixed header and the 9 fixed variable-header bytes of CONNECT, as umqtt
 * builds them: `premsg` is 0x10, the remaining length, and one 0x00 that is
 * the high byte of the protocol name length; `msg` is `04 'MQTT' 04 flags ka ka`.
 */
export function connectHead(f: ConnectFields): { premsg: Uint8Array; msg: Uint8Array } {
  let sz = 10 + 2 + pyLen(f.clientId);
  let flags = (f.cleanSession ? 1 : 0) << 1;
  if (truthy(f.user)) {
    // umqtt sets user AND password flags together and calls len(self.pswd):
    // with no password that is len(None), a TypeError on the device.
    if (f.password === null || f.password === undefined) {
      throw new TypeError("object of type 'NoneType' has no len()");
    }
    sz += 2 + pyLen(f.user) + 2 + pyLen(f.password);
    flags |= 0xc0;
  }
  let ka = 0;
  if (f.keepalive) {
    pyAssert(f.keepalive < 65536);
    ka = f.keepalive;
  }
  const will = f.will;
  if (will && truthy(will.topic)) {
    sz += 2 + pyLen(will.topic) + 2 + pyLen(will.msg);
    flags |= 0x4 | ((will.qos & 0x1) << 3) | ((will.qos & 0x2) << 3);
    flags |= (will.retain ? 1 : 0) << 5;
  }
  const rl = encodeRemainingLength(sz);
  const premsg = new Uint8Array(1 + rl.length + 1);
  premsg[0] = 0x10;
  premsg.set(rl, 1);
  const msg = Uint8Array.of(0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, flags & 0xff, (ka >> 8) & 0xff, ka & 0xff);
  return { premsg, msg };
}

/** Every write of a CONNECT, in umqtt's order. */
export function connectWrites(f: ConnectFields): Uint8Array[] {
  const { premsg, msg } = connectHead(f);
  const out = [premsg, msg, ...strWrites(f.clientId)];
  if (f.will && truthy(f.will.topic)) out.push(...strWrites(f.will.topic), ...strWrites(f.will.msg));
  if (truthy(f.user)) out.push(...strWrites(f.user), ...strWrites(f.password as Text));
  return out;
}

/**
 * PUBLISH fixed header: `0x30 | qos<<1 | retain` and the remaining length,
 * asserted < 2,097,152 as umqtt does (its header buffer has room for 3 length bytes).
 */
export function publishHeader(topic: Text, msg: Text, retain: boolean, qos: number): Uint8Array {
  let sz = 2 + pyLen(topic) + pyLen(msg);
  if (qos > 0) sz += 2;
  pyAssert(sz < 2097152);
  const rl = encodeRemainingLength(sz);
  const out = new Uint8Array(1 + rl.length);
  out[0] = (0x30 | (qos << 1) | (retain ? 1 : 0)) & 0xff;
  out.set(rl, 1);
  return out;
}

/** Every write of a PUBLISH; `pid` is ignored at QoS 0. */
export function publishWrites(topic: Text, msg: Text, retain: boolean, qos: number, pid: number): Uint8Array[] {
  const out = [publishHeader(topic, msg, retain, qos), ...strWrites(topic)];
  if (qos > 0) out.push(pack16(pid));
  out.push(bytesOf(msg));
  return out;
}

/**
 * umqtt before 1.8.0: SUBSCRIBE head `82 len id id` as one write, the
 * remaining length packed with "!BH", i.e. into ONE byte: topics of 123 bytes
 * or more give a broken packet.
 */
export function legacySubscribeHead(topic: Text, pid: number): Uint8Array {
  return Uint8Array.of(0x82, (2 + 2 + pyLen(topic) + 1) & 0xff, (pid >>> 8) & 0xff, pid & 0xff);
}

/** umqtt before 1.8.0: UNSUBSCRIBE head `a2 len id id`, the same one-byte length packing. */
export function legacyUnsubscribeHead(topic: Text, pid: number): Uint8Array {
  return Uint8Array.of(0xa2, (2 + 2 + pyLen(topic)) & 0xff, (pid >>> 8) & 0xff, pid & 0xff);
}

/**
 * umqtt 1.8.0: the fixed header (type, remaining length as a variable-length
 * integer) and the packet id, as the two writes it makes from one
 * bytearray(4). A length needing 4 bytes overflows that buffer: IndexError.
 */
export function subUnsubHead(type: 0x82 | 0xa2, topic: Text, pid: number): [Uint8Array, Uint8Array] {
  const rl = encodeRemainingLength(4 + pyLen(topic) + (type === 0x82 ? 1 : 0));
  if (rl.length > 3) throw new IndexError("bytearray index out of range");
  const head = new Uint8Array(1 + rl.length);
  head[0] = type;
  head.set(rl, 1);
  return [head, pack16(pid)];
}

/** Every write of a SUBSCRIBE; `vbi` false is the one-byte length of umqtt before 1.8.0. */
export function subscribeWrites(topic: Text, qos: number, pid: number, vbi = true): Uint8Array[] {
  const head = vbi ? subUnsubHead(0x82, topic, pid) : [legacySubscribeHead(topic, pid)];
  return [...head, ...strWrites(topic), Uint8Array.of(qos & 0xff)];
}

/** Every write of an UNSUBSCRIBE; `vbi` as for SUBSCRIBE. */
export function unsubscribeWrites(topic: Text, pid: number, vbi = true): Uint8Array[] {
  const head = vbi ? subUnsubHead(0xa2, topic, pid) : [legacyUnsubscribeHead(topic, pid)];
  return [...head, ...strWrites(topic)];
}

/** PUBACK `40 02 id id`, sent after the callback for a received QoS 1 PUBLISH. */
export function puback(pid: number): Uint8Array {
  return Uint8Array.of(0x40, 0x02, (pid >>> 8) & 0xff, pid & 0xff);
}

export const PINGREQ: Uint8Array = Uint8Array.of(0xc0, 0x00);
export const DISCONNECT: Uint8Array = Uint8Array.of(0xe0, 0x00);

export const encodeConnect = (f: ConnectFields): Uint8Array => concat(connectWrites(f));
export const encodeSubscribe = (topic: Text, qos: number, pid: number, vbi = true): Uint8Array =>
  concat(subscribeWrites(topic, qos, pid, vbi));
export const encodeUnsubscribe = (topic: Text, pid: number, vbi = true): Uint8Array => concat(unsubscribeWrites(topic, pid, vbi));

/**
 * Bytes for one encoded packet. Small ones come from Node's shared Buffer
 * pool (as mqtt-packet's do): a fresh ArrayBuffer per packet costs more than
 * encoding it. The result is a plain Uint8Array view; callers must not assume
 * it owns its `.buffer`.
 */
export function packetBytes(n: number): Uint8Array {
  if (n >= 4096) return new Uint8Array(n);
  const b = Buffer.allocUnsafe(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

const utf8 = new TextEncoder();

/** Byte length and Python len() of a str or bytes value, without encoding it. */
function measure(x: Text): [bytes: number, pyLength: number] {
  if (typeof x !== "string") return [x.length, x.length];
  const bytes = Buffer.byteLength(x, "utf8");
  // UTF-8 takes as many bytes as UTF-16 units only when every char is ASCII.
  return [bytes, bytes === x.length ? x.length : pyLen(x)];
}

/** Writes a str (UTF-8) or bytes value at `at`; returns the offset after it. */
function put(out: Uint8Array, at: number, x: Text, bytes: number): number {
  if (typeof x !== "string") out.set(x, at);
  else if (bytes === x.length && bytes <= 64) for (let i = 0; i < bytes; i++) out[at + i] = x.charCodeAt(i);
  else utf8.encodeInto(x, out.subarray(at, at + bytes));
  return at + bytes;
}

/**
 * One PUBLISH as a single buffer: the same bytes as `concat(publishWrites(...))`
 * (tests check both), built with one allocation for the trace, tests and tools.
 */
export function encodePublish(topic: Text, msg: Text, retain: boolean, qos: number, pid = 0): Uint8Array {
  const [topicBytes, topicLen] = measure(topic);
  const [msgBytes, msgLen] = measure(msg);
  let sz = 2 + topicLen + msgLen;
  if (qos > 0) sz += 2;
  pyAssert(sz < 2097152);
  const rlBytes = sz < 0x80 ? 1 : sz < 0x4000 ? 2 : 3;
  const out = packetBytes(1 + rlBytes + 2 + topicBytes + (qos > 0 ? 2 : 0) + msgBytes);
  out[0] = (0x30 | (qos << 1) | (retain ? 1 : 0)) & 0xff;
  let at = 1;
  let n = sz;
  do {
    out[at++] = (n & 0x7f) | (n > 0x7f ? 0x80 : 0);
    n >>>= 7;
  } while (n > 0);
  out[at++] = (topicLen >>> 8) & 0xff;
  out[at++] = topicLen & 0xff;
  at = put(out, at, topic, topicBytes);
  if (qos > 0) {
    out[at++] = (pid >>> 8) & 0xff;
    out[at++] = pid & 0xff;
  }
  put(out, at, msg, msgBytes);
  return out;
}
