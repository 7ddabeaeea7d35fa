// Messages between `umqtt-bench run` (the supervisor, main thread) and the
// session thread that runs the scenario. Plain data: they cross threads by
// structured clone.

import type { Session, SessionOptions } from "../../emulator/runner/session.ts";
import type { RunResult } from "../../emulator/runner/result.ts";
import type { Scenario } from "../../emulator/scenario/types.ts";
import type { TraceEvent } from "../../emulator/trace.ts";

/** One run: a scenario, its options (the seed among them) and the watchdog's shared cells (see watchdog.ts). */
export interface SessionRun {
  scenario: Scenario;
  options: Omit<SessionOptions, "trace">;
  heartbeat: SharedArrayBuffer;
}

/**
 * A session thread's workerData: one run given at start (`run`), or none for
 * a reusable thread (sweeps), which takes its runs one after another as
 * `{ type: "run" }` messages.
 */
export type SessionThreadData = SessionRun | { reusable: true };

/** What the report needs to know of a board before the run ends (and if it never ends). */
export interface BoardInfo {
  name: string;
  model: string;
  firmware: string;
  net: string;
  heapBudget: number;
  leds: { name: string; activeLow: boolean }[];
}

/** The report's view of a loaded session's boards (sent by the session thread, kept by an in-process run). */
export function boardInfos(session: Session): BoardInfo[] {
  return session.boardHosts.map((h) => ({
    name: h.name,
    model: h.model,
    firmware: h.firmware,
    net: h.network().profile,
    heapBudget: h.heap().budget,
    leds: h.leds.map((l) => ({ name: l.name, activeLow: l.activeLow })),
  }));
}

export type FromSessionThread =
  | { type: "ready"; boards: BoardInfo[]; broker: string; clock: "virtual" | "real" }
  | { type: "event"; event: TraceEvent }
  /** `reusable` (reusable threads only): the run left nothing behind that could touch the next one. */
  | { type: "result"; result: RunResult; reusable?: boolean }
  /** Bad input found while loading (exit 2): the error's class name and one-line message. */
  | { type: "load-error"; name: string; message: string; stack?: string }
  /** An error of the bench's own code on the session thread after loading (exit 3, with the report). */
  | { type: "internal-error"; message: string; stack?: string };

export type ToSessionThread = { type: "stop" } | { type: "run"; run: SessionRun };
