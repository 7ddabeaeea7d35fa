// What the comparison treats as the same and what as different, on small
// hand-written traces. Whole runs are compared in runs-*.test.ts.

import { describe, expect, it } from "vitest";
import { compareTraces } from "../../src/compare/compare.ts";
import { parseTrace } from "../../src/compare/read-trace.ts";
import type { TraceEvent } from "../../src/emulator/trace.ts";

const enc = new TextEncoder();
const trace = (...events: TraceEvent[]) => parseTrace(events.map((e) => JSON.stringify(e)).join("\n"), "t");

function connect(board: string, t: number, clientId: string): TraceEvent {
  const body = [...Buffer.from("00044d5154540402003c", "hex"), 0, clientId.length, ...enc.encode(clientId)];
  return { t, kind: "mqtt", board, dir: "out", type: "connect", fields: { clientId }, raw: Buffer.from([0x10, body.length, ...body]).toString("hex") };
}
const publishIn = (board: string, t: number): TraceEvent => ({ t, kind: "mqtt", board, dir: "in", type: "publish", fields: { topic: "led", payload: "on" }, raw: "300700036c65646f6e" });
const pin = (board: string, t: number, value: 0 | 1): TraceEvent => ({ t, kind: "pin", board, pin: 2, value });
const print = (board: string, t: number, text: string): TraceEvent => ({ t, kind: "print", board, text });
const step = (t: number, index: number, status: "start" | "pass" | "fail"): TraceEvent => ({ t, kind: "step", index, step: `wait-pin ${index}`, status });
const heap = (board: string, t: number, free: number): TraceEvent => ({ t, kind: "heap", board, op: "collect", used: 1000, free, largestFree: free });

/** A board that connects, gets "on" and lights its LED, `delay` ms after the message. */
function ledRun(board: string, start: number, clientId: string, delay: number): TraceEvent[] {
  return [
    { t: start, kind: "board", board, event: "boot" },
    connect(board, start + 10, clientId),
    print(board, start + 20, `Connected to 192.168.1.${start / 1000 + 1}:${1883 + start} as ${clientId}`),
    step(start + 20, 0, "start"),
    publishIn(board, start + 30),
    pin(board, start + 30 + delay, 0),
    step(start + 30 + delay, 0, "pass"),
  ];
}

