// Heap checkpoints of an emulated VM board: the same `heap` checkpoint events
// a run on a real board records (boot, connect, tick, exit), with the figure
// gc.mem_free() gives, so `diff` (and `ab`) compare the heap stream.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compareTraces } from "../../src/compare/compare.ts";
import { readTraceFile } from "../../src/compare/read-trace.ts";
import type { TraceEvent } from "../../src/emulator/trace.ts";
import { cli } from "../cli/cli-process.ts";

const FIXTURES = join(import.meta.dirname, "fixtures");
const tmp = mkdtempSync(join(tmpdir(), "umqtt-bench-heapcheck-"));
const trace = (name: string) => join(tmp, `${name}.jsonl`);
const events = (name: string): TraceEvent[] => readFileSync(trace(name), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as TraceEvent);
const checkpoints = (name: string) => events(name).filter((e): e is Extract<TraceEvent, { kind: "heap" }> => e.kind === "heap" && e.op === "checkpoint");

beforeAll(async () => {
  const runs = await Promise.all([
    cli("run", "example_sub_led", "--seed", "3", "--quiet", "--trace", trace("sub-a")),
    cli("run", "example_sub_led", "--seed", "3", "--quiet", "--trace", trace("sub-b")),
    cli("run", join(FIXTURES, "heap_blink.yaml"), "--seed", "3", "--quiet", "--trace", trace("blink")),
    cli("run", join(FIXTURES, "heap_blink_ballast.yaml"), "--seed", "3", "--quiet", "--trace", trace("ballast")),
    cli("run", join(FIXTURES, "heap_exit.yaml"), "--seed", "3", "--quiet", "--trace", trace("exit")),
  ]);
  expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
}, 120_000);

describe("heap checkpoints of a VM board", () => {
  it("are taken at boot, when the firmware resolves its server, and at pin writes at most once a second", () => {
    const list = checkpoints("sub-a");
    expect(list[0]).toMatchObject({ what: "boot", board: "board1", used: 0 });
    expect(list[1]).toMatchObject({ what: "connect" });
    expect(list[1].free).toBeLessThan(list[0].free); // umqtt and the firmware are loaded by then
    const ticks = list.filter((c) => c.what === "tick");
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i].t - ticks[i - 1].t).toBeGreaterThanOrEqual(1000);
    // Each tick follows a pin change at the same moment.
    const pins = events("sub-a").filter((e) => e.kind === "pin");
    for (const tick of ticks) expect(pins.some((p) => p.t === tick.t)).toBe(true);
    for (const c of list) expect(c.used).toBe(list[0].free - c.free);
  });

  it("give at exit the figure gc.mem_free() gave the firmware", () => {
    const printed = events("exit").find((e) => e.kind === "print" && e.text.startsWith("free "));
    const exit = checkpoints("exit").find((c) => c.what === "exit");
    expect(printed).toBeDefined();
    expect(exit).toBeDefined();
    expect(`free ${exit!.free}`).toBe((printed as { text: string }).text);
  });

  it("make two runs of one scenario with one seed compare heap, equal", async () => {
    const { equivalent, streams, notCompared } = compareTraces(readTraceFile(trace("sub-a")), readTraceFile(trace("sub-b")));
    expect(equivalent).toBe(true);
    const heap = streams.find((s) => s.stream === "board1 heap");
    expect(heap).toMatchObject({ compared: true, equal: true });
    expect(heap!.a).toBeGreaterThanOrEqual(2);
    expect(notCompared.filter((n) => n.includes("heap"))).toEqual([]);
    const run = await cli("diff", trace("sub-a"), trace("sub-b"));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}= {2}board1 heap +\d+ \| \d+$/m);
  });

  it("report a firmware that keeps 8 KB more live data as a heap difference beyond the tolerance", async () => {
    const { equivalent, first, streams } = compareTraces(readTraceFile(trace("blink")), readTraceFile(trace("ballast")));
    expect(equivalent).toBe(false);
    expect(streams.filter((s) => !s.equal).map((s) => s.stream)).toEqual(["board1 heap"]);
    expect(first!.stream).toBe("board1 heap");
    const apart = /^free heap ([\d,]+) B apart at the end of step 2, tolerance 10%$/.exec(first!.reason);
    expect(apart).not.toBeNull();
    // The VM's heap holds the 8 KB in fewer bytes than its figure; still far beyond 10% of ~26 KB free.
    expect(Number(apart![1].replace(/,/g, ""))).toBeGreaterThan(6000);
    const run = await cli("diff", trace("blink"), trace("ballast"));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^First divergence: board1 heap #1 /m);
  });

  it("are compared against a board's as heap used since the firmware's start, since its free heap also pays for the bench's instrumentation", () => {
    // The same run as a board would record it: its checkpoints carry the board's ticks (and ~8 KB less free, the firmware's use the same).
    const asBoard = readTraceFile(trace("sub-a")).map((n) =>
      n.event.kind === "heap" ? { ...n, event: { ...n.event, free: n.event.free - 8192, boardMs: Math.round(n.event.t) } } : n,
    );
    const { equivalent, streams, normalised } = compareTraces(readTraceFile(trace("sub-b")), asBoard);
    expect(equivalent).toBe(true);
    expect(streams.find((s) => s.stream === "board1 heap")).toMatchObject({ compared: true, equal: true });
    expect(normalised).toContain("board1 heap: a board against the emulator: compared as heap used since the firmware's start, since the board's free heap also pays for the bench's instrumentation");
    // Two board runs are compared: the same 8 KB is then a difference.
    const otherBoard = readTraceFile(trace("sub-b")).map((n) => (n.event.kind === "heap" ? { ...n, event: { ...n.event, boardMs: Math.round(n.event.t) } } : n));
    expect(compareTraces(otherBoard, asBoard).first?.stream).toBe("board1 heap");
  });
});
