// `umqtt-bench diff A.jsonl B.jsonl`: are two traces the same run, once what
// must differ is normalised? Exit 0 equivalent, 1 different, 2 bad input.

import { compareTraces, DEFAULT_TOLERANCES, type Comparison, type Tolerances } from "../../compare/compare.ts";
import { readTraceFile, TraceReadError, type NumberedEvent } from "../../compare/read-trace.ts";
import { humanDiffReport, jsonDiffReport } from "../../compare/report.ts";
import { EXIT } from "../exit-codes.ts";
import { UsageError } from "../errors.ts";

export interface DiffFlags {
  json?: boolean;
  pinToleranceMs?: string;
  heapTolerance?: string;
}

export function tolerancesFrom(flags: DiffFlags): Tolerances {
  return {
    pinMs: flags.pinToleranceMs === undefined ? DEFAULT_TOLERANCES.pinMs : nonNegative("--pin-tolerance-ms", flags.pinToleranceMs, "milliseconds"),
    heapPercent: flags.heapTolerance === undefined ? DEFAULT_TOLERANCES.heapPercent : nonNegative("--heap-tolerance", flags.heapTolerance.replace(/%$/, ""), "percent"),
  };
}

function nonNegative(flag: string, text: string, unit: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag}: expected a number of ${unit} (0 or more), got "${text}"`);
  return n;
}

/** Reads a trace for a command: a file that is not a trace is bad input (exit 2). */
export function readTraceForCommand(path: string): NumberedEvent[] {
  try {
    return readTraceFile(path);
  } catch (error) {
    if (error instanceof TraceReadError) throw new UsageError(error.message);
    throw error;
  }
}

/** Prints the comparison and returns its exit code. */
export function printComparison(comparison: Comparison, labels: { a: string; b: string }, json: boolean): number {
  process.stdout.write(`${json ? jsonDiffReport(comparison, labels) : humanDiffReport(comparison, labels)}\n`);
  return comparison.equivalent ? EXIT.pass : EXIT.fail;
}

export async function diffCommand(fileA: string, fileB: string, flags: DiffFlags): Promise<void> {
  const tolerances = tolerancesFrom(flags);
  const a = readTraceForCommand(fileA);
  const b = readTraceForCommand(fileB);
  process.exitCode = printComparison(compareTraces(a, b, tolerances), { a: fileA, b: fileB }, flags.json === true);
}