describe("compareTraces", () => {
  it("finds a board under another name, another client id length and other times equivalent", () => {
    const c = compareTraces(trace(...ledRun("board1", 0, "a4a91009", 5)), trace(...ledRun("esp32-usb", 4000, "30aea4c8e1f0", 60)));
    expect(c.differences).toEqual([]);
    expect(c.equivalent).toBe(true);
    expect(c.normalised).toContain("board esp32-usb (B) compared as board1");
    expect(c.normalised).toContain("board1 client id: a4a91009 (A), 30aea4c8e1f0 (B)");
  });

  it("finds a pin change later than the tolerance after its cause different, and names both delays", () => {
    const c = compareTraces(trace(...ledRun("board1", 0, "id", 5)), trace(...ledRun("board1", 0, "id", 400)), { pinMs: 200, heapPercent: 10 });
    expect(c.equivalent).toBe(false);
    expect(c.first).toMatchObject({ stream: "board1 pins", index: 0, reason: "same change, 5 ms after its cause in A, 400 ms in B: 395 ms apart, tolerance 200 ms" });
    expect(compareTraces(trace(...ledRun("board1", 0, "id", 5)), trace(...ledRun("board1", 0, "id", 400)), { pinMs: 400, heapPercent: 10 }).equivalent).toBe(true);
  });

  it("names the earliest difference first, with the events around it", () => {
    const a = ledRun("board1", 0, "id", 5);
    const b = [...a.slice(0, 5), pin("board1", 35, 1), step(35, 0, "fail")];
    const c = compareTraces(trace(...a), trace(...b));
    expect(c.first).toMatchObject({ stream: "board1 pins", index: 0, reason: "a different pin change", a: { line: 6, show: "pin 2 = 0  (+5 ms)" }, b: { line: 6, show: "pin 2 = 1  (+5 ms)" } });
    expect(c.differences.map((d) => d.stream)).toEqual(["board1 pins", "steps"]);
    expect(c.first!.context.a.map((e) => e.line)).toEqual([6]);
  });

  it("reports a stream one side ended early as missing events", () => {
    const a = ledRun("board1", 0, "id", 5);
    const c = compareTraces(trace(...a), trace(...a.slice(0, 4)));
    expect(c.first).toMatchObject({ stream: "board1 mqtt in", index: 0, reason: "B has only 0 board1 mqtt in event(s), A has 1", a: { line: 5 } });
    expect(c.first!.b).toBeUndefined();
  });

  it("compares printed lines after taking out addresses, and nothing else", () => {
    const a = trace(print("board1", 0, "peer [fe80::1]:1883, via 10.0.0.7"), print("board1", 1, "temp 21.5"));
    const b = trace(print("board1", 0, "peer [::1]:50123, via 192.168.1.20:80"), print("board1", 1, "temp 21.6"));
    const c = compareTraces(a, b);
    expect(c.differences).toHaveLength(1);
    expect(c.first).toMatchObject({ stream: "board1 prints", index: 1, a: { show: '"temp 21.5"' }, b: { show: '"temp 21.6"' } });
  });

  it("compares a traceback by its first and last lines, not the frames between", () => {
    const tb = (frames: string[], last: string) => trace(...["Traceback (most recent call last):", ...frames, last, "after"].map((text, i) => print("board1", i, text)));
    const emulated = tb(['  File "main.py", line 16, in <module>'], "OSError: -1");
    const board = tb(['  File "/umqtt_bench/ubench_run.py", line 53, in main', '  File "main.py", line 16, in <module>', '  File "umqtt/simple.py", line 72, in _run'], "OSError: -1");
    expect(compareTraces(emulated, board).equivalent).toBe(true);
    const other = compareTraces(emulated, tb(['  File "main.py", line 16, in <module>'], "OSError: -202"));
    expect(other.first).toMatchObject({ stream: "board1 prints", index: 1, a: { show: '"OSError: -1"' }, b: { show: '"OSError: -202"' } });
  });

  it("compares free heap at the end of steps where both sides have a reading, within the tolerance", () => {
    const run = (free: number, extra: TraceEvent[] = []) => trace(step(0, 0, "start"), heap("board1", 5, free), step(10, 0, "pass"), step(10, 1, "start"), ...extra, step(20, 1, "pass"));
    expect(compareTraces(run(20_000), run(19_000)).equivalent).toBe(true); // 5% apart
    expect(compareTraces(run(20_000), run(20_000, [heap("board1", 15, 9_000)])).equivalent).toBe(true); // step 1: A has no reading
    const c = compareTraces(run(20_000), run(16_000));
    expect(c.first).toMatchObject({ stream: "board1 heap", reason: "free heap 4,000 B apart at the end of step 1, tolerance 10%" });
    expect(compareTraces(run(20_000), run(16_000), { pinMs: 200, heapPercent: 25 }).equivalent).toBe(true);
  });

  it("compares a board against the emulator by heap used since the firmware's start, not free heap", () => {
    // A board's checkpoints carry its own ticks (boardMs); its heap at the start is smaller: the bench's instrumentation holds some.
    const reading = (t: number, used: number, free: number, board = false): TraceEvent =>
      ({ t, kind: "heap", board: "board1", op: "checkpoint", what: "tick", used, free, largestFree: free, ...(board ? { boardMs: t } : {}) }) as TraceEvent;
    const run = (used: number, free: number, board = false) =>
      trace(step(0, 0, "start"), reading(1, 0, free + used, board), step(2, 0, "pass"), step(2, 1, "start"), reading(5, used, free, board), step(10, 1, "pass"));
    const emulated = run(4_000, 32_000);
    // 12 KB less free on the board, the same 4,000 B used: equivalent, and the report says how heap was compared.
    const same = compareTraces(emulated, run(4_200, 19_800, true));
    expect(same.equivalent).toBe(true);
    expect(same.streams.find((s) => s.stream === "board1 heap")).toMatchObject({ compared: true, equal: true });
    expect(same.normalised).toContain("board1 heap: a board against the emulator: compared as heap used since the firmware's start, since the board's free heap also pays for the bench's instrumentation");
    // 8,000 B more used on the board: beyond 10% of the larger heap at the start (36,000 B).
    const more = compareTraces(emulated, run(12_000, 12_000, true));
    expect(more.first).toMatchObject({ stream: "board1 heap", reason: "heap used since the firmware's start 8,000 B apart at the end of step 2, tolerance 10% of the heap at the start" });
  });

  it("leaves a step one side skipped out of the comparison and says so", () => {
    const steps = (status: "pass" | "skipped") =>
      trace(step(0, 0, "start"), step(1, 0, "pass"), step(1, 1, "start"), { t: 2, kind: "step", index: 1, step: "fault board1 wifi-down", status, detail: status === "skipped" ? "a board on serial cannot lose Wi-Fi here" : undefined } as unknown as TraceEvent, step(2, 2, "start"), step(3, 2, "pass"));
    const c = compareTraces(steps("pass"), steps("skipped"));
    expect(c.equivalent).toBe(true);
    expect(c.notCompared).toEqual(["step 2: skipped on B (fault board1 wifi-down: a board on serial cannot lose Wi-Fi here)"]);
    expect(c.streams.find((s) => s.stream === "steps")).toMatchObject({ a: 2, b: 2, equal: true });
  });

  it("says when heap readings never meet at a checkpoint", () => {
    const a = trace(step(0, 0, "start"), heap("board1", 5, 20_000), step(10, 0, "pass"), step(10, 1, "start"), step(20, 1, "pass"));
    const b = trace(step(0, 0, "start"), step(10, 0, "pass"), step(10, 1, "start"), heap("board1", 15, 5_000), step(20, 1, "pass"));
    const c = compareTraces(a, b);
    expect(c.equivalent).toBe(true);
    expect(c.notCompared).toEqual(["board1 heap: no step ends with a reading on both sides (A 1, B 1 checkpoints)"]);
    expect(c.streams.find((s) => s.stream === "board1 heap")).toEqual({ stream: "board1 heap", a: 1, b: 1, equal: true, compared: false });
  });

  it("lists errors the bench recorded without comparing them", () => {
    const run = (...extra: TraceEvent[]) => trace({ t: 0, kind: "board", board: "board1", event: "boot" }, ...extra, print("board1", 2, "ok"));
    const c = compareTraces(run(), run({ t: 1, kind: "error", board: "board1", message: "bench input unavailable: poll" }));
    expect(c.equivalent).toBe(true);
    expect(c.notCompared).toEqual(["bench error, B line 2 (board1): bench input unavailable: poll"]);
  });

  it("tells a crash from a clean exit, and compares its exception", () => {
    const end = (e: TraceEvent) => trace({ t: 0, kind: "board", board: "board1", event: "boot" }, e);
    const crash = (detail: string): TraceEvent => ({ t: 5, kind: "board", board: "board1", event: "crash", detail });
    expect(compareTraces(end(crash("OSError: -1")), end(crash("OSError: -1"))).equivalent).toBe(true);
    expect(compareTraces(end(crash("OSError: -1")), end(crash("MemoryError: memory allocation failed"))).first).toMatchObject({ stream: "board1 board", index: 1 });
    expect(compareTraces(end(crash("OSError: -1")), end({ t: 5, kind: "board", board: "board1", event: "exit" })).first).toMatchObject({ a: { show: "crash: OSError: -1" }, b: { show: "exit" } });
  });
});
