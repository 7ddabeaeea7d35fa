// Runs a scenario's steps in order on the run's clock. Each step either
// passes, or fails with one line saying what was expected and what was seen.

import type { Clock } from "../clock/clock.ts";
import type { StepResult } from "./result.ts";
import { formatDuration } from "../scenario/duration.ts";
import { describeStep, type FaultKind, type PinTarget, type Step } from "../scenario/types.ts";
import type { Trace, TraceEvent } from "../trace.ts";
import { waitFor } from "./wait.ts";
import { tracedPayload } from "./mqtt-tap.ts";

/** What steps need from the boards and the bench. */
export interface StepHost {
  clock: Clock;
  trace: Trace;
  /** Throws StepFailure when the board has no such button. */
  setControl(board: string, control: string, pressed: boolean): void;
  pinLevel(target: PinTarget): 0 | 1;
  injectFault(board: string, fault: FaultKind, durationMs?: number): void;
  heap(board: string): { used: number; free: number; peakUsed: number };
  publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): Promise<void>;
  /** The uncaught exception that stopped a board's firmware, if it crashed. */
  crashed(board: string): string | undefined;
  /** Every board's name. */
  boardNames(): readonly string[];
  /** Why this step cannot be done here (a real board cannot lose its DNS on request), or undefined. Such a step is skipped, never passed. */
  skipReason?(step: Step): string | undefined;
}

export class StepFailure extends Error {
  override name = "StepFailure";
}

/** Where later waits start looking, so the same line or message is not matched twice. */
interface Cursors {
  /** Per board name, and "*" for waits on any board. */
  serial: Map<string, number>;
  /** Per receiving board name, "*" for the bench's subscriber, "*+bench" when the bench's own count. */
  message: Map<string, number>;
  /** Per board name. */
  packet: Map<string, number>;
  echoes: BenchEchoes;
}

type MqttEvent = Extract<TraceEvent, { kind: "mqtt" }>;

const isPublish = (e: TraceEvent): e is MqttEvent => e.kind === "mqtt" && e.type === "publish";

/**
 * Which of the bench subscriber's messages are copies of the bench's own
 * publishes: the bench subscribes to "#", so it receives what it publishes.
 * Reads the trace once, in order: each bench publish leaves one pending copy,
 * and the first message with the same topic and payload is that copy.
 */
class BenchEchoes {
  private readonly pending = new Map<string, number>();
  private readonly echoes = new Set<number>();
  private next = 0;

  constructor(private readonly trace: Trace) {}

  isEcho(index: number): boolean {
    const events = this.trace.events;
    for (; this.next <= index && this.next < events.length; this.next++) {
      const e = events[this.next];
      if (!isPublish(e) || e.board !== "bench") continue;
      const key = `${e.fields.topic}\u0000${e.fields.payload}`;
      if (e.dir === "out") {
        this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
      } else if ((this.pending.get(key) ?? 0) > 0) {
        this.pending.set(key, this.pending.get(key)! - 1);
        this.echoes.add(this.next);
      }
    }
    return this.echoes.has(index);
  }
}

/** Last lines a board (or every board) printed, for a failure that waited on its output. */
function lastLines(trace: Trace, board: string | undefined, count: number): string {
  const lines: string[] = [];
  const events = trace.events;
  for (let i = events.length - 1; i >= 0 && lines.length < count; i--) {
    const e = events[i];
    if (e.kind === "print" && (board === undefined || e.board === board)) lines.unshift(board === undefined ? `${e.board}: ${e.text}` : e.text);
  }
  return lines.length ? lines.map((l) => JSON.stringify(l)).join(", ") : "nothing";
}

/**
 * Wraps a wait's check: once the board it waits on has crashed (or, for a
 * wait on any board, every board has), the wait fails at once with the crash.
 */
