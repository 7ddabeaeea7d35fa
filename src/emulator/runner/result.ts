// What a finished run reports. Everything here is derived from the run's
// trace plus a few end-of-run readings (heap, network counters).

import type { FileCoverage } from "../../micropython/coverage/line-coverage.ts";

export type RunStatus = "pass" | "fail" | "timeout";
export type StepStatus = "pass" | "fail" | "timeout" | "skipped";

export interface StepResult {
  index: number;
  description: string;
  status: StepStatus;
  /** Virtual time at which the step started. */
  startMs?: number;
  /** Virtual time at which the step finished. */
  atMs?: number;
  detail?: string;
}

export interface BoardResult {
  name: string;
  model: string;
  firmware: string;
  net: string;
  heap: { budget: number; peakUsed: number; freeAtEnd: number; largestFreeAtEnd: number };
  network: { connections: number; resets: number; partitions: number; faults: number };
  /** The uncaught exception that stopped the firmware, as MicroPython would print it. */
  crashed?: string;
  /** `--coverage` runs of .py firmware: which lines of each file ran (src/micropython/coverage). */
  coverage?: FileCoverage[];
}

export interface RunResult {
  scenario: string;
  source: string;
  status: RunStatus;
  seed: number;
  broker: string;
  clock: "virtual" | "real";
  virtualMs: number;
  wallMs: number;
  steps: StepResult[];
  boards: BoardResult[];
  /** One line saying why the run did not pass. */
  failure?: string;
  /** Device behaviour seen in the trace and what it means (umqtt's quirks). */
  notes: string[];
}
