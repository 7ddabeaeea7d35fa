// The codec against mqtt-packet, in one process: encoding a PUBLISH (30 B and
// 1 KB payloads, QoS 1) and decoding a stream of such packets fed in
// 1,460-byte chunks (a typical TCP segment), as the trace taps see them.
// Figures are packets per second, the median of alternating rounds; the
// ratio is ours / mqtt-packet (> 1: ours faster).
//
//   node --import tsx bench/codec.ts [--json] [--packets 20000] [--rounds 5]

import mqttPacket from "mqtt-packet";
import { encodePublish } from "../src/client/packet.ts";
import { StreamDecoder } from "../src/client/decoder.ts";
import { emitResult, fixed, int, median, numberArg, table } from "./lib.ts";

export interface CodecRow {
  what: string;
  oursPerS: number;
  peerPerS: number;
}

const TOPIC = "bench/codec/topic";
const CHUNK = 1460;

/** Packets per second of `run`, which handles `n` packets per call. */
function rate(n: number, run: () => number): number {
  const t = performance.now();
  const done = run();
  const ms = performance.now() - t;
  if (done !== n) throw new Error(`expected ${n} packets, handled ${done}`);
  return (n * 1000) / ms;
}

/** Median rates of ours and the peer's, alternating rounds after one warm-up call each. */
function compare(n: number, rounds: number, ours: () => number, peer: () => number): { oursPerS: number; peerPerS: number } {
  ours();
  peer();
  const o: number[] = [];
  const p: number[] = [];
  for (let r = 0; r < rounds; r++) {
    o.push(rate(n, ours));
    p.push(rate(n, peer));
  }
  return { oursPerS: median(o), peerPerS: median(p) };
}

function encodeRows(size: number, n: number, rounds: number): CodecRow {
  const payload = Buffer.alloc(size, 0x61);
  const ours = () => {
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += encodePublish(TOPIC, payload, false, 1, (i % 65535) + 1).length;
    return bytes > 0 ? n : 0;
  };
  const peer = () => {
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += mqttPacket.generate({ cmd: "publish", topic: TOPIC, payload, qos: 1, messageId: (i % 65535) + 1, retain: false, dup: false }).length;
    return bytes > 0 ? n : 0;
  };
  return { what: `encode PUBLISH ${size} B`, ...compare(n, rounds, ours, peer) };
}

function decodeRows(size: number, n: number, rounds: number): CodecRow {
  const payload = Buffer.alloc(size, 0x61);
  const one = encodePublish(TOPIC, payload, false, 1, 7);
  const stream = Buffer.alloc(one.length * n);
  for (let i = 0; i < n; i++) stream.set(one, i * one.length);
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; at += CHUNK) chunks.push(stream.subarray(at, at + CHUNK));
  const ours = () => {
    const d = new StreamDecoder();
    let count = 0;
    for (const c of chunks) for (const ev of d.push(c)) if (ev.packet && ev.packet.payload!.length === size) count++;
    return count;
  };
  const peer = () => {
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    let count = 0;
    parser.on("packet", (p) => {
      if (p.cmd === "publish" && p.payload.length === size) count++;
    });
    for (const c of chunks) parser.parse(c);
    return count;
  };
  return { what: `stream-decode PUBLISH ${size} B`, ...compare(n, rounds, ours, peer) };
}

export function formatCodec(rows: CodecRow[]): string {
  return table(
    ["what", "ours pkt/s", "mqtt-packet pkt/s", "ours / mqtt-packet"],
    rows.map((r) => [r.what, int(r.oursPerS), int(r.peerPerS), `${fixed(r.oursPerS / r.peerPerS, 2)}x`]),
  );
}

export function measureCodec(n: number, rounds: number): CodecRow[] {
  return [encodeRows(30, n, rounds), encodeRows(1024, n, rounds), decodeRows(30, n, rounds), decodeRows(1024, n, rounds)];
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const rows = measureCodec(numberArg("packets", 20_000), numberArg("rounds", 5));
  if (process.argv.includes("--json")) emitResult(rows);
  else console.log(formatCodec(rows));
}