function unlessCrashed<T>(host: StepHost, board: string | undefined, check: () => T | undefined): () => T | undefined {
  return () => {
    const found = check();
    if (found !== undefined) return found;
    const boards = board === undefined ? host.boardNames() : [board];
    const crashes = boards.map((b) => [b, host.crashed(b)] as const);
    if (crashes.every(([, crash]) => crash !== undefined)) {
      throw new StepFailure(crashes.map(([b, crash]) => `${b} crashed: ${crash}`).join("; "));
    }
    return undefined;
  };
}

export async function runStep(host: StepHost, step: Step, cursors: Cursors): Promise<void> {
  const { clock, trace } = host;
  switch (step.type) {
    case "delay":
      await clock.sleep(step.ms);
      return;

    case "wait-serial": {
      const key = step.board ?? "*";
      const isLine = printed(step.board, step.text);
      const found = await waitFor(clock, trace, unlessCrashed(host, step.board, scanFrom(trace, cursors.serial.get(key) ?? 0, isLine)), step.timeoutMs);
      if (found === undefined) {
        throw new StepFailure(
          `no serial line containing "${step.text}" within ${formatDuration(step.timeoutMs)}; last printed: ${lastLines(trace, step.board, 3)}`,
        );
      }
      cursors.serial.set(key, found + 1);
      return;
    }

    case "expect-no-serial": {
      const found = await waitFor(clock, trace, scanFrom(trace, trace.events.length, printed(step.board, step.text)), step.forMs);
      if (found !== undefined) {
        const line = trace.events[found];
        throw new StepFailure(`unexpected serial line ${JSON.stringify(line.kind === "print" ? line.text : "")}`);
      }
      return;
    }

    case "set-control":
      host.setControl(step.board, step.control, step.value === 1);
      return;

    case "press":
      host.setControl(step.board, step.control, true);
      await clock.sleep(step.holdMs);
      host.setControl(step.board, step.control, false);
      return;

    case "expect-pin": {
      const level = host.pinLevel(step.target);
      if (level !== step.value) throw new StepFailure(`expected ${step.value}, found ${level}`);
      return;
    }

    case "wait-pin": {
      const ok = await waitFor(
        clock,
        trace,
        unlessCrashed(host, step.target.board, () => (host.pinLevel(step.target) === step.value ? true : undefined)),
        step.timeoutMs,
      );
      if (!ok) {
        throw new StepFailure(`still ${host.pinLevel(step.target)} after ${formatDuration(step.timeoutMs)}`);
      }
      return;
    }

    case "publish":
      await host.publish(step.topic, step.payload, step.qos, step.retain);
      return;

    case "expect-message": {
      // A board's received messages are on its link; the bench's subscriber sees everything, minus its own publishes unless asked.
      const key = step.board ?? (step.fromBench ? "*+bench" : "*");
      const payload = step.payload === undefined ? undefined : tracedPayload(step.payload);
      const isMessage = (e: TraceEvent, index: number): boolean =>
        isPublish(e) &&
        e.dir === "in" &&
        e.board === (step.board ?? "bench") &&
        e.fields.topic === step.topic &&
        (payload === undefined || (e.fields.payload ?? "") === payload) &&
        (step.board !== undefined || step.fromBench || !cursors.echoes.isEcho(index));
      const found = await waitFor(clock, trace, unlessCrashed(host, step.board, scanFrom(trace, cursors.message.get(key) ?? 0, isMessage)), step.timeoutMs);
      if (found === undefined) {
        const seen = trace.events
          .slice(cursors.message.get(key) ?? 0)
          .filter((e): e is MqttEvent => isPublish(e) && e.dir === "in" && e.board === (step.board ?? "bench"))
          .map((m) => `${m.fields.topic} "${m.fields.payload ?? ""}"`);
        throw new StepFailure(
          `no matching message ${step.board ? `received by ${step.board} ` : ""}within ${formatDuration(step.timeoutMs)}; saw ${seen.length ? seen.slice(-3).join(", ") : "none"}`,
        );
      }
      cursors.message.set(key, found + 1);
      return;
    }

    case "fault":
      host.injectFault(step.board, step.fault, step.durationMs);
      return;

    case "wait-net": {
      const seen = await waitFor(
        clock,
        trace,
        unlessCrashed(host, step.board, scanFrom(trace, trace.events.length, (e) => e.kind === "net" && e.board === step.board && e.event === step.event)),
        step.timeoutMs,
      );
      if (seen === undefined) throw new StepFailure(`no "${step.event}" network event within ${formatDuration(step.timeoutMs)}`);
      return;
    }

    case "wait-mqtt": {
      const isPacket = (e: TraceEvent): boolean =>
        e.kind === "mqtt" &&
        e.board === step.board &&
        e.type === step.packet &&
        (step.dir === undefined || e.dir === step.dir) &&
        (step.topic === undefined || e.fields.topic === step.topic);
      const seen = await waitFor(clock, trace, unlessCrashed(host, step.board, scanFrom(trace, cursors.packet.get(step.board) ?? 0, isPacket)), step.timeoutMs);
      if (seen === undefined) throw new StepFailure(`no ${step.packet} packet within ${formatDuration(step.timeoutMs)}`);
      cursors.packet.set(step.board, seen + 1);
      return;
    }

    case "expect-heap": {
      const heap = host.heap(step.board);
      if (step.maxUsed !== undefined && heap.peakUsed > step.maxUsed) {
        throw new StepFailure(`heap peak ${heap.peakUsed} B exceeds ${step.maxUsed} B`);
      }
      if (step.minFree !== undefined && heap.free < step.minFree) {
        throw new StepFailure(`free heap ${heap.free} B is below ${step.minFree} B`);
      }
      return;
    }
  }
}

