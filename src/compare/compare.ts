// Compares two traces: after normalisation (normalise.ts), each stream must
// hold the same events in the same order; pin changes may differ in timing
// within a tolerance, heap checkpoints in free bytes within another. The
// result names every stream's first difference and the earliest of them.

import { normaliseTrace, type Item, type NormalisedTrace } from "./normalise.ts";
import type { NumberedEvent } from "./read-trace.ts";

export interface Tolerances {
  /** How far apart the same pin change may be, in ms after the event that caused it. */
  pinMs: number;
  /** How far apart free heap at the same checkpoint may be, in percent of the larger figure. */
  heapPercent: number;
}

export const DEFAULT_TOLERANCES: Tolerances = { pinMs: 200, heapPercent: 10 };

export interface SideEvent {
  line: number;
  t: number;
  show: string;
  during?: string;
  /** MQTT packets: the normalised bytes in hex. */
  hex?: string;
}

export interface Difference {
  stream: string;
  /** Position in the stream, from 0. */
  index: number;
  reason: string;
  /** The step running at the divergence, numbered from 1 ("11 wait-pin board1.led on"), on A if A has the event, else on B. */
  during?: string;
  a?: SideEvent;
  b?: SideEvent;
}

export interface StreamSummary {
  stream: string;
  a: number;
  b: number;
  /** No difference found. */
  equal: boolean;
  /** False for a heap stream with no checkpoint read on both sides: nothing in it was compared. */
  compared: boolean;
}

export interface Comparison {
  equivalent: boolean;
  events: { a: number; b: number };
  tolerances: Tolerances;
  /** What was taken out before comparing, one sentence each. */
  normalised: string[];
  /** What could not be compared (a step one side skipped, heap with no common checkpoint), one sentence each. */
  notCompared: string[];
  streams: StreamSummary[];
  /** Each stream's first difference, earliest first. */
  differences: Difference[];
  /** The first divergence and the events around it on both sides. */
  first?: Difference & { context: { a: SideEvent[]; b: SideEvent[] } };
}

/** Events shown before and after the first divergence. */
export const CONTEXT_BEFORE = 2;

export function compareTraces(a: readonly NumberedEvent[], b: readonly NumberedEvent[], tolerances: Tolerances = DEFAULT_TOLERANCES): Comparison {
  const rename = pairBoards(boardsOf(a), boardsOf(b));
  const na = normaliseTrace(a);
  const nb = normaliseTrace(b, rename);
  const notCompared = [...leaveOutSkippedSteps(na, nb), ...listBenchErrors(na, nb)];
  const names = [...new Set([...na.streams.keys(), ...nb.streams.keys()])].sort(streamOrder);
  const streams: StreamSummary[] = [];
  const differences: Difference[] = [];
  const mixedHeaps: string[] = [];
  for (const name of names) {
    const ia = na.streams.get(name) ?? [];
    const ib = nb.streams.get(name) ?? [];
    const heap = name.endsWith(" heap");
    const mixed = heap && ia.length > 0 && ib.length > 0 && boardRun(a) !== boardRun(b);
    const difference = heap ? compareHeap(name, ia, ib, tolerances, mixed ? "used" : "free") : compareInOrder(name, ia, ib, tolerances);
    const compared = !heap || ia.some((x) => ib.some((y) => y.key === x.key));
    if (mixed) mixedHeaps.push(`${name}: ${MIXED_HEAP}`);
    if (!compared) notCompared.push(`${name}: no step ends with a reading on both sides (A ${ia.length}, B ${ib.length} checkpoints)`);
    streams.push({ stream: name, a: ia.length, b: ib.length, equal: difference === undefined, compared });
    if (difference) differences.push({ ...difference, ...(difference.a?.during ?? difference.b?.during ? { during: difference.a?.during ?? difference.b?.during } : {}) });
  }
  // Earliest in scenario time on either side (each side's clock starts at its first step), then by A's line.
  const at = (d: Difference): number => Math.min(d.a ? d.a.t - na.origin : Infinity, d.b ? d.b.t - nb.origin : Infinity);
  differences.sort((x, y) => at(x) - at(y) || (x.a?.line ?? Infinity) - (y.a?.line ?? Infinity));
  const first = differences[0];
  return {
    equivalent: differences.length === 0,
    events: { a: a.length, b: b.length },
    tolerances,
    normalised: [...describeNormalisation(na, nb, rename), ...mixedHeaps],
    notCompared,
    streams,
    differences,
    first: first && { ...first, context: { a: around(na, first), b: around(nb, first) } },
  };
}

