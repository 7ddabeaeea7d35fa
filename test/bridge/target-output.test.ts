// The host side of a board's serial line during a run: bytes as they come
// off the wire, in any chunking, become the trace events of an emulated run.
import { describe, expect, it } from "vitest";
import { loadBoard } from "../../src/emulator/board/board-file.ts";
import { RealClock } from "../../src/emulator/clock/real-clock.ts";
import { Trace } from "../../src/emulator/trace.ts";
import { encodeFrame } from "../../src/bridge/frames.ts";
import { BoardOutput } from "../../src/bridge/target/board-output.ts";

const ascii = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/** A serial stream as a board running the shim sends it. */
const stream = cat(
  ascii("MPY: soft reboot\r\nboot.py says hi\r\n"),
  encodeFrame({ k: "boot", ms: 100 }),
  encodeFrame({ k: "heap", what: "boot", free: 30000, ms: 101 }),
  encodeFrame({ k: "pin", pin: 2, v: 1, ms: 102 }), // the LED's idle level: no change
  ascii("Connected to broker.local\r\n(b'led', "),
  encodeFrame({ k: "pin", pin: 2, v: 0, ms: 150 }),
  ascii("b'on')\r\n"),
  encodeFrame({ k: "heap", what: "tick", free: 28000, ms: 160 }),
  encodeFrame({ k: "crash", exc: "OSError: -1", ms: 170 }),
  ascii("MicroPython v1.24.1 on 2024-11-29; ESP module with ESP8266\r\n>>> "),
);

function decode(chunks: Uint8Array[]) {
  const trace = new Trace();
  const output = new BoardOutput(new RealClock(), trace, "board1", loadBoard("esp8266"));
  for (const c of chunks) output.push(c);
  output.flush();
  return { trace, output };
}

describe("BoardOutput", () => {
  it("turns prints and reports into trace events, whatever the chunking, and ignores what is not the firmware's", () => {
    const whole = decode([stream]);
    const summary = (t: Trace) => t.events.map((e) => ({ ...e, t: 0 }));
    for (const size of [1, 3, 7, 64]) {
      const chunks = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
      expect(summary(decode(chunks).trace)).toEqual(summary(whole.trace));
    }
    const { trace, output } = whole;
    expect(trace.events.map((e) => e.kind)).toEqual(["board", "heap", "print", "pin", "print", "heap", "board"]);
    expect(trace.of("print").map((e) => e.text)).toEqual(["Connected to broker.local", "(b'led', b'on')"]);
    expect(trace.of("pin")).toMatchObject([{ pin: 2, value: 0, role: "led", name: "led", boardMs: 150 }]);
    // "used" counts from the boot checkpoint, as an emulated board's heap does.
    expect(trace.of("heap").map((e) => [e.op, e.used, e.free])).toEqual([
      ["checkpoint", 0, 30000],
      ["checkpoint", 2000, 28000],
    ]);
    expect(trace.of("board").map((e) => [e.event, e.detail, e.boardMs])).toEqual([
      ["boot", undefined, 100],
      ["crash", "OSError: -1", 170],
    ]);
    expect(output.crashed).toBe("OSError: -1");
    expect(output.heap).toEqual({ used: 2000, free: 28000, peakUsed: 2000 });
    expect(output.level(2)).toBe(0);
    expect(output.level(0)).toBe(1); // the button, released, reads high (active-low)
  });

  it("records a line that never ends in pieces rather than holding it", () => {
    const { trace } = decode([encodeFrame({ k: "boot", ms: 0 }), ascii("x".repeat(10_000))]);
    expect(trace.of("print").map((e) => e.text.length)).toEqual([4096, 4096, 1808]);
  });
});
