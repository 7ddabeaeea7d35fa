// Where a check runs: the emulator (the prediction, or an emulated stand-in
// for a device) or a real board. Each side runs the check's scenario and
// hands back its result and trace.

import type { RunResult } from "../emulator/runner/result.ts";
import type { Scenario } from "../emulator/scenario/types.ts";
import type { TraceEvent } from "../emulator/trace.ts";

export interface CheckRun {
  result: RunResult;
  events: readonly TraceEvent[];
}

export interface ScenarioRunner {
  /** For reports: "emulator esp8266, umqtt.simple 1.8.0", "serial:/dev/ttyUSB0". */
  readonly label: string;
  /** Runs one scenario to its verdict; `onEvent` sees each trace event as it happens. */
  run(scenario: Scenario, onEvent: (event: TraceEvent) => void): Promise<CheckRun>;
  /** Ctrl-C: end the run under way as soon as possible, keeping what it recorded. */
  stop(): void;
}
