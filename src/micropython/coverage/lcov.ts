// Writes firmware line coverage as lcov tracefile text (the format genhtml,
// Codecov, Coveralls and most CI coverage tools read): per file SF, one DA
// per executable line (1 when it ran, 0 when not; hit counts are not
// recorded), LF/LH totals, end_of_record.

import type { FileCoverage } from "./line-coverage.ts";

/** `pathOf` names each file in SF (default: its host source, else its board path). */
export function lcov(files: readonly FileCoverage[], pathOf: (f: FileCoverage) => string = (f) => f.source ?? f.file): string {
  const out: string[] = [];
  for (const f of files) {
    const hit = new Set(f.hit);
    out.push("TN:", `SF:${pathOf(f)}`);
    for (const line of f.executable) out.push(`DA:${line},${hit.has(line) ? 1 : 0}`);
    out.push(`LF:${f.executable.length}`, `LH:${f.hit.length}`, "end_of_record");
  }
  return out.length ? `${out.join("\n")}\n` : "";
}

/** "main.py  12/15 lines (80.0%)" rows, and a total. */
export function coverageSummary(files: readonly FileCoverage[], nameOf: (f: FileCoverage) => string = (f) => f.file): string[] {
  if (files.length === 0) return ["coverage: no .py files"];
  const names = files.map(nameOf);
  const width = Math.max(...names.map((n) => n.length), "total".length);
  const row = (name: string, hit: number, total: number) =>
    `  ${name.padEnd(width)}  ${`${hit}/${total}`.padStart(9)} lines  ${total ? `${((hit / total) * 100).toFixed(1)}%` : "-"}`;
  const lines = ["coverage (lines run / executable lines):"];
  let hit = 0;
  let total = 0;
  files.forEach((f, i) => {
    lines.push(row(names[i]!, f.hit.length, f.executable.length));
    hit += f.hit.length;
    total += f.executable.length;
  });
  if (files.length > 1) lines.push(row("total", hit, total));
  return lines;
}
