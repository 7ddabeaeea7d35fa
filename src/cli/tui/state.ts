// What the watch view remembers from the trace. The trace can carry thousands
// of events per second at max speed, so everything here is bounded and
// updated in place; the view re-renders on a timer and reads `version` to see
// whether anything changed.

import type { Scenario } from "../../emulator/scenario/types.ts";
import { describeStep } from "../../emulator/scenario/types.ts";
import type { TraceEvent } from "../../emulator/trace.ts";
import { printable } from "./format.ts";

export const MAX_TRAFFIC = 500;
export const MAX_PRINTS = 200;

export interface TrafficLine {
  /** Monotonic sequence number, for scrolling that stays put while lines arrive. */
  seq: number;
  t: number;
  board: string;
  dir: "out" | "in";
  type: string;
  topic?: string;
  payload?: string;
  /** Other decoded fields, already compact ("qos1 id=3 rc=0"). */
  extra: string;
}

export interface PrintLine {
  t: number;
  text: string;
  /** "error" for crashes and error events, shown in red. */
  tone?: "error" | "info";
}

export interface StepState {
  index: number;
  description: string;
  status: "pending" | "running" | "pass" | "fail";
  detail?: string;
  t?: number;
}

export interface BoardState {
  prints: PrintLine[];
  /** LED changes seen in the trace, per LED name. */
  ledChanges: Map<string, number>;
  lastLedLevel: Map<string, 0 | 1>;
  lastNet?: { t: number; event: string; detail?: string };
  crashed?: string;
  exited: boolean;
}

export class BoundedList<T> {
  private items: T[] = [];
  constructor(private readonly max: number) {}
  push(item: T): void {
    this.items.push(item);
    // Trim in batches so a busy stream does not shift the array on every push.
    if (this.items.length > this.max + Math.max(16, this.max >> 3)) this.items = this.items.slice(-this.max);
  }
  all(): readonly T[] {
    if (this.items.length > this.max) this.items = this.items.slice(-this.max);
    return this.items;
  }
  get length(): number {
    return Math.min(this.items.length, this.max);
  }
}

const SKIP_FIELDS = new Set(["topic", "payload", "raw", "length", "cmd"]);

function compactFields(fields: Record<string, string | number | boolean>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (SKIP_FIELDS.has(k)) continue;
    if (k === "qos") {
      if (v !== 0) parts.push(`qos${v}`);
      continue;
    }
    if (k === "retain" || k === "dup" || k === "clean" || k === "sessionPresent") {
      if (v === true) parts.push(k);
      continue;
    }
    if (v === false || v === "") continue;
    parts.push(`${k}=${printable(String(v))}`);
  }
  return parts.join(" ");
}

export class WatchStore {
  /** Bumped on every change that the view shows. */
  version = 0;
  readonly traffic = new BoundedList<TrafficLine>(MAX_TRAFFIC);
  private trafficSeq = 0;
  readonly boards = new Map<string, BoardState>();
  readonly steps: StepState[];
  readonly errors = new BoundedList<PrintLine>(20);
  /** Latest virtual timestamp seen in the trace. */
  lastT = 0;
  /** Counts of events seen, by kind (for the status line and tests). */
  readonly counts = new Map<string, number>();

  constructor(scenario: Pick<Scenario, "steps">, boardNames: readonly string[]) {
    this.steps = scenario.steps.map((step, index) => ({ index, description: describeStep(step), status: "pending" as const }));
    for (const name of boardNames) this.boardState(name);
  }

  get trafficTotal(): number {
    return this.trafficSeq;
  }

  boardState(name: string): BoardState {
    let state = this.boards.get(name);
    if (!state) {
      state = { prints: [], ledChanges: new Map(), lastLedLevel: new Map(), exited: false };
      this.boards.set(name, state);
    }
    return state;
  }

  /** The level an LED had before the first pin event the view sees, so that event counts as a change when it is one. */
  seedLed(board: string, led: string, level: 0 | 1): void {
    const state = this.boardState(board);
    if (!state.lastLedLevel.has(led)) state.lastLedLevel.set(led, level);
  }

  private print(board: string, line: PrintLine): void {
    const prints = this.boardState(board).prints;
    prints.push(line);
    if (prints.length > MAX_PRINTS + 32) prints.splice(0, prints.length - MAX_PRINTS);
  }

  prints(board: string): readonly PrintLine[] {
    const prints = this.boardState(board).prints;
    return prints.length > MAX_PRINTS ? prints.slice(-MAX_PRINTS) : prints;
  }

  apply(e: TraceEvent): void {
    this.counts.set(e.kind, (this.counts.get(e.kind) ?? 0) + 1);
    if (e.t > this.lastT) this.lastT = e.t;
    switch (e.kind) {
      case "mqtt": {
        const topic = e.fields.topic;
        const payload = e.fields.payload;
        this.traffic.push({
          seq: ++this.trafficSeq,
          t: e.t,
          board: e.board,
          dir: e.dir,
          type: e.type,
          topic: topic === undefined ? undefined : printable(String(topic)),
          payload: payload === undefined ? undefined : printable(String(payload)),
          extra: compactFields(e.fields),
        });
        break;
      }
      case "print":
        this.print(e.board, { t: e.t, text: printable(e.text) });
        break;
      case "pin": {
        if (e.role !== "led" || !e.name) return; // buttons are read from the board
        const state = this.boardState(e.board);
        if (state.lastLedLevel.get(e.name) !== e.value) {
          if (state.lastLedLevel.has(e.name)) state.ledChanges.set(e.name, (state.ledChanges.get(e.name) ?? 0) + 1);
          state.lastLedLevel.set(e.name, e.value);
        }
        break;
      }
      case "net":
        this.boardState(e.board).lastNet = { t: e.t, event: e.event, detail: e.detail };
        break;
      case "board": {
        const state = this.boardState(e.board);
        if (e.event === "crash") {
          state.crashed = e.detail ?? "crashed";
          this.print(e.board, { t: e.t, text: `crashed: ${printable(e.detail ?? "")}`, tone: "error" });
        } else if (e.event === "exit") {
          state.exited = true;
          this.print(e.board, { t: e.t, text: "firmware exited", tone: "info" });
        } else {
          state.exited = false;
          state.crashed = undefined;
          this.print(e.board, { t: e.t, text: "boot", tone: "info" });
        }
        break;
      }
      case "step": {
        const step = this.steps[e.index] ?? (this.steps[e.index] = { index: e.index, description: e.step, status: "pending" });
        step.status = e.status === "start" ? "running" : e.status === "skipped" ? "pending" : e.status;
        step.detail = e.detail;
        step.t = e.t;
        break;
      }
      case "error": {
        const line = { t: e.t, text: printable(e.message), tone: "error" as const };
        if (e.board && this.boards.has(e.board)) this.print(e.board, line);
        else this.errors.push(line);
        break;
      }
      case "heap":
        // Heap figures are read from the board on each frame; only OOMs are worth a line.
        if (e.op === "oom") this.print(e.board, { t: e.t, text: `MemoryError${e.bytes ? ` (${e.bytes} bytes)` : ""}`, tone: "error" });
        else return;
        break;
    }
    this.version++;
  }
}
