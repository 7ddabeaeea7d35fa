// A scenario: boards running firmware, stimulus from the bench, and
// expectations, all on one clock with a virtual-time deadline. Steps follow
// Wokwi's automation scenarios (delay, wait-serial, set-control, expect-pin)
// with MQTT and network-fault steps added.

import type { UmqttVersion } from "../../client/versions.ts";
import type { UmqttLoad } from "../board/heap-calibration.ts";

export interface ScenarioBoard {
  /** Name used in steps and traces, e.g. "board1". */
  name: string;
  /** Board model: a file in boards/ (e.g. "esp8266") or a path to a board JSON file. */
  board: string;
  /** Built-in firmware name (scenarios/firmware/<name>.py, or .ts), or a path to a .py file, a firmware folder or a .ts module. */
  firmware: string;
  /** Network profile name; defaults to the board's own default. */
  net?: string;
  /** umqtt.simple release the board's firmware gets (`umqtt: 1.7.1`); default 1.8.0. */
  umqtt?: UmqttVersion;
  /** How umqtt is loaded on the board (`umqtt-load: mpy`): frozen (default), mpy or py. */
  umqttLoad?: UmqttLoad;
  /** Values handed to the firmware (e.g. topic names, payload sizes). */
  params: Record<string, unknown>;
}

export type PinTarget = { board: string; pin: number } | { board: string; led: string };

export type Step =
  | { type: "delay"; ms: number }
  | { type: "wait-serial"; board?: string; text: string; timeoutMs: number }
  | { type: "expect-no-serial"; board?: string; text: string; forMs: number }
  | { type: "set-control"; board: string; control: string; value: 0 | 1 }
  | { type: "press"; board: string; control: string; holdMs: number }
  | { type: "expect-pin"; target: PinTarget; value: 0 | 1 }
  | { type: "wait-pin"; target: PinTarget; value: 0 | 1; timeoutMs: number }
  | { type: "publish"; topic: string; payload: string; qos: 0 | 1; retain: boolean }
  /** A message the bench's subscriber saw from a board (or, with fromBench, from anyone), or one `board` received. */
  | { type: "expect-message"; topic: string; payload?: string; board?: string; fromBench?: boolean; timeoutMs: number }
  | { type: "fault"; board: string; fault: FaultKind; durationMs?: number }
  | { type: "wait-net"; board: string; event: string; timeoutMs: number }
  | { type: "wait-mqtt"; board: string; packet: string; dir?: "out" | "in"; topic?: string; timeoutMs: number }
  | { type: "expect-heap"; board: string; maxUsed?: number; minFree?: number };

export type FaultKind = "reset" | "partition" | "partition-end" | "wifi-down" | "wifi-up" | "dns-fail" | "dns-ok";

export interface Scenario {
  name: string;
  description: string;
  /** Where the scenario came from: a built-in name or a file path (for messages). */
  source: string;
  /** Directory relative paths in the file resolve against. */
  baseDir: string;
  /** Virtual-time deadline for the whole run. */
  timeoutMs: number;
  boards: ScenarioBoard[];
  steps: Step[];
}

/** A one-line description of a step, for reports and traces. */
export function describeStep(step: Step): string {
  switch (step.type) {
    case "delay":
      return `delay ${step.ms}ms`;
    case "wait-serial":
      return `wait-serial ${step.board ?? "any board"} "${step.text}"`;
    case "expect-no-serial":
      return `expect-no-serial ${step.board ?? "any board"} "${step.text}" for ${step.forMs}ms`;
    case "set-control":
      return `set-control ${step.board}.${step.control} = ${step.value}`;
    case "press":
      return `press ${step.board}.${step.control} for ${step.holdMs}ms`;
    case "expect-pin":
    case "wait-pin":
      // For an LED the value means lit (1) or dark (0), whatever its polarity.
      return `${step.type} ${describeTarget(step.target)} ${"led" in step.target ? (step.value ? "on" : "off") : `= ${step.value}`}`;
    case "publish":
      return `publish ${step.topic} ${step.payload.length > 40 ? `(${step.payload.length} bytes)` : `"${step.payload}"`}${step.qos ? ` qos${step.qos}` : ""}${step.retain ? " retained" : ""}`;
    case "expect-message":
      return `expect-message ${step.board ? `${step.board} receives ` : ""}${step.topic}${step.payload === undefined ? "" : ` "${step.payload}"`}${step.fromBench ? " (bench's own count)" : ""}`;
    case "fault":
      return `fault ${step.board} ${step.fault}${step.durationMs === undefined ? "" : ` for ${step.durationMs}ms`}`;
    case "wait-net":
      return `wait-net ${step.board} ${step.event}`;
    case "wait-mqtt":
      return `wait-mqtt ${step.board} ${step.dir === "out" ? "sends" : step.dir === "in" ? "receives" : "link carries"} ${step.packet}${step.topic ? ` ${step.topic}` : ""}`;
    case "expect-heap":
      return `expect-heap ${step.board}${step.maxUsed === undefined ? "" : ` used<=${step.maxUsed}`}${step.minFree === undefined ? "" : ` free>=${step.minFree}`}`;
  }
}

function describeTarget(target: PinTarget): string {
  return "led" in target ? `${target.board}.${target.led}` : `${target.board}.GPIO${target.pin}`;
}
