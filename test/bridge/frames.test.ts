// The framing of instrumentation reports on the serial line: reports come
// out whole however the bytes are chunked, and every byte the firmware
// printed comes out as text, even bytes that look like the start of a frame.
// The Python writer is checked on a real VM in serve-board.e2e.test.ts.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameDecoder, encodeFrame, type SerialEvent } from "../../src/bridge/frames.ts";

const bytes = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));

function decodeAll(chunks: Uint8Array[]): { text: string; reports: unknown[] } {
  const d = new FrameDecoder();
  const events: SerialEvent[] = [...chunks.flatMap((c) => d.push(c)), ...d.flush()];
  return {
    text: Buffer.concat(events.filter((e) => e.kind === "text").map((e) => (e as { bytes: Uint8Array }).bytes)).toString("latin1"),
    reports: events.filter((e) => e.kind === "report").map((e) => (e as { value: unknown }).value),
  };
}

describe("report frames", () => {
  it("separates reports from prints, in order", () => {
    const d = new FrameDecoder();
    const events = d.push(Uint8Array.from([...bytes("boot\r\n"), ...encodeFrame({ pin: 2, value: 1 }), ...bytes("done\r\n")]));
    expect(events).toEqual([
      { kind: "text", bytes: bytes("boot\r\n") },
      { kind: "report", value: { pin: 2, value: 1 } },
      { kind: "text", bytes: bytes("done\r\n") },
    ]);
  });

  it("keeps printed bytes that only look like a frame", () => {
    const good = encodeFrame({ heap: 1234 });
    const badSum = Uint8Array.from(good);
    badSum[badSum.length - 2] ^= 1;
    const fakes = ["\x1e", "\x1eX", "\x1eUzz", "\x1eU0002{}", "\x1eU0002{}ff\x1f"];
    for (const fake of fakes) expect(decodeAll([bytes(`a${fake}b`)])).toEqual({ text: `a${fake}b`, reports: [] });
    expect(decodeAll([badSum])).toEqual({ text: Buffer.from(badSum).toString("latin1"), reports: [] });
    // A false start whose announced length swallows a real frame: the real one is still found.
    expect(decodeAll([Uint8Array.from([...bytes("\x1eU0040"), ...good, ...bytes("tail")])])).toEqual({ text: "\x1eU0040tail", reports: [{ heap: 1234 }] });
  });

  it("property: any prints and reports, chunked anyhow, come out as they went in", () => {
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 30 }).map((b) => ({ text: Buffer.from(b).toString("latin1") })),
      fc.string({ maxLength: 10 }).map((s) => ({ text: `\x1eU${s}` })),
      fc.record({ pin: fc.integer(), note: fc.string({ maxLength: 20 }) }).map((report) => ({ report })),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }), (pieces, cuts) => {
        const stream = Buffer.concat(pieces.map((p) => ("report" in p ? Buffer.from(encodeFrame(p.report)) : Buffer.from(p.text, "latin1"))));
        const chunks: Uint8Array[] = [];
        for (let at = 0, i = 0; at < stream.length; i++) {
          const n = cuts[i % cuts.length];
          chunks.push(Uint8Array.from(stream.subarray(at, at + n)));
          at += n;
        }
        const out = decodeAll(chunks);
        expect(out.reports).toEqual(pieces.filter((p) => "report" in p).map((p) => (p as { report: unknown }).report));
        expect(out.text).toBe(pieces.map((p) => ("text" in p ? p.text : "")).join(""));
      }),
      { numRuns: 300 },
    );
  });
});
