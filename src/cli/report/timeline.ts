// Summaries read off the trace for reports and the UI.

import type { TraceEvent } from "../../emulator/trace.ts";

export interface LedChange {
  t: number;
  board: string;
  led: string;
  lit: boolean;
}

/** LED changes in order. `polarity` says, per "board.led", whether the LED is active-low. */
export function ledTimeline(events: readonly TraceEvent[], activeLow: (board: string, led: string) => boolean): LedChange[] {
  const changes: LedChange[] = [];
  const last = new Map<string, boolean>();
  for (const e of events) {
    if (e.kind !== "pin" || e.role !== "led" || !e.name) continue;
    const lit = activeLow(e.board, e.name) ? e.value === 0 : e.value === 1;
    const key = `${e.board}.${e.name}`;
    if (last.get(key) === lit) continue;
    last.set(key, lit);
    changes.push({ t: e.t, board: e.board, led: e.name, lit });
  }
  return changes;
}

export interface MessageSummary {
  t: number;
  board: string;
  dir: "out" | "in";
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

/** PUBLISH packets as they crossed each board's link. */
export function publishes(events: readonly TraceEvent[]): MessageSummary[] {
  const out: MessageSummary[] = [];
  for (const e of events) {
    if (e.kind !== "mqtt" || e.type !== "publish") continue;
    out.push({
      t: e.t,
      board: e.board,
      dir: e.dir,
      topic: String(e.fields.topic ?? ""),
      payload: String(e.fields.payload ?? ""),
      qos: Number(e.fields.qos ?? 0),
      retain: e.fields.retain === true,
    });
  }
  return out;
}
