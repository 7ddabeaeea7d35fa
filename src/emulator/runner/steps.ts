// Runs a scenario's steps in order on the run's clock. Each step either
// passes, or fails with one line saying what was expected and what was seen.

import type { Clock } from "../clock/clock.ts";
import type { StepResult } from "./result.ts";
import { formatDuration } from "../scenario/duration.ts";
import { describeStep, type FaultKind, type PinTarget, type Step } from "../scenario/types.ts";
import type { Trace, TraceEvent } from "../trace.ts";
import { waitFor } from "./wait.ts";

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
  /** Messages the bench's subscriber received, in order. */
  messages(): readonly { t: number; topic: string; payload: string }[];
}

export class StepFailure extends Error {
  override name = "StepFailure";
}

/** Where later waits start looking, so the same line or message is not matched twice. */
interface Cursors {
  /** Per board name, and "*" for waits on any board. */
  serial: Map<string, number>;
  message: number;
  /** Per board name. */
  packet: Map<string, number>;
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
      const found = await waitFor(clock, trace, scanFrom(trace, cursors.serial.get(key) ?? 0, isLine), step.timeoutMs);
      if (found === undefined) {
        throw new StepFailure(`no serial line containing "${step.text}" within ${formatDuration(step.timeoutMs)}`);
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
      const ok = await waitFor(clock, trace, () => (host.pinLevel(step.target) === step.value ? true : undefined), step.timeoutMs);
      if (!ok) {
        throw new StepFailure(`still ${host.pinLevel(step.target)} after ${formatDuration(step.timeoutMs)}`);
      }
      return;
    }

    case "publish":
      await host.publish(step.topic, step.payload, step.qos, step.retain);
      return;

    case "expect-message": {
      const match = (): number | undefined => {
        const messages = host.messages();
        for (let i = cursors.message; i < messages.length; i++) {
          const m = messages[i];
          if (m.topic === step.topic && (step.payload === undefined || m.payload === step.payload)) return i;
        }
        return undefined;
      };
      const found = await waitFor(clock, trace, match, step.timeoutMs);
      if (found === undefined) {
        const seen = host.messages().slice(cursors.message).map((m) => `${m.topic} "${m.payload}"`);
        throw new StepFailure(
          `no matching message within ${formatDuration(step.timeoutMs)}; saw ${seen.length ? seen.slice(-3).join(", ") : "none"}`,
        );
      }
      cursors.message = found + 1;
      return;
    }

    case "fault":
      host.injectFault(step.board, step.fault, step.durationMs);
      return;

    case "wait-net": {
      const seen = await waitFor(
        clock,
        trace,
        scanFrom(trace, trace.events.length, (e) => e.kind === "net" && e.board === step.board && e.event === step.event),
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
      const seen = await waitFor(clock, trace, scanFrom(trace, cursors.packet.get(step.board) ?? 0, isPacket), step.timeoutMs);
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
function scanFrom(trace: Trace, from: number, matches: (e: TraceEvent) => boolean): () => number | undefined {
  let next = from;
  return () => {
    const events = trace.events;
    for (; next < events.length; next++) if (matches(events[next])) return next;
    return undefined;
  };
}

/**
 * Runs the steps in order, stopping at the first failure. Each step's start,
 * pass or fail is a `step` trace event: that is the one record of progress
 * (the session builds its results from it). Returns the failure, if any.
 */
export async function runSteps(host: StepHost, steps: readonly Step[], isStopped: () => boolean): Promise<StepResult | undefined> {
  const cursors: Cursors = { serial: new Map(), message: 0, packet: new Map() };
  for (const [index, step] of steps.entries()) {
    if (isStopped()) return undefined;
    const description = describeStep(step);
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
