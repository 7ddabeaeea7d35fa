// Decodes the bytes crossing a board's link into `mqtt` trace events. One tap
// per connection: each direction is its own packet stream. A malformed stream
// is recorded as an error event; it never throws into the network.

import { StreamDecoder, summaryFields, toHex, type PacketSummary } from "../../client/index.ts";
import type { Clock } from "../clock/clock.ts";
import type { Direction, Trace } from "../trace.ts";

/** Large payloads are cut in the trace (the full bytes still reach the board). */
const TRACE_BYTES = 256;

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…(+${text.length - limit})`;
}

/** A payload as a trace event shows it, so steps can compare the two. */
export function tracedPayload(text: string): string {
  return clip(text, TRACE_BYTES);
}

export type Tap = (dir: Direction, bytes: Uint8Array) => void;

export function createMqttTap(clock: Clock, trace: Trace, board: string): Tap {
  const decoders: Record<Direction, StreamDecoder> = { out: new StreamDecoder(), in: new StreamDecoder() };
  const record = (dir: Direction, packet: PacketSummary): void => {
    const fields = summaryFields(packet);
    if (typeof fields.payload === "string") fields.payload = clip(fields.payload, TRACE_BYTES);
    const raw = packet.raw.length > TRACE_BYTES ? `${toHex(packet.raw.subarray(0, TRACE_BYTES))}…(+${packet.raw.length - TRACE_BYTES} bytes)` : toHex(packet.raw);
    trace.emit({ t: clock.now(), kind: "mqtt", board, dir, type: packet.type, fields, raw });
  };
  return (dir, bytes) => {
    for (const event of decoders[dir].push(bytes)) {
      if (event.packet) record(dir, event.packet);
      else trace.emit({ t: clock.now(), kind: "error", board, message: `malformed MQTT ${dir === "out" ? "from board" : "to board"}: ${event.error.message}` });
    }
  };
}