/** A printed line containing `text`, on `board` or (undefined) any board. */
function printed(board: string | undefined, text: string): (e: TraceEvent) => boolean {
  return (e) => e.kind === "print" && (board === undefined || e.board === board) && e.text.includes(text);
}

/**
 * A check for waitFor: the trace index of the first event from `from` on that
 * matches. It remembers how far it looked, so each wake-up scans only new events.
 */
function scanFrom(trace: Trace, from: number, matches: (e: TraceEvent, index: number) => boolean): () => number | undefined {
  let next = from;
  return () => {
    const events = trace.events;
    for (; next < events.length; next++) if (matches(events[next], next)) return next;
    return undefined;
  };
}

/**
 * Runs the steps in order, stopping at the first failure. Each step's start,
 * pass or fail is a `step` trace event: that is the one record of progress
 * (the session builds its results from it). Returns the failure, if any.
 */
export async function runSteps(host: StepHost, steps: readonly Step[], isStopped: () => boolean): Promise<StepResult | undefined> {
  const cursors: Cursors = { serial: new Map(), message: new Map(), packet: new Map(), echoes: new BenchEchoes(host.trace) };
  for (const [index, step] of steps.entries()) {
    if (isStopped()) return undefined;
    const description = describeStep(step);
    const skip = host.skipReason?.(step);
    if (skip !== undefined) {
      host.trace.emit({ t: host.clock.now(), kind: "step", index, step: description, status: "skipped", detail: skip });
      continue;
    }
    host.trace.emit({ t: host.clock.now(), kind: "step", index, step: description, status: "start" });
    try {
      await runStep(host, step, cursors);
    } catch (error) {
      if (isStopped()) return undefined; // the run's deadline ended it; the session marks it
      const detail = error instanceof StepFailure ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
      host.trace.emit({ t: host.clock.now(), kind: "step", index, step: description, status: "fail", detail });
      return { index, description, status: "fail", atMs: host.clock.now(), detail };
    }
    if (isStopped()) return undefined;
    host.trace.emit({ t: host.clock.now(), kind: "step", index, step: description, status: "pass" });
  }
  return undefined;
}