const MIXED_HEAP = "a board against the emulator: compared as heap used since the firmware's start, since the board's free heap also pays for the bench's instrumentation";

/** A run on a board: its heap checkpoints carry the board's own ticks. */
function boardRun(trace: readonly NumberedEvent[]): boolean {
  return trace.some(({ event }) => event.kind === "heap" && event.op === "checkpoint" && event.boardMs !== undefined);
}

/** A step either side skipped says nothing about the other: its outcome is compared on neither. */
function leaveOutSkippedSteps(a: NormalisedTrace, b: NormalisedTrace): string[] {
  const notes: string[] = [];
  const skipped = new Set([...a.skipped.keys(), ...b.skipped.keys()]);
  for (const index of [...skipped].sort((x, y) => x - y)) {
    const sides = [a.skipped.has(index) ? `A (${a.skipped.get(index)})` : "", b.skipped.has(index) ? `B (${b.skipped.get(index)})` : ""].filter(Boolean);
    notes.push(`step ${index + 1}: skipped on ${sides.join(" and ")}`);
  }
  for (const trace of [a, b]) {
    const steps = trace.streams.get("steps");
    if (steps) trace.streams.set("steps", steps.filter((item) => item.stepIndex === undefined || !skipped.has(item.stepIndex)));
  }
  return notes;
}

const ERRORS_LISTED = 5;

function listBenchErrors(a: NormalisedTrace, b: NormalisedTrace): string[] {
  const lines: string[] = [];
  for (const [label, trace] of [["A", a], ["B", b]] as const) {
    for (const e of trace.errors.slice(0, ERRORS_LISTED)) lines.push(`bench error, ${label} line ${e.line}${e.board ? ` (${e.board})` : ""}: ${e.message}`);
    if (trace.errors.length > ERRORS_LISTED) lines.push(`bench errors, ${label}: ${trace.errors.length - ERRORS_LISTED} more`);
  }
  return lines;
}

function compareInOrder(stream: string, a: readonly Item[], b: readonly Item[], tolerances: Tolerances): Difference | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y) {
      const missing = x ? "B" : "A";
      return { stream, index: i, reason: `${missing} has only ${Math.min(a.length, b.length)} ${stream} event(s), ${missing === "A" ? "B" : "A"} has ${Math.max(a.length, b.length)}`, a: side(x), b: side(y) };
    }
    if (x.key !== y.key) return { stream, index: i, reason: keyReason(stream, x, y), a: side(x), b: side(y) };
    if (x.delayMs !== undefined && y.delayMs !== undefined && Math.abs(x.delayMs - y.delayMs) > tolerances.pinMs) {
      return {
        stream,
        index: i,
        reason: `same change, ${ms(x.delayMs)} after its cause in A, ${ms(y.delayMs)} in B: ${ms(Math.abs(x.delayMs - y.delayMs))} apart, tolerance ${tolerances.pinMs} ms`,
        a: side(x),
        b: side(y),
      };
    }
  }
  return undefined;
}

/** Heap checkpoints are compared where both traces have a reading at the end of the same step. */
/**
 * Free heap at each checkpoint both sides have, within the tolerance (a percentage of the larger figure).
 * Between a board and the emulator, the heap used since the firmware's start instead (the board's free heap
 * also pays for the bench's instrumentation), within the same percentage of the larger heap at that start.
 */
