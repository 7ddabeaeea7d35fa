// What a check's firmware observed, read from the run's trace, and the
// comparison of the device's results with the prediction's.
// Firmware prints `result KEY VALUE` for each thing it observed, `info TEXT`
// for context (e.g. the bisection's bounds), and `conformance done` at the end.

import type { RunResult } from "../emulator/runner/result.ts";
import type { TraceEvent } from "../emulator/trace.ts";
import type { Check } from "./pack.ts";

export const DONE_LINE = "conformance done";

export interface Observed {
  /** KEY -> VALUE, in the order the firmware printed them. */
  results: Map<string, string>;
  info: string[];
  /** The run did not get to `conformance done`: why (a crash, a timeout, a failed step). */
  failure?: string;
}

export function observe(result: RunResult, events: readonly TraceEvent[]): Observed {
  const results = new Map<string, string>();
  const info: string[] = [];
  let done = false;
  for (const e of events) {
    if (e.kind !== "print") continue;
    const text = e.text.trim();
    const result = /^result (\S+)(?: (.*))?$/.exec(text);
    if (result) results.set(result[1]!, (result[2] ?? "").trim());
    else if (text.startsWith("info ")) info.push(text.slice("info ".length));
    else if (text === DONE_LINE) done = true;
  }
  const crashed = result.boards.find((b) => b.crashed)?.crashed;
  const failure = done ? undefined : crashed ?? result.failure ?? `the firmware did not print "${DONE_LINE}"`;
  return { results, info, failure };
}

export interface Row {
  key: string;
  device: string;
  prediction: string;
  match: boolean;
  /** The relative tolerance applied, for numeric results. */
  tolerance?: number;
}

export type CheckStatus = "match" | "mismatch";

/** Every key either side reported (prediction's order first), plus a "completed" row when a run fell short. */
export function compare(check: Check, device: Observed, prediction: Observed): Row[] {
  const keys = [...prediction.results.keys()];
  for (const key of device.results.keys()) if (!keys.includes(key)) keys.push(key);
  const rows: Row[] = keys.map((key) => {
    const d = device.results.get(key);
    const p = prediction.results.get(key);
    const tolerance = check.tolerance?.[key];
    return { key, device: d ?? "(none)", prediction: p ?? "(none)", match: d !== undefined && p !== undefined && same(d, p, tolerance), ...(tolerance === undefined ? {} : { tolerance }) };
  });
  if (device.failure || prediction.failure) {
    rows.push({
      key: "completed",
      device: device.failure ? `no: ${device.failure}` : "yes",
      prediction: prediction.failure ? `no: ${prediction.failure}` : "yes",
      match: false,
    });
  }
  return rows;
}

function same(device: string, prediction: string, tolerance: number | undefined): boolean {
  if (tolerance === undefined) return device === prediction;
  const d = Number(device);
  const p = Number(prediction);
  if (!Number.isFinite(d) || !Number.isFinite(p)) return device === prediction;
  return p === 0 ? d === 0 : Math.abs(d - p) / Math.abs(p) <= tolerance;
}
