// Runs a scenario in process to its verdict, the way `umqtt-bench run` does.

import { createSession, type SessionOptions } from "../../src/emulator/runner/session.ts";
import { resolveScenario } from "../../src/emulator/scenario/resolve.ts";
import { parseScenarioText } from "../../src/emulator/scenario/parse.ts";
import type { RunResult } from "../../src/emulator/runner/result.ts";
import type { TraceEvent } from "../../src/emulator/trace.ts";

export interface Outcome {
  result: RunResult;
  events: readonly TraceEvent[];
}

export async function runScenario(nameOrYaml: string, options: Partial<SessionOptions> = {}): Promise<Outcome> {
  const scenario = nameOrYaml.includes("\n") ? parseScenarioText(nameOrYaml, "inline.yaml", process.cwd()) : resolveScenario(nameOrYaml);
  const session = await createSession(scenario, { seed: 1, ...options });
  await session.verdict;
  const result = await session.stop();
  return { result, events: session.trace.events };
}

export function prints(events: readonly TraceEvent[], board: string): string[] {
  return events.flatMap((e) => (e.kind === "print" && e.board === board ? [e.text] : []));
}

export function packets(events: readonly TraceEvent[], board: string, type: string, dir?: "out" | "in") {
  return events.filter(
    (e): e is Extract<TraceEvent, { kind: "mqtt" }> => e.kind === "mqtt" && e.board === board && e.type === type && (dir === undefined || e.dir === dir),
  );
}
