// Decodes the bytes crossing a board's link into `mqtt` trace events. One tap
// per connection: each direction is its own packet stream. Every packet is
// recorded whole (`raw` is its full hex). A packet the decoder rejects is
// recorded too, as type "malformed" with the decoder's error and the bytes,
// next to an `error` event; it never throws into the network.

import { StreamDecoder, summaryFields, type PacketError, type PacketSummary } from "../../client/index.ts";
import type { Clock } from "../clock/clock.ts";
import type { Direction, Trace } from "../trace.ts";

/** The decoded payload text is cut for reading; `raw` always holds every byte. */
const PAYLOAD_TEXT_CHARS = 256;

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…(+${text.length - limit})`;
}

/** A payload as a trace event shows it, so steps can compare the two. */
export function tracedPayload(text: string): string {
  return clip(text, PAYLOAD_TEXT_CHARS);
}

/** Lowercase hex, as toHex() gives, from Node's native encoder: every packet of a run is traced this way. */
function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

export type Tap = (dir: Direction, bytes: Uint8Array) => void;

function record(clock: Clock, trace: Trace, board: string, dir: Direction, packet: PacketSummary): void {
  const fields = summaryFields(packet);
  if (typeof fields.payload === "string") fields.payload = clip(fields.payload, PAYLOAD_TEXT_CHARS);
  trace.emit({ t: clock.now(), kind: "mqtt", board, dir, type: packet.type, fields, raw: hex(packet.raw) });
}

function reject(clock: Clock, trace: Trace, board: string, dir: Direction, error: PacketError): void {
  const t = clock.now();
  const fields = { error: error.code, detail: error.message, offset: error.offset, bytes: error.raw.length };
  trace.emit({ t, kind: "mqtt", board, dir, type: "malformed", fields, raw: hex(error.raw) });
  trace.emit({ t, kind: "error", board, message: `malformed MQTT ${dir === "out" ? "from board" : "to board"}: ${error.message}` });
}

/** One closure per connection; record() and reject() are shared (thousands of boards may share a process). */
export function createMqttTap(clock: Clock, trace: Trace, board: string): Tap {
  const out = new StreamDecoder();
  const inbound = new StreamDecoder();
  return (dir, bytes) => {
    for (const event of (dir === "out" ? out : inbound).push(bytes)) {
      if (event.packet) record(clock, trace, board, dir, event.packet);
      else reject(clock, trace, board, dir, event.error);
    }
  };
}
