// Joins the reports of a sweep's shards into one report with one verdict.
// The shards must come from the same sweep (scenarios, seeds and run flags
// alike); a seed reported twice is an error, and shards that never reported
// leave their seeds "not run", which fails the merged verdict.

import { UsageError } from "../cli/errors.ts";
import { buildReport, REPORT_FORMAT, type SweepReport } from "./report.ts";
import type { Shard } from "./shard.ts";

export interface NamedReport {
  file: string;
  report: SweepReport;
}

/** Parses one file's text as a sweep report, or says in one line why it is not one. */
export function readReport(file: string, text: string): SweepReport {
  if (text.trimStart().startsWith("<")) {
    throw new UsageError(`${file}: JUnit XML; merge reads the shards' --json reports (only they say which shard and seeds each covers) and writes the merged JUnit with --junit`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${file}: not JSON (expected the output of umqtt-bench sweep --json)`);
  }
  const report = value as Partial<SweepReport> | null;
  if (!report || typeof report !== "object" || report.format !== REPORT_FORMAT || !Array.isArray(report.results) || !Array.isArray(report.scenarios)) {
    throw new UsageError(`${file}: not a sweep report (expected the output of umqtt-bench sweep --json, format ${REPORT_FORMAT})`);
  }
  return report as SweepReport;
}

const sameSweep = (a: SweepReport, b: SweepReport): boolean =>
  JSON.stringify([a.scenarios, a.seeds, a.runFlags, a.total]) === JSON.stringify([b.scenarios, b.seeds, b.runFlags, b.total]);

export function mergeReports(inputs: readonly NamedReport[]): { report: SweepReport; notes: string[] } {
  const first = inputs[0];
  if (!first) throw new UsageError("merge: give at least one sweep report");
  const seen = new Map<number, string>();
  const shards: Shard[] = [];
  const counts = new Set<number>();
  let whole = false;
  for (const { file, report } of inputs) {
    if (!sameSweep(first.report, report)) {
      throw new UsageError(`${file}: from a different sweep than ${first.file} (scenarios, --seeds or run flags differ)`);
    }
    for (const r of report.results) {
      const other = seen.get(r.position);
      if (other !== undefined) throw new UsageError(`${file}: ${r.scenario} seed ${r.seed} is also in ${other} (the same shard given twice?)`);
      seen.set(r.position, file);
    }
    if (report.shards === null) whole = true;
    for (const shard of report.shards ?? []) {
      shards.push(shard);
      counts.add(shard.count);
    }
  }
  if (counts.size > 1) throw new UsageError(`merge: the shards were cut ${[...counts].join(" and ")} ways; give the shards of one sweep`);
  const notes: string[] = [];
  const count = [...counts][0];
  if (!whole && count !== undefined) {
    const present = new Set(shards.map((s) => s.index));
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !present.has(i));
    if (missing.length > 0) notes.push(`Missing shard${missing.length > 1 ? "s" : ""} ${missing.map((i) => `${i}/${count}`).join(", ")}: their seeds did not run.`);
  }
  const interrupted = inputs.filter(({ report }) => report.status === "interrupted").map(({ file }) => file);
  if (interrupted.length > 0) notes.push(`Interrupted before every seed ran: ${interrupted.join(", ")}.`);
  const report = buildReport({
    scenarios: first.report.scenarios,
    seeds: first.report.seeds,
    runFlags: first.report.runFlags,
    total: first.report.total,
    shards: whole ? null : shards.sort((a, b) => a.index - b.index),
    expected: first.report.total,
    results: inputs.flatMap(({ report }) => report.results),
    interrupted: false,
    // The shards ran side by side: the merged sweep took as long as the slowest.
    wallMs: Math.max(...inputs.map(({ report }) => report.wallMs)),
    jobs: inputs.reduce((sum, { report }) => sum + report.jobs, 0),
  });
  return { report, notes };
}
