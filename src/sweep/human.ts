// The sweep's report for people: counts, then the failing seeds grouped by
// how they failed, each with the command that runs it alone.

import type { SweepReport } from "./report.ts";

const count = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

export function sweepSummaryLine(report: SweepReport): string {
  const ran = report.passed + report.failed;
  const what = report.scenarios.length === 1 ? report.scenarios[0] : count(report.scenarios.length, "scenario");
  const shard = report.shards && report.shards.length === 1 ? ` (shard ${report.shards[0]!.index}/${report.shards[0]!.count})` : "";
  switch (report.status) {
    case "pass":
      return `PASS  ${what}${shard}: all ${count(ran, "seed")} passed`;
    case "fail":
      return `FAIL  ${what}${shard}: ${count(report.failed, "seed")} of ${ran.toLocaleString("en-US")} failed${report.notRun ? `, ${count(report.notRun, "seed")} not run` : ""}`;
    case "interrupted":
      return `INTERRUPTED  ${what}${shard}: ${count(ran, "seed")} run (${report.failed.toLocaleString("en-US")} failed), ${count(report.notRun, "seed")} not run`;
    case "incomplete":
      return `INCOMPLETE  ${what}: ${count(ran, "seed")} passed, ${count(report.notRun, "seed")} not run`;
  }
}

export function sweepHumanReport(report: SweepReport, notes: readonly string[] = []): string {
  const lines: string[] = [];
  const seconds = (report.wallMs / 1000).toFixed(1);
  lines.push(`sweep ${report.scenarios.join(", ")}  seeds ${report.seeds}  ${count(report.jobs, "job")}  ${seconds} s wall`);
  lines.push(`  ${report.passed.toLocaleString("en-US")} passed, ${report.failed.toLocaleString("en-US")} failed${report.notRun ? `, ${report.notRun.toLocaleString("en-US")} not run` : ""}`);
  if (report.groups.length > 0) {
    lines.push("", report.groups.length === 1 ? "Failing seeds (one way of failing)" : `Failing seeds (${report.groups.length} ways of failing)`);
    for (const group of report.groups) {
      lines.push("", `  ${count(group.count, "seed")}: ${group.kind}`);
      for (const seed of group.seeds) lines.push(`    ${seed.reproduce}`);
    }
  }
  for (const note of notes) lines.push("", note);
  lines.push("", sweepSummaryLine(report));
  return lines.join("\n");
}
