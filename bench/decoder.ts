// The MQTT stream decoder on one large PUBLISH arriving in TCP-sized chunks
// (1,460 bytes, a typical MSS), as the trace tap sees a big message. The time
// per MiB should stay flat as the packet grows: buffering is linear.
//
//   node --import tsx bench/decoder.ts [--json] [--sizes 1,8,32]

import { StreamDecoder, concat, encodeRemainingLength } from "../src/client/index.ts";
import { emitResult, fixed, table } from "./lib.ts";

export interface DecoderRow {
  mib: number;
  chunks: number;
  wallMs: number;
  msPerMib: number;
}

const CHUNK = 1460;

export function decodeInChunks(mib: number): DecoderRow {
  // Built by hand: umqtt's own encoder stops at 2 MiB, the decoder does not.
  const payload = new Uint8Array(mib * 1024 * 1024);
  const topic = Uint8Array.of(0, 3, 0x62, 0x69, 0x67); // "big"
  const packet = concat([Uint8Array.of(0x30), encodeRemainingLength(topic.length + payload.length), topic, payload]);
  const d = new StreamDecoder();
  const started = performance.now();
  let packets = 0;
  let chunks = 0;
  for (let at = 0; at < packet.length; at += CHUNK) {
    for (const ev of d.push(packet.subarray(at, at + CHUNK))) if (ev.packet) packets++;
    chunks++;
  }
  const wallMs = performance.now() - started;
  if (packets !== 1) throw new Error(`decoded ${packets} packets, expected 1`);
  return { mib, chunks, wallMs, msPerMib: wallMs / mib };
}

export function formatDecoder(rows: DecoderRow[]): string {
  return table(
    ["payload", "chunks of 1,460 B", "wall ms", "ms per MiB"],
    rows.map((r) => [`${r.mib} MiB`, String(r.chunks), fixed(r.wallMs, 1), fixed(r.msPerMib, 2)]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf("--sizes");
  const sizes = (i < 0 ? "1,8,32" : process.argv[i + 1]).split(",").map(Number);
  decodeInChunks(1); // warm up the JIT
  const rows = sizes.map(decodeInChunks);
  if (process.argv.includes("--json")) emitResult(rows);
  else console.log(formatDecoder(rows));
}
