// The live view of a running scenario: what `umqtt-bench run` drives at full
// speed and `umqtt-bench watch` drives interactively. The runner implements
// it; the CLI and the TUI only use this surface and the trace.

import type { RunResult } from "./result.ts";
import type { FaultKind, Scenario } from "../scenario/types.ts";
import type { Trace } from "../trace.ts";

export interface LedView {
  name: string;
  pin: number | string;
  activeLow: boolean;
  /** A terminal colour name from the board file, e.g. "blue". */
  color: string;
}

export interface ButtonView {
  name: string;
  pin: number | string;
  /** Preferred key from the board file, if any. */
  key?: string;
}

export interface HeapView {
  budget: number;
  used: number;
  free: number;
  largestFree: number;
  peakUsed: number;
}

export interface NetworkView {
  profile: string;
  latencyMs: number;
  connected: boolean;
  partitioned: boolean;
  wifiUp: boolean;
  connections: number;
  resets: number;
  faults: number;
}

export interface BoardView {
  name: string;
  model: string;
  firmware: string;
  leds: LedView[];
  buttons: ButtonView[];
  ledLit(led: string): boolean;
  buttonPressed(button: string): boolean;
  heap(): HeapView;
  network(): NetworkView;
}

export type Speed = number | "max";

export interface BenchSession {
  readonly scenario: Scenario;
  readonly trace: Trace;
  readonly seed: number;
  readonly boards: readonly BoardView[];
  /** Virtual (or real) milliseconds since the run started. */
  now(): number;
  readonly speed: Speed;
  setSpeed(speed: Speed): void;
  readonly paused: boolean;
  pause(): void;
  resume(): void;
  pressButton(board: string, button: string): void;
  releaseButton(board: string, button: string): void;
  injectFault(board: string, fault: FaultKind): void;
  /** Publish from the bench's own MQTT client (appears in the trace as board "bench"). */
  publish(topic: string, payload: string): Promise<void>;
  /** Resolves when the scenario's steps have all passed, one failed, or the deadline passed. */
  readonly verdict: Promise<RunResult>;
  /** Stop everything (boards, broker, clock) and return the final result. Idempotent. */
  stop(): Promise<RunResult>;
}