function compareHeap(stream: string, a: readonly Item[], b: readonly Item[], tolerances: Tolerances, measure: "free" | "used"): Difference | undefined {
  const byKey = new Map(b.map((item) => [item.key, item]));
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = byKey.get(x.key);
    if (!y || x.free === undefined || y.free === undefined || x.used === undefined || y.used === undefined) continue;
    const apart = measure === "free" ? Math.abs(x.free - y.free) : Math.abs(x.used - y.used);
    const scale = measure === "free" ? Math.max(x.free, y.free) : Math.max(x.free + x.used, y.free + y.used);
    if (apart > (scale * tolerances.heapPercent) / 100) {
      const what = measure === "free" ? "free heap" : "heap used since the firmware's start";
      const of = measure === "free" ? "" : " of the heap at the start";
      return { stream, index: i, reason: `${what} ${apart.toLocaleString("en-US")} B apart at the ${x.key}, tolerance ${tolerances.heapPercent}%${of}`, a: side(x), b: side(y) };
    }
  }
  return undefined;
}

function keyReason(stream: string, x: Item, y: Item): string {
  if (x.bytes && y.bytes) {
    let at = 0;
    while (at < x.bytes.length && at < y.bytes.length && x.bytes[at] === y.bytes[at]) at++;
    return `packets differ from byte ${at} (A ${x.bytes.length} bytes, B ${y.bytes.length} bytes)`;
  }
  if (stream.endsWith(" pins")) return "a different pin change";
  if (stream.endsWith(" prints")) return "a different line";
  if (stream === "steps") return "a different step outcome";
  return "a different event";
}

function side(item: Item | undefined): SideEvent | undefined {
  if (!item) return undefined;
  const timing = item.delayMs !== undefined ? `  (+${ms(item.delayMs)})` : "";
  return { line: item.line, t: item.t, show: `${item.show}${timing}`, ...(item.during ? { during: item.during } : {}), ...(item.bytes ? { hex: item.key } : {}) };
}

function around(trace: NormalisedTrace, d: Difference): SideEvent[] {
  const items = trace.streams.get(d.stream) ?? [];
  return items.slice(Math.max(0, d.index - CONTEXT_BEFORE), d.index + CONTEXT_BEFORE + 1).map((item) => side(item)!);
}

function boardsOf(events: readonly NumberedEvent[]): string[] {
  const names = new Set<string>();
  for (const { event } of events) if ("board" in event && event.board !== undefined && event.board !== "bench") names.add(event.board);
  return [...names];
}

/** Boards compare by name; when each trace has exactly one board the other lacks, they are the same board under two names. */
function pairBoards(a: readonly string[], b: readonly string[]): Map<string, string> {
  const onlyA = a.filter((n) => !b.includes(n));
  const onlyB = b.filter((n) => !a.includes(n));
  return onlyA.length === 1 && onlyB.length === 1 ? new Map([[onlyB[0], onlyA[0]]]) : new Map();
}

function describeNormalisation(a: NormalisedTrace, b: NormalisedTrace, rename: ReadonlyMap<string, string>): string[] {
  const out = ["absolute times (pin changes compare by delay after their cause; net events are not compared)"];
  for (const [from, to] of rename) out.push(`board ${from} (B) compared as ${to}`);
  for (const board of new Set([...a.clientIds.keys(), ...b.clientIds.keys()])) {
    const ia = a.clientIds.get(board) ?? [];
    const ib = b.clientIds.get(board) ?? [];
    if (ia.length + ib.length > 0) out.push(`${board} client id${Math.max(ia.length, ib.length) > 1 ? "s" : ""}: ${ia.join(", ") || "none"} (A), ${ib.join(", ") || "none"} (B)`);
  }
  out.push("addresses and ports in printed lines, traceback frames");
  return out;
}

/** Boards in name order, the bench after them, then the steps; within a board, packets before pins, prints, board events and heap. */
function streamOrder(x: string, y: string): number {
  const rank = (s: string): [number, string, number] => {
    if (s === "steps") return [2, "", 0];
    const kinds = ["mqtt out", "mqtt in", "pins", "prints", "board", "heap"];
    const kind = kinds.findIndex((k) => s.endsWith(` ${k}`));
    const board = s.slice(0, s.length - kinds[kind].length - 1);
    return [board === "bench" ? 1 : 0, board, kind];
  };
  const [a0, a1, a2] = rank(x);
  const [b0, b1, b2] = rank(y);
  return a0 - b0 || a1.localeCompare(b1, "en", { numeric: true }) || a2 - b2;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}
