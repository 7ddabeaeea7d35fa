// A run's result rebuilt from the trace events the supervisor received, for
// when the session thread cannot give its own: it hung in firmware that
// never yields, died, or was abandoned at a second Ctrl-C. Heap and network
// figures are the last the trace showed.

import type { BoardResult, RunResult, RunStatus, StepResult } from "../../emulator/runner/result.ts";
import { explainQuirks } from "../../emulator/runner/notes.ts";
import { describeStep, type Scenario } from "../../emulator/scenario/types.ts";
import type { TraceEvent } from "../../emulator/trace.ts";
import type { BoardInfo } from "./protocol.ts";

export interface FallbackFacts {
  scenario: Scenario;
  seed: number;
  broker: string;
  clock: "virtual" | "real";
  boards: readonly BoardInfo[];
  events: readonly TraceEvent[];
  status: RunStatus;
  failure: string;
  wallMs: number;
}

function steps(scenario: Scenario, events: readonly TraceEvent[], failure: string): StepResult[] {
  const results: StepResult[] = scenario.steps.map((step, index) => ({ index, description: describeStep(step), status: "skipped" }));
  let running: number | undefined;
  for (const e of events) {
    if (e.kind !== "step") continue;
    if (e.status === "start") {
      running = e.index;
      results[e.index] = { ...results[e.index], startMs: e.t };
    } else {
      running = undefined;
      results[e.index] = { ...results[e.index], status: e.status, atMs: e.t, detail: e.detail };
    }
  }
  if (running !== undefined) {
    const last = events.length ? events[events.length - 1].t : 0;
    results[running] = { ...results[running], status: "fail", atMs: last, detail: failure };
  }
  return results;
}

function board(info: BoardInfo, events: readonly TraceEvent[]): BoardResult {
  let peakUsed = 0;
  let free = info.heapBudget;
  let largestFree = info.heapBudget;
  const network = { connections: 0, resets: 0, partitions: 0, faults: 0 };
  let crashed: string | undefined;
  for (const e of events) {
    if (!("board" in e) || e.board !== info.name) continue;
    if (e.kind === "heap") {
      peakUsed = Math.max(peakUsed, e.used);
      free = e.free;
      largestFree = e.largestFree;
    } else if (e.kind === "net") {
      if (e.event === "connect") network.connections++;
      if (e.event === "reset") network.resets++;
      if (e.event === "partition-start") network.partitions++;
    } else if (e.kind === "board" && e.event === "crash") {
      crashed ??= e.detail;
    }
  }
  return {
    name: info.name,
    model: info.model,
    firmware: info.firmware,
    net: info.net,
    heap: { budget: info.heapBudget, peakUsed, freeAtEnd: free, largestFreeAtEnd: largestFree },
    network,
    ...(crashed ? { crashed } : {}),
  };
}

export function resultFromTrace(facts: FallbackFacts): RunResult {
  const { scenario, events } = facts;
  return {
    scenario: scenario.name,
    source: scenario.source,
    status: facts.status,
    seed: facts.seed,
    broker: facts.broker,
    clock: facts.clock,
    virtualMs: events.length ? events[events.length - 1].t : 0,
    wallMs: facts.wallMs,
    steps: steps(scenario, events, facts.failure),
    boards: facts.boards.map((b) => board(b, events)),
    failure: facts.failure,
    notes: [
      ...explainQuirks(events),
      "The run was stopped before its session gave its own result, so this report is rebuilt from the trace: heap and network figures are the last the trace recorded.",
    ],
  };
}
